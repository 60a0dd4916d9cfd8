"""Reading the dates people type ("friday", "in 2 weeks", "Dec 3", "end of month") in their own
time zone, and the moment a day ends there."""

import calendar
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from core.errors import Invalid

EXAMPLES = "friday, next tuesday, in 2 weeks, Dec 3, 2026-12-03, end of month"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_SHORT = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3}
_SHORT |= {"fri": 4, "sat": 5, "sun": 6} | {name: i for i, name in enumerate(_WEEKDAYS)}
_WEEKDAY = re.compile(r"^(this |next |on )?(" + "|".join(_SHORT) + r")$")
_DAY_OF_MONTH = re.compile(r"^(on )?(the )?(\d{1,2})(st|nd|rd|th)?$")
_TODAY = re.compile(r"^(today|eod|end of (the )?day|tonight)$")
_TOMORROW = re.compile(r"^(tomorrow|tmrw|tmw|tmr)$")
_END_OF = re.compile(r"^(the )?end of (the |this |next )?(week|month)$|^eo(w|m)$")
_TIME_OF_DAY = re.compile(  # "5pm", "at 9", "17:00" after the day: the day is enough
    r"\s+(at\s+\d{1,2}(:\d{2})?\s*(am|pm)?|\d{1,2}(:\d{2})?\s*(am|pm)|\d{1,2}:\d{2})$"
)
_SETTINGS = {
    "PREFER_DATES_FROM": "future",
    "DATE_ORDER": "MDY",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "REQUIRE_PARTS": ["day"],  # '10', 'december', '2027' alone are not a day
}


def _weekday(found: re.Match, today: date) -> date:
    """'friday' is the next Friday to come (today, said on a Friday); 'next tuesday' is the
    Tuesday of next week."""
    weekday = _SHORT[found.group(2)]
    if found.group(1) == "next ":
        return today + timedelta(days=7 - today.weekday() + weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _day_of_month(number: int, today: date) -> date | None:
    """'the 15th': this month's if it is still ahead, else the next month that has that day."""
    year, month = today.year, today.month
    for _ in range(3):
        if number <= calendar.monthrange(year, month)[1] and date(year, month, number) >= today:
            return date(year, month, number)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _end_of(found: re.Match, today: date) -> date:
    monthly = found.group(3) == "month" or found.group(4) == "m"
    if monthly and found.group(2) == "next ":
        first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if monthly:
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    friday = today + timedelta(days=4 - today.weekday())  # the week's last working day
    if found.group(2) == "next ":
        return friday + timedelta(days=7)
    return friday if friday >= today else today


def _people_read(text: str, today: date) -> date | None:
    """The phrases dateparser reads differently from people, or not at all."""
    if _TODAY.match(text):
        return today
    if _TOMORROW.match(text):
        return today + timedelta(days=1)
    if found := _WEEKDAY.match(text):
        return _weekday(found, today)
    if found := _DAY_OF_MONTH.match(text):
        return _day_of_month(int(found.group(3)), today)
    if found := _END_OF.match(text):
        return _end_of(found, today)
    return None


def _parsed(text: str, local_now: datetime) -> date | None:
    settings = {**_SETTINGS, "RELATIVE_BASE": local_now.replace(tzinfo=None)}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None:
        return None
    day, today = parsed.date(), local_now.date()
    if day == today.replace(year=today.year + 1) and str(day.year) not in text:
        return today  # today's own date, typed: dateparser's 'future' jumps a year
    return day


def read_day(text: str, *, zone: ZoneInfo, now: datetime, field: str = "due") -> date:
    """The day `text` means for someone in `zone` at `now`; Invalid, with examples, if it can't
    be read or is already past."""
    wanted = " ".join(text.lower().split()).removeprefix("by ").strip()
    wanted = _TIME_OF_DAY.sub("", wanted)
    local_now = now.astimezone(zone)
    today = local_now.date()
    day = _people_read(wanted, today) or (_parsed(wanted, local_now) if wanted else None)
    if day is None:
        raise Invalid(
            f"I couldn't read “{text.strip()[:40]}” as a date. Try: {EXAMPLES}.", field=field
        )
    if day < today:
        raise Invalid(
            f"{day:%A, %B} {day.day}, {day.year} is in the past: choose a later date.", field=field
        )
    return day


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The moment `day` is over where the member is (midnight after it), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
