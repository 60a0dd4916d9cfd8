"""Slack's event retries: Slack sends an Events API delivery again when it thinks the first
went unanswered; the bot acts on each event_id once. Kept a day (Slack retries for minutes).

The same table holds the writes a request made (`claim`): a copy of a signed request is
accepted for five minutes, so a write keyed by the request's own digest is made once."""

from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from core.models import SeenEvent

KEPT = timedelta(days=1)


def first_time(session: Session, *, event_id: str, now: datetime) -> bool:
    """True the first time an Events API delivery is seen; Slack's retries of it get False."""
    if not event_id:
        return True
    if session.get(SeenEvent, event_id) is not None:
        return False
    session.add(SeenEvent(event_id=event_id, seen_at=now))
    session.flush()
    return True


def forget_old(session: Session, *, now: datetime) -> None:
    """Slack retries an event for minutes, not days: older ids need not be kept."""
    table = SeenEvent.__table__
    session.execute(table.delete().where(table.c.seen_at < now - KEPT))


def claim(session: Session, *, key: str, now: datetime) -> bool:
    """True for the first transaction to claim `key` (in the transaction of the write it
    guards); False for any other, which waits for that one to end if it is still going."""
    table = SeenEvent.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(event_id=key, seen_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table.c.event_id)
    )
    return session.execute(statement).scalar() is not None
