"""The first purpose: messages of nudges, to a member's DM. They go inside the member's window
(a retry that falls after hours waits for the next opening); one whose nudges were all dealt
with before it went out is skipped; a DM Slack refuses for good makes the member unreachable
until they use the bot again (core/nudges.py)."""

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.delivery.purposes import Gone, Later, Nothing, Prepared, Purpose, Ready
from bot.views.nudges import build_nudge_message
from core import nudges, windows
from core.models import Outbox
from core.nudge_contents import contents
from core.nudge_plan import PURPOSE


def prepare(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    shown = contents(session, message=row, now=now)
    if shown is None:
        return Nothing("the member is gone")
    member = shown.member
    if member.unreachable:
        return Gone(member.unreachable)
    if not any(item.live for item in shown.items):
        return Nothing("everything in it was dealt with before it went out")
    if not windows.is_open(member, now):
        opening = windows.next_opening(member, now) or now + timedelta(days=1)
        return Later(opening, "outside the member's window")
    zone = windows.zone_of(member)
    return Ready(build_nudge_message(shown.items, shown.ahead, now=now, zone=zone))


def failed(session: Session, *, row: Outbox, error: str, gone: bool, now: datetime) -> list[int]:
    if gone:
        nudges.unreachable(session, message=row, error=error)
    return []


PURPOSES = (Purpose(PURPOSE, prepare, failed=failed),)
