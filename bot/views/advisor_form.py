"""The modal that enlists an advisor or edits one, and reading what the member typed into it."""

import json
from dataclasses import dataclass
from datetime import date

from bot.ids import ADD_ADVISOR_VIEW, EDIT_ADVISOR_VIEW
from bot.views.elements import choice, input_block, metadata, submitted, text_input
from bot.views.text import plain
from core.errors import Invalid
from core.models import Advisor, RelationshipKind, Support

RELATIONSHIPS = {
    RelationshipKind.SENIOR: "Senior to me (sponsor, boss, executive)",
    RelationshipKind.PEER: "A peer",
    RelationshipKind.JUNIOR: "Junior to me",
    RelationshipKind.FAMILY_FRIEND: "Family or friend",
    RelationshipKind.OTHER: "Other",
}
SUPPORT = {
    Support.SPONSORSHIP: "Career: sponsorship (speaks for me)",
    Support.COACHING: "Career: coaching",
    Support.EXPOSURE: "Career: exposure and visibility",
    Support.STRETCH: "Career: stretch assignments",
    Support.INTRODUCTIONS: "Career: introductions",
    Support.ROLE_MODEL: "Personal: role model",
    Support.COUNSEL: "Personal: counsel and emotional support",
    Support.FRIENDSHIP: "Personal: friendship",
}
CADENCE_HINT = (
    "Leave empty for the usual rhythm: monthly for senior and junior advisors, every 3 weeks "
    "for peers, every 2 months for family and friends, every 45 days otherwise."
)


@dataclass(frozen=True)
class AdvisorForm:
    """What the member submitted, as plain values."""

    member: str | None
    name: str
    contact: str
    relationship: str
    inside_org: bool
    support: tuple[str, ...]
    gains: str
    cadence_days: int | None
    last_spoke_on: date | None
    notes: str


def _person_blocks(
    advisor: Advisor | None, prefill_member: str | None, prefill_name: str
) -> list[dict]:
    member = {"type": "users_select", "placeholder": plain("Pick a Slack member", 150)}
    initial_member = advisor.slack_user_id if advisor else prefill_member
    if initial_member:
        member["initial_user"] = initial_member
    outside = advisor is not None and advisor.slack_user_id is None
    name = advisor.name if outside else prefill_name
    return [
        input_block("member", "A Slack member", member),
        input_block(
            "name",
            "Or someone outside Slack: their name",
            text_input(150, name[:150], placeholder="e.g. Grace Hopper"),
        ),
        input_block(
            "contact",
            "Their email or a link (outside Slack)",
            text_input(300, (advisor.contact or "") if advisor else ""),
        ),
    ]


def _details_blocks(advisor: Advisor | None, prefill: Advisor | None = None) -> list[dict]:
    """The advisor's details as stored; for a new one, as `prefill` suggests (a peer from a
    circle: a peer, inside, counsel), else the member chooses."""
    shown = advisor or prefill
    relationship = shown.relationship if shown else None
    inside = "inside" if shown is None or shown.inside_org else "outside"
    cadence = {"type": "number_input", "is_decimal_allowed": False, "min_value": "1"}
    cadence["max_value"] = "365"
    if advisor:
        cadence["initial_value"] = str(advisor.cadence_days)
    where = {"inside": "Inside my organisation", "outside": "Outside my organisation"}
    return [
        input_block(
            "relationship",
            "They are",
            choice("static_select", RELATIONSHIPS, [relationship] if relationship else []),
            optional=False,
        ),
        input_block("inside", "Where", choice("radio_buttons", where, [inside]), optional=False),
        input_block(
            "support",
            "What they help me with",
            choice("checkboxes", SUPPORT, shown.support if shown else []),
        ),
        input_block(
            "gains",
            "What they gain from me",
            text_input(3000, advisor.gains if advisor else "", multiline=True),
            hint="Mutuality keeps the relationship alive: new skills, insight, a chance to coach.",
        ),
        input_block("cadence", "Be in touch every … days", cadence, hint=CADENCE_HINT),
    ]


def build_advisor_modal(
    *,
    today: date,
    advisor: Advisor | None = None,
    prefill_member: str | None = None,
    prefill_name: str = "",
    prefill: Advisor | None = None,
) -> dict:
    """Enlist a new advisor (advisor=None) or edit `advisor`; `today` is the member's date.
    A new advisor's details may be suggested by `prefill` (not saved)."""
    blocks = _person_blocks(advisor, prefill_member, prefill_name)
    blocks += _details_blocks(advisor, prefill)
    if advisor is None:
        spoke = {"type": "datepicker", "initial_date": today.isoformat()}
        blocks.append(input_block("last_spoke", "When did you last speak?", spoke, optional=False))
    blocks.append(
        input_block(
            "notes", "Notes", text_input(3000, advisor.notes if advisor else "", multiline=True)
        )
    )
    view = {
        "type": "modal",
        "callback_id": EDIT_ADVISOR_VIEW if advisor else ADD_ADVISOR_VIEW,
        "title": plain("Edit advisor" if advisor else "Enlist an advisor", 24),
        "submit": plain("Save" if advisor else "Enlist", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }
    if advisor:
        view["private_metadata"] = json.dumps({"advisor_id": advisor.id})
    return view


def _cadence(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid("Type a whole number of days, from 1 to 365.", field="cadence") from None


def _spoke_on(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid("Pick a date.", field="last_spoke") from None


def read_advisor_form(values: dict) -> AdvisorForm:
    """The submitted state as plain values; Invalid when a value cannot even be read."""
    selected = submitted(values, "relationship").get("selected_option") or {}
    inside = (submitted(values, "inside").get("selected_option") or {}).get("value", "inside")
    support = submitted(values, "support").get("selected_options") or []
    return AdvisorForm(
        member=submitted(values, "member").get("selected_user"),
        name=submitted(values, "name").get("value") or "",
        contact=submitted(values, "contact").get("value") or "",
        relationship=selected.get("value", ""),
        inside_org=inside == "inside",
        support=tuple(o["value"] for o in support),
        gains=submitted(values, "gains").get("value") or "",
        cadence_days=_cadence(submitted(values, "cadence").get("value")),
        last_spoke_on=_spoke_on(submitted(values, "last_spoke").get("selected_date")),
        notes=submitted(values, "notes").get("value") or "",
    )


def advisor_id_of(view: dict) -> int | None:
    """The advisor an edit modal is about (never trusted alone: core checks the owner)."""
    advisor_id = metadata(view, "advisor_id")
    return advisor_id if isinstance(advisor_id, int) else None
