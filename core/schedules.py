"""Schedules: a recurring rule in a time zone (weekly on some days, every N weeks, monthly on a
day or the Nth weekday, quarterly) with its next occurrence stored and indexed, advanced when
an occurrence is claimed. When the next occurrence falls is not worked out here: the caller
passes `next_after` (bot/recurrence.py asks APScheduler's triggers), so core stays free of it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.due_members import uninstalled
from core.errors import Invalid
from core.members import known_zone
from core.models import Schedule

WEEKLY, MONTHLY = "weekly", "monthly"
LAST = -1  # the last day of the month, or the last such weekday in it
BATCH = 200


@dataclass(frozen=True)
class Rule:
    """When a schedule's occurrences fall, where `tz` is. Weekly: on `weekdays` (0 is Monday),
    every `every` weeks counted from `starts_on`. Monthly: on `month_day` (1-28, or LAST), or on
    the `nth` (1-4, or LAST) `weekday`, every `every` months (3: quarterly) from `starts_on`."""

    freq: str
    minute: int  # the time of day, in minutes after midnight
    tz: str
    starts_on: date
    every: int = 1
    weekdays: frozenset[int] = frozenset()
    month_day: int | None = None
    nth: int | None = None
    weekday: int | None = None

    @classmethod
    def weekly(cls, weekdays, *, minute: int, tz: str, starts_on: date, every: int = 1) -> "Rule":
        return cls(WEEKLY, minute, tz, starts_on, every, frozenset(weekdays))

    @classmethod
    def monthly(
        cls,
        *,
        minute: int,
        tz: str,
        starts_on: date,
        every: int = 1,
        month_day: int | None = None,
        nth: int | None = None,
        weekday: int | None = None,
    ) -> "Rule":
        return cls(MONTHLY, minute, tz, starts_on, every, frozenset(), month_day, nth, weekday)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(known_zone(self.tz))


NextAfter = Callable[[Rule, datetime], datetime | None]
"""The first occurrence of a rule strictly after an instant (None: there is none)."""


def check(rule: Rule) -> None:
    """Invalid at the first part of the rule that cannot be scheduled."""
    if not 0 <= rule.minute < 24 * 60:
        raise Invalid("Choose a time of day.", field="time")
    if rule.freq == WEEKLY:
        if not rule.weekdays or not rule.weekdays <= set(range(7)):
            raise Invalid("Choose at least one day of the week.", field="days")
        if not 1 <= rule.every <= 8:
            raise Invalid("Every 1 to 8 weeks.", field="every")
        return
    if rule.freq != MONTHLY:
        raise Invalid("Weekly or monthly.", field="freq")
    if not 1 <= rule.every <= 12:
        raise Invalid("Every 1 to 12 months.", field="every")
    by_day = rule.month_day is not None and (rule.month_day == LAST or 1 <= rule.month_day <= 28)
    by_weekday = rule.nth in (1, 2, 3, 4, LAST) and rule.weekday in range(7)
    if by_day == by_weekday:
        raise Invalid(
            "Choose a day of the month (1 to 28, or the last), or a weekday in it.", field="day"
        )


def rule_of(schedule: Schedule) -> Rule:
    return Rule(
        freq=schedule.freq,
        minute=schedule.minute,
        tz=schedule.tz,
        starts_on=schedule.starts_on,
        every=schedule.every,
        weekdays=frozenset(int(d) for d in schedule.weekdays if d.isdigit()),
        month_day=schedule.month_day,
        nth=schedule.nth,
        weekday=schedule.weekday,
    )


def _apply(schedule: Schedule, rule: Rule) -> None:
    schedule.freq, schedule.minute, schedule.tz = rule.freq, rule.minute, known_zone(rule.tz)
    schedule.starts_on, schedule.every = rule.starts_on, rule.every
    schedule.weekdays = "".join(str(d) for d in sorted(rule.weekdays))
    schedule.month_day, schedule.nth, schedule.weekday = rule.month_day, rule.nth, rule.weekday


def get(session: Session, *, team_id: str, purpose: str, key: str) -> Schedule | None:
    query = select(Schedule).where(
        Schedule.team_id == team_id, Schedule.purpose == purpose, Schedule.key == key
    )
    return session.exec(query).first()


def keep(
    session: Session,
    *,
    team_id: str,
    purpose: str,
    key: str,
    rule: Rule,
    next_after: NextAfter,
    now: datetime,
    owner_id: str | None = None,
    since: datetime | None = None,
) -> Schedule:
    """The schedule for (purpose, key) following `rule`: created, or changed with its next
    occurrence worked out again when the rule is not what it was (the first from `since` on,
    now unless said)."""
    check(rule)
    schedule = get(session, team_id=team_id, purpose=purpose, key=key)
    if schedule is not None and rule_of(schedule) == rule and schedule.next_at is not None:
        return schedule
    if schedule is None:
        schedule = Schedule(
            team_id=team_id,
            purpose=purpose,
            key=key,
            owner_id=owner_id,
            freq=rule.freq,
            starts_on=rule.starts_on,
            created_at=now,
        )
    _apply(schedule, rule)
    schedule.next_at = next_after(rule, (since or now) - timedelta(microseconds=1))
    schedule.updated_at = now
    session.add(schedule)
    session.flush()
    return schedule


def drop(session: Session, *, team_id: str, purpose: str, key: str) -> None:
    schedule = get(session, team_id=team_id, purpose=purpose, key=key)
    if schedule is not None:
        session.delete(schedule)
        session.flush()


def due(session: Session, *, now: datetime, purposes: set[str], limit: int = BATCH) -> list[int]:
    """Schedules of these purposes whose next occurrence has come, earliest first."""
    query = (
        select(Schedule.id)
        .where(
            col(Schedule.next_at) <= now,
            col(Schedule.purpose).in_(purposes),
            ~uninstalled(Schedule.team_id),
        )
        .order_by(Schedule.next_at, Schedule.id)
        .limit(limit)
    )
    return list(session.exec(query))


def advance(
    session: Session,
    *,
    schedule: Schedule,
    occurrence: datetime,
    next_after: NextAfter,
    after: datetime | None = None,
) -> bool:
    """Claim `occurrence`: the schedule moves on to the one after it (or after `after`, to skip
    those missed meanwhile). False when another process (or a change to the rule) moved it
    first: the occurrence is not this caller's."""
    following = next_after(rule_of(schedule), max(occurrence, after or occurrence))
    moved = session.execute(
        update(Schedule)
        .where(col(Schedule.id) == schedule.id, col(Schedule.next_at) == occurrence)
        .values(next_at=following)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 1:
        schedule.next_at = following
    return moved.rowcount == 1


def latest_missed(
    schedule: Schedule, *, now: datetime, next_after: NextAfter, limit: int = 400
) -> datetime | None:
    """After downtime, the latest occurrence due by `now` (those before it are only missed)."""
    rule, at = rule_of(schedule), schedule.next_at
    for _ in range(limit):
        following = next_after(rule, at) if at else None
        if following is None or following > now:
            return at
        at = following
    return at
