"""The first ten minutes in Block Kit: the welcome DM, a sample nudge, and the Home tab's line
about the next nudge."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.ids import ADD_ADVISOR, OPEN_SETTINGS, SAMPLE_ACTION, SEND_SAMPLE
from bot.views.nudges import item_blocks
from bot.views.text import day, escape, mrkdwn, plain
from core import windows
from core.due import stamp
from core.first_use import NextNudge
from core.models import Advisor, Member, Nudge, NudgeKind, Touchpoint
from core.nudge_contents import Shown

SAMPLE_NOTE = (
    ":test_tube: *A sample nudge*, to show you how they look. It is not counted against your "
    "day and its buttons do nothing; a real one's act on the spot."
)
SAMPLE_EMPTY = (
    "Your board is empty, so there is nobody to nudge you about yet: `/advisor add` enlists "
    "your first advisor, and a nudge like this comes when your rhythm with them has passed."
)


def _button(text: str, action_id: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": plain(text), "action_id": action_id}
    return {**button, "style": style} if style else button


def build_welcome(member: Member) -> dict:
    """The DM a member gets on their first use: what the board is, what happens next, how
    nudges come."""
    zone = windows.zone_of(member)
    hours = f"{windows.describe(member)}, your time ({escape(zone.key)})"
    text = (
        ":wave: *Welcome to advisor-bot.* I help you keep up your *personal board of "
        "advisors*: the five or so people (senior to you, peers, junior; inside and outside "
        "your company) who help you grow."
    )
    steps = (
        "*What happens next*\n"
        "1. Enlist an advisor with `/advisor add` (or the button below) and choose how often "
        "to be in touch.\n"
        "2. When a relationship goes quiet, or a promise you made falls due, I send you a "
        f"*nudge* here, {hours}, at most once a day. Its buttons act in one click, or reply "
        "in its thread.\n"
        "3. Your board is on my *Home* tab, with when your next nudge comes."
    )
    buttons = [
        _button("Add an advisor", ADD_ADVISOR, "primary"),
        _button("Nudge settings", OPEN_SETTINGS),
        _button("Send me a sample nudge", SEND_SAMPLE),
    ]
    blocks = [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "section", "text": mrkdwn(steps)},
        {"type": "actions", "block_id": "welcome", "elements": buttons},
    ]
    return {"text": "Welcome to advisor-bot: your board of advisors, kept up", "blocks": blocks}


def _inert(block: dict) -> dict:
    """A sample's buttons and menus: the same look, one action id that only explains."""
    elements = []
    for n, element in enumerate(block.get("elements", [])):
        element = {**element, "action_id": f"{SAMPLE_ACTION}_{n}"}
        element.pop("confirm", None)
        elements.append(element)
    return {"type": "actions", "block_id": "sample", "elements": elements}


def build_sample(
    advisor: Advisor | None, last_touch: Touchpoint | None, *, now: datetime, zone: ZoneInfo
) -> dict:
    """A stay-in-touch nudge about the member's most urgent advisor, marked as a sample."""
    head = {"type": "context", "elements": [mrkdwn(SAMPLE_NOTE)]}
    if advisor is None:
        body = [{"type": "section", "text": mrkdwn(SAMPLE_EMPTY)}]
        return {"text": "A sample nudge", "blocks": [head, *body]}
    cycle = stamp(advisor.next_touch_due_at) if advisor.next_touch_due_at else ""
    nudge = Nudge(id=0, kind=NudgeKind.TOUCH, subject_id=advisor.id, cycle=cycle, outbox_id=0)
    item = Shown(nudge, advisor, None, last_touch)
    blocks = [b if b["type"] != "actions" else _inert(b) for b in item_blocks(item, now, zone)]
    text = f"A sample nudge: stay in touch with {escape(advisor.name)}"  # notification: mrkdwn
    return {"text": text, "blocks": [head, *blocks]}


def _when(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """'today at 15:10', 'tomorrow at 09:00', 'Mon 09:00', 'Mon, Dec 14 at 09:00'."""
    local, today = at.astimezone(zone), now.astimezone(zone).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"today at {clock}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow at {clock}"
    if local.date() < today + timedelta(days=7):
        return f"{local:%a} {clock}"
    return f"{day(local, today)} at {clock}"


def reaches_note(due_at: datetime, reaches: datetime | None, *, now: datetime, zone) -> str:
    """' (your nudge comes Mon, Dec 7 at 09:00, in your hours)' when the nudge cannot come on
    the due day itself; else nothing."""
    if reaches is None or reaches.astimezone(zone).date() == due_at.astimezone(zone).date():
        return ""
    return f" (your nudge comes {_when(reaches, now, zone)}, in your hours)"


def next_nudge_line(upcoming: NextNudge, *, now: datetime, zone: ZoneInfo) -> str:
    """':bell: Next nudge: Mon 09:00, about Maya (outside your hours)', or why there is none."""
    today = now.astimezone(zone).date()
    paused = (
        f"Nudges are paused until {day(upcoming.paused_until, today)}. "
        if upcoming.paused_until
        else ""
    )
    if upcoming.at is None:
        return f":bell: {paused}No nudge on the way: {upcoming.none_because}."
    why = f" ({upcoming.waits})" if upcoming.waits and upcoming.waits != "paused" else ""
    about = escape(upcoming.about)
    return f":bell: {paused}Next nudge: {_when(upcoming.at, now, zone)}, about {about}{why}."
