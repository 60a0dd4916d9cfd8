"""The reassessment's DM and its reminder a week later, to the member's DM inside their window.
core/reassess.py decides when each is put in the outbox (an occurrence of the member's schedule,
the DM posted) and whether it still goes; this renders each as things stand when its turn
comes. A DM Slack refuses for good makes the member unreachable, as nudges do."""

from datetime import datetime

from sqlmodel import Session

from bot.delivery.nudges import failed as unreachable
from bot.delivery.purposes import Gone, Later, Nothing, Prepared, Purpose, Ready
from bot.views.reassess import build_reassessment, build_reminder
from core import reassess
from core.models import Outbox
from core.reassess import Skip, Unreachable, Wait


def _not_now(decided) -> Prepared | None:
    """Core's Skip, Wait or Unreachable as the sender hears it (None: it goes now)."""
    if isinstance(decided, Skip):
        return Nothing(decided.why)
    if isinstance(decided, Wait):
        return Later(decided.at, decided.why)
    if isinstance(decided, Unreachable):
        return Gone(decided.error)
    return None


def prepare(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    decided = reassess.to_post(session, row=row, now=now)
    return _not_now(decided) or Ready(build_reassessment(decided, now))


def prepare_reminder(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    decided = reassess.reminder(session, row=row, now=now)
    return _not_now(decided) or Ready(build_reminder(decided, now))


def posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    return reassess.posted(session, row=row, now=now)


def occurrence(session: Session, *, schedule, occurrence: datetime, now: datetime) -> list[int]:
    return reassess.occurrence(session, schedule=schedule, occurrence=occurrence, now=now)


PURPOSES = (
    Purpose(reassess.PURPOSE, prepare, posted=posted, failed=unreachable, scheduled=occurrence),
    Purpose(reassess.REMIND, prepare_reminder, failed=unreachable),
)
