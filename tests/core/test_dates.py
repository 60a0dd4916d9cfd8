"""Dates people type, read where they are: three time zones, and the weeks clocks change."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.dates import end_of_day, read_day
from core.errors import Invalid

NEW_YORK, PARIS, TOKYO = (
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("Asia/Tokyo"),
)
# Monday 23 November 2026, 09:00 UTC: 04:00 Monday in New York, 10:00 in Paris, 18:00 in Tokyo.
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("friday", date(2026, 11, 27)),
        ("by Friday", date(2026, 11, 27)),
        ("next tuesday", date(2026, 12, 1)),
        ("in 2 weeks", date(2026, 12, 7)),
        ("Dec 3", date(2026, 12, 3)),
        ("december 3rd", date(2026, 12, 3)),
        ("12/3", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("end of month", date(2026, 11, 30)),
        ("by the end of the month", date(2026, 11, 30)),
        ("end of week", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 24)),
        ("next month", date(2026, 12, 23)),
        ("in a month", date(2026, 12, 23)),
        ("the 15th", date(2026, 12, 15)),
        ("the 31st", date(2026, 12, 31)),
        ("next thurs", date(2026, 12, 3)),
        ("thurs", date(2026, 11, 26)),
        ("on the 15th", date(2026, 12, 15)),
        ("the 15", date(2026, 12, 15)),
        ("end of next week", date(2026, 12, 4)),
        ("eod", date(2026, 11, 23)),
        ("tmrw", date(2026, 11, 24)),
        ("nov 23", date(2026, 11, 23)),
        ("friday 5pm", date(2026, 11, 27)),
        ("friday at 17:00", date(2026, 11, 27)),
    ],
)
@pytest.mark.parametrize("zone", [NEW_YORK, PARIS, TOKYO])
def test_what_people_type_becomes_a_day_in_their_own_time_zone(typed, meant, zone):
    assert read_day(typed, zone=zone, now=MONDAY) == meant


def test_the_same_instant_is_a_different_today_in_different_zones():
    late_sunday_in_new_york = datetime(2026, 11, 23, 3, tzinfo=UTC)  # 22:00 Sunday there

    assert read_day("tomorrow", zone=NEW_YORK, now=late_sunday_in_new_york) == date(2026, 11, 23)
    assert read_day("tomorrow", zone=TOKYO, now=late_sunday_in_new_york) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("zone", "now", "typed", "meant"),
    [
        # Europe's clocks went back on Sunday 25 October 2026, America's on Sunday 1 November.
        (PARIS, datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "tomorrow", date(2026, 10, 26)),
        (PARIS, datetime(2026, 10, 23, 12, tzinfo=UTC), "in 2 days", date(2026, 10, 25)),
        (NEW_YORK, datetime(2026, 10, 31, 12, tzinfo=UTC), "sunday", date(2026, 11, 1)),
        (NEW_YORK, datetime(2026, 11, 1, 4, 30, tzinfo=UTC), "monday", date(2026, 11, 2)),
    ],
)
def test_dates_in_the_week_the_clocks_change_land_on_the_right_day(zone, now, typed, meant):
    assert read_day(typed, zone=zone, now=now) == meant


@pytest.mark.parametrize(
    ("zone", "now", "typed", "meant"),
    [
        # Clocks went forward on Sunday 8 March 2026 in America, Sunday 29 March in Europe.
        (NEW_YORK, datetime(2026, 3, 8, 4, 30, tzinfo=UTC), "tomorrow", date(2026, 3, 8)),
        (NEW_YORK, datetime(2026, 3, 7, 15, tzinfo=UTC), "monday", date(2026, 3, 9)),
        (PARIS, datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "today", date(2026, 3, 29)),
    ],
)
def test_dates_in_the_week_the_clocks_go_forward_land_on_the_right_day(zone, now, typed, meant):
    assert read_day(typed, zone=zone, now=now) == meant


def test_a_weekday_said_on_that_day_means_today():
    friday = datetime(2026, 11, 27, 12, tzinfo=UTC)

    assert read_day("friday", zone=PARIS, now=friday) == date(2026, 11, 27)
    assert read_day("next friday", zone=PARIS, now=friday) == date(2026, 12, 4)


@pytest.mark.parametrize("typed", ["december", "2027", "friday the 4th"])
def test_a_month_or_a_year_alone_is_not_taken_for_a_day(typed):
    with pytest.raises(Invalid, match="couldn't read"):
        read_day(typed, zone=PARIS, now=MONDAY)


def test_a_day_ends_at_local_midnight_whatever_the_offset_that_day():
    assert end_of_day(date(2026, 10, 31), NEW_YORK) == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert end_of_day(date(2026, 11, 1), NEW_YORK) == datetime(2026, 11, 2, 5, tzinfo=UTC)
    assert end_of_day(date(2026, 10, 24), PARIS) == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert end_of_day(date(2026, 10, 25), PARIS) == datetime(2026, 10, 25, 23, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["blah", "", "the 45th of Smarch", "asap"])
def test_an_unreadable_date_is_answered_with_examples_that_work(typed):
    with pytest.raises(Invalid) as caught:
        read_day(typed, zone=PARIS, now=MONDAY)

    assert "Try: friday, next tuesday, in 2 weeks, Dec 3" in str(caught.value)


def test_a_day_already_past_is_refused():
    with pytest.raises(Invalid, match="Sunday, November 22, 2026 is in the past"):
        read_day("yesterday", zone=PARIS, now=MONDAY)
