"""What a message of nudges shows: each nudge with its subject as it is now (and whether it
still calls for action), the member, and their week ahead for a Monday preview. Read both when
the message is first posted and each time it is updated after the member acts on it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from core import due, windows
from core.models import (
    Advisor,
    AdvisorStatus,
    Member,
    Nudge,
    NudgeKind,
    Outbox,
    Promise,
    PromiseStatus,
    Touchpoint,
)
from core.nudge_plan import LATE_KINDS, PROMISE_KINDS, TOUCH_KINDS, get_member
from core.reviewing import offers
from core.touchpoints import latest_touchpoints


@dataclass
class Shown:
    """A nudge as its message shows it: the subject as it is now, and whether it still calls
    for action (nothing done with it yet, and its cycle not over)."""

    nudge: Nudge
    advisor: Advisor | None
    promise: Promise | None
    last_touch: Touchpoint | None = None
    followed_up: bool = False  # an earlier nudge of the same cycle was sent: this one follows up
    # Stay in touch, when the member has only received from this advisor lately: something to
    # offer them (what the member said they gain from them; "" when nothing was said).
    offer: str | None = None

    @property
    def live(self) -> bool:
        if self.nudge.outcome is not None:
            return False
        if self.nudge.kind in TOUCH_KINDS:
            return _touch_live(self.advisor, self.nudge.cycle)
        if self.nudge.kind in PROMISE_KINDS:
            return _promise_live(self.promise, self.nudge)
        return True


def _touch_live(advisor: Advisor | None, cycle: str) -> bool:
    return (
        advisor is not None
        and advisor.status == AdvisorStatus.ACTIVE
        and advisor.next_touch_due_at is not None
        and due.stamp(advisor.next_touch_due_at) == cycle
    )


def _promise_live(promise: Promise | None, nudge: Nudge) -> bool:
    if promise is None or promise.status != PromiseStatus.OPEN:
        return False
    if nudge.kind == NudgeKind.PROMISE_STALLED:
        return due.stamp(promise.last_update_at or promise.created_at) == nudge.cycle
    return promise.due_on.isoformat() == nudge.cycle


def shown(session: Session, *, message: Outbox) -> list[Shown]:
    """The message's nudges, in the order they were decided, with their subjects now; a
    subject removed since is shown as gone."""
    nudges = session.exec(
        select(Nudge).where(Nudge.outbox_id == message.id).order_by(Nudge.id)
    ).all()
    result = []
    for nudge in nudges:
        promise = session.get(Promise, nudge.subject_id) if nudge.kind in PROMISE_KINDS else None
        advisor_id = promise.advisor_id if promise else None
        if nudge.kind in TOUCH_KINDS:
            advisor_id = nudge.subject_id
        advisor = session.get(Advisor, advisor_id) if advisor_id else None
        if advisor is not None and (advisor.team_id, advisor.owner_id) != (
            message.team_id,
            message.owner_id,
        ):
            advisor = promise = None  # never another member's rows
        result.append(Shown(nudge, advisor, promise, followed_up=_follows_up(session, nudge)))
    ids = [item.advisor.id for item in result if item.advisor is not None]
    latest = latest_touchpoints(
        session, team_id=message.team_id, owner_id=message.owner_id, advisor_ids=ids
    )
    for item in result:
        item.last_touch = latest.get(item.advisor.id) if item.advisor else None
    touching = [i.advisor.id for i in result if i.advisor and i.nudge.kind in TOUCH_KINDS]
    owed = offers(
        session,
        team_id=message.team_id,
        owner_id=message.owner_id,
        advisor_ids=touching,
        now=message.created_at,
    )
    for item in result:
        if item.advisor is not None and item.advisor.id in owed and item.nudge.kind in TOUCH_KINDS:
            item.offer = owed[item.advisor.id].gains
    return result


def _follows_up(session: Session, nudge: Nudge) -> bool:
    """Whether an earlier nudge of the same subject and cycle went out before this one (a
    first nudge, even a late one after downtime or for a long-quiet advisor, is not a reminder)."""
    if nudge.kind not in (NudgeKind.TOUCH_OVERDUE, *LATE_KINDS):
        return False
    kinds = TOUCH_KINDS if nudge.kind in TOUCH_KINDS else PROMISE_KINDS
    earlier = select(Nudge.id).where(
        Nudge.team_id == nudge.team_id,
        Nudge.owner_id == nudge.owner_id,
        Nudge.subject_id == nudge.subject_id,
        col(Nudge.kind).in_(kinds),
        Nudge.cycle == nudge.cycle,
        col(Nudge.id) < nudge.id,
    )
    return session.exec(earlier.limit(1)).first() is not None


@dataclass(frozen=True)
class WeekAhead:
    """The Monday preview: who is due a touchpoint and which promises fall due in the week
    ahead (from today on), and what is already overdue, apart."""

    advisors: list[Advisor]
    promises: list[tuple[Promise, Advisor]]
    overdue_advisors: list[Advisor] = field(default_factory=list)
    overdue_promises: list[tuple[Promise, Advisor]] = field(default_factory=list)
    today: date | None = None


def week_ahead_for(session: Session, *, items: list[Shown], member: Member, now) -> WeekAhead:
    """The week ahead, when the message carries a preview (else nothing to show)."""
    if not any(item.nudge.kind == NudgeKind.PREVIEW for item in items):
        return WeekAhead([], [])
    zone, who = windows.zone_of(member), (member.team_id, member.user_id)
    today = windows.local_day(member, now)
    today_start = datetime.combine(today, time(0), tzinfo=zone)
    week_end = datetime.combine(today + timedelta(days=7), time(0), tzinfo=zone)
    advisors = session.exec(
        select(Advisor)
        .where(
            Advisor.team_id == who[0],
            Advisor.owner_id == who[1],
            Advisor.status == AdvisorStatus.ACTIVE,
            col(Advisor.next_touch_due_at) < week_end,
        )
        .order_by(Advisor.next_touch_due_at)
    ).all()
    promises = session.exec(
        select(Promise, Advisor)
        .join(Advisor, col(Advisor.id) == Promise.advisor_id)
        .where(
            Promise.team_id == who[0],
            Promise.owner_id == who[1],
            Promise.status == PromiseStatus.OPEN,
            col(Promise.due_at) <= week_end,
        )
        .order_by(Promise.due_at)
    ).all()
    ahead = [a for a in advisors if a.next_touch_due_at >= today_start]
    late = [a for a in advisors if a.next_touch_due_at < today_start]
    rows = [tuple(row) for row in promises]
    return WeekAhead(
        ahead,
        [(p, a) for p, a in rows if p.due_on >= today],
        late,
        [(p, a) for p, a in rows if p.due_on < today],
        today,
    )


@dataclass(frozen=True)
class Contents:
    """What a message of nudges shows now: its nudges, the member, their week ahead."""

    items: list[Shown]
    member: Member
    ahead: WeekAhead


def contents(session: Session, *, message: Outbox, now: datetime) -> Contents | None:
    """None when the member is gone."""
    member = get_member(session, message.team_id, message.owner_id)
    if member is None:
        return None
    items = shown(session, message=message)
    return Contents(items, member, week_ahead_for(session, items=items, member=member, now=now))


def live_items(session: Session, *, message: Outbox) -> list[Shown]:
    """What in a message still calls for action."""
    return [
        item
        for item in shown(session, message=message)
        if item.live and item.nudge.kind != NudgeKind.PREVIEW
    ]
