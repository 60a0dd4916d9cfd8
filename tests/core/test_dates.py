"""Dates people type, read where they are: three time zones, and the weeks clocks change."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.dates import Ask, end_of_day, read_day, reading, split_when
from core.errors import Invalid, Unsure

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
        ("2026-12-03", date(2026, 12, 3)),
        ("end of month", date(2026, 11, 30)),
        ("by the end of the month", date(2026, 11, 30)),
        ("end of week", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 24)),
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


def test_a_weekday_said_on_that_day_asks_whether_today_or_next_week():
    friday = datetime(2026, 11, 27, 12, tzinfo=UTC)

    with pytest.raises(Unsure) as asked:
        read_day("friday", zone=PARIS, now=friday)

    assert asked.value.choices == [date(2026, 11, 27), date(2026, 12, 4)]
    assert read_day("this friday", zone=PARIS, now=friday) == date(2026, 11, 27)
    assert read_day("next friday", zone=PARIS, now=friday) == date(2026, 12, 4)


def test_a_year_alone_is_not_taken_for_a_day():
    with pytest.raises(Invalid, match="couldn't read"):
        read_day("2027", zone=PARIS, now=MONDAY)


# Wednesday 25 November 2026, 10:00 in New York (the phrases, and everyday ones).
WEDNESDAY = datetime(2026, 11, 25, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("monday morning", date(2026, 11, 30)),
        ("Thursday 9am", date(2026, 11, 26)),
        ("friday next week", date(2026, 12, 4)),
        ("tuesday of next week", date(2026, 12, 1)),
        ("friday after next", date(2026, 12, 4)),
        ("end of this week", date(2026, 11, 27)),
        ("at the end of April", date(2027, 4, 30)),
        ("the EOM", date(2026, 11, 30)),
        ("beginning of next week", date(2026, 11, 30)),
        ("end of the year", date(2026, 12, 31)),
        ("EOY", date(2026, 12, 31)),
        ("within 3 days", date(2026, 11, 28)),
        ("christmas", date(2026, 12, 25)),
        ("new year's eve", date(2026, 12, 31)),
        ("halloween", date(2027, 10, 31)),
        ("march first", date(2027, 3, 1)),
        ("the third", date(2026, 12, 3)),
        ("first tuesday of october", date(2027, 10, 5)),
        ("last friday of the month", date(2026, 11, 27)),
        ("a fortnight", date(2026, 12, 9)),
        ("in a couple of days", date(2026, 11, 27)),
        ("2 fridays from now", date(2026, 12, 4)),
        ("fri.", date(2026, 11, 27)),
        ("3 years from today", date(2029, 11, 25)),
        ("thanksgiving", date(2026, 11, 26)),
        ("friday the 4th", date(2026, 12, 4)),
        ("Monday, Dec 7", date(2026, 12, 7)),
        ("mid december", date(2026, 12, 15)),
        ("first monday of next month", date(2026, 12, 7)),
        ("tomorrow by noon", date(2026, 11, 26)),
        ("2 weeks from tomorrow", date(2026, 12, 10)),
        ("easter", date(2027, 3, 28)),
        ("December 3, 2026", date(2026, 12, 3)),
        ("12/3", date(2026, 12, 3)),
    ],
)
def test_the_phrases_people_type_for_a_due_day_are_read(typed, meant):
    assert read_day(typed, zone=NEW_YORK, now=WEDNESDAY) == meant


@pytest.mark.parametrize(
    ("typed", "choices"),
    [
        ("by January", [date(2027, 1, 1), date(2027, 1, 15), date(2027, 1, 31)]),
        ("december", [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 31)]),
        ("next month", [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 31)]),
        ("this weekend", [date(2026, 11, 28), date(2026, 11, 29)]),
        ("next week", [date(2026, 11, 30), date(2026, 12, 4)]),
        ("Sunday, Feb 10", [date(2027, 2, 7), date(2027, 2, 10), date(2027, 2, 14)]),
        ("Tuesday, Dec 7", [date(2026, 12, 1), date(2026, 12, 7), date(2026, 12, 8)]),
        ("weds", [date(2026, 11, 25), date(2026, 12, 2)]),
        ("early January", [date(2027, 1, 1), date(2027, 1, 5), date(2027, 1, 10)]),
        ("late january", [date(2027, 1, 20), date(2027, 1, 25), date(2027, 1, 31)]),
        ("early next week", [date(2026, 11, 30), date(2026, 12, 1)]),
        ("later this week", [date(2026, 11, 26), date(2026, 11, 27)]),
        ("the week after next", [date(2026, 12, 7), date(2026, 12, 11)]),
    ],
)
def test_what_a_careful_reader_would_ask_about_becomes_a_question_with_days(typed, choices):
    with pytest.raises(Unsure) as asked:
        read_day(typed, zone=NEW_YORK, now=WEDNESDAY, field="when")

    assert asked.value.choices == choices
    assert 2 <= len(asked.value.choices) <= 4
    assert asked.value.field == "when"
    assert asked.value.question.endswith("?")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("in 3 weeks' time", date(2026, 12, 16)),
        ("in a week's time", date(2026, 12, 2)),
        ("in 5 days time", date(2026, 11, 30)),
    ],
)
def test_a_count_said_with_time_after_it_is_read(typed, meant):
    assert read_day(typed, zone=NEW_YORK, now=WEDNESDAY) == meant


def test_a_weekday_that_contradicts_its_date_says_so_in_the_question():
    with pytest.raises(
        Unsure, match=r"^Feb 10, 2027 is a Wednesday\. Did you mean Sun, Feb 7, 2027, "
    ):
        read_day("Sunday, Feb 10", zone=NEW_YORK, now=WEDNESDAY)


@pytest.mark.parametrize(
    ("zone", "typed", "meant"),
    [
        (NEW_YORK, "3/4", date(2027, 3, 4)),
        (PARIS, "3/4", date(2027, 4, 3)),
        (PARIS, "12/3", date(2027, 3, 12)),
        (TOKYO, "12/3", date(2026, 12, 3)),
        (PARIS, "25/12", date(2026, 12, 25)),
        (ZoneInfo("UTC"), "Sunday 11/29", date(2026, 11, 29)),
    ],
)
def test_numeric_dates_are_read_in_the_order_written_where_the_member_is(zone, typed, meant):
    assert read_day(typed, zone=zone, now=MONDAY) == meant


def test_numeric_dates_written_both_ways_where_we_cannot_tell_ask():
    with pytest.raises(Unsure) as asked:
        read_day("3/4", zone=ZoneInfo("UTC"), now=MONDAY)

    assert asked.value.choices == [date(2027, 3, 4), date(2027, 4, 3)]


@pytest.mark.parametrize(
    ("now", "typed", "meant"),
    [  # Wednesday 30 December 2026 in Los Angeles, 15:00
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "friday", date(2027, 1, 1)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "next friday", date(2027, 1, 8)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "jan 5", date(2027, 1, 5)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "end of next month", date(2027, 1, 31)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "the 2nd", date(2027, 1, 2)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "christmas", date(2027, 12, 25)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "3 years from today", date(2029, 12, 30)),
        (datetime(2026, 12, 30, 23, tzinfo=UTC), "end of the week", date(2027, 1, 1)),
        # 08:30 on 31 December in Paris is still the 30th in Los Angeles
        (datetime(2026, 12, 31, 7, 30, tzinfo=UTC), "tomorrow", date(2026, 12, 31)),
    ],
)
def test_around_the_year_end_days_land_in_the_right_year(now, typed, meant):
    assert read_day(typed, zone=ZoneInfo("America/Los_Angeles"), now=now) == meant


@pytest.mark.parametrize("typed", ["Dec 29", "last friday", "3 days ago", "last week"])
def test_days_said_in_the_past_are_refused_not_moved_to_next_year(typed):
    with pytest.raises(Invalid, match="is in the past"):
        read_day(
            typed, zone=ZoneInfo("America/Los_Angeles"), now=datetime(2026, 12, 30, 23, tzinfo=UTC)
        )


def test_the_corpus_has_no_phrase_read_wrong():
    """bench/dates/corpus.jsonl: a day other than the one meant, or a day where a careful reader
    asks or refuses, is wrong; none may be."""
    corpus = Path(__file__).parents[2] / "bench" / "dates" / "corpus.jsonl"
    rows = [json.loads(line) for line in corpus.read_text().splitlines() if line.strip()]
    wrong, right = [], 0
    for row in rows:
        zone = ZoneInfo(row["zone"])
        now = datetime.fromisoformat(row["now"]).replace(tzinfo=zone)
        got = reading(row["text"], zone=zone, now=now)
        if isinstance(got, date) and got < now.date():
            got = "refuse"
        shown = "ask" if isinstance(got, Ask) else "refuse" if got is None else str(got)
        if shown == row["expect"]:
            right += 1
        elif shown not in ("ask", "refuse"):
            wrong.append((row["text"], row["expect"], shown))

    assert wrong == []
    assert right >= 0.9 * len(rows)


@pytest.mark.parametrize(
    ("line", "what", "when"),
    [
        ("send slides in 2 weeks", "send slides", "in 2 weeks"),
        ("send the deck next friday", "send the deck", "next friday"),
        ("call her within 3 days", "call her", "within 3 days"),
        ("review it by end of April", "review it", "end of April"),
        ("send the by-laws by friday", "send the by-laws", "friday"),
        ("intro to Sam tomorrow", "intro to Sam", "tomorrow"),
        ("prepare the march plan", "prepare the march plan", ""),
        ("ask if she may", "ask if she may", ""),
        ("send the 3rd", "send the 3rd", ""),
        ("read chapter 12", "read chapter 12", ""),
        ("book lunch sat", "book lunch sat", ""),
        ("plan the weekend offsite", "plan the weekend offsite", ""),
        ("call her next week", "call her", "next week"),
        ("share the deck early next week", "share the deck", "early next week"),
        ("prepare the plan for next week", "prepare the plan for next week", ""),
        ("write the notes for the weekend", "write the notes for the weekend", ""),
    ],
)
def test_the_one_line_promise_splits_what_from_when_only_when_the_end_is_surely_a_date(
    line, what, when
):
    assert split_when(line) == (what, when)


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


@pytest.mark.parametrize(
    "typed",
    [
        "9999-12-31",
        "December 31, 9999",
        "in 11 years",
        "in 9000 years",
        "in 10**30 days",
        "in 999999 weeks",
        "in 99999999999 weeks",
        "99999999999 fridays from now",
    ],
)
def test_a_day_beyond_the_horizon_or_the_calendar_is_refused_not_a_crash(typed):
    assert split_when(f"ship it {typed}")[0]  # the one-line form reads it without raising

    typed = typed.replace("10**30", "1" + "0" * 30)

    with pytest.raises(Invalid) as refused:
        read_day(typed, zone=NEW_YORK, now=WEDNESDAY)

    assert not isinstance(refused.value, Unsure)
    assert "years away" in str(refused.value) or "couldn't read" in str(refused.value)
