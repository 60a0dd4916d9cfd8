"""When each kind of subject is next due a nudge decision, recomputed here whenever the member
changes it (the tick itself moves it on as it claims nudges, in core/nudge_plan.py); its owner
is woken, so the tick plans them again on its next run."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core import due
from core.due_members import wake
from core.models import Advisor, Member, Promise


def advisor_changed(session: Session, advisor: Advisor, *, now: datetime) -> None:
    """Its rhythm, status or last touchpoint changed: its next stay-in-touch decision."""
    advisor.nudge_at = due.advisor_nudge_at(advisor)
    wake(session, team_id=advisor.team_id, owner_id=advisor.owner_id, now=now)


def promise_changed(session: Session, promise: Promise, *, zone: ZoneInfo, now: datetime) -> None:
    """Made, renegotiated, updated or closed: its next show-your-work decision."""
    promise.nudge_at = due.promise_nudge_at(promise, zone, now)
    wake(session, team_id=promise.team_id, owner_id=promise.owner_id, now=now)


def member_changed(session: Session, member: Member, *, now: datetime) -> None:
    """Their settings, time zone or reachability changed: their window and preview follow."""
    wake(session, team_id=member.team_id, owner_id=member.user_id, now=now)
