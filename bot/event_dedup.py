"""Slack's event retries: Slack sends an Events API delivery again when it thinks the first
went unanswered; the bot acts on each event_id once. Kept a day (Slack retries for minutes)."""

from datetime import datetime, timedelta

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
