"""Touchpoints: every recorded contact moves the advisor's next due date."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import cadence, dates
from core.board import get_advisor, set_due
from core.clock import Clock
from core.errors import Invalid
from core.models import Advisor, AdvisorStatus, Exchange, GivenBy, Medium, Touchpoint
from core.typed import check_typed

NOTE_LIMIT = 3000


def _check(at: datetime, how: str, exchanged: Iterable[str], given_by: str, note: str, now) -> None:
    if at.date() < dates.earliest(now.date()):  # compared as dates: year 1 cannot shift zones
        raise dates.too_long_ago("date")
    if at > now:
        raise Invalid("That is in the future: log a touchpoint once it happened.", field="date")
    if how not in set(Medium):
        raise Invalid("Choose how you were in touch.", field="how")
    if not set(exchanged) <= set(Exchange):
        raise Invalid("Choose what was exchanged from the list.", field="exchanged")
    if given_by not in set(GivenBy):
        raise Invalid("Choose who gave what.", field="given_by")
    check_typed("note", note)
    if len(note) > NOTE_LIMIT:
        raise Invalid(
            f"Keep the note under {NOTE_LIMIT} characters (it has {len(note)}).", field="note"
        )


def log_touchpoint(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    advisor_id: int,
    clock: Clock,
    at: datetime | None = None,
    how: str = Medium.OTHER,
    exchanged: Iterable[str] = (),
    given_by: str = GivenBy.BOTH,
    note: str = "",
    message_link: str | None = None,
) -> Advisor:
    """Record a contact (now, unless `at` says when); returns the advisor with their next due
    date moved (alumni keep the history but have no due date)."""
    now = clock.now()
    at = at or now
    exchanged = list(exchanged)
    _check(at, how, exchanged, given_by, note, now)
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    touchpoint = Touchpoint(
        team_id=team_id,
        owner_id=owner_id,
        advisor_id=advisor.id,
        at=at,
        how=how,
        exchanged=exchanged,
        given_by=given_by,
        note=note.strip(),
        message_link=message_link,
        created_at=now,
    )
    if advisor.last_touch_at is None or at > advisor.last_touch_at:
        advisor.last_touch_at = at
        if advisor.status == AdvisorStatus.ACTIVE:  # a new cycle; an older contact moves nothing
            set_due(session, advisor, cadence.due_after(at, advisor.cadence_days), now=now)
    advisor.updated_at = now
    session.add_all([touchpoint, advisor])
    session.flush()
    return advisor


def latest_touchpoints(
    session: Session, *, team_id: str, owner_id: str, advisor_ids: list[int]
) -> dict[int, Touchpoint]:
    """The newest touchpoint of each of these advisors (one query, on the advisor-time index)."""
    if not advisor_ids:
        return {}
    newest = (
        select(Touchpoint.advisor_id, func.max(Touchpoint.at).label("at"))
        .where(col(Touchpoint.advisor_id).in_(advisor_ids))
        .group_by(Touchpoint.advisor_id)
        .subquery()
    )
    rows = session.exec(
        select(Touchpoint)
        .join(
            newest, (Touchpoint.advisor_id == newest.c.advisor_id) & (Touchpoint.at == newest.c.at)
        )
        .where(
            col(Touchpoint.advisor_id).in_(advisor_ids),  # lets the planner start from the index
            Touchpoint.team_id == team_id,
            Touchpoint.owner_id == owner_id,
        )
    )
    return {touchpoint.advisor_id: touchpoint for touchpoint in rows}
