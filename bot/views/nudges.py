"""Nudges in Block Kit: one DM per delivery, each item saying why now, with an opener drawn from
what the member recorded and buttons that act on the spot; done items show what was done."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.ids import (
    NUDGE_DONE,
    NUDGE_EASE,
    NUDGE_FORWARD,
    NUDGE_LOG,
    NUDGE_MOVE,
    NUDGE_PICK,
    NUDGE_SNOOZE,
    NUDGE_UPDATE,
)
from bot.views.text import day, escape, mrkdwn, option, plain, shorten
from bot.views.typed import cut
from core.cadence import describe_days
from core.models import Firmness, NudgeKind, Support
from core.nudge_contents import Shown, WeekAhead

SAID = {Firmness.PROMISE: "you said “I promise”", Firmness.TRY: "you said “I'll try”"}
SNOOZES = [("3 days", 3), ("1 week", 7), ("2 weeks", 14)]
OUTCOMES = {
    "logged": ":white_check_mark: Touchpoint logged",
    "snoozed": ":zzz: Snoozed",
    "eased": ":wave: Eased aside to alumni",
    "updated": ":memo: Progress update saved",
    "done": ":white_check_mark: Marked done",
    "renegotiated": ":calendar: Date renegotiated",
}
OPENERS = {
    Support.INTRODUCTIONS: "ask who they think you should meet next",
    Support.COACHING: "bring them one question you are stuck on",
    Support.SPONSORSHIP: "tell them about a recent win they could mention for you",
    Support.EXPOSURE: "share what you are working on that others should see",
    Support.STRETCH: "ask what stretch they would take in your place",
    Support.ROLE_MODEL: "ask how they handled a moment like yours",
    Support.COUNSEL: "tell them honestly how things are going",
    Support.FRIENDSHIP: "just ask how they are doing",
}
MAX_ITEMS = 11  # 4 blocks each, and the preview's 2 (core groups 10 at most): inside Slack's 50


def why_now(item: Shown, now: datetime, zone: ZoneInfo) -> str:
    """'Last touchpoint 47 days ago; you planned every month.' / 'Due Thu, Dec 3; you said…'."""
    if item.nudge.kind in (NudgeKind.TOUCH, NudgeKind.TOUCH_OVERDUE):
        advisor = item.advisor
        rhythm = f"you planned {describe_days(advisor.cadence_days)}"
        if advisor.last_touch_at is None:
            quiet = "no touchpoint yet"
        else:
            days = (
                now.astimezone(zone).date() - advisor.last_touch_at.astimezone(zone).date()
            ).days
            quiet = f"last touchpoint {_days(days)}"
        if item.nudge.kind == NudgeKind.TOUCH_OVERDUE and item.followed_up:
            return f"Still quiet: {quiet}; {rhythm}."
        return f"{quiet[0].upper()}{quiet[1:]}; {rhythm}."
    promise, today = item.promise, now.astimezone(zone).date()
    said = SAID[Firmness(promise.firmness)]
    if item.nudge.kind == NudgeKind.PROMISE_STALLED:
        since = (promise.last_update_at or promise.created_at).astimezone(zone).date()
        return (
            f"Due {day(promise.due_on, today)}, still a while off, but no progress update for "
            f"{(today - since).days} days; {said}."
        )
    if item.nudge.kind in (NudgeKind.PROMISE_LATE, NudgeKind.PROMISE_LATE_AGAIN):
        return (
            f"It was due {day(promise.due_on, today)}: done, renegotiate, or tell them where it "
            f"stands; {said}."
        )
    when = "today" if promise.due_on == today else day(promise.due_on, today)
    if promise.due_on < today:
        when = f"{day(promise.due_on, today)}, already past"
    return f"Due {when}; {said}."


def _days(days: int) -> str:
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def opener(item: Shown) -> str:
    """A first line to send, from what the member recorded."""
    if item.promise is not None:
        return (
            "Two lines on where it stands, even unfinished, beat silence: “A quick update on "
            f"{escape(shorten(item.promise.what, 120))}: …”"
        )
    advisor, touch = item.advisor, item.last_touch
    if item.offer is not None:  # they gave the last few times: give something back
        first = item.offer.strip().splitlines()[0].strip().rstrip(".") if item.offer else ""
        if first:
            return (
                "They've given the last few times: offer something back. What they gain from "
                f"you: “{escape(shorten(first, 120))}”."
            )
        return (
            "They've given the last few times: offer something back (what do they gain from "
            "you? Note it in their Edit form)."
        )
    if touch is not None and touch.note:
        return f"Last time: “{escape(shorten(touch.note, 120))}”. Ask how it turned out."
    if advisor.notes:
        return f"From your notes: “{escape(shorten(advisor.notes, 120))}”. Pick it up from there."
    if advisor.gains:
        return f"Bring something they value from you: {escape(shorten(advisor.gains, 120))}."
    for support in advisor.support:
        if support in OPENERS:
            return OPENERS[support].capitalize() + "."
    return "A short note: what you are working on, and one question for them."


def _title(item: Shown) -> str:
    if item.advisor is None:
        return "*Someone no longer on your board*"
    name = f"*{escape(item.advisor.name)}*"
    if item.promise is not None:
        what = escape(shorten(item.promise.what, 200))
        lead = {
            NudgeKind.PROMISE_STALLED: "Stalled? ",
            NudgeKind.PROMISE_LATE: ":hourglass: Late: ",
            NudgeKind.PROMISE_LATE_AGAIN: ":hourglass: Still open, a week late: ",
        }.get(item.nudge.kind, "Show your work: ")
        return f":memo: {lead}“{what}” for {name}"
    again = item.nudge.kind == NudgeKind.TOUCH_OVERDUE and item.followed_up
    return f":{'alarm_clock' if again else 'wave'}: Stay in touch with {name}"


def _button(text: str, action: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": plain(text), "action_id": action, "value": value}
    return {**button, "style": style} if style else button


def _actions(item: Shown) -> dict:
    nid = str(item.nudge.id)
    if item.promise is not None:
        elements = [
            _button("Post update", NUDGE_UPDATE, nid, "primary"),
            _button("Done", NUDGE_DONE, nid),
            _button("Renegotiate", NUDGE_MOVE, nid),
        ]
    else:
        snooze = {
            "type": "static_select",
            "action_id": NUDGE_SNOOZE,
            "placeholder": plain("Snooze"),
            "options": [option(label, f"{nid}:{days}") for label, days in SNOOZES],
        }
        ease = _button("Ease aside", NUDGE_EASE, nid)
        ease["confirm"] = {
            "title": plain("Ease aside?"),
            "text": mrkdwn(
                f"{escape(item.advisor.name)} moves to your alumni: kept with their history, "
                "no more stay-in-touch nudges."
            ),
            "confirm": plain("Ease aside"),
            "deny": plain("Keep"),
        }
        elements = [_button("Log touchpoint", NUDGE_LOG, nid, "primary"), snooze, ease]
    return {"type": "actions", "block_id": f"nudge_{nid}", "elements": elements}


def item_blocks(item: Shown, now: datetime, zone: ZoneInfo) -> list[dict]:
    """A nudge with its buttons while it calls for action; what was done once it does not."""
    if item.nudge.kind == NudgeKind.PREVIEW:
        return []
    head = {"type": "section", "text": mrkdwn(_title(item))}
    if item.advisor is None:
        return [head]
    if item.nudge.outcome:
        done = OUTCOMES.get(item.nudge.outcome, "Done")
        text = f"{done}{': ' + escape(item.nudge.outcome_text) if item.nudge.outcome_text else ''}"
        return [head, {"type": "context", "elements": [mrkdwn(text)]}]
    if not item.live:
        return [head, {"type": "context", "elements": [mrkdwn("Already dealt with since.")]}]
    head["text"] = mrkdwn(f"{_title(item)}\n{why_now(item, now, zone)}")
    hint = {"type": "context", "elements": [mrkdwn(f":speech_balloon: {opener(item)}")]}
    return [head, hint, _actions(item)]


def _preview_lines(
    advisors: list, promises: list, today, zone: ZoneInfo, *, late: bool = False
) -> list[str]:
    by, due = ("was due", "was due") if late else ("by", "due")
    lines = [
        f"• Stay in touch with *{escape(a.name)}* {by} "
        f"{day(a.next_touch_due_at.astimezone(zone), today)}"
        for a in advisors[:10]
    ]
    return lines + [
        f"• “{escape(shorten(p.what, 120))}” for *{escape(a.name)}*, {due} {day(p.due_on, today)}"
        for p, a in promises[:10]
    ]


def preview_blocks(ahead: WeekAhead, zone: ZoneInfo) -> list[dict]:
    """The Monday preview: the week ahead (from today on), and what is overdue apart."""
    today = ahead.today
    lines = _preview_lines(ahead.advisors, ahead.promises, today, zone)
    body = "\n".join(lines) or "Nothing falls due this week. A good week to reach out anyway."
    blocks = [{"type": "section", "text": mrkdwn(f":calendar: *Your week ahead*\n{body}")}]
    late = _preview_lines(ahead.overdue_advisors, ahead.overdue_promises, today, zone, late=True)
    if late:
        text = ":warning: *Already overdue*\n" + "\n".join(late)
        blocks.append({"type": "section", "text": mrkdwn(text)})
    return blocks


def build_nudge_message(
    items: list[Shown], ahead: WeekAhead, *, now: datetime, zone: ZoneInfo
) -> dict:
    """The DM for one delivery: `text` (notifications) and `blocks`."""
    shown = [item for item in items if item.nudge.kind != NudgeKind.PREVIEW][:MAX_ITEMS]
    live = [item for item in shown if item.live]
    blocks: list[dict] = []
    if any(item.nudge.kind == NudgeKind.PREVIEW for item in items):
        blocks += preview_blocks(ahead, zone)
    for item in shown:
        if blocks:
            blocks.append({"type": "divider"})
        blocks += item_blocks(item, now, zone)
    if live:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn("Or reply in this thread: I'll record what you write.")],
            }
        )
    return {"text": summary(shown, live), "blocks": blocks}


def summary(shown: list[Shown], live: list[Shown]) -> str:
    """The notification line: who and what, shortest first."""
    if not shown:
        return "Your week ahead"
    if not live:
        return "All dealt with. Thank you."
    names = [escape(item.advisor.name) for item in live if item.advisor is not None]
    touch = sum(1 for item in live if item.promise is None)
    work = len(live) - touch
    parts = []
    if touch:
        parts.append(f"stay in touch ({touch})")
    if work:
        parts.append(f"show your work ({work})")
    return cut(f"Time to {' and '.join(parts)}: {', '.join(dict.fromkeys(names))}", 300)


PICK_LIMIT = 1800  # a reply rides in the button's value (Slack allows 2,000 characters)


def _pick_value(item: Shown, text: str) -> str:
    return json.dumps({"nudge": item.nudge.id, "text": text}, ensure_ascii=False)


def too_long_to_ask(items: list[Shown], text: str) -> bool:
    """A reply too long to carry in the buttons of the "which one?" question."""
    return any(len(_pick_value(item, text)) > 2000 for item in items[:MAX_ITEMS])


def _item_name(item: Shown) -> str:
    if item.promise is not None:
        return shorten(f"Update for {item.advisor.name}: {item.promise.what}", 75)
    return shorten(f"Touchpoint: {item.advisor.name}", 75)


def build_recorded_under(item: Shown) -> dict:
    """The "which one?" question once answered: what the words were recorded under."""
    return {
        "text": f"Recorded under: {escape(_item_name(item))}",
        "blocks": [
            {"type": "section", "text": mrkdwn(f"Recorded under: {escape(_item_name(item))}")}
        ],
    }


def build_which_one(items: list[Shown], text: str) -> dict:
    """Asked in the thread when a reply could be about several items of a grouped nudge."""
    buttons = [
        {
            "type": "button",
            "text": plain(_item_name(item)),
            "action_id": f"{NUDGE_PICK}_{item.nudge.id}",
            "value": _pick_value(item, text),
        }
        for item in items[:MAX_ITEMS]
    ]
    return {
        "text": "Which reminder is this about?",
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn("Which reminder is this about? I'll record it there."),
            },
            {"type": "actions", "block_id": "which_one", "elements": buttons},
        ],
    }


def build_forward_offer(advisor_name: str, event_id: int) -> dict:
    """After a progress update typed in a thread: send it on to the advisor?"""
    name = escape(advisor_name)
    return {
        "text": f"Saved as a progress update. Send it on to {name}?",
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn(f"Saved as a progress update. Send it on to {name}?"),
                "accessory": {
                    "type": "button",
                    "text": plain(f"Send to {advisor_name}", 75),
                    "action_id": NUDGE_FORWARD,
                    "value": str(event_id),
                    "style": "primary",
                },
            }
        ],
    }


def build_forward_sent() -> dict:
    """The offer once taken up: no button left to press again."""
    said = "Saved as a progress update, and sent on."
    return {"text": said, "blocks": [{"type": "section", "text": mrkdwn(said)}]}
