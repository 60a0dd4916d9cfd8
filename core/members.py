"""Members: the Slack users who keep a board, and the time zone their days are counted in."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, update
from sqlmodel import Session, select

from core import next_due, outbox
from core.clock import Clock
from core.db import insert_new
from core.due_members import wake
from core.models import Advisor, Member

REFUSALS_KEPT = timedelta(days=7)  # nudges Slack refused are sent again if they come back by then


def known_zone(tz: str | None) -> str:
    """`tz` when it is a real IANA zone, else UTC."""
    try:
        ZoneInfo(tz or "")
        return tz
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"


def remember_member(
    session: Session, *, team_id: str, user_id: str, tz: str, clock: Clock
) -> Member:
    """The member's row, created on first use (two first requests at once make one row, and
    neither fails); the time zone follows what Slack says now."""
    member = _member(session, team_id, user_id)
    if member is None:
        new = Member(team_id=team_id, user_id=user_id, tz=known_zone(tz), created_at=clock.now())
        insert_new(session, Member, new.model_dump(exclude={"id"}), unique=["team_id", "user_id"])
        member = _member(session, team_id, user_id)
    member.tz = known_zone(tz)
    if member.unreachable:  # they are here: what Slack refused to bring them goes out again
        outbox.reachable_again(
            session, team_id=team_id, user_id=user_id, now=clock.now(), since=REFUSALS_KEPT
        )
    member.unreachable = None
    member.last_seen_at = clock.now()
    session.add(member)
    session.flush()
    next_due.member_changed(session, member, now=clock.now())  # their zone may be new
    return member


def _member(session: Session, team_id: str, user_id: str) -> Member | None:
    query = select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    return session.exec(query).first()


def member_zone(session: Session, *, team_id: str, user_id: str) -> ZoneInfo:
    member = session.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()
    return ZoneInfo(member.tz if member else "UTC")


def is_member(session: Session, *, team_id: str, user_id: str) -> bool:
    return (
        session.exec(
            select(Member.id).where(Member.team_id == team_id, Member.user_id == user_id)
        ).first()
        is not None
    )


def zone_changed(session: Session, *, team_id: str, user_id: str, tz: str, now: datetime) -> int:
    """Slack says this person's time zone is now `tz`: their own nudge window follows, and so
    does the local time shown for them on other members' boards. Returns the rows changed."""
    zone = known_zone(tz)
    changed = session.execute(
        update(Member)
        .where(Member.team_id == team_id, Member.user_id == user_id, Member.tz != zone)
        .values(tz=zone)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        wake(session, team_id=team_id, owner_id=user_id, now=now)  # no row loaded: by its key
    changed += session.execute(
        update(Advisor)
        .where(Advisor.team_id == team_id, Advisor.slack_user_id == user_id)
        .where(or_(Advisor.tz.is_(None), Advisor.tz != zone))
        .values(tz=zone)
        .execution_options(synchronize_session=False)
    ).rowcount
    return changed
