"""Deciding nudges: what to send a member now, claimed exactly once, and when to look at them
next. This is where to look to know why a member did or did not get a nudge:
- `plan` first keeps their reassessment's schedule (core/reassess.py); it says nothing while
  their window is closed, while they are using the bot, or once today's delivery is out;
  otherwise it lists each subject's nudge due today (core/due.py says which) and the Monday
  preview if its schedule has come;
- `claim` takes the day, records each nudge under its unique key and puts the messages in the
  outbox (core/outbox.py), which the sender delivers;
- `look_again` sets `member.look_at`: when the tick will plan them next."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from core import due, outbox, reassess, schedules, windows
from core.models import Advisor, Member, Nudge, NudgeKind, Promise, Schedule
from core.outbox import Target

log = logging.getLogger(__name__)

PURPOSE = "nudge"
QUIET_AFTER_USE = timedelta(minutes=10)
GROUP_LIMIT = 10  # items in one message: well inside Slack's 50 blocks
RETRY_BROKEN = timedelta(days=1)  # a subject whose nudge cannot be worked out waits this long
TOUCH_KINDS = {NudgeKind.TOUCH, NudgeKind.TOUCH_OVERDUE}
LATE_KINDS = {NudgeKind.PROMISE_LATE, NudgeKind.PROMISE_LATE_AGAIN}
PROMISE_KINDS = {NudgeKind.PROMISE_SOON, NudgeKind.PROMISE_DUE, NudgeKind.PROMISE_STALLED}
PROMISE_KINDS |= LATE_KINDS
PREVIEW = "preview"  # the Monday preview's schedule purpose


@dataclass(frozen=True)
class Item:
    """One thing to nudge a member about: a kind, for a subject's cycle."""

    kind: str
    subject_id: int
    cycle: str
    seen_at: datetime | None = None  # the subject's nudge_at (a preview: next_at) when planned
    upcoming: datetime | None = None  # what it becomes once this is claimed


@dataclass
class Plan:
    member: Member
    items: list[Item] = field(default_factory=list)
    why_not: str = ""  # when there is nothing to send now: why


def get_member(session: Session, team_id: str, user_id: str) -> Member | None:
    query = select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    return session.exec(query).first()


def plan(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    now: datetime,
    next_after: schedules.NextAfter,
) -> Plan | None:
    """What to send this member now (None: there is no such member)."""
    member = get_member(session, team_id, owner_id)
    if member is None:
        return None
    # Whatever the window says: a changed setting, or a member from before reassessments
    # existed, gets the schedule the first time they are planned.
    reassess.keep_schedule(session, member=member, now=now, next_after=next_after)
    if member.unreachable:
        return Plan(member, why_not=f"Slack refused their DM ({member.unreachable})")
    if not windows.is_open(member, now):
        return Plan(
            member, why_not=f"outside their window ({windows.describe(member)}, {member.tz})"
        )
    if not windows.may_deliver(member, now):
        return Plan(member, why_not="today's delivery is out (at most one a day)")
    if member.last_seen_at and now - member.last_seen_at < QUIET_AFTER_USE:
        # They are using the bot right now (enlisting, logging): what they set up goes out
        # together once they are done, not one nudge per click.
        return Plan(member, why_not="using the bot right now")
    zone, today = windows.zone_of(member), windows.local_day(member, now)
    tomorrow = windows.tomorrow(member, now)
    items = []
    for table, candidates in ((Advisor, due.touch_candidates), (Promise, due.promise_candidates)):
        for subject_id in _due(session, table, member, tomorrow):
            items += _decide_safely(session, table, subject_id, candidates, zone, today, now)
    preview = _preview(session, member, now, today, next_after)
    if preview is not None:
        items.append(preview)
    return Plan(member, items, why_not="" if items else "nothing due today")


def _due(session: Session, table, member: Member, before: datetime) -> list[int]:
    """The member's advisors (or promises) due a decision before `before`, by id."""
    query = select(table.id).where(
        table.team_id == member.team_id,
        table.owner_id == member.user_id,
        col(table.nudge_at) < before,
    )
    return list(session.exec(query.order_by(table.nudge_at, table.id)))


def _decide_safely(
    session: Session, table, subject_id: int, candidates, zone, today: date, now: datetime
) -> list[Item]:
    """`_decide` for one subject; one that cannot be read or worked out (a value core does not
    know) is logged with its id and looked at again a day later; the member's others still go."""
    try:
        subject = session.get(table, subject_id)
        return _decide(subject, candidates(subject, zone), today, now)
    except Exception:
        kind = table.__name__.lower()
        log.exception("Cannot decide the nudge of %s %s; looking again in a day", kind, subject_id)
        session.execute(
            update(table)
            .where(col(table.id) == subject_id)
            .values(nudge_at=now + RETRY_BROKEN)
            .execution_options(synchronize_session=False)
        )
        return []


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


def _preview(session, member: Member, now: datetime, today: date, next_after) -> Item | None:
    """The Monday preview, on its schedule (Mondays at the start of the member's window), when
    its occurrence is today; one missed on an earlier day is skipped."""
    key = {"team_id": member.team_id, "purpose": PREVIEW, "key": member.user_id}
    if not member.monday_preview:
        schedules.drop(session, **key)
        return None
    rule = schedules.Rule.weekly(
        {0}, minute=member.nudge_start, tz=member.tz, starts_on=date(2026, 1, 5)
    )
    today_start = datetime.combine(today, time(0), tzinfo=windows.zone_of(member))
    schedule = schedules.keep(
        session,
        **key,
        rule=rule,
        next_after=next_after,
        now=now,
        owner_id=member.user_id,
        since=today_start,  # turned on during a Monday: that Monday's preview still comes
    )
    occurrence = schedule.next_at
    if occurrence is None or occurrence > now:
        return None
    if occurrence.astimezone(windows.zone_of(member)).date() != today:  # missed: the next one
        schedules.advance(
            session, schedule=schedule, occurrence=occurrence, next_after=next_after, after=now
        )
        return None
    following = next_after(rule, occurrence)
    return Item(NudgeKind.PREVIEW, schedule.id, today.isoformat(), occurrence, following)


# --- claiming: exactly once


class ClaimedElsewhere(Exception):
    """Another process claimed these nudges first: theirs to send (this claim is rolled back)."""


def claim(session: Session, *, plan: Plan, now: datetime) -> list[int]:
    """Claim the plan's nudges and put their messages in the outbox (one, or one per item when
    the member prefers). Each nudge's unique key makes a second claim fail, whatever process,
    restart or retry attempts it; the member's row is the lock for the one-a-day rule.
    Returns the outbox rows made (none when there is nothing new to send)."""
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
    return [_to_outbox(session, member, group, now) for group in groups]


def _take_the_day(session: Session, member: Member, today: date) -> bool:
    guard = update(Member).where(col(Member.id) == member.id, col(Member.unreachable).is_(None))
    if member.one_a_day:
        last = col(Member.last_delivery_on)
        guard = guard.where(or_(last.is_(None), last != today))
    done = session.execute(
        guard.values(last_delivery_on=today).execution_options(synchronize_session=False)
    )
    if done.rowcount == 1:
        member.last_delivery_on = today
    return done.rowcount == 1


def _set_last_delivery(session: Session, member: Member, day: date | None) -> None:
    session.execute(
        update(Member)
        .where(col(Member.id) == member.id)
        .values(last_delivery_on=day)
        .execution_options(synchronize_session=False)
    )
    member.last_delivery_on = day


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
    """The subject's next nudge time (a preview: its schedule's next occurrence), unless it was
    changed meanwhile."""
    if item.kind == NudgeKind.PREVIEW:
        table, column = Schedule, "next_at"
    else:
        table, column = (Advisor if item.kind in TOUCH_KINDS else Promise), "nudge_at"
    session.execute(
        update(table)
        .where(col(table.id) == item.subject_id, getattr(table, column) == item.seen_at)
        .values({column: item.upcoming})
        .execution_options(synchronize_session=False)
    )


def message_key(member: Member, first: Item) -> str:
    """The outbox key of a message of nudges: its first nudge's own unique key."""
    return f"{member.user_id}:{first.kind}:{first.subject_id}:{first.cycle}"


def _to_outbox(session: Session, member: Member, items: list[Item], now: datetime) -> int:
    row_id = outbox.enqueue(
        session,
        team_id=member.team_id,
        purpose=PURPOSE,
        key=message_key(member, items[0]),
        target=Target.dm(member.user_id),
        owner_id=member.user_id,
        now=now,
    )
    if row_id is None:  # the same first nudge cannot be claimed twice: another process has it
        raise ClaimedElsewhere(member.user_id)
    for item in items:
        session.add(
            Nudge(
                team_id=member.team_id,
                owner_id=member.user_id,
                kind=item.kind,
                subject_id=item.subject_id,
                cycle=item.cycle,
                outbox_id=row_id,
                created_at=now,
            )
        )
    session.flush()
    return row_id


# --- when to look at the member next


def look_again(session: Session, *, member: Member, now: datetime) -> datetime | None:
    """Set when the tick plans the member next: the day their earliest nudge falls due (or
    their preview's time), at the first moment their window is open then, and not before
    tomorrow once today's delivery is out. None: nothing of theirs will ever fall due."""
    look_at = _next_look(session, member, now)
    if look_at is not None and look_at <= now:  # never again in the same tick
        look_at = now + timedelta(minutes=1)
    member.look_at = look_at
    session.add(member)
    session.flush()
    return member.look_at


def _next_look(session: Session, member: Member, now: datetime) -> datetime | None:
    if member.unreachable:
        return None  # until they use the bot again (that wakes them)
    earliest = _earliest_due(session, member, now)
    if earliest is None:
        return None
    zone = windows.zone_of(member)
    start = max(now, datetime.combine(earliest.astimezone(zone).date(), time(0), tzinfo=zone))
    if member.last_seen_at:
        start = max(start, member.last_seen_at + QUIET_AFTER_USE)
    return windows.next_chance(member, start)


def _earliest_due(session: Session, member: Member, now: datetime) -> datetime | None:
    """The earliest nudge time of the member's advisors and promises, or their preview's
    next occurrence (now, while its schedule is still to be made: planning makes it)."""
    who = (member.team_id, member.user_id)
    times = [
        session.execute(
            select(func.min(table.nudge_at)).where(
                table.team_id == who[0], table.owner_id == who[1]
            )
        ).scalar()
        for table in (Advisor, Promise)
    ]
    if member.monday_preview:
        preview = schedules.get(session, team_id=who[0], purpose=PREVIEW, key=who[1])
        times.append(preview.next_at if preview else now)
    return min((t for t in times if t is not None), default=None)
