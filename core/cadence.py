"""How often to be in touch, and how a relationship stands against that rhythm."""

import re
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.models import RelationshipKind

MIN_DAYS, MAX_DAYS = 1, 365
DEFAULT_DAYS = {
    RelationshipKind.SENIOR: 30,
    RelationshipKind.PEER: 21,
    RelationshipKind.JUNIOR: 30,
    RelationshipKind.FAMILY_FRIEND: 60,
    RelationshipKind.OTHER: 45,
}


class Standing(StrEnum):
    ON_TRACK = "on track"
    DUE_SOON = "due soon"
    DUE_TODAY = "due today"
    OVERDUE = "overdue"


def default_days(relationship: str) -> int:
    return DEFAULT_DAYS[RelationshipKind(relationship)]


def due_after(last_touch_at: datetime, cadence_days: int) -> datetime:
    return last_touch_at + timedelta(days=cadence_days)


def soon_window(cadence_days: int) -> timedelta:
    """How long before the due date a relationship counts as due soon: a week at most."""
    return timedelta(days=min(7, max(1, cadence_days // 4)))


def standing(next_due: datetime, cadence_days: int, now: datetime, zone: ZoneInfo) -> Standing:
    """How the relationship stands on the member's day: overdue only once its due day (where
    the member is) is behind them; on that day it is due today."""
    due_day, today = next_due.astimezone(zone).date(), now.astimezone(zone).date()
    if due_day < today:
        return Standing.OVERDUE
    if due_day == today:
        return Standing.DUE_TODAY
    if next_due - now < soon_window(cadence_days):
        return Standing.DUE_SOON
    return Standing.ON_TRACK


def describe_days(days: int) -> str:
    """'every week', 'every 3 weeks', 'every month', 'every 45 days'..."""
    named = {7: "every week", 30: "every month", 60: "every 2 months", 90: "every 3 months"}
    if days in named:
        return named[days]
    if days % 7 == 0:
        return f"every {days // 7} weeks"
    return "every day" if days == 1 else f"every {days} days"


# --- a rhythm as people write it (an import's cadence column): one grammar, said back in words

_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 90, "year": 365}
_UNIT_NAMES = {
    **{unit: unit for unit in _UNIT_DAYS},
    **dict.fromkeys(("d", "dy"), "day"),
    **dict.fromkeys(("w", "wk"), "week"),
    **dict.fromkeys(("mo", "mon", "mth"), "month"),
    **dict.fromkeys(("q", "qtr"), "quarter"),
    **dict.fromkeys(("y", "yr"), "year"),
}
_ADVERBS = {  # "-ly" words, once the hyphens and spaces are out of them
    "daily": 1,
    "weekly": 7,
    "fortnightly": 14,
    "monthly": 30,
    "quarterly": 90,
    "yearly": 365,
    "annually": 365,
    "annual": 365,
    "semimonthly": 15,
    "halfmonthly": 15,
    "semiannually": 183,  # as twice a year: 365 / 2, rounded
    "semiannual": 183,
    "halfyearly": 183,
    "biannually": 183,
    "biannual": 183,
}
_TWO_WAYS = {  # "bi-weekly" is every two weeks to some, twice a week to others
    "biweekly": ("every 2 weeks", "twice a week"),
    "bimonthly": ("every 2 months", "twice a month"),
}
_COUNTS = {
    **dict.fromkeys(("a", "an", "one", "once", "each", "every"), 1),
    **dict.fromkeys(("two", "twice", "other"), 2),
    **dict.fromkeys(("three", "thrice"), 3),
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_COUNT = r"(\d{1,4}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|other)"
_UNIT = r"([a-z]+?)s?"
# every 2 weeks, each month, 2 weeks, once every 3 months, every other week, 30 days, 30
_EVERY = re.compile(rf"(?:(?:once )?(?:every|each) )?(?:{_COUNT} ?)?{_UNIT}")
# twice a month, 3 times a year, once per week, two times every month
_TIMES = re.compile(rf"(once|twice|thrice|{_COUNT} times?) (?:a|an|per|each|every) {_UNIT}")
FORMS = "a number of days (30), every 2 weeks, every other month, twice a month, monthly, quarterly"


class NotACadence(ValueError):
    """A rhythm that can't be read (or is out of range): the message says what to write."""


def _count(word: str) -> int:
    return int(word) if word.isdecimal() else _COUNTS[word]


def _said(typed: str) -> str:
    """Lower case, hyphens and punctuation as spaces, one space between words."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", typed.casefold()).split())


def read_days(typed: str) -> int:
    """The days between touchpoints `typed` asks for: a number of days ("30", "45 days"), a
    rhythm ("every 2 weeks", "every other month", "twice a month", "3 times a year") or its
    adverb ("weekly", "fortnightly", "quarterly"). A month counts 30 days, a year 365; a rhythm
    that isn't a whole number of days is rounded to the nearest (twice a week: every 4 days),
    and the preview says the rhythm in words. NotACadence when it can't be read, can be read
    two ways ("bi-weekly"), or is not from MIN_DAYS to MAX_DAYS: its message follows the value
    typed ("“soon” is not a rhythm I can read: write …")."""
    said = _said(typed)
    if said.replace(" ", "") in _TWO_WAYS:
        one, other = _TWO_WAYS[said.replace(" ", "")]
        raise NotACadence(f"means {one} to some and {other} to others: write the one you mean")
    days = int(said) if said.isdecimal() and len(said) <= 6 else _ADVERBS.get(said.replace(" ", ""))
    if days is None:
        days = _days_of(said)
    if days is None:
        raise NotACadence(f"is not a rhythm I can read: write {FORMS}")
    if days < MIN_DAYS:
        raise NotACadence(f"is not a rhythm: write from every day ({MIN_DAYS}) to once a year")
    if days > MAX_DAYS:
        raise NotACadence(
            f"is longer than a year ({days:,} days): the longest rhythm is once a year "
            f"({MAX_DAYS} days)"
        )
    return days


def _days_of(said: str) -> int | None:
    found = _TIMES.fullmatch(said)
    if found:
        unit = _UNIT_NAMES.get(found.group(3))
        times = found.group(1).removesuffix(" times").removesuffix(" time")
        count = {"once": 1, "twice": 2, "thrice": 3}.get(times) or _count(times)
        if unit is None or count == 0 or times == "other":
            return None
        return max(1, int(_UNIT_DAYS[unit] / count + 0.5))
    found = _EVERY.fullmatch(said)
    if found is None:
        return None
    count, unit = found.group(1), _UNIT_NAMES.get(found.group(2))
    if unit is None or (count == "other" and not said.startswith(("every", "once every"))):
        return None
    return (_count(count) if count else 1) * _UNIT_DAYS[unit]
