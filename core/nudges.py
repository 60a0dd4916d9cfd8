"""The nudge engine's decisions: who is due a delivery now, claiming each nudge exactly once,
the life of a delivery (sent, retried after its lease, refused for good), and what a member did
with each nudge. Slack-free; bot/notify.py does the sending."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, tuple_, update
from sqlmodel import Session, col, select

from core import due, windows
from core.clock import Clock
from core.errors import NotYours
from core.models import (
    Advisor,
    AdvisorStatus,
    Delivery,
    DeliveryState,
    Member,
    Nudge,
    NudgeKind,
    Promise,
    PromiseStatus,
    SeenEvent,
    Touchpoint,
)
from core.touchpoints import latest_touchpoints

# A subject due on the member's day may be up to a day ahead of UTC: look that far ahead.
LOOKAHEAD = timedelta(hours=26)
LEASE = timedelta(minutes=5)  # a claimed delivery not confirmed by then is retried
QUIET_AFTER_USE = timedelta(minutes=10)
BATCH = 500  # members a tick looks at per due query
GROUP_LIMIT = 10  # items in one message: well inside Slack's 50 blocks
TOUCH_KINDS = {NudgeKind.TOUCH, NudgeKind.TOUCH_OVERDUE}
PROMISE_KINDS = {NudgeKind.PROMISE_SOON, NudgeKind.PROMISE_DUE, NudgeKind.PROMISE_STALLED}


@dataclass(frozen=True)
class Item:
    """One thing to nudge a member about: a kind, for a subject's cycle."""

    kind: str
    subject_id: int
    cycle: str
    seen_nudge_at: datetime | None = None  # the subject's nudge_at when it was planned
    upcoming: datetime | None = None  # its nudge_at once this is claimed


@dataclass(frozen=True)
class Plan:
    member: Member
    items: list[Item]


# --- finding due work


def due_owners(session: Session, *, now: datetime, limit: int = BATCH) -> list[tuple]:
    """(team, owner) of up to `limit` members with an advisor or a promise due a nudge (or
    within a day of it), most overdue first, leaving out members the tick need not look at yet
    (outside their window, waiting for tomorrow, unreachable). Each side pages through its
    nudge_at index and looks the page's owners up by their key: the cost grows with what is
    due, never with the number of advisors or members. The tick takes the next batch after."""
    found: dict[tuple, None] = {}
    for table in (Advisor, Promise):
        found.update(dict.fromkeys(_due_side(session, table, now, limit)))
    return list(found)[:limit]


def _due_side(session: Session, table, now: datetime, limit: int) -> list[tuple]:
    ready: dict[tuple, None] = {}
    after = None
    while len(ready) < limit:
        query = select(table.id, table.nudge_at, table.team_id, table.owner_id).where(
            col(table.nudge_at) <= now + LOOKAHEAD
        )
        if after is not None:
            query = query.where(tuple_(table.nudge_at, table.id) > after)
        page = session.execute(query.order_by(table.nudge_at, table.id).limit(limit)).all()
        owners = list(dict.fromkeys((row.team_id, row.owner_id) for row in page))
        ready.update(dict.fromkeys(_to_look_at(session, owners, now)))
        if len(page) < limit:
            break
        after = (page[-1].nudge_at, page[-1].id)
    return list(ready)


def _to_look_at(session: Session, owners: list[tuple], now: datetime) -> list[tuple]:
    """Of these owners, in their order, those the tick should look at now."""
    if not owners:
        return []
    by_team: dict[str, list[str]] = {}
    for team_id, user_id in owners:
        by_team.setdefault(team_id, []).append(user_id)
    query = select(Member.team_id, Member.user_id).where(
        or_(*((Member.team_id == t) & col(Member.user_id).in_(us) for t, us in by_team.items())),
        col(Member.unreachable).is_(None),
        or_(col(Member.wait_until).is_(None), col(Member.wait_until) <= now),
    )
    ready = {tuple(row) for row in session.execute(query)}
    return [owner for owner in owners if owner in ready]


def preview_owners(session: Session) -> list[tuple]:
    """Members who asked for a Monday preview of the week ahead."""
    query = select(Member.team_id, Member.user_id).where(col(Member.monday_preview).is_(True))
    return [tuple(row) for row in session.execute(query)]


def plan(session: Session, *, team_id: str, owner_id: str, now: datetime) -> Plan | None:
    """What to send this member now, if their window is open and they may have a delivery."""
    member = _member(session, team_id, owner_id)
    if member is None:
        return None
    if not windows.may_deliver(member, now):
        member.wait_until = windows.next_chance(member, now)
        session.add(member)
        return None
    if member.last_seen_at and now - member.last_seen_at < QUIET_AFTER_USE:
        # They are using the bot right now (enlisting, logging): what they set up goes out
        # together once they are done, not one nudge per click.
        member.wait_until = member.last_seen_at + QUIET_AFTER_USE
        session.add(member)
        return None
    zone, today = windows.zone_of(member), windows.local_day(member, now)
    horizon, items = now + LOOKAHEAD, []
    who = (team_id, owner_id)
    for advisor in _due(session, Advisor, who, horizon):
        items += _decide(advisor, due.touch_candidates(advisor, zone), today, now)
    for promise in _due(session, Promise, who, horizon):
        items += _decide(promise, due.promise_candidates(promise, zone), today, now)
    if member.monday_preview and today.weekday() == 0:
        items.append(Item(NudgeKind.PREVIEW, 0, today.isoformat()))
    if not items:  # what is close is for a later day: nothing to look at before tomorrow
        member.wait_until = windows.next_opening(member, windows.tomorrow(member, now))
        session.add(member)
    return Plan(member, items)


def _member(session: Session, team_id: str, user_id: str) -> Member | None:
    query = select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    return session.exec(query).first()


def _due(session: Session, table, who: tuple, horizon: datetime) -> list:
    query = select(table).where(
        table.team_id == who[0], table.owner_id == who[1], col(table.nudge_at) <= horizon
    )
    return list(session.exec(query.order_by(table.nudge_at, table.id)))


def _decide(subject, candidates: list, today: date, now: datetime) -> list[Item]:
    """The subject's nudge for today, if any, among those not before its stored nudge time
    (earlier ones were sent, or came before the member made it); a subject looked at too early
    (its dates changed under it) just gets its next nudge time set right."""
    candidates = [c for c in candidates if c.at >= subject.nudge_at]
    chosen = due.applicable(candidates, today)
    upcoming = due.upcoming(candidates, today)
    if chosen is not None:
        return [Item(chosen.kind, subject.id, chosen.cycle, subject.nudge_at, upcoming)]
    if subject.nudge_at <= now:
        subject.nudge_at = upcoming
    return []


# --- claiming: exactly once


def claim(session: Session, *, plan: Plan, now: datetime, process: str) -> list[Delivery]:
    """Claim the plan's nudges for this process and create their deliveries (one, or one per
    item when the member prefers). Each nudge's unique key makes a second claim fail, whatever
    process, restart or retry attempts it; the member's row is the lock for the one-a-day rule.
    Returns nothing when there is nothing new to send."""
    member, today = plan.member, windows.local_day(plan.member, now)
    before = member.last_delivery_on
    if not _take_the_day(session, member, today):
        return []
    fresh = [item for item in plan.items if not _claimed(session, member, item)]
    for item in plan.items:
        _advance(session, item)
    if not fresh:
        _set_last_delivery(session, member, before)
        return []
    size = GROUP_LIMIT if member.digest else 1
    groups = [fresh[i : i + size] for i in range(0, len(fresh), size)]
    return [_deliver(session, member, group, now, process) for group in groups]


def _take_the_day(session: Session, member: Member, today: date) -> bool:
    guard = update(Member).where(col(Member.id) == member.id, col(Member.unreachable).is_(None))
    if member.one_a_day:
        last = col(Member.last_delivery_on)
        guard = guard.where(or_(last.is_(None), last != today))
    done = session.execute(
        guard.values(last_delivery_on=today).execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _set_last_delivery(session: Session, member: Member, day: date | None) -> None:
    session.execute(
        update(Member)
        .where(col(Member.id) == member.id)
        .values(last_delivery_on=day)
        .execution_options(synchronize_session=False)
    )


def _claimed(session: Session, member: Member, item: Item) -> bool:
    query = select(Nudge.id).where(
        Nudge.team_id == member.team_id,
        Nudge.owner_id == member.user_id,
        Nudge.kind == item.kind,
        Nudge.subject_id == item.subject_id,
        Nudge.cycle == item.cycle,
    )
    return session.exec(query).first() is not None


def _advance(session: Session, item: Item) -> None:
    """The subject's next nudge time, unless the member changed it meanwhile."""
    table = Advisor if item.kind in TOUCH_KINDS else Promise if item.kind in PROMISE_KINDS else None
    if table is None:
        return
    session.execute(
        update(table)
        .where(col(table.id) == item.subject_id, col(table.nudge_at) == item.seen_nudge_at)
        .values(nudge_at=item.upcoming)
        .execution_options(synchronize_session=False)
    )


def _deliver(session: Session, member: Member, items: list[Item], now, process) -> Delivery:
    delivery = Delivery(
        team_id=member.team_id,
        owner_id=member.user_id,
        claimed_by=process,
        lease_until=now + LEASE,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    for item in items:
        session.add(
            Nudge(
                team_id=member.team_id,
                owner_id=member.user_id,
                kind=item.kind,
                subject_id=item.subject_id,
                cycle=item.cycle,
                delivery_id=delivery.id,
                created_at=now,
            )
        )
    session.flush()
    return delivery


# --- a delivery's life


def expired(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Deliveries claimed but never confirmed (their process died or Slack was down), due for
    another attempt."""
    query = (
        select(Delivery.id)
        .where(Delivery.state == DeliveryState.CLAIMED, col(Delivery.lease_until) < now)
        .order_by(Delivery.lease_until)
        .limit(limit)
    )
    return list(session.exec(query))


def start_attempt(session: Session, *, delivery_id: int, process: str, now: datetime) -> bool:
    """Take (or keep) the delivery's lease for one attempt; False when another process has it."""
    taken = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery_id,
            Delivery.state == DeliveryState.CLAIMED,
            or_(col(Delivery.claimed_by) == process, col(Delivery.lease_until) < now),
        )
        .values(claimed_by=process, lease_until=now + LEASE, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def renew(session: Session, *, delivery_id: int, process: str, now: datetime) -> bool:
    """Extend this process's lease before another call to Slack; False when it was lost."""
    return _finish(session, delivery_id, process, lease_until=now + LEASE)


def _finish(session: Session, delivery_id: int, process: str, **values) -> bool:
    done = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery_id,
            Delivery.state == DeliveryState.CLAIMED,
            col(Delivery.claimed_by) == process,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def note_channel(session: Session, *, delivery_id: int, process: str, channel: str) -> None:
    """The DM it goes to, kept before posting so a retry can look for it there first."""
    _finish(session, delivery_id, process, channel=channel)


def sent(session, *, delivery_id: int, process: str, channel: str, ts: str, now) -> bool:
    return _finish(
        session,
        delivery_id,
        process,
        state=DeliveryState.SENT,
        channel=channel,
        ts=ts,
        sent_at=now,
        last_error=None,
    )


def skipped(session: Session, *, delivery_id: int, process: str) -> bool:
    return _finish(session, delivery_id, process, state=DeliveryState.SKIPPED)


def retry_at(session, *, delivery_id: int, process: str, at: datetime, error: str) -> bool:
    """A transient failure: any process may try again from `at`."""
    return _finish(session, delivery_id, process, lease_until=at, last_error=error[:200])


def undeliverable(session, *, delivery_id: int, process: str, error: str) -> bool:
    """Slack refused this message itself (a bug of ours): recorded, not retried."""
    return _finish(
        session, delivery_id, process, state=DeliveryState.FAILED, last_error=error[:200]
    )


def refused(session, *, delivery_id: int, process: str, error: str) -> bool:
    """Slack refused for good (the member left, blocked the bot...): no more tries, and no more
    deliveries to this member until they use the bot again."""
    delivery = session.get(Delivery, delivery_id)
    if not _finish(session, delivery_id, process, state=DeliveryState.FAILED, last_error=error):
        return False
    session.execute(
        update(Member)
        .where(Member.team_id == delivery.team_id, Member.user_id == delivery.owner_id)
        .values(unreachable=error[:40])
        .execution_options(synchronize_session=False)
    )
    return True


# --- what a delivery shows


@dataclass
class Shown:
    """A nudge as its message shows it: the subject as it is now, and whether it still calls
    for action (nothing done with it yet, and its cycle not over)."""

    nudge: Nudge
    advisor: Advisor | None
    promise: Promise | None
    last_touch: Touchpoint | None = None

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


def shown(session: Session, *, delivery: Delivery) -> list[Shown]:
    """The delivery's nudges, in the order they were decided, with their subjects now; a
    subject removed since is shown as gone."""
    nudges = session.exec(
        select(Nudge).where(Nudge.delivery_id == delivery.id).order_by(Nudge.id)
    ).all()
    result = []
    for nudge in nudges:
        promise = session.get(Promise, nudge.subject_id) if nudge.kind in PROMISE_KINDS else None
        advisor_id = promise.advisor_id if promise else None
        if nudge.kind in TOUCH_KINDS:
            advisor_id = nudge.subject_id
        advisor = session.get(Advisor, advisor_id) if advisor_id else None
        if advisor is not None and (advisor.team_id, advisor.owner_id) != (
            delivery.team_id,
            delivery.owner_id,
        ):
            advisor = promise = None  # never another member's rows
        result.append(Shown(nudge, advisor, promise))
    ids = [item.advisor.id for item in result if item.advisor is not None]
    latest = latest_touchpoints(
        session, team_id=delivery.team_id, owner_id=delivery.owner_id, advisor_ids=ids
    )
    for item in result:
        item.last_touch = latest.get(item.advisor.id) if item.advisor else None
    return result


def member_of(session: Session, *, delivery: Delivery) -> Member:
    return _member(session, delivery.team_id, delivery.owner_id)


@dataclass(frozen=True)
class WeekAhead:
    """The Monday preview: who is due a touchpoint and which promises fall due this week."""

    advisors: list[Advisor]
    promises: list[tuple[Promise, Advisor]]


def week_ahead_for(session: Session, *, items: list[Shown], member: Member, now) -> WeekAhead:
    """The week ahead, when the delivery carries a preview (else nothing to show)."""
    if not any(item.nudge.kind == NudgeKind.PREVIEW for item in items):
        return WeekAhead([], [])
    zone, who = windows.zone_of(member), (member.team_id, member.user_id)
    week_end = datetime.combine(
        windows.local_day(member, now) + timedelta(days=7), time(0), tzinfo=zone
    )
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
    return WeekAhead(list(advisors), [tuple(row) for row in promises])


@dataclass(frozen=True)
class Contents:
    """What a delivery's message shows now: its nudges, the member, their week ahead."""

    items: list[Shown]
    member: Member
    ahead: WeekAhead


def contents(session: Session, *, delivery: Delivery, now: datetime) -> Contents:
    items = shown(session, delivery=delivery)
    member = member_of(session, delivery=delivery)
    return Contents(items, member, week_ahead_for(session, items=items, member=member, now=now))


def get_delivery(session: Session, *, team_id: str, owner_id: str, delivery_id: int) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or (delivery.team_id, delivery.owner_id) != (team_id, owner_id):
        raise NotYours("reminder")
    return delivery


def get_nudge(session: Session, *, team_id: str, owner_id: str, nudge_id: int) -> Nudge:
    nudge = session.get(Nudge, nudge_id)
    if nudge is None or (nudge.team_id, nudge.owner_id) != (team_id, owner_id):
        raise NotYours("reminder")
    return nudge


def record_outcome(
    session: Session, *, team_id: str, owner_id: str, nudge_id: int, outcome: str, text: str = ""
) -> Nudge:
    """What the member did with a nudge, shown in its message instead of the buttons."""
    nudge = get_nudge(session, team_id=team_id, owner_id=owner_id, nudge_id=nudge_id)
    nudge.outcome, nudge.outcome_text = outcome, text[:300]
    session.add(nudge)
    session.flush()
    return nudge


def take_answer(session: Session, *, team_id: str, owner_id: str, nudge_id: int) -> bool:
    """Claim the right to answer a nudge in words: of two answers racing (a double click, a
    retried event), one gets True, on SQLite and Postgres alike."""
    get_nudge(session, team_id=team_id, owner_id=owner_id, nudge_id=nudge_id)
    taken = session.execute(
        update(Nudge)
        .where(col(Nudge.id) == nudge_id, col(Nudge.outcome).is_(None))
        .values(outcome="answering")
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def get_shown(session: Session, *, team_id: str, owner_id: str, nudge_id: int) -> Shown:
    """The member's nudge with its subject as it is now; NotYours for anybody else's."""
    nudge = get_nudge(session, team_id=team_id, owner_id=owner_id, nudge_id=nudge_id)
    delivery = session.get(Delivery, nudge.delivery_id)
    return next(item for item in shown(session, delivery=delivery) if item.nudge.id == nudge.id)


def live_items(session: Session, *, delivery: Delivery) -> list[Shown]:
    """What in a delivery still calls for action."""
    return [
        item
        for item in shown(session, delivery=delivery)
        if item.live and item.nudge.kind != NudgeKind.PREVIEW
    ]


def find_message(
    session: Session, *, team_id: str, owner_id: str, channel: str, ts: str
) -> Delivery | None:
    """The member's delivery posted as this message, if it is one."""
    query = select(Delivery).where(
        Delivery.team_id == team_id,
        Delivery.owner_id == owner_id,
        Delivery.channel == channel,
        Delivery.ts == ts,
    )
    return session.exec(query).first()


def sent_since(
    session: Session, *, team_id: str, owner_id: str, channel: str, since: datetime
) -> list[Delivery]:
    """The member's deliveries posted in `channel` after `since`, newest first."""
    query = (
        select(Delivery)
        .where(
            Delivery.team_id == team_id,
            Delivery.owner_id == owner_id,
            Delivery.channel == channel,
            col(Delivery.sent_at) >= since,
        )
        .order_by(col(Delivery.sent_at).desc(), col(Delivery.id).desc())
        .limit(5)
    )
    return list(session.exec(query))


# --- Slack's event retries


def first_time(session: Session, *, event_id: str, clock: Clock) -> bool:
    """True the first time an Events API delivery is seen; Slack's retries of it get False."""
    if not event_id:
        return True
    if session.get(SeenEvent, event_id) is not None:
        return False
    session.add(SeenEvent(event_id=event_id, seen_at=clock.now()))
    session.flush()
    return True


def forget_events(session: Session, *, before: datetime) -> None:
    """Slack retries an event for minutes, not days: older ids need not be kept."""
    session.execute(SeenEvent.__table__.delete().where(SeenEvent.__table__.c.seen_at < before))
