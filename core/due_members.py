"""Finding due work: which members the tick should plan now. Each member carries `look_at`, the
first moment one of their nudges may be due and their window open, which the tick alone sets
after planning them; a change to their board or settings adds a Wakeup, so they are planned on
the next tick. Finding them reads one index range, as long as what is due, whatever is stored."""

from datetime import datetime
from operator import itemgetter

from sqlalchemy import Integer, bindparam, delete, exists, literal, select, union_all
from sqlmodel import Session, col

from core.db import reader
from core.models import Member, Wakeup, Workspace

BATCH = 500  # members per due query; the tick takes the next batch after


def wake(session: Session, *, team_id: str, owner_id: str, now: datetime) -> None:
    """Something of this member's changed: plan them again on the next tick. An insert only,
    so a request never waits behind the tick's locks, and none is ever lost to a race."""
    session.add(Wakeup(team_id=team_id, owner_id=owner_id, at=now))


def due_owners(session: Session, *, now: datetime, limit: int = BATCH) -> list[tuple[str, str]]:
    """(workspace, user) of up to `limit` members to plan now: those woken first, then those
    whose look_at has come, most overdue first. One statement, read without a transaction
    when the session has none yet (no BEGIN and ROLLBACK: two round trips fewer)."""
    rows = reader(session).execute(_DUE, {"now": now, "limit": limit}).all()
    rows.sort(key=itemgetter(2))  # woken first; each part keeps its order (a stable sort)
    return list(dict.fromkeys(row[:2] for row in rows))[:limit]


def uninstalled(team_id):
    """The workspace of `team_id` (a column) uninstalled the app: nothing of it is planned
    until it is installed again (or its data is deleted)."""
    workspace = Workspace.__table__.c
    return exists().where(workspace.team_id == team_id, workspace.uninstalled_at.is_not(None))


def _due_statement():
    wakeup, member = Wakeup.__table__.c, Member.__table__.c
    limit = bindparam("limit", type_=Integer)
    woken = (  # oldest first, by key: a member woken twice comes twice, and is kept once
        select(wakeup.team_id, wakeup.owner_id, literal(0).label("first"))
        .where(~uninstalled(wakeup.team_id))
        .order_by(wakeup.id)
        .limit(limit)
        .subquery()
    )
    looking = (
        select(member.team_id, member.user_id.label("owner_id"), literal(1).label("first"))
        .where(
            member.look_at <= bindparam("now", type_=member.look_at.type),
            ~uninstalled(member.team_id),
        )
        .order_by(member.look_at)
        .limit(limit)
        .subquery()
    )
    return union_all(select(woken), select(looking))


_DUE = _due_statement()


def wakeups(session: Session, *, team_id: str, owner_id: str) -> list[int]:
    """The member's wakeups visible now, read before planning them: planning answers those.
    (By id, not "up to the newest": a wakeup with a smaller id may commit later, unseen.)"""
    query = select(Wakeup.id).where(Wakeup.team_id == team_id, Wakeup.owner_id == owner_id)
    return list(session.execute(query).scalars())


def answered(session: Session, *, wakeup_ids: list[int]) -> None:
    """The member was planned after these wakeups; any that came in meanwhile stay."""
    for start in range(0, len(wakeup_ids), 500):
        chunk = wakeup_ids[start : start + 500]
        session.execute(delete(Wakeup).where(col(Wakeup.id).in_(chunk)))
