"""The board as the App Home tab and as the ephemeral `/advisor list`, from plain rows."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.ids import (
    ADD_ADVISOR,
    ADVISOR_MENU,
    BRING_BACK,
    EASE_ASIDE,
    EDIT_ADVISOR,
    HISTORY,
    HOME_CALLBACK,
    LIST_MORE,
    LOG_TOUCHPOINT,
    OPEN_SETTINGS,
    REMOVE_ADVISOR,
)
from bot.views.elements import pages_block
from bot.views.first_use import next_nudge_line
from bot.views.promises import keeping_line, promise_blocks
from bot.views.text import day, escape, mrkdwn, plain, shorten
from bot.views.touchpoint_form import HOW
from bot.views.typed import MEMBER_ID
from core.cadence import Standing, describe_days, standing
from core.first_use import NextNudge
from core.members import known_zone
from core.models import Advisor, Medium, Promise, Touchpoint
from core.promises import Keeping

MAX_BLOCKS = 100  # a Home tab or a modal
MAX_MESSAGE_BLOCKS = 50
LIST_PAGE = 20  # advisors a page of `/advisor list` (alumni take two blocks each: 42 blocks)
LIST_FOOTER = "*History* shows everything with them; my Home tab has the other buttons."
KIND = {
    "senior": "senior",
    "peer": "peer",
    "junior": "junior",
    "family_friend": "family or friend",
    "other": "other",
}
MARK = {
    Standing.OVERDUE: ":red_circle:",
    Standing.DUE_TODAY: ":large_orange_circle:",
    Standing.DUE_SOON: ":large_yellow_circle:",
}
MARK_ON_TRACK = ":large_green_circle:"
WHAT_IS_A_BOARD = (
    "A *personal board of advisors* is the five or so people you enlist to help you take your "
    "next step: someone senior who speaks for you, peers who tell you how things really work, "
    "someone junior who knows what you don't, people outside your company. Relationships fade "
    "without contact, so I keep track of when each of them is due for a touchpoint, at the "
    "rhythm you choose."
)
NUDGES = "Nudges reach you by direct message, on the days and hours you choose."


@dataclass(frozen=True)
class Entry:
    """One advisor on the board, with their newest touchpoint if any."""

    advisor: Advisor
    latest: Touchpoint | None = None
    promises: tuple[Promise, ...] = ()  # open ones, soonest due first
    keeping: Keeping | None = None


def who(advisor: Advisor) -> str:
    if advisor.slack_user_id and MEMBER_ID.fullmatch(advisor.slack_user_id):
        return f"<@{advisor.slack_user_id}>"  # an id Slack gave (a members' menu): on Home
    return f"*{escape(advisor.name)}*"


def _local_time(advisor: Advisor, now: datetime) -> str:
    if not advisor.tz:
        return ""
    local = now.astimezone(ZoneInfo(known_zone(advisor.tz)))
    return f" · {local:%I:%M %p}".replace(" 0", " ") + " their time"


def _last_touch(entry: Entry, now: datetime, zone: ZoneInfo) -> str:
    advisor, latest = entry.advisor, entry.latest
    text = f"Last touchpoint {day(advisor.last_touch_at.astimezone(zone), now.astimezone(zone))}"
    if latest is None or latest.at != advisor.last_touch_at:
        return text
    details = [] if latest.how == Medium.OTHER else [HOW[latest.how].lower()]
    if latest.note:
        details.append(f'"{escape(shorten(latest.note, 80))}"')
    return f"{text} ({': '.join(details)})" if details else text


def _late_promises(entry: Entry, today) -> str:
    """'⌛ *late promise*: “Send the deck”, due Mon, Jan 18' (and how many more are late)."""
    late = [p for p in entry.promises if p.due_on < today]
    if not late:
        return ""
    first = late[0]
    more = f" (and {len(late) - 1} more)" if len(late) > 1 else ""
    what = escape(shorten(first.what, 60))
    return f":hourglass: *late promise*: “{what}”, due {day(first.due_on, today)}{more}"


def advisor_line(entry: Entry, now: datetime, zone: ZoneInfo) -> str:
    """Two lines of mrkdwn: who, relationship and standing; last touchpoint, rhythm, local time."""
    advisor = entry.advisor
    kind = KIND.get(advisor.relationship, "other")
    where = "inside" if advisor.inside_org else "outside"
    if advisor.next_touch_due_at is None:
        state = "alumni"
    else:
        mood = standing(advisor.next_touch_due_at, advisor.cadence_days, now, zone)
        due = day(advisor.next_touch_due_at.astimezone(zone), now.astimezone(zone))
        when = "" if mood == Standing.DUE_TODAY else f" (was due {due})"
        if mood in (Standing.ON_TRACK, Standing.DUE_SOON):
            when = f" (next {due})"
        state = f"{MARK.get(mood, MARK_ON_TRACK)} *{mood}*{when}"
        late = _late_promises(entry, now.astimezone(zone).date())
        if late:  # a promise past its date outweighs a relationship on track
            state = late if mood == Standing.ON_TRACK else f"{state} · {late}"
    first = f"{who(advisor)} · {kind}, {where} · {state}"
    rhythm = (
        "" if advisor.next_touch_due_at is None else f" · {describe_days(advisor.cadence_days)}"
    )
    second = f"{_last_touch(entry, now, zone)}{rhythm}"
    kept = entry.keeping
    third = f"\n{keeping_line(kept)}" if kept and kept != Keeping(open=kept.open) else ""
    return f"{first}\n{second}{_local_time(advisor, now)}{third}"


def _button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict:
    button = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        button["value"] = value
    if style:
        button["style"] = style
    return button


def _remove_button(advisor: Advisor) -> dict:
    button = _button("Remove", REMOVE_ADVISOR, str(advisor.id))
    button["confirm"] = {
        "title": plain("Remove this advisor?", 100),
        "text": plain(
            f"{advisor.name}, every touchpoint and every promise with them will be deleted for "
            "good. To keep the history, ease them aside instead.",
            300,
        ),
        "confirm": plain("Remove", 30),
        "deny": plain("Keep", 30),
        "style": "danger",
    }
    return button


def _line_and_buttons(
    entry: Entry, now: datetime, zone: ZoneInfo, buttons: list[dict]
) -> list[dict]:
    return [
        {"type": "section", "text": mrkdwn(advisor_line(entry, now, zone))},
        {"type": "actions", "block_id": f"advisor-{entry.advisor.id}", "elements": buttons},
    ]


def _with_buttons(entry: Entry, now: datetime, zone: ZoneInfo) -> list[dict]:
    advisor_id = str(entry.advisor.id)
    buttons = [
        _button("Log touchpoint", LOG_TOUCHPOINT, advisor_id, "primary"),
        _button("Edit", EDIT_ADVISOR, advisor_id),
        _button("History", HISTORY, advisor_id),
        _button("Ease aside", EASE_ASIDE, advisor_id),
        _remove_button(entry.advisor),
    ]
    return _line_and_buttons(entry, now, zone, buttons)


def _with_menu(entry: Entry, now: datetime, zone: ZoneInfo) -> list[dict]:
    advisor_id = str(entry.advisor.id)
    choices = [
        ("Log touchpoint", LOG_TOUCHPOINT),
        ("Edit", EDIT_ADVISOR),
        ("History", HISTORY),
        ("Ease aside", EASE_ASIDE),
    ]
    menu = {
        "type": "overflow",
        "action_id": ADVISOR_MENU,
        "options": [{"text": plain(t), "value": f"{a}:{advisor_id}"} for t, a in choices],
    }
    return [{"type": "section", "text": mrkdwn(advisor_line(entry, now, zone)), "accessory": menu}]


def _summary(entries: list[Entry], now: datetime, zone: ZoneInfo) -> str:
    moods = [
        standing(e.advisor.next_touch_due_at, e.advisor.cadence_days, now, zone)
        for e in entries
        if e.advisor.next_touch_due_at
    ]
    parts = [f"{len(entries)} advisor" + ("" if len(entries) == 1 else "s")]
    urgent = (Standing.OVERDUE, Standing.DUE_TODAY, Standing.DUE_SOON)
    parts += [f"{moods.count(m)} {m}" for m in urgent if m in moods]
    return " · ".join(parts)


def _alumni_line(alumni: list[str]) -> dict:
    names = ", ".join(escape(name) for name in alumni[:20])
    more = f" and {len(alumni) - 20} more" if len(alumni) > 20 else ""
    text = f"Alumni: {names}{more}. `/advisor list alumni` to bring one back."
    return {"type": "context", "elements": [mrkdwn(text)]}


def _nudges_text(upcoming: NextNudge | None, now: datetime, zone: ZoneInfo) -> str:
    if upcoming is None:
        return NUDGES
    return f"{NUDGES}\n{next_nudge_line(upcoming, now=now, zone=zone)}"


def build_home(
    entries: list[Entry],
    alumni: list[str],
    *,
    now: datetime,
    zone: ZoneInfo,
    upcoming: NextNudge | None = None,
    review: list[dict] | None = None,
) -> dict:
    """The board on the Home tab, most urgent first, with when the next nudge comes (or why
    none), and the `review` section below it; an empty board explains itself."""
    review = review or []
    add = _button("Add an advisor", ADD_ADVISOR, style="primary")
    settings = _button("Nudge settings", OPEN_SETTINGS)
    if not entries:
        blocks = [
            {"type": "header", "text": plain("Your personal board of advisors", 150)},
            {"type": "section", "text": mrkdwn(WHAT_IS_A_BOARD)},
            {
                "type": "actions",
                "elements": [
                    {
                        **add,
                        "text": plain("Add an advisor" if alumni else "Add your first advisor"),
                    },
                    settings,
                ],
            },
        ]
        if upcoming is not None:
            line = next_nudge_line(upcoming, now=now, zone=zone)
            blocks.append({"type": "context", "elements": [mrkdwn(line)]})
        return {
            "type": "home",
            "callback_id": HOME_CALLBACK,
            "blocks": blocks + ([_alumni_line(alumni)] if alumni else []),
        }
    blocks = [
        {"type": "header", "text": plain("Your personal board of advisors", 150)},
        {"type": "section", "text": mrkdwn(_summary(entries, now, zone)), "accessory": add},
        {
            "type": "section",
            "text": mrkdwn(_nudges_text(upcoming, now, zone)),
            "accessory": settings,
        },
    ]
    room = MAX_BLOCKS - len(blocks) - 2 - len(review)
    promised = sum(len(e.promises) for e in entries)
    roomy = 2 * len(entries) + 2 * promised <= room  # buttons for advisors and promises
    layout = _with_buttons if roomy or 2 * len(entries) + promised <= room else _with_menu
    left, hidden, shown = room, 0, 0
    for entry in entries:
        advisor_blocks = layout(entry, now, zone)
        if len(advisor_blocks) > left:
            break
        blocks += advisor_blocks
        left, shown = left - len(advisor_blocks), shown + 1
        for promise in entry.promises:
            promise_part = promise_blocks(promise, now, zone, buttons=roomy)
            if left - len(promise_part) < len(entries) - shown:  # everyone's own line first
                hidden += 1
                continue
            blocks += promise_part
            left -= len(promise_part)
    notes = []
    if shown < len(entries):
        notes.append(f"And {len(entries) - shown} more advisors: `/advisor list` shows everyone.")
    if hidden:
        notes.append(f"And {hidden} more promises: `/advisor promises` shows them all.")
    if notes:
        blocks.append({"type": "context", "elements": [mrkdwn(" ".join(notes))]})
    blocks += review
    if alumni:
        blocks.append(_alumni_line(alumni))
    return {"type": "home", "callback_id": HOME_CALLBACK, "blocks": blocks[:MAX_BLOCKS]}


def _alumnus_blocks(entry: Entry, now: datetime, zone: ZoneInfo) -> list[dict]:
    buttons = [
        _button("Bring back", BRING_BACK, str(entry.advisor.id), "primary"),
        _button("History", HISTORY, str(entry.advisor.id)),
        _remove_button(entry.advisor),
    ]
    return _line_and_buttons(entry, now, zone, buttons)


def _page_of(total: int, offset: int, size: int) -> tuple[int, int]:
    """The page starting at `offset` (a page of the end when the list has shrunk since)."""
    start = max(0, min(offset, (total - 1) // size * size))
    return start, min(total, start + size)


def _listed(entry: Entry, now: datetime, zone: ZoneInfo) -> dict:
    history = _button("History", HISTORY, str(entry.advisor.id))
    return {"type": "section", "text": mrkdwn(advisor_line(entry, now, zone)), "accessory": history}


def build_board_message(
    entries: list[Entry], *, now: datetime, zone: ZoneInfo, alumni: bool, offset: int = 0
) -> dict:
    """`/advisor list` as a message, or `list alumni` with buttons to bring back or remove; a
    page at a time from `offset`, with "Show more" for the next."""
    if not entries:
        text = (
            "You have no alumni: advisors you ease aside are kept here."
            if alumni
            else "Your board is empty. `/advisor add` enlists your first advisor."
        )
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    title = "Your alumni" if alumni else _summary(entries, now, zone)
    start, end = _page_of(len(entries), offset, LIST_PAGE)
    if len(entries) > LIST_PAGE:
        title += f" (showing {start + 1} to {end} of {len(entries)})"
    blocks = [{"type": "section", "text": mrkdwn(f"*{title}*")}]
    for entry in entries[start:end]:
        if alumni:
            blocks += _alumnus_blocks(entry, now, zone)
        else:
            blocks.append(_listed(entry, now, zone))
    if not alumni:
        blocks.append({"type": "context", "elements": [mrkdwn(LIST_FOOTER)]})
    status = "alumni" if alumni else "active"
    if len(entries) > LIST_PAGE:
        top = f"{status}:0" if start else None
        blocks.append(pages_block(LIST_MORE, f"{status}:{end}", len(entries) - end, top))
    return {"text": title, "blocks": blocks}
