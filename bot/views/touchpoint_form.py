"""The modal that logs a touchpoint with the date, how, what was exchanged and who gave it."""

import json
from dataclasses import dataclass
from datetime import date

from bot.ids import LOG_TOUCHPOINT_VIEW
from bot.views.elements import (
    advisor_select,
    choice,
    input_block,
    metadata,
    submitted,
    text_input,
)
from bot.views.text import plain, shorten
from core.db import row_id
from core.errors import Invalid
from core.models import Advisor, Exchange, GivenBy, Medium

HOW = {
    Medium.CALL: "A call",
    Medium.COFFEE: "Coffee or a meal",
    Medium.MESSAGE: "Messages",
    Medium.MEETING: "A meeting",
    Medium.OTHER: "Other",
}
EXCHANGED = {
    Exchange.KNOWLEDGE: "Knowledge (information, insight)",
    Exchange.ADVICE: "Advice (a sounding board)",
    Exchange.INTRODUCTION: "An introduction",
    Exchange.SUPPORT: "Support",
}
GIVEN_BY = {GivenBy.ME: "I gave", GivenBy.THEM: "I received", GivenBy.BOTH: "Both"}


@dataclass(frozen=True)
class TouchpointForm:
    advisor_id: int | None
    on: date | None
    how: str
    exchanged: tuple[str, ...]
    given_by: str
    note: str


def build_touchpoint_modal(
    *,
    board: list[Advisor],
    today: date,
    advisor_id: int | None = None,
    note: str = "",
    how: str | None = None,
    message_link: str | None = None,
    warning: str = "",
    nudge_id: int | None = None,
) -> dict:
    """`board` is the member's active advisors (most urgent first); one may be preselected."""
    blocks = [
        input_block("advisor", "With", advisor_select(board, advisor_id), optional=False),
        input_block(
            "date",
            "When",
            {"type": "datepicker", "initial_date": today.isoformat()},
            optional=False,
        ),
        input_block("how", "How", choice("static_select", HOW, [how] if how else [])),
        input_block("exchanged", "What was exchanged", choice("checkboxes", EXCHANGED, [])),
        input_block("given_by", "Who gave", choice("radio_buttons", GIVEN_BY, [GivenBy.BOTH])),
        input_block("note", "Note", text_input(3000, shorten(note, 3000), multiline=True)),
    ]
    if warning:
        blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": warning}]})
    if message_link:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"From <{message_link}|this message>"}],
            }
        )
    return {
        "type": "modal",
        "callback_id": LOG_TOUCHPOINT_VIEW,
        "title": plain("Log a touchpoint", 24),
        "submit": plain("Log it", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(
            {"message_link": message_link} | ({"nudge": nudge_id} if nudge_id else {})
        ),
        "blocks": blocks,
    }


def read_touchpoint_form(values: dict) -> TouchpointForm:
    picked = (submitted(values, "advisor").get("selected_option") or {}).get("value", "")
    raw_date = submitted(values, "date").get("selected_date")
    try:
        on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise Invalid("Pick a date.", field="date") from None
    how = (submitted(values, "how").get("selected_option") or {}).get("value", Medium.OTHER)
    exchanged = submitted(values, "exchanged").get("selected_options") or []
    given_by = (submitted(values, "given_by").get("selected_option") or {}).get(
        "value", GivenBy.BOTH
    )
    if not row_id(picked):
        raise Invalid("Choose the advisor this touchpoint was with.", field="advisor")
    return TouchpointForm(
        advisor_id=row_id(picked),
        on=on,
        how=how,
        exchanged=tuple(o["value"] for o in exchanged),
        given_by=given_by,
        note=submitted(values, "note").get("value") or "",
    )


def message_link_of(view: dict) -> str | None:
    link = metadata(view, "message_link")
    return link if isinstance(link, str) and link.startswith("https://") else None
