"""An advisor's history: their touchpoints and the promises made to them (with every progress
update and outcome), newest first, a page at a time; and deleting a touchpoint logged by
mistake, after which the last touchpoint and the next due date are what they would be had it
never been logged."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, false, func, or_, true
from sqlmodel import Session, col, select

from core import cadence, next_due
from core.board import get_advisor, set_due
from core.clock import Clock
from core.db import row_id
from core.errors import NotYours
from core.models import Advisor, AdvisorStatus, Promise, PromiseEvent, Touchpoint

PAGE = 20  # entries a page: a modal holds 100 blocks, an entry takes one or two
TOUCHPOINT, PROMISE = "t", "p"
_RANK = {PROMISE: 0, TOUCHPOINT: 1}  # of two entries at the same moment, the touchpoint first


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the next page holds the entries older than this one."""

    at: datetime
    kind: str
    id: int

    def key(self) -> tuple:
        return (self.at, _RANK[self.kind], self.id)

    def dump(self) -> str:
        return f"{self.kind}{self.id}@{self.at.isoformat()}"

    @staticmethod
    def load(text: str) -> "Cursor | None":
        """A cursor from a button's value; None for anything unreadable (it came from a client)."""
        head, _, when = str(text or "").partition("@")
        kind, number = head[:1], head[1:]
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            return None
        if kind not in _RANK or not row_id(number) or at.tzinfo is None:
            return None
        return Cursor(at, kind, row_id(number))


@dataclass(frozen=True)
class Entry:
    """One line of the history: a touchpoint, or a promise with its changes (oldest first)."""

    at: datetime
    touchpoint: Touchpoint | None = None
    promise: Promise | None = None
    changes: tuple[PromiseEvent, ...] = ()

    @property
    def cursor(self) -> Cursor:
        if self.touchpoint is not None:
            return Cursor(self.at, TOUCHPOINT, self.touchpoint.id)
        return Cursor(self.at, PROMISE, self.promise.id)


@dataclass(frozen=True)
class Page:
    advisor: Advisor
    entries: tuple[Entry, ...]
    older: Cursor | None  # where the next page starts; None on the last page
    first: bool  # the newest entries


def _older_than(at_column, id_column, kind: str, cursor: Cursor | None):
    """Entries of one kind that come after `cursor` in the history's order (newest first)."""
    if cursor is None:
        return true()
    if _RANK[kind] != _RANK[cursor.kind]:
        same_moment = true() if _RANK[kind] < _RANK[cursor.kind] else false()
        return or_(at_column < cursor.at, and_(at_column == cursor.at, same_moment))
    return or_(at_column < cursor.at, and_(at_column == cursor.at, id_column < cursor.id))


def _touchpoints(session: Session, advisor: Advisor, cursor: Cursor | None, limit: int):
    query = (
        select(Touchpoint)
        .where(
            Touchpoint.advisor_id == advisor.id,
            Touchpoint.team_id == advisor.team_id,
            Touchpoint.owner_id == advisor.owner_id,
            _older_than(col(Touchpoint.at), col(Touchpoint.id), TOUCHPOINT, cursor),
        )
        .order_by(col(Touchpoint.at).desc(), col(Touchpoint.id).desc())
        .limit(limit)
    )
    return [Entry(t.at, touchpoint=t) for t in session.exec(query)]


def _promises(session: Session, advisor: Advisor, cursor: Cursor | None, limit: int):
    query = (
        select(Promise)
        .where(
            Promise.advisor_id == advisor.id,
            Promise.team_id == advisor.team_id,
            Promise.owner_id == advisor.owner_id,
            _older_than(col(Promise.created_at), col(Promise.id), PROMISE, cursor),
        )
        .order_by(col(Promise.created_at).desc(), col(Promise.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def _with_changes(session: Session, promises: list[Promise]) -> list[Entry]:
    changes: dict[int, list[PromiseEvent]] = {}
    if promises:
        events = select(PromiseEvent).where(
            col(PromiseEvent.promise_id).in_([p.id for p in promises])
        )
        for event in session.exec(events.order_by(PromiseEvent.at, PromiseEvent.id)):
            changes.setdefault(event.promise_id, []).append(event)
    return [Entry(p.created_at, promise=p, changes=tuple(changes.get(p.id, ()))) for p in promises]


def page(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    advisor_id: int,
    older_than: Cursor | None = None,
    size: int = PAGE,
) -> Page:
    """A page of the advisor's history, newest first, starting after `older_than` (the start
    when None); NotOnBoard unless the advisor is this member's (on the board or alumni)."""
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    touchpoints = _touchpoints(session, advisor, older_than, size + 1)
    promises = _promises(session, advisor, older_than, size + 1)
    merged = sorted(
        touchpoints + [Entry(p.created_at, promise=p) for p in promises],
        key=lambda e: e.cursor.key(),
        reverse=True,
    )
    shown = merged[:size]
    on_page = [e.promise for e in shown if e.promise is not None]
    full = {e.promise.id: e for e in _with_changes(session, on_page)}
    entries = tuple(full[e.promise.id] if e.promise is not None else e for e in shown)
    older = shown[-1].cursor if len(merged) > size else None
    return Page(advisor, entries, older, older_than is None)


# --- deleting a touchpoint logged by mistake


@dataclass(frozen=True)
class Deleted:
    """What deleting did: the advisor as they are now, and whether their dates moved."""

    advisor: Advisor
    at: datetime  # when the deleted touchpoint happened
    moved: bool  # the last touchpoint (and maybe the due date) changed


def _newest_left(session: Session, advisor: Advisor) -> datetime | None:
    return session.exec(
        select(func.max(Touchpoint.at)).where(Touchpoint.advisor_id == advisor.id)
    ).one()


def _fallback(advisor: Advisor) -> datetime:
    """Where the rhythm starts with no touchpoint left: the last contact given on enlisting."""
    return advisor.last_spoke_at or advisor.created_at


def delete_touchpoint(
    session: Session, *, team_id: str, owner_id: str, touchpoint_id: int, clock: Clock
) -> Deleted:
    """Delete one of the member's touchpoints. Were it their last contact, the last touchpoint
    falls back to the one before (or the contact given on enlisting), and the next due date to
    one cadence after it, as logging would have left them, unless something since the mistake
    set the date (a snooze, bringing them back): then it stands. NotYours for a touchpoint
    that is not the member's, or is deleted already (a second click)."""
    now = clock.now()
    touchpoint = session.exec(
        select(Touchpoint).where(
            Touchpoint.id == touchpoint_id,
            Touchpoint.team_id == team_id,
            Touchpoint.owner_id == owner_id,
        )
    ).first()
    if touchpoint is None:
        raise NotYours("touchpoint")
    advisor = get_advisor(
        session, team_id=team_id, owner_id=owner_id, advisor_id=touchpoint.advisor_id
    )
    gone = session.execute(
        delete(Touchpoint)
        .where(col(Touchpoint.id) == touchpoint.id)
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount != 1:  # two clicks at once: the other one deleted it
        raise NotYours("touchpoint")
    session.expunge(touchpoint)
    moved = _fall_back(session, advisor, now)
    return Deleted(advisor, touchpoint.at, moved)


def _fall_back(session: Session, advisor: Advisor, now: datetime) -> bool:
    """The advisor's last touchpoint and due date from the touchpoints left."""
    left = _newest_left(session, advisor)
    last = max(t for t in (left, _fallback(advisor)) if t is not None)
    if advisor.last_touch_at is None or last >= advisor.last_touch_at:
        return False  # an older touchpoint, or one of two at the same moment: nothing moves
    set_by_it = advisor.next_touch_due_at == cadence.due_after(
        advisor.last_touch_at, advisor.cadence_days
    )
    advisor.last_touch_at = last
    if advisor.status == AdvisorStatus.ACTIVE and set_by_it:
        set_due(session, advisor, cadence.due_after(last, advisor.cadence_days), now=now)
    else:
        next_due.advisor_changed(session, advisor, now=now)
    advisor.updated_at = now
    session.add(advisor)
    session.flush()
    return True
