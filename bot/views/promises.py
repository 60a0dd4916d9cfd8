"""Promises in Block Kit: the line that shows one, its menu, and the modals that change it."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.ids import (
    DROP_PROMISE_VIEW,
    MAKE_PROMISE_VIEW,
    PROMISE_BUTTON,
    PROMISE_DONE,
    PROMISE_DROP,
    PROMISE_MENU,
    PROMISE_RENEGOTIATE,
    PROMISE_UPDATE,
    PROMISES_MORE,
    RENEGOTIATE_VIEW,
    UPDATE_PROMISE_VIEW,
)
from bot.views.dates import unsure_in_a_form
from bot.views.elements import (
    advisor_select,
    choice,
    input_block,
    metadata,
    pages_block,
    submitted,
    text_input,
)
from bot.views.text import day, escape, long_day, mrkdwn, plain
from core.dates import read_day
from core.errors import Invalid, Unsure
from core.models import Advisor, Firmness, Promise
from core.promises import Keeping

FIRMNESS = {Firmness.PROMISE: "I promise", Firmness.TRY: "I'll try"}
TYPED_DAY = input_block(  # wins over the date picked when filled in
    "when",
    "Or type it",
    text_input(60, placeholder="e.g. friday, in 2 weeks, end of April"),
    hint="Typed, it wins over the date above.",
)
PROMISES_PAGE = 20  # open promises a page of `/advisor promises`
MENU = [
    ("Done", PROMISE_DONE),
    ("Post an update", PROMISE_UPDATE),
    ("Renegotiate the date", PROMISE_RENEGOTIATE),
    ("Drop it", PROMISE_DROP),
]


def promise_line(promise: Promise, now: datetime, zone: ZoneInfo) -> str:
    """'“Send the deck” · due Fri, Nov 27 · I promise · last update Wed, Nov 25'."""
    today = now.astimezone(zone).date()
    due = f"due {day(promise.due_on, today)}"
    parts = [f"“{escape(promise.what)}”", due, FIRMNESS[promise.firmness]]
    if promise.last_update_at:
        parts.append(f"last update {day(promise.last_update_at.astimezone(zone), today)}")
    if promise.renegotiations:
        times = "once" if promise.renegotiations == 1 else f"{promise.renegotiations} times"
        parts.append(f"date moved {times}")
    mark = ":warning: *overdue* · " if now >= promise.due_at else ""
    return mark + " · ".join(parts)


def promise_blocks(promise: Promise, now: datetime, zone: ZoneInfo, *, buttons: bool) -> list[dict]:
    """One open promise with buttons (done, post an update, renegotiate, drop), or, where room
    is short, the same four in a menu."""
    if not buttons:
        return [promise_block(promise, now, zone)]
    actions = [
        {
            "type": "button",
            "text": plain(text),
            "action_id": PROMISE_BUTTON.format(choice),
            "value": str(promise.id),
            **({"style": "primary"} if choice == PROMISE_DONE else {}),
        }
        for text, choice in MENU
    ]
    return [
        {"type": "context", "elements": [mrkdwn(promise_line(promise, now, zone))]},
        {"type": "actions", "block_id": f"promise-{promise.id}", "elements": actions},
    ]


def promise_block(promise: Promise, now: datetime, zone: ZoneInfo) -> dict:
    """One open promise with a menu: done, post an update, renegotiate, drop."""
    menu = {
        "type": "overflow",
        "action_id": PROMISE_MENU,
        "options": [{"text": plain(t), "value": f"{c}:{promise.id}"} for t, c in MENU],
    }
    return {"type": "section", "text": mrkdwn(promise_line(promise, now, zone)), "accessory": menu}


def keeping_line(count: Keeping) -> str:
    """'Promises: 3 kept on time · 1 renegotiated in time · 1 late · 0 dropped'."""
    return (
        f"Promises: {count.kept_on_time} kept on time · {count.renegotiated_in_time} "
        f"renegotiated in time · {count.late} late · {count.dropped} dropped"
    )


def _modal(
    callback_id: str, title: str, submit: str, blocks: list[dict], meta: dict | None = None
) -> dict:
    view = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }
    if meta:
        view["private_metadata"] = json.dumps(meta)
    return view


def build_promise_modal(
    *, board: list[Advisor], today: date, advisor_id: int | None = None
) -> dict:
    blocks = [
        input_block("advisor", "To", advisor_select(board, advisor_id), optional=False),
        input_block(
            "what",
            "What you promised",
            text_input(500, placeholder="e.g. Send the draft deck"),
            optional=False,
        ),
        input_block(
            "due", "By", {"type": "datepicker", "initial_date": today.isoformat()}, optional=False
        ),
        TYPED_DAY,
        input_block(
            "firmness",
            "How you said it",
            choice("radio_buttons", FIRMNESS, [Firmness.PROMISE]),
            optional=False,
            hint="“I promise” and “I'll try” are heard differently: say which you said.",
        ),
    ]
    return _modal(MAKE_PROMISE_VIEW, "Record a promise", "Record it", blocks)


def build_update_modal(promise: Promise, advisor: Advisor) -> dict:
    blocks = [
        {
            "type": "section",
            "text": mrkdwn(
                f"*“{escape(promise.what)}”* for {escape(advisor.name)}, "
                f"due {long_day(promise.due_on)} ({FIRMNESS[promise.firmness]})"
            ),
        },
        input_block(
            "update",
            "Where it stands",
            text_input(3000, multiline=True, placeholder="A line or two is enough"),
            optional=False,
        ),
    ]
    if advisor.slack_user_id:
        send = {"send": f"Send it to {advisor.name} as a message from me"}
        element = choice("checkboxes", send, ["send"])
        blocks.append(input_block("send", "Show your work", element))
    return _modal(
        UPDATE_PROMISE_VIEW, "Post an update", "Post it", blocks, {"promise_id": promise.id}
    )


def build_renegotiate_modal(promise: Promise) -> dict:
    blocks = [
        {
            "type": "section",
            "text": mrkdwn(
                f"*“{escape(promise.what)}”* ({FIRMNESS[promise.firmness]}) is due "
                f"{long_day(promise.due_on)}. "
                "Renegotiating before the date keeps trust."
            ),
        },
        input_block(
            "due",
            "New date",
            {"type": "datepicker", "initial_date": promise.due_on.isoformat()},
            optional=False,
        ),
        TYPED_DAY,
        input_block("note", "What you'll tell them (optional)", text_input(3000, multiline=True)),
    ]
    return _modal(
        RENEGOTIATE_VIEW, "Renegotiate", "Move the date", blocks, {"promise_id": promise.id}
    )


def build_drop_modal(promise: Promise, advisor: Advisor) -> dict:
    told = {"yes": f"Yes, {advisor.name} knows", "no": "Not yet"}
    blocks = [
        {
            "type": "section",
            "text": mrkdwn(
                f"Drop *“{escape(promise.what)}”* ({FIRMNESS[promise.firmness]})? "
                "It stays in your history."
            ),
        },
        input_block(
            "told", "Did you tell them?", choice("radio_buttons", told, []), optional=False
        ),
    ]
    return _modal(
        DROP_PROMISE_VIEW, "Drop a promise", "Drop it", blocks, {"promise_id": promise.id}
    )


def promise_id_of(view: dict) -> int:
    promise_id = metadata(view, "promise_id")
    return promise_id if isinstance(promise_id, int) else 0


def read_new_date(values: dict, *, zone: ZoneInfo, now: datetime) -> date:
    """The day typed in "Or type it" (read where the member is) if any, else the one picked;
    a day a careful reader would ask about is a field error that asks, days written out."""
    typed = (submitted(values, "when").get("value") or "").strip()
    if typed:
        try:
            return read_day(typed, zone=zone, now=now, field="when")
        except Unsure as unsure:
            raise Invalid(unsure_in_a_form(unsure.question), field="when") from None
    raw = submitted(values, "due").get("selected_date")
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise Invalid("Pick a date.", field="due") from None


def build_promises_message(
    items: list[tuple[Promise, Advisor]],
    *,
    now: datetime,
    zone: ZoneInfo,
    overall: Keeping,
    offset: int = 0,
) -> dict:
    """`/advisor promises`: the open promises with their menus, a page at a time from `offset`
    ("Show more" for the next), and how you keep your word."""
    word = {"type": "context", "elements": [mrkdwn(keeping_line(overall))]}
    if not items:
        text = (
            "You have no open promises. "
            "`/advisor promise @someone &lt;what&gt; by &lt;when&gt;` records one."
        )
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}, word]}
    title = f"Your open promises ({len(items)})"
    start = max(0, min(offset, (len(items) - 1) // PROMISES_PAGE * PROMISES_PAGE))
    end = min(len(items), start + PROMISES_PAGE)
    shown = f"{title[:-1]}, showing {start + 1} to {end})" if len(items) > PROMISES_PAGE else title
    blocks = [{"type": "section", "text": mrkdwn(f"*{shown}*")}, word]
    for promise, advisor in items[start:end]:
        block = promise_block(promise, now, zone)
        block["text"] = mrkdwn(f"To *{escape(advisor.name)}*: {promise_line(promise, now, zone)}")
        blocks.append(block)
    if len(items) > PROMISES_PAGE:
        top = "0" if start else None
        blocks.append(pages_block(PROMISES_MORE, str(end), len(items) - end, top))
    return {"text": title, "blocks": blocks}


# --- a progress update sent on to the advisor, and word back when it could not be


UNDELIVERABLE = {
    "user_not_found": "they are no longer in this workspace",
    "account_inactive": "their account is deactivated",
    "user_disabled": "their account is deactivated",
    "cannot_dm_bot": "they are a bot",
    "messages_tab_disabled": "they do not take messages from apps",
}


def quoted(text: str) -> str:
    """Text a person typed, as a mrkdwn quote (every line) that cannot turn into mentions."""
    return "\n".join(f">{escape(line)}" for line in text.splitlines() or [""])


def build_update_for_advisor(promise: Promise, member_id: str, text: str) -> dict:
    """The DM an advisor gets: whose update it is, on what, and the update itself."""
    due, what = long_day(promise.due_on), escape(promise.what)
    return {
        "text": f"<@{member_id}> asked me to pass on an update on “{what}” (due {due}):\n"
        f"{quoted(text)}"
    }


def build_update_undelivered(advisor_name: str, error: str, text: str) -> dict:
    """Word back to the member: the update did not reach the advisor, here it is to send."""
    reason = UNDELIVERABLE.get(error, f"Slack answered {error}")
    return {
        "text": f"I couldn't deliver your update to {escape(advisor_name)}: {reason}. "
        f"It is saved; send it yourself:\n{quoted(text)}"
    }
