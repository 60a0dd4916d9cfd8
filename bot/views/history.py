"""An advisor's history as a modal: touchpoints (each with Delete) and promises with their
updates and outcomes, newest first, a page at a time with Older / Newest."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.ids import DELETE_TOUCHPOINT, HISTORY_NEWEST, HISTORY_OLDER, HISTORY_VIEW
from bot.views.promises import FIRMNESS, quoted
from bot.views.text import day, escape, mrkdwn, plain, shorten
from bot.views.touchpoint_form import HOW
from core.cadence import describe_days
from core.history import Cursor, Entry, Page
from core.models import (
    Advisor,
    Exchange,
    GivenBy,
    Medium,
    Promise,
    PromiseChange,
    PromiseEvent,
    PromiseStatus,
    Touchpoint,
)

TEXT_LIMIT = 3000  # a section's text
NOTE_SHOWN = 1500  # of a touchpoint's note
UPDATE_SHOWN = 300  # of each progress update or renegotiation note
EXCHANGED = {
    Exchange.KNOWLEDGE: "knowledge",
    Exchange.ADVICE: "advice",
    Exchange.INTRODUCTION: "an introduction",
    Exchange.SUPPORT: "support",
}
GIVEN_BY = {GivenBy.ME: "you gave", GivenBy.THEM: "you received", GivenBy.BOTH: "both ways"}


def _name(advisor: Advisor) -> str:
    return f"<@{advisor.slack_user_id}>" if advisor.slack_user_id else f"*{escape(advisor.name)}*"


def _summary(advisor: Advisor, today: date, zone: ZoneInfo) -> str:
    parts = [_name(advisor)]
    if advisor.last_touch_at:
        parts.append(f"last touchpoint {day(advisor.last_touch_at.astimezone(zone), today)}")
    if advisor.next_touch_due_at is None:
        parts.append("among your alumni")
    else:
        due = day(advisor.next_touch_due_at.astimezone(zone), today)
        parts.append(f"next *stay in touch* {due} ({describe_days(advisor.cadence_days)})")
    return " · ".join(parts)


def touchpoint_text(touchpoint: Touchpoint, today: date, zone: ZoneInfo) -> str:
    """'*Mon, Nov 23* · Touchpoint · coffee or a meal · advice · you gave' and the note."""
    parts = [f"*{day(touchpoint.at.astimezone(zone), today)}*", "Touchpoint"]
    if touchpoint.how != Medium.OTHER:
        parts.append(HOW.get(touchpoint.how, "other").lower())
    if touchpoint.exchanged:
        parts.append(", ".join(EXCHANGED.get(e, e) for e in touchpoint.exchanged))
        parts.append(GIVEN_BY.get(touchpoint.given_by, ""))
    head = " · ".join(p for p in parts if p)
    if touchpoint.message_link:
        head += f" · <{touchpoint.message_link}|the message>"
    note = touchpoint.note.strip()
    return f"{head}\n{quoted(shorten(note, NOTE_SHOWN))}" if note else head


def _outcome(promise: Promise, today: date, zone: ZoneInfo, now: datetime) -> str:
    if promise.status == PromiseStatus.DONE:
        late = " (late)" if promise.closed_at > promise.due_at else ""
        return f"*done* {day(promise.closed_at.astimezone(zone), today)}{late}"
    if promise.status == PromiseStatus.DROPPED:
        return f"*dropped* {day(promise.closed_at.astimezone(zone), today)}"
    if now >= promise.due_at:
        return f"*open*, was due {day(promise.due_on, today)}"
    return f"*open*, due {day(promise.due_on, today)}"


def change_line(event: PromiseEvent, today: date, zone: ZoneInfo) -> str:
    """One change to a promise after it was made: an update, a new date, done, dropped."""
    when = day(event.at.astimezone(zone), today)
    text = escape(shorten(" ".join(event.text.split()), UPDATE_SHOWN))
    if event.change == PromiseChange.UPDATE:
        sent = " (sent to them)" if event.sent_to_advisor else ""
        return f"• {when}: update{sent}: “{text}”"
    if event.change == PromiseChange.RENEGOTIATED:
        moved = f"• {when}: date moved from {day(event.old_due_on, today)} to "
        moved += day(event.new_due_on, today)
        return f"{moved}: “{text}”" if text else moved
    if event.change == PromiseChange.DONE:
        return f"• {when}: done"
    if event.change == PromiseChange.DROPPED:
        told = {True: " (you told them)", False: " (not told yet)"}.get(event.told_them, "")
        return f"• {when}: dropped{told}"
    return ""


def promise_text(entry: Entry, today: date, zone: ZoneInfo, now: datetime) -> str:
    """The promise, how it ended (or stands), then its changes; within a section's limit, the
    newest changes kept when they do not all fit."""
    promise = entry.promise
    head = (
        f"*{day(entry.at.astimezone(zone), today)}* · Promised “{escape(promise.what)}” "
        f"({FIRMNESS.get(promise.firmness, promise.firmness)}) · "
        f"{_outcome(promise, today, zone, now)}"
    )
    lines = [line for line in (change_line(e, today, zone) for e in entry.changes) if line]
    kept: list[str] = []
    room = TEXT_LIMIT - len(head) - 60  # the line saying how many earlier changes are left out
    for line in reversed(lines):
        if len(line) + 1 > room:
            break
        kept.insert(0, line)
        room -= len(line) + 1
    if len(kept) < len(lines):
        kept.insert(0, f"_… {len(lines) - len(kept)} earlier changes_")
    return "\n".join([head, *kept])


def _delete_button(touchpoint: Touchpoint, advisor: Advisor, today: date, zone) -> dict:
    when = day(touchpoint.at.astimezone(zone), today)
    return {
        "type": "button",
        "text": plain("Delete"),
        "action_id": DELETE_TOUCHPOINT,
        "value": str(touchpoint.id),
        "confirm": {
            "title": plain("Delete this touchpoint?", 100),
            "text": plain(
                f"The touchpoint of {when} with {advisor.name} is deleted for good; the next "
                "stay in touch date follows the touchpoints left.",
                300,
            ),
            "confirm": plain("Delete", 30),
            "deny": plain("Keep it", 30),
            "style": "danger",
        },
    }


def _entry_block(entry: Entry, advisor: Advisor, today: date, zone, now: datetime) -> dict:
    if entry.touchpoint is None:
        return {"type": "section", "text": mrkdwn(promise_text(entry, today, zone, now))}
    return {
        "type": "section",
        "block_id": f"touchpoint-{entry.touchpoint.id}",
        "text": mrkdwn(touchpoint_text(entry.touchpoint, today, zone)),
        "accessory": _delete_button(entry.touchpoint, advisor, today, zone),
    }


def _paging(shown: Page) -> list[dict]:
    buttons = []
    if shown.older is not None:
        value = f"{shown.advisor.id}:{shown.older.dump()}"
        buttons.append(
            {"type": "button", "text": plain("Older"), "action_id": HISTORY_OLDER, "value": value}
        )
    if not shown.first:
        buttons.append(
            {
                "type": "button",
                "text": plain("Newest"),
                "action_id": HISTORY_NEWEST,
                "value": str(shown.advisor.id),
            }
        )
    return (
        [{"type": "actions", "block_id": "history-pages", "elements": buttons}] if buttons else []
    )


def _the_end(advisor: Advisor, today: date, zone: ZoneInfo) -> str:
    added = day(advisor.created_at.astimezone(zone), today)
    spoke = (
        f" (you had last been in touch {day(advisor.last_spoke_at.astimezone(zone), today)})"
        if advisor.last_spoke_at
        else ""
    )
    return f"That's everything since you added {escape(advisor.name)} on {added}{spoke}."


def build_history_modal(
    shown: Page, *, now: datetime, zone: ZoneInfo, started_at: Cursor | None = None, note=""
) -> dict:
    """A page of the advisor's history; `started_at` is where the page begins (None: the
    newest), kept so the same page can be shown again after a deletion; `note` says what just
    happened."""
    advisor, today = shown.advisor, now.astimezone(zone).date()
    blocks = [{"type": "section", "text": mrkdwn(_summary(advisor, today, zone))}]
    if note:
        blocks.append({"type": "context", "elements": [mrkdwn(note)]})
    blocks.append({"type": "divider"})
    for entry in shown.entries:
        blocks.append(_entry_block(entry, advisor, today, zone, now))
    if not shown.entries and shown.first:
        none_yet = (
            f"No touchpoints or promises with {escape(advisor.name)} yet. "
            "*Log touchpoint* on my Home tab, or `/advisor log`, records one."
        )
        blocks.append({"type": "section", "text": mrkdwn(none_yet)})
    blocks += _paging(shown)
    if shown.older is None:
        blocks.append({"type": "context", "elements": [mrkdwn(_the_end(advisor, today, zone))]})
    meta = {"advisor": advisor.id, "from": started_at.dump() if started_at else ""}
    return {
        "type": "modal",
        "callback_id": HISTORY_VIEW,
        "title": plain("History", 24),
        "close": plain("Done", 24),
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }
