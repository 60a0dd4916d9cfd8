"""Schedules in core: the next occurrence is stored, found by index when its time comes, and
advanced once when claimed; a changed rule starts again from now; after downtime only the
latest missed occurrence is claimed."""

from datetime import UTC, date, datetime, timedelta

from bot.recurrence import next_after
from core import schedules
from core.models import Schedule
from core.schedules import Rule

TEAM = "T0TEST"
MONDAYS_9 = Rule.weekly({0}, minute=9 * 60, tz="Europe/Paris", starts_on=date(2026, 1, 5))


def keep(session, clock, rule=MONDAYS_9, key="circle-1", purpose="circle") -> Schedule:
    schedule = schedules.keep(
        session,
        team_id=TEAM,
        purpose=purpose,
        key=key,
        rule=rule,
        next_after=next_after,
        now=clock.now(),
    )
    session.commit()
    return schedule


def test_a_schedule_stores_its_next_occurrence_and_keeps_it_while_the_rule_is_the_same(
    session, clock
):
    schedule = keep(session, clock)  # Monday 23 November, 10:00 in Paris: today's is past
    assert schedule.next_at == datetime(2026, 11, 30, 8, tzinfo=UTC)

    clock.advance(days=3)
    assert keep(session, clock).next_at == datetime(2026, 11, 30, 8, tzinfo=UTC)
    thursdays = Rule.weekly({3}, minute=9 * 60, tz="Europe/Paris", starts_on=date(2026, 1, 5))
    assert keep(session, clock, thursdays).next_at == datetime(2026, 12, 3, 8, tzinfo=UTC)


def test_due_schedules_are_found_by_their_next_occurrence_and_purpose(session, clock):
    circle = keep(session, clock)
    keep(session, clock, key="U0ALICE", purpose="preview")
    keep(
        session,
        clock,
        key="circle-2",
        rule=Rule.weekly({1}, minute=600, tz="UTC", starts_on=date(2027, 1, 5)),  # not yet
    )

    assert schedules.due(session, now=clock.now(), purposes={"circle"}) == []
    monday = datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert schedules.due(session, now=monday, purposes={"circle"}) == [circle.id]


def test_an_occurrence_is_claimed_once_and_the_schedule_moves_on(session, clock):
    schedule = keep(session, clock)
    occurrence = schedule.next_at

    first = schedules.advance(
        session, schedule=schedule, occurrence=occurrence, next_after=next_after
    )
    second = schedules.advance(
        session, schedule=schedule, occurrence=occurrence, next_after=next_after
    )
    session.commit()

    assert (first, second) == (True, False)
    session.expire_all()
    assert session.get(Schedule, schedule.id).next_at == occurrence + timedelta(days=7)


def test_after_downtime_only_the_latest_missed_occurrence_is_claimed(session, clock):
    schedule = keep(session, clock)
    three_weeks_later = schedule.next_at + timedelta(days=15)

    latest = schedules.latest_missed(schedule, now=three_weeks_later, next_after=next_after)
    schedules.advance(
        session,
        schedule=schedule,
        occurrence=schedule.next_at,
        next_after=next_after,
        after=latest,
    )

    assert latest == datetime(2026, 12, 14, 8, tzinfo=UTC)
    assert schedule.next_at == datetime(2026, 12, 21, 8, tzinfo=UTC)


def test_a_schedule_can_be_dropped(session, clock):
    keep(session, clock)
    schedules.drop(session, team_id=TEAM, purpose="circle", key="circle-1")
    assert schedules.get(session, team_id=TEAM, purpose="circle", key="circle-1") is None
