"""Promises: made to an advisor by a day, firmly or not; updated, renegotiated, done or dropped.
Nothing is deleted: every change is a line of history."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from core import dates, next_due
from core.board import get_advisor
from core.clock import Clock
from core.dates import end_of_day
from core.errors import Invalid, NotYours
from core.members import member_zone
from core.models import (
    AdvisorStatus,
    Firmness,
    Promise,
    PromiseChange,
    PromiseEvent,
    PromiseStatus,
)
from core.typed import check_typed

WHAT_LIMIT = 500
UPDATE_LIMIT = 3000


def _event(session: Session, promise: Promise, change: str, now: datetime, **fields) -> None:
    session.add(PromiseEvent(promise_id=promise.id, at=now, change=change, **fields))


def _check_day(day: date, zone: ZoneInfo, now: datetime, field: str) -> None:
    """A due day from a date picker, a typed date or a button: not past, not beyond the horizon
    (a day after year 9999 does not exist)."""
    today = now.astimezone(zone).date()
    if day < today:
        raise Invalid("That day is already past: choose a later date.", field=field)
    if day > dates.horizon(today):
        raise Invalid(
            f"That day is more than {dates.HORIZON_YEARS} years away: choose a nearer date.",
            field=field,
        )


def make_promise(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    advisor_id: int,
    what: str,
    due_on: date,
    firmness: str,
    zone: ZoneInfo,
    clock: Clock,
) -> Promise:
    """Record what the member promised an advisor on the board, due by the end of `due_on`."""
    check_typed("what", what)
    what, now = " ".join(what.split()), clock.now()
    if not what:
        raise Invalid("Say what you promised.", field="what")
    if len(what) > WHAT_LIMIT:
        raise Invalid(f"Keep it under {WHAT_LIMIT} characters (it has {len(what)}).", field="what")
    if firmness not in set(Firmness):
        raise Invalid("Choose “I promise” or “I'll try”.", field="firmness")
    _check_day(due_on, zone, now, "due")
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    if advisor.status != AdvisorStatus.ACTIVE:
        raise Invalid(
            f"{advisor.name} is among your alumni: bring them back first.", field="advisor"
        )
    promise = Promise(
        team_id=team_id,
        owner_id=owner_id,
        advisor_id=advisor.id,
        what=what,
        firmness=firmness,
        due_on=due_on,
        original_due_on=due_on,
        due_at=end_of_day(due_on, zone),
        created_at=now,
        updated_at=now,
    )
    next_due.promise_changed(session, promise, zone=zone, now=now)
    session.add(promise)
    session.flush()
    _event(session, promise, PromiseChange.MADE, now, new_due_on=due_on)
    return promise


def get_promise(session: Session, *, team_id: str, owner_id: str, promise_id: int) -> Promise:
    promise = session.exec(
        select(Promise).where(
            Promise.id == promise_id, Promise.team_id == team_id, Promise.owner_id == owner_id
        )
    ).first()
    if promise is None:
        raise NotYours()
    return promise


def _open(session: Session, **who) -> Promise:
    promise = get_promise(session, **who)
    if promise.status != PromiseStatus.OPEN:
        raise Invalid(f"That promise is already {promise.status}.", field="promise")
    return promise


def renegotiate(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    promise_id: int,
    new_due_on: date,
    zone: ZoneInfo,
    clock: Clock,
    note: str = "",
) -> Promise:
    """Move the date; the old one stays in the history and the renegotiation is counted."""
    now = clock.now()
    promise = _open(session, team_id=team_id, owner_id=owner_id, promise_id=promise_id)
    _check_day(new_due_on, zone, now, "due")
    if new_due_on == promise.due_on:
        raise Invalid("That is the date it already has: choose another.", field="due")
    check_typed("note", note)
    if len(note) > UPDATE_LIMIT:
        raise Invalid(
            f"Keep it under {UPDATE_LIMIT} characters (it has {len(note)}).", field="note"
        )
    _event(
        session,
        promise,
        PromiseChange.RENEGOTIATED,
        now,
        old_due_on=promise.due_on,
        old_due_at=promise.due_at,
        new_due_on=new_due_on,
        text=note.strip(),
    )
    promise.due_on, promise.due_at = new_due_on, end_of_day(new_due_on, zone)
    promise.renegotiations += 1
    promise.updated_at = now
    next_due.promise_changed(session, promise, zone=zone, now=now)
    session.add(promise)
    session.flush()
    return promise


def _close(session: Session, promise: Promise, status: str, now: datetime) -> None:
    """Close an open promise once: of two clicks racing (done and drop, a double click), the
    second finds it closed, on SQLite and Postgres alike."""
    closed = session.execute(
        update(Promise)
        .where(col(Promise.id) == promise.id, col(Promise.status) == PromiseStatus.OPEN)
        .values(status=status, closed_at=now, updated_at=now, nudge_at=None)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise Invalid("That promise is already closed.", field="promise")
    session.refresh(promise)


def mark_done(
    session: Session, *, team_id: str, owner_id: str, promise_id: int, clock: Clock
) -> Promise:
    now = clock.now()
    promise = _open(session, team_id=team_id, owner_id=owner_id, promise_id=promise_id)
    _close(session, promise, PromiseStatus.DONE, now)
    _event(session, promise, PromiseChange.DONE, now)
    session.flush()
    return promise


def drop(
    session: Session, *, team_id: str, owner_id: str, promise_id: int, told_them: bool, clock: Clock
) -> Promise:
    """Give a promise up; whether the advisor was told is kept with it."""
    now = clock.now()
    promise = _open(session, team_id=team_id, owner_id=owner_id, promise_id=promise_id)
    _close(session, promise, PromiseStatus.DROPPED, now)
    _event(session, promise, PromiseChange.DROPPED, now, told_them=told_them)
    session.flush()
    return promise


def open_promise(session: Session, *, team_id: str, owner_id: str, promise_id: int) -> Promise:
    """The member's promise if it is still open; NotYours or Invalid otherwise."""
    return _open(session, team_id=team_id, owner_id=owner_id, promise_id=promise_id)


def post_update(
    session: Session, *, team_id: str, owner_id: str, promise_id: int, text: str, clock: Clock
) -> PromiseEvent:
    """Record a progress update ("show your work"); core/forwarding.py sends it on if asked."""
    now, text = clock.now(), check_update(text)
    promise = _open(session, team_id=team_id, owner_id=owner_id, promise_id=promise_id)
    update_event = PromiseEvent(
        promise_id=promise.id, at=now, change=PromiseChange.UPDATE, text=text
    )
    promise.last_update_at = promise.updated_at = now
    zone = member_zone(session, team_id=team_id, user_id=owner_id)
    next_due.promise_changed(session, promise, zone=zone, now=now)
    session.add_all([update_event, promise])
    session.flush()
    return update_event


def get_update(session: Session, *, team_id: str, owner_id: str, event_id: int) -> PromiseEvent:
    """One of the member's progress updates; NotYours for anybody else's."""
    event = session.get(PromiseEvent, event_id)
    if event is None or event.change != PromiseChange.UPDATE:
        raise NotYours("update")
    get_promise(session, team_id=team_id, owner_id=owner_id, promise_id=event.promise_id)
    return event


def open_promises(
    session: Session, *, team_id: str, owner_id: str, advisor_ids: Iterable[int] | None = None
) -> list[Promise]:
    """The member's open promises, soonest due first."""
    query = select(Promise).where(
        Promise.team_id == team_id,
        Promise.owner_id == owner_id,
        Promise.status == PromiseStatus.OPEN,
    )
    if advisor_ids is not None:
        query = query.where(col(Promise.advisor_id).in_(list(advisor_ids)))
    return list(session.exec(query.order_by(Promise.due_at, Promise.id)))


def history(
    session: Session, *, team_id: str, owner_id: str, promise_id: int
) -> list[PromiseEvent]:
    promise = get_promise(session, team_id=team_id, owner_id=owner_id, promise_id=promise_id)
    events = select(PromiseEvent).where(PromiseEvent.promise_id == promise.id)
    return list(session.exec(events.order_by(PromiseEvent.at, PromiseEvent.id)))


@dataclass(frozen=True)
class Keeping:
    """How the member keeps their word: per advisor, or overall."""

    kept_on_time: int = 0
    renegotiated_in_time: int = 0  # promises whose date was moved before it passed
    late: int = 0  # done after the date, still open past it, or moved after it passed
    dropped: int = 0
    open: int = 0


def keeping(
    session: Session, *, team_id: str, owner_id: str, now: datetime, advisor_id: int | None = None
) -> Keeping:
    """How the member keeps their word, overall or with one advisor."""
    counts = keeping_by_advisor(session, team_id=team_id, owner_id=owner_id, now=now)
    if advisor_id is not None:
        return counts.get(advisor_id, Keeping())
    return Keeping(
        *(sum(getattr(c, f) for c in counts.values()) for f in Keeping.__dataclass_fields__)
    )


def keeping_by_advisor(
    session: Session, *, team_id: str, owner_id: str, now: datetime
) -> dict[int, Keeping]:
    """The keeping count of each advisor who has promises (two queries)."""
    promises = list(
        session.exec(
            select(Promise).where(Promise.team_id == team_id, Promise.owner_id == owner_id)
        )
    )
    moved = session.exec(
        select(PromiseEvent).where(
            col(PromiseEvent.promise_id).in_([p.id for p in promises]),
            PromiseEvent.change == PromiseChange.RENEGOTIATED,
        )
    )
    in_time, too_late = set(), set()
    for event in moved:
        (in_time if _in_time(event) else too_late).add(event.promise_id)
    by_advisor: dict[int, list[Promise]] = {}
    for promise in promises:
        by_advisor.setdefault(promise.advisor_id, []).append(promise)
    return {
        advisor_id: Keeping(
            kept_on_time=sum(_kept_on_time(p, too_late) for p in ps),
            renegotiated_in_time=sum(p.id in in_time for p in ps),
            late=sum(_late(p, now) or p.id in too_late for p in ps),
            dropped=sum(p.status == PromiseStatus.DROPPED for p in ps),
            open=sum(p.status == PromiseStatus.OPEN for p in ps),
        )
        for advisor_id, ps in by_advisor.items()
    }


def _kept_on_time(promise: Promise, moved_too_late: set[int]) -> bool:
    """Done by its date, and never moved after a date had already passed."""
    on_time = promise.status == PromiseStatus.DONE and promise.closed_at <= promise.due_at
    return on_time and promise.id not in moved_too_late


def check_update(text: str) -> str:
    """The update's text, trimmed; Invalid when empty or too long (before anything is sent)."""
    check_typed("update", text)
    text = text.strip()
    if not text:
        raise Invalid("Write the update: a line or two on where it stands.", field="update")
    if len(text) > UPDATE_LIMIT:
        raise Invalid(
            f"Keep it under {UPDATE_LIMIT} characters (it has {len(text)}).", field="update"
        )
    return text


def _late(promise: Promise, now: datetime) -> bool:
    if promise.status == PromiseStatus.DONE:
        return promise.closed_at > promise.due_at
    return promise.status == PromiseStatus.OPEN and now >= promise.due_at


def _in_time(event: PromiseEvent) -> bool:
    """A renegotiation counts as in time when it came before the date it moved was over."""
    return event.old_due_at is not None and event.at < event.old_due_at
