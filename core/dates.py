"""Reading the dates people type ("friday", "in 2 weeks", "Dec 3", "end of month") in their own
time zone, and the moment a day ends there."""

import calendar
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from core.errors import Invalid

EXAMPLES = "friday, next tuesday, in 2 weeks, Dec 3, 2026-12-03, end of month"
_END_OF_MONTH = re.compile(r"^(by\s+)?(the\s+)?(end of (the )?month|eom)$")
_END_OF_WEEK = re.compile(r"^(by\s+)?(the\s+)?(end of (the )?week|eow)$")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NEXT_WEEKDAY = re.compile(
    r"^next (mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|" + "|".join(_WEEKDAYS) + r")$"
)
_DAY_OF_MONTH = re.compile(r"^(the\s+)?(\d{1,2})(st|nd|rd|th)$")
_SETTINGS = {
    "PREFER_DATES_FROM": "future",
    "DATE_ORDER": "MDY",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": False,
}


def _next_day_of_month(number: int, today: date) -> date | None:
    """'the 15th': this month's if it is still ahead, else the next month that has that day."""
    year, month = today.year, today.month
    for _ in range(3):
        if number <= calendar.monthrange(year, month)[1] and date(year, month, number) >= today:
            return date(year, month, number)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _special(text: str, today: date) -> date | None:
    """What dateparser reads differently from people: 'next tuesday' is next week's Tuesday."""
    if found := _NEXT_WEEKDAY.match(text):
        next_monday = today + timedelta(days=7 - today.weekday())
        weekday = next(i for i, name in enumerate(_WEEKDAYS) if name.startswith(found.group(1)))
        return next_monday + timedelta(days=weekday)
    if found := _DAY_OF_MONTH.match(text):
        return _next_day_of_month(int(found.group(2)), today)
    if _END_OF_MONTH.match(text):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if _END_OF_WEEK.match(text):
        return today + timedelta(
            days=4 - today.weekday() if today.weekday() <= 4 else 6 - today.weekday()
        )
    return None


def read_day(text: str, *, zone: ZoneInfo, now: datetime, field: str = "due") -> date:
    """The day `text` means for someone in `zone` at `now`; Invalid, with examples, if it can't
    be read or is already past."""
    wanted = " ".join(text.lower().split()).removeprefix("by ").strip()
    local_now = now.astimezone(zone)
    today = local_now.date()
    day = _special(wanted, today)
    if day is None and wanted:
        settings = {**_SETTINGS, "RELATIVE_BASE": local_now.replace(tzinfo=None)}
        parsed = dateparser.parse(wanted, languages=["en"], settings=settings)
        day = parsed.date() if parsed else None
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
