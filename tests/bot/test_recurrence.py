"""When a schedule's rule falls (APScheduler's triggers pick the days): weekly on some days,
every N weeks, monthly on a day, the last day or the Nth weekday, quarterly; across daylight
saving time neither skipped nor doubled."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.recurrence import next_after
from core.errors import Invalid
from core.schedules import LAST, Rule, check

START = datetime(2026, 12, 1, tzinfo=UTC)  # a Tuesday


def occurrences(rule: Rule, count: int, after: datetime = START) -> list[str]:
    found = []
    for _ in range(count):
        after = next_after(rule, after)
        found.append(after.astimezone(rule.zone).strftime("%a %Y-%m-%d %H:%M"))
    return found


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            Rule.weekly({0, 3}, minute=9 * 60, tz="Europe/Paris", starts_on=date(2026, 12, 1)),
            ["Thu 2026-12-03 09:00", "Mon 2026-12-07 09:00", "Thu 2026-12-10 09:00"],
        ),
        (  # every other week, counted from the week of its first day
            Rule.weekly(
                {0, 3}, minute=9 * 60, tz="America/New_York", starts_on=date(2026, 12, 1), every=2
            ),
            ["Thu 2026-12-03 09:00", "Mon 2026-12-14 09:00", "Thu 2026-12-17 09:00"],
        ),
        (  # the second Tuesday of each month
            Rule.monthly(
                minute=17 * 60 + 30, tz="Asia/Tokyo", starts_on=START.date(), nth=2, weekday=1
            ),
            ["Tue 2026-12-08 17:30", "Tue 2027-01-12 17:30", "Tue 2027-02-09 17:30"],
        ),
        (  # the last Friday of each quarter's first month, from December
            Rule.monthly(
                minute=10 * 60,
                tz="Asia/Tokyo",
                starts_on=START.date(),
                every=3,
                nth=LAST,
                weekday=4,
            ),
            ["Fri 2026-12-25 10:00", "Fri 2027-03-26 10:00", "Fri 2027-06-25 10:00"],
        ),
        (  # the 15th of each month
            Rule.monthly(minute=8 * 60, tz="UTC", starts_on=START.date(), month_day=15),
            ["Tue 2026-12-15 08:00", "Fri 2027-01-15 08:00", "Mon 2027-02-15 08:00"],
        ),
        (  # the last day of each month, February included
            Rule.monthly(minute=8 * 60, tz="UTC", starts_on=date(2027, 1, 1), month_day=LAST),
            ["Sun 2027-01-31 08:00", "Sun 2027-02-28 08:00", "Wed 2027-03-31 08:00"],
        ),
    ],
)
def test_rules_fall_on_the_days_they_say(rule, expected):
    check(rule)
    assert occurrences(rule, 3) == expected


def test_a_time_that_falls_twice_when_clocks_go_back_comes_once():
    sundays = Rule.weekly({6}, minute=2 * 60 + 30, tz="Europe/Paris", starts_on=date(2026, 1, 1))

    found = occurrences(sundays, 3, after=datetime(2026, 10, 20, tzinfo=UTC))

    assert found == ["Sun 2026-10-25 02:30", "Sun 2026-11-01 02:30", "Sun 2026-11-08 02:30"]


def test_a_time_that_does_not_exist_when_clocks_go_forward_moves_forward_by_the_gap():
    sundays = Rule.weekly({6}, minute=2 * 60 + 30, tz="Europe/Paris", starts_on=date(2026, 1, 1))

    found = occurrences(sundays, 3, after=datetime(2027, 3, 22, tzinfo=UTC))

    assert found == ["Sun 2027-03-28 03:30", "Sun 2027-04-04 02:30", "Sun 2027-04-11 02:30"]


def test_the_local_time_holds_across_a_change_of_clocks():
    mondays = Rule.weekly({0}, minute=9 * 60, tz="America/New_York", starts_on=date(2026, 1, 1))

    before = next_after(mondays, datetime(2027, 3, 2, tzinfo=UTC))  # clocks change on the 14th
    after = next_after(mondays, before)

    assert (before.day, before.hour, after.day, after.hour) == (8, 14, 15, 13)  # EST, then EDT


def test_nothing_comes_before_the_first_day_and_an_instant_on_the_time_is_not_after_it():
    rule = Rule.weekly({1}, minute=9 * 60, tz="UTC", starts_on=date(2027, 1, 5))

    first = next_after(rule, START)
    assert first == datetime(2027, 1, 5, 9, tzinfo=UTC)
    assert next_after(rule, first) == datetime(2027, 1, 12, 9, tzinfo=UTC)
    assert next_after(rule, first - timedelta(microseconds=1)) == first


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule.weekly(set(), minute=540, tz="UTC", starts_on=START.date()), "days"),
        (Rule.weekly({7}, minute=540, tz="UTC", starts_on=START.date()), "days"),
        (Rule.weekly({0}, minute=540, tz="UTC", starts_on=START.date(), every=0), "every"),
        (Rule.weekly({0}, minute=24 * 60, tz="UTC", starts_on=START.date()), "time"),
        (Rule.monthly(minute=540, tz="UTC", starts_on=START.date(), month_day=31), "day"),
        (Rule.monthly(minute=540, tz="UTC", starts_on=START.date()), "day"),
        (Rule.monthly(minute=540, tz="UTC", starts_on=START.date(), nth=5, weekday=0), "day"),
        (Rule("daily", 540, "UTC", START.date()), "freq"),
    ],
)
def test_a_rule_that_cannot_be_scheduled_is_refused_at_its_field(rule, field):
    with pytest.raises(Invalid) as refused:
        check(rule)
    assert refused.value.field == field
