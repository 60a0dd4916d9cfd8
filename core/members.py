"""Members: the Slack users who keep a board, and the time zone their days are counted in."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from core.clock import Clock
from core.models import Member


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
    """The member's row, created on first use; the time zone follows what Slack says now."""
    member = session.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()
    if member is None:
        member = Member(team_id=team_id, user_id=user_id, created_at=clock.now())
    member.tz = known_zone(tz)
    member.unreachable = None  # they are here: nudges may reach them again
    session.add(member)
    session.flush()
    return member


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
