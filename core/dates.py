"""Reading the dates people type ("friday", "in 2 weeks", "Dec 3", "end of April", "christmas")
in their own time zone, and the moment a day ends there.

A careful reader, not a guesser: our own rules read the phrases people use for a due day; what
they cannot place for sure ("by January", "Sunday, Feb 10" when the 10th is a Monday, "3/4"
where both orders are used) becomes a question with a few days to choose from (`Unsure`), and
anything else is refused with examples. bench/dates_score.py measures this against other parsers
on a corpus of phrases from other projects' test suites (bench/README.md, "Dates people type")."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import Invalid, Unsure

EXAMPLES = "friday, next tuesday, in 2 weeks, Dec 3, end of April, 2026-12-03"
_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD = (
    r"(mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NTH = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4}|'\d{2})"
_UNIT = (
    r"(d|days?|w|wks?|weeks?|fortnights?|mo|mos|mons?|months?|y|yrs?|years?"
    r"|h|hrs?|hours?|mins?|minutes?|s|secs?|seconds?)"
)
_PARTS = (
    r"(?:early |late |the )?(morning|afternoon|evening|night|noon|midday|mid day|lunch(?:time)?)"
)
_ZONES = r"\(?\b(?:gmt|utc|bst|pst|pdt|est|edt|cst|cdt|mst|mdt|ist|cet|cest|jst|aest)\b\)?"
_CLOCK = re.compile(
    r"(?:\b(?:at|@|around|about|by|before|after|for|from)\s+)?"
    r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a|p)\b(?:\s*" + _ZONES + r")?"
    r"|(?:\b(?:at|@|around|about|by|before|for)\s+)?\b(\d{1,2})[:h](\d{2})\b(?:\s*" + _ZONES + r")?"
    r"|\b(?:at|@)\s+(\d{1,2})h?\b(?!\s*(?:st|nd|rd|th|days?|weeks?|months?|years?)\b)"
    r"(?:\s*" + _ZONES + r")?"
    r"|\b(\d{1,2})h\b(?:\s*" + _ZONES + r")?"
)


@dataclass(frozen=True)
class Ask:
    """A reading a careful reader would check: the question, and the days it offers."""

    question: str
    choices: tuple[date, ...]


@dataclass(frozen=True)
class _Now:
    """The member's moment: their local time, their zone, and whether they write 3/4 as the
    4th of March (month first) or the 3rd of April (day first), or we can't tell."""

    local: datetime
    order: str  # "mdy", "dmy" or "ask"

    @property
    def today(self) -> date:
        return self.local.date()


# --- words to numbers

_SMALL = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
]
_SMALL += ["fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_ORD = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
_ORD += [
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_ORD += ["twentieth"]


def _suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _number_words() -> dict[str, str]:
    words = {w: str(i) for i, w in enumerate(_SMALL, 1)}
    words |= {w: _suffix(i) for i, w in enumerate(_ORD, 1)}
    words |= {"thirty": "30", "thirtieth": "30th", "thirty-one": "31", "thirty-first": "31st"}
    for i, unit in enumerate(_SMALL[:9], 1):
        words[f"twenty-{unit}"] = str(20 + i)
        words[f"twenty-{_ORD[i - 1]}"] = _suffix(20 + i)
    return words


_WORDS = _number_words()
_WORD = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b")


# --- normalising what was typed


def _normal(text: str) -> str:
    s = " ".join(text.lower().replace("\u2019", "'").replace("\u2013", "-").split())
    s = re.sub(r"(?<=[a-z])\.", "", s)  # fri. dec. a.m.
    s = re.sub(r"\b(twenty|thirty) (?=\w)", r"\1-", s)  # twenty fourth -> twenty-fourth
    s = _WORD.sub(lambda m: _WORDS[m.group(1)], s)
    s = re.sub(r"\b(?:a )?couple(?: of)?\b", "2", s)
    s = re.sub(r"\b(?:a|an)\s+(?=(?:day|week|fortnight|month|year|hour|min)\w*\b)", "1 ", s)
    s = re.sub(r"\b(?:a|1) fortnight\b|\bfortnight\b", "2 weeks", s)
    s = re.sub(r"\b(days?|weeks?|months?|years?)'s? time\b", r"\1 time", s)  # 3 weeks' time
    s = re.sub(r"^(?:by|due|on|for|no later than|latest|at latest|at the latest)\b\s*", "", s)
    s = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t[\d:.]+(?:z|[+-]\d{2}:?\d{2})?$", r"\1", s)
    s = re.sub(r"[\s,.!?;:]+$", "", s)
    return s.strip()


def _without_time(s: str) -> tuple[str, time | None]:
    """'thursday 9am' -> 'thursday' and 09:00: the day is what counts."""
    clock = None
    for found in _CLOCK.finditer(s):
        hour = next((int(g) for g in (found.group(1), found.group(4), found.group(6)) if g), None)
        if hour is not None and clock is None and hour <= 24:
            pm = (found.group(3) or "").startswith("p") and hour < 12
            minute = int(found.group(2) or found.group(5) or 0)
            clock = time((hour + 12 * pm) % 24, min(minute, 59))
    s = _CLOCK.sub(" ", s)
    s = re.sub(r"\blast night\b", "yesterday", s)
    s = re.sub(r"\b(?:this|the) " + _PARTS + r"\b|\btonight\b", " today ", s)
    s = re.sub(r"\b\d{1,2} (?=tomorrow|today|tonight)", "", s)  # 9 tomorrow morning
    s = re.sub(r"\b(?:in the |at |on |this )?" + _PARTS + r"\b", " ", s)
    end_of_day = (
        r"\b(?:by |at )?(?:eod|cob|close of business|end of (?:the )?(?:work |business )?day)\b"
    )
    if re.search(end_of_day, s):
        s = re.sub(end_of_day, " ", s).strip() or "today"
    s = re.sub(r"\bish\b|(?<=\d)ish\b|" + _ZONES, " ", s)
    s = re.sub(r"\s*-\s*$|^\s*-\s*(?=\D)", "", " ".join(s.split()))
    s = re.sub(r"\s+(?:on|at|for|around|by)$|^(?:on|at|around|by)\s+", "", s)
    return re.sub(r"[\s,]+$", "", s).strip(" ,"), clock


# --- calendar arithmetic


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth (1..5, or -1 for the last) `weekday` of a month."""
    if nth < 0:
        last = _last_day(year, month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return found if found.month == month else None


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day_ = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day_ + 1)


def _weekday_of(word: str) -> int:
    return next(i for i, name in enumerate(_WEEKDAY_NAMES) if name.startswith(word[:3]))


def _month_of(word: str) -> int:
    return next(
        i for i, name in enumerate(calendar.month_name) if i and name.lower().startswith(word[:3])
    )


def _year(typed: str, today: date) -> int:
    if typed.startswith("'") or len(typed) == 2:
        short = int(typed.strip("'"))
        century = today.year // 100 * 100
        return century + short if century + short <= today.year + 50 else century - 100 + short
    return int(typed)


def _show(day: date, today: date) -> str:
    shown = f"{day:%a, %b} {day.day}"
    return shown if day.year == today.year else f"{shown}, {day.year}"


def _ask(question: str, days, today: date) -> date | Ask | None:
    """Ask among the days still ahead; one left is the answer; none left is the past."""
    ahead = tuple(sorted({d for d in days if d is not None and d >= today}))[:4]
    if len(ahead) == 1:
        return ahead[0]
    if not ahead:
        past = [d for d in days if d is not None]
        return max(past) if past else None
    listed = " or ".join([", ".join(_show(d, today) for d in ahead[:-1]), _show(ahead[-1], today)])
    return Ask(f"{question} Did you mean {listed}?", ahead)


# --- the rules, each a pattern and what it means

_RULES: list[tuple[re.Pattern, object]] = []


def _rule(pattern: str):
    def add(read):
        _RULES.append((re.compile("^(?:" + pattern + ")$"), read))
        return read

    return add


@_rule(r"today|now|right now|tday|tdy|same day|this day")
def _today(found, now: _Now):
    return now.today


@_rule(r"(?:the )?(?:tomorrows?|tmrw?|tmw|tomoz|2moro|tommorow|tomorow|next day|following day)")
def _tomorrow(found, now: _Now):
    return now.today + timedelta(days=1)


@_rule(r"(?:the )?(?:day|(\d+) days?) after (?:tomorrow|tmrw)|overmorrow|1 week after tomorrow")
def _after_tomorrow(found, now: _Now):
    if found.group(0).startswith("1 week"):
        return now.today + timedelta(days=8)
    return now.today + timedelta(days=1 + int(found.group(1) or 1))


@_rule(r"yesterday|(?:the )?day before yesterday")
def _yesterday(found, now: _Now):
    return now.today - timedelta(days=2 if "before" in found.group(0) else 1)


_AMOUNT = r"(\d+(?:\.5)?|\d*\.5|half an?|half)\s*" + _UNIT
_AMOUNTS = _AMOUNT + r"(?:(?:\s*,\s*|\s+and\s+|\s+)" + _AMOUNT + r")*"


def _shift(now: _Now, typed: str, sign: int) -> date | None:
    """'2 weeks 3 days' forward (or back) from now; months and years by the calendar."""
    day, moment = now.today, now.local
    for amount, unit in re.findall(_AMOUNT, typed.replace("upcoming ", "")):
        count = 0.5 if amount.startswith("half") else float(amount)
        unit = unit.rstrip("s") if unit not in ("s", "mos") else unit
        if unit in ("mo", "mos", "mon", "month", "y", "yr", "year"):
            if count != int(count):
                return None
            months = int(count) * (12 if unit in ("y", "yr", "year") else 1)
            day = _add_months(day, sign * months)
            continue
        hours = {
            "d": 24,
            "day": 24,
            "w": 168,
            "wk": 168,
            "week": 168,
            "h": 1,
            "hr": 1,
            "hour": 1,
        }.get(unit)
        minutes = 60 * count * hours if hours else (count if unit.startswith("min") else 0)
        if hours in (24, 168):
            if count != int(count):
                return None
            day += timedelta(days=sign * int(count) * hours // 24)
        else:
            moment += timedelta(minutes=sign * minutes)
    return day + (moment.date() - now.today)


@_rule(
    r"(?:in|within|after|\+|(?:the )?next|upcoming)?\s*("
    + _AMOUNTS.replace("\\s*", "\\s*(?:upcoming )?", 1)
    + r")"
    r"(?:\s+(?:from now|from today|from right now|later|hence|time|out|ahead|after today"
    r"|upcoming))?|(?:in|within) (?:about|around|roughly|approximately) (" + _AMOUNTS + ")"
)
def _later(found, now: _Now):
    typed = found.group(1) or found.group(found.lastindex)
    return _shift(now, typed, +1)


@_rule(
    r"(?:the )?(?:last|past|previous)?\s*(" + _AMOUNTS + r")(?:\s+(?:ago|back|before|earlier"
    r"|before now|before today))?|-\s*(" + _AMOUNTS + ")"
)
def _earlier(found, now: _Now):
    words = found.group(0)
    if not re.search(r"ago|back|before|earlier|last|past|previous|^-", words):
        return None
    return _shift(now, found.group(1) or found.group(found.lastindex), -1)


@_rule(
    r"(?:(\d+) )?(?:(\d+) )?" + r"(mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)"
    r" (from now|from today|ago|back)"
)
def _weekdays_counted(found, now: _Now):
    count = int(found.group(1) or 1)
    weekday = _weekday_of(found.group(3))
    if found.group(4) in ("ago", "back"):
        last = now.today - timedelta(days=(now.today.weekday() - weekday) % 7 or 7)
        return last - timedelta(days=7 * (count - 1))
    first = now.today + timedelta(days=(weekday - now.today.weekday()) % 7 or 7)
    return first + timedelta(days=7 * (count - 1))


def _this_week(weekday: int, now: _Now) -> date:
    return _monday(now.today) + timedelta(days=weekday)


def _upcoming(weekday: int, now: _Now) -> date:
    return now.today + timedelta(days=(weekday - now.today.weekday()) % 7)


@_rule(r"(?:on |this |coming |this coming |upcoming |the coming )?" + _WD)
def _weekday(found, now: _Now):
    day = _upcoming(_weekday_of(found.group(1)), now)
    if day == now.today and not re.match(r"this |on this ", found.group(0)):
        name = _WEEKDAY_NAMES[day.weekday()].title()
        return _ask(f"Today is {name}.", [day, day + timedelta(days=7)], now.today)
    return day


@_rule(
    r"(?:on )?next " + _WD + r"|(?:on )?" + _WD + r",? (?:of |in |on )?(?:the )?next week"
    r"|next week(?:'s)?,? (?:on )?" + _WD + r"|(?:on )?" + _WD + r",? (?:of )?the following week"
)
def _weekday_next_week(found, now: _Now):
    word = next(g for g in found.groups() if g)
    return _this_week(_weekday_of(word), now) + timedelta(days=7)


@_rule(r"(?:on )?" + _WD + r",? (?:of )?this week|this week(?:'s)?,? (?:on )?" + _WD)
def _weekday_this_week(found, now: _Now):
    return _this_week(_weekday_of(next(g for g in found.groups() if g)), now)


@_rule(
    r"(?:the )?" + _WD + r" after next|(?:the )?" + _WD + r" week after next"
    r"|(?:on )?" + _WD + r" in (\d+) weeks?|(?:on )?" + _WD + r" (\d+) weeks? from now"
)
def _weekday_weeks_ahead(found, now: _Now):
    groups = found.groups()
    word = next(g for g in groups if g and not g.isdigit())
    weekday = _weekday_of(word)
    if groups[0]:  # 'friday after next': the one after the next to come
        return now.today + timedelta(days=((weekday - now.today.weekday()) % 7 or 7) + 7)
    weeks = int(next((g for g in groups if g and g.isdigit()), 2))
    return _this_week(weekday, now) + timedelta(days=7 * weeks)


@_rule(
    r"(?:last|past|previous) " + _WD + r"|" + _WD + r" (?:of )?last week"
    r"|last week(?:'s)? " + _WD + r"|" + _WD + r" before last|" + _WD + " from last week"
)
def _weekday_past(found, now: _Now):
    weekday = _weekday_of(next(g for g in found.groups() if g))
    if "week" in found.group(0):
        return _this_week(weekday, now) - timedelta(days=7)
    back = (now.today.weekday() - weekday) % 7 or 7
    return now.today - timedelta(days=back + (7 if "before last" in found.group(0) else 0))


# --- months: which one is meant


def _month_ahead(month: int, now: _Now, year: str | None = None) -> tuple[int, int]:
    """(year, month): as typed, or the coming one (this month counts)."""
    if year:
        return _year(year, now.today), month
    return (now.today.year + (month < now.today.month)), month


def _month_named(words: str, now: _Now) -> tuple[int, int] | None:
    """'the month', 'this month', 'next month', 'last month', 'october', 'october 2027'."""
    words = words.removeprefix("the ").strip()
    if words in ("month", "this month", "current month", "the current month"):
        return now.today.year, now.today.month
    if words in ("next month", "following month", "coming month"):
        ahead = _add_months(now.today.replace(day=1), 1)
        return ahead.year, ahead.month
    if words in ("last month", "previous month", "past month"):
        back = _add_months(now.today.replace(day=1), -1)
        return back.year, back.month
    found = re.fullmatch(_MONTH + r"(?:,? " + _YEAR + ")?", words)
    if found:
        return _month_ahead(_month_of(found.group(1)), now, found.group(2))
    return None


_MONTHISH = (
    r"((?:the )?(?:this |current |next |following |coming |last |previous |past )?month|"
    + _MONTH
    + r"(?:,? "
    + _YEAR
    + r")?)"
)


@_rule(r"(?:on )?(?:the )?(1st|2nd|3rd|4th|5th|last) " + _WD + r" (?:of|in) " + _MONTHISH)
def _nth_weekday_of(found, now: _Now):
    place = _month_named(found.group(3), now)
    if place is None:
        return None
    nth = -1 if found.group(1) == "last" else int(found.group(1)[0])
    return _nth_weekday(*place, _weekday_of(found.group(2)), nth)


@_rule(
    r"(?:on )?(?:the )?(1st|2nd|3rd|last|final) (?:business |working )?day (?:of|in) "
    + _MONTHISH
    + r"|(?:on )?(?:the )?"
    + _NTH
    + r" (?:day )?of "
    + r"((?:the )?(?:this |current |next |"
    r"following |coming |last |previous |past )month)"
)
def _day_of_month_named(found, now: _Now):
    if found.group(1):
        place = _month_named(found.group(2), now)
        if place is None:
            return None
        if found.group(1) in ("last", "final"):
            day = _last_day(*place)
            if "business" in found.group(0) or "working" in found.group(0):
                day -= timedelta(days=max(0, day.weekday() - 4))
            return day
        return date(*place, int(found.group(1)[0]))
    place = _month_named(found.group(found.lastindex), now)
    number = int(found.group(found.lastindex - 1))
    if place is None or number > calendar.monthrange(*place)[1]:
        return None
    return date(*place, number)


# --- ends, beginnings and middles


def _week_part(part: str, which: str, now: _Now) -> date:
    monday = _monday(now.today) + timedelta(days=7 if which == "next" else 0)
    return monday + timedelta(days={"end": 4, "beginning": 0, "middle": 2}[part])


def _period_part(part: str, first: date, last: date) -> date:
    """The end, the beginning or the middle (a month's is the 15th) of a period."""
    if part == "end":
        return last
    if part == "beginning":
        return first
    if first.day == 1 and last == _last_day(first.year, first.month):
        return first.replace(day=15)
    return first + (last - first) // 2


_PART = r"(end|beginning|start|middle|mid|close)"


@_rule(
    r"(?:at |by |until |before |towards? |around )?(?:the )?" + _PART + r"(?: of|-)?\s*(?:the )?"
    r"(this |next |current |coming |following )?(week|month|year|yr|quarter|qtr)"
    r"|(?:the )?eo(w|m|y|q)|(?:the )?(?:mo|mon)th end|(?:the )?(?:year) end"
)
def _end_of_period(found, now: _Now):
    text = found.group(0)
    if found.group(4):  # EOW, EOM, EOY, EOQ
        part, which, unit = (
            "end",
            "",
            {"w": "week", "m": "month", "y": "year", "q": "quarter"}[found.group(4)],
        )
    elif "end" in text and not found.group(1):  # month end, year end
        part, which, unit = "end", "", "month" if "month" in text or "mo" in text else "year"
    else:
        part = {"start": "beginning", "mid": "middle", "close": "end"}.get(
            found.group(1), found.group(1)
        )
        which, unit = (found.group(2) or "").strip(), found.group(3)
    step = 1 if which in ("next", "following", "coming") else 0
    today = now.today
    if unit == "week":
        return _week_part(part, "next" if step else "this", now)
    if unit == "month":
        first = _add_months(today.replace(day=1), step)
        return _period_part(part, first, _last_day(first.year, first.month))
    if unit in ("quarter", "qtr"):
        first = _add_months(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), 3 * step)
        last = _add_months(first, 2)
        return _period_part(part, first, _last_day(last.year, last.month))
    year = today.year + step
    return _period_part(part, date(year, 1, 1), date(year, 12, 31))


@_rule(
    r"(?:at |by |until |before |towards? |around )?(?:the )?"
    + _PART
    + r"(?: of|-)?\s*"
    + _MONTH
    + r"(?:,? "
    + _YEAR
    + r")?|(?:mid|mid-)"
    + _MONTH
    + r"(?:,? "
    + _YEAR
    + r")?"
)
def _part_of_month(found, now: _Now):
    groups = found.groups()
    if groups[0]:
        part = {"start": "beginning", "mid": "middle", "close": "end"}.get(groups[0], groups[0])
        year, month = _month_ahead(_month_of(groups[1]), now, groups[2])
    else:
        part = "middle"
        year, month = _month_ahead(_month_of(groups[3]), now, groups[4])
    return _period_part(part, date(year, month, 1), _last_day(year, month))


# --- holidays whose day is fixed by a rule


def _holiday(name: str, year: int) -> date | None:
    fixed = {
        "christmas": (12, 25),
        "xmas": (12, 25),
        "christmas day": (12, 25),
        "christmas eve": (12, 24),
        "xmas eve": (12, 24),
        "boxing day": (12, 26),
        "new year's eve": (12, 31),
        "new years eve": (12, 31),
        "nye": (12, 31),
        "halloween": (10, 31),
        "valentine's day": (2, 14),
        "valentines day": (2, 14),
        "valentine day": (2, 14),
        "valentine's": (2, 14),
        "valentines": (2, 14),
        "st patrick's day": (3, 17),
        "st patricks day": (3, 17),
        "saint patrick's day": (3, 17),
        "saint patricks day": (3, 17),
        "st paddy's day": (3, 17),
        "saint paddy's day": (3, 17),
        "independence day": (7, 4),
        "4th of july": (7, 4),
        "july 4th": (7, 4),
        "april fools": (4, 1),
        "april fools day": (4, 1),
        "april fool's day": (4, 1),
        "ides of march": (3, 15),
        "juneteenth": (6, 19),
        "veterans day": (11, 11),
    }
    if name in fixed:
        return date(year, *fixed[name])
    if name in ("new year's day", "new years day", "new year's", "new years", "new year"):
        return date(year, 1, 1)
    ruled = {  # US holidays named for a weekday of a month
        "thanksgiving": (11, 3, 4),
        "thanksgiving day": (11, 3, 4),
        "mlk day": (1, 0, 3),
        "martin luther king day": (1, 0, 3),
        "martin luther king jr day": (1, 0, 3),
        "mlk jr day": (1, 0, 3),
        "martin luther kings day": (1, 0, 3),
        "martin luther king's day": (1, 0, 3),
        "presidents day": (2, 0, 3),
        "presidents' day": (2, 0, 3),
        "president's day": (2, 0, 3),
        "memorial day": (5, 0, -1),
        "labor day": (9, 0, 1),
    }
    if name in ruled:
        month, weekday, nth = ruled[name]
        return _nth_weekday(year, month, weekday, nth)
    if name in ("black friday",):
        return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)
    easter = {
        "easter": 0,
        "easter sunday": 0,
        "easter day": 0,
        "good friday": -2,
        "easter monday": 1,
        "easter mon": 1,
        "mardi gras": -47,
        "shrove tuesday": -47,
        "pancake day": -47,
        "ash wednesday": -46,
        "palm sunday": -7,
        "maundy thursday": -3,
        "holy thursday": -3,
        "pentecost": 49,
        "whit monday": 50,
    }
    if name in easter:
        return _easter(year) + timedelta(days=easter[name])
    return None


@_rule(
    r"(?:(this|next|the next|last|the last|coming|this coming|upcoming) )?"
    r"([a-z' .]+?)(?: (\d{4}))?(?: (?:of|in) (this|next|last) year)?"
)
def _holidays(found, now: _Now):
    name = found.group(2).strip()
    if name.startswith("the "):
        name = name[4:]
    if _holiday(name, 2000) is None:
        return None
    which, year, of_year = found.group(1) or "", found.group(3), found.group(4)
    if year:
        return _holiday(name, int(year))
    if of_year:
        return _holiday(name, now.today.year + {"this": 0, "next": 1, "last": -1}[of_year])
    this_year = _holiday(name, now.today.year)
    if "last" in which:
        return this_year if this_year < now.today else _holiday(name, now.today.year - 1)
    if this_year >= now.today:
        return this_year
    return _holiday(name, now.today.year + 1)


# --- dates with a month: 'march 3', '3rd of march', 'Sunday, Feb 10', '3/4', '2026-12-03'


def _dated(year: int | None, month: int, number: int, now: _Now) -> date | None:
    """The day; without a year the coming one, unless it was this year and not long ago."""
    if not 1 <= month <= 12 or not 1 <= number <= 31:
        return None
    if year is not None:
        return date(year, month, number) if number <= calendar.monthrange(year, month)[1] else None
    today = now.today
    for ahead in range(0, 9):  # Feb 29 is up to 8 years ahead
        year = today.year + ahead
        if number > calendar.monthrange(year, month)[1]:
            continue
        day = date(year, month, number)
        if day >= today or (ahead == 0 and (today - day).days <= 183):
            return day
    return None


def _check_weekday(day: date | None, weekday: str | None, now: _Now):
    """A weekday typed with the date must be that date's: otherwise ask which."""
    if day is None or weekday is None:
        return day
    wanted = _weekday_of(weekday)
    if day.weekday() == wanted:
        return day
    after = day + timedelta(days=(wanted - day.weekday()) % 7)
    before = after - timedelta(days=7)
    question = f"{_show(day, now.today)[5:]} is a {_WEEKDAY_NAMES[day.weekday()].title()}."
    return _ask(question, [day, before, after], now.today) or day


_WD_BEFORE = r"(?:(?:on )?" + _WD + r",?\s+)?"
_WD_AFTER = r"(?:,?\s+" + _WD + r")?"
_YEAR_TAIL = r"(?:,?\s*" + _YEAR + r"|,?\s+(\d{2}))?"


@_rule(_WD_BEFORE + _MONTH + r"\s*,?\s*(?:the )?" + _NTH + r"\b" + _YEAR_TAIL + _WD_AFTER)
def _month_day(found, now: _Now):
    weekday, month, number, year, short, weekday_after = found.groups()
    year = year or short
    day = _dated(_year(year, now.today) if year else None, _month_of(month), int(number), now)
    return _check_weekday(day, weekday or weekday_after, now)


@_rule(
    _WD_BEFORE
    + r"(?:the )?"
    + _NTH
    + r"(?: day)?\s*(?:of |-|/|\s)?\s*"
    + _MONTH
    + r"(?:\s*[-/,]?\s*"
    + _YEAR
    + r"|\s*[-/,]\s*(\d{2})|\s+(\d{2}))?"
    + _WD_AFTER
)
def _day_month(found, now: _Now):
    weekday, number, month, year, short, bare, weekday_after = found.groups()
    year = year or short or bare
    day = _dated(_year(year, now.today) if year else None, _month_of(month), int(number), now)
    return _check_weekday(day, weekday or weekday_after, now)


@_rule(
    _WD_BEFORE
    + r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    + _WD_AFTER
    + r"|(\d{4})\s*[-/ ]\s*"
    + _MONTH
    + r"\s*[-/ ]\s*(\d{1,2})"
)
def _year_first(found, now: _Now):
    groups = found.groups()
    if groups[1]:
        day = _dated(int(groups[1]), int(groups[2]), int(groups[3]), now)
        return _check_weekday(day, groups[0] or groups[4], now)
    return _dated(int(groups[5]), _month_of(groups[6]), int(groups[7]), now)


@_rule(_WD_BEFORE + r"(\d{1,2})\s*([-/.])\s*(\d{1,2})(?:\s*[-/.]\s*(\d{4}|\d{2}))?" + _WD_AFTER)
def _numeric(found, now: _Now):
    weekday, first, sep, second, year, weekday_after = found.groups()
    if sep == "." and not year:
        return None  # 3.5 is a number
    typed_year = _year(year, now.today) if year else None
    month_first = _dated(typed_year, int(first), int(second), now)
    day_first = _dated(typed_year, int(second), int(first), now)
    weekday = weekday or weekday_after
    if month_first is None or day_first is None or month_first == day_first:
        return _check_weekday(month_first or day_first, weekday, now)
    if weekday and (month_first.weekday() == _weekday_of(weekday)) != (
        day_first.weekday() == _weekday_of(weekday)
    ):
        return month_first if month_first.weekday() == _weekday_of(weekday) else day_first
    if now.order == "mdy":
        return _check_weekday(month_first, weekday, now)
    if now.order == "dmy":
        return _check_weekday(day_first, weekday, now)
    shown = f"{first}{sep}{second}"
    return _ask(f"“{shown}” is written both ways.", [month_first, day_first], now.today)


@_rule(
    r"(?:on )?(?:the )?" + _WD + r",?\s+(?:the )?" + _NTH + r"|(?:on )?(?:the )?"
    r"(\d{1,2})(st|nd|rd|th)|(?:on )?the (\d{1,2})(?:st|nd|rd|th)?"
)
def _day_of_month(found, now: _Now):
    weekday, number = found.group(1), found.group(2) or found.group(3) or found.group(5)
    number = int(number)
    today = now.today
    year, month = today.year, today.month
    for _ in range(3):
        if number <= calendar.monthrange(year, month)[1] and date(year, month, number) >= today:
            return _check_weekday(date(year, month, number), weekday, now)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


# --- periods that are not one day: ask which day


@_rule(r"(early|late|later) (?:in )?(?:the )?" + _MONTH + r"(?:,? " + _YEAR + r")?")
def _early_or_late_month(found, now: _Now):
    """'early January': the first days to choose from; 'late January': the last ones."""
    year, month = _month_ahead(_month_of(found.group(2)), now, found.group(3))
    last = _last_day(year, month)
    if found.group(1) == "early":
        days = [date(year, month, 1), date(year, month, 5), date(year, month, 10)]
    else:
        days = [date(year, month, 20), date(year, month, 25), last]
    return _ask(
        f"Which day in {last:%B}" + (f" {year}?" if year != now.today.year else "?"),
        days,
        now.today,
    )


@_rule(
    r"(early|late|later)(?: (?:in|on))? (?:the )?(this|next|coming|the) week"
    r"|(?:the |in the )?(week) after next|(?:by |in |during )?(?:the )?(following) week"
)
def _part_of_a_week(found, now: _Now):
    """'early next week': its Monday or Tuesday; 'later this week': its Thursday or Friday;
    'the week after next': its Monday or Friday."""
    part, which = found.group(1), found.group(2) or ""
    weeks = 2 if found.group(3) else 1 if which in ("next", "coming") or found.group(4) else 0
    monday = _monday(now.today) + timedelta(days=7 * weeks)
    offsets = (0, 4) if part is None else (0, 1) if part == "early" else (3, 4)
    question = f"Which day {found.group(0).removeprefix('in ').removeprefix('by ')}?"
    return _ask(question, [monday + timedelta(days=n) for n in offsets], now.today)


@_rule(
    r"(?:in |by |during |until |before |for |sometime in |some time in |early |late |"
    r"(this|next|the next|coming|the coming) )?" + _MONTH + r"(?:,? " + _YEAR + r")?"
    r"|(\d{1,2})[/-](\d{4})|(\d{4})[/-](\d{1,2})"
)
def _month_alone(found, now: _Now):
    which, month, year, m2, y2, y3, m3 = found.groups()
    if month:
        number = _month_of(month)
        if which and "next" in which and not year and number == now.today.month:
            year = str(now.today.year + 1)
        year_, month_ = _month_ahead(number, now, year)
    else:
        year_, month_ = int(y2 or y3), int(m2 or m3)
        if not 1 <= month_ <= 12:
            return None
    return _ask_in_month(year_, month_, now)


def _ask_in_month(year: int, month: int, now: _Now):
    first, last = date(year, month, 1), _last_day(year, month)
    name = f"{first:%B}" + (f" {year}" if year != now.today.year else "")
    return _ask(f"Which day in {name}?", [first, date(year, month, 15), last], now.today)


@_rule(
    r"(?:by |in |during |for |sometime |some time )?(?:the )?(this|next|coming|following) "
    r"(week|month|year|weekend|quarter|qtr)|(?:by |on |over |during )?(?:the |this )?weekend"
)
def _period_alone(found, now: _Now):
    which, unit = found.group(1) or "this", found.group(2) or "weekend"
    step = 1 if which in ("next", "coming", "following") else 0
    if unit == "month":
        ahead = _add_months(now.today.replace(day=1), step)
        return _ask_in_month(ahead.year, ahead.month, now)
    if unit == "year":
        year = now.today.year + step
        return _ask(
            f"Which day in {year}?",
            [date(year, 6, 30), date(year, 12, 31)]
            if step == 0
            else [date(year, 1, 1), date(year, 6, 30), date(year, 12, 31)],
            now.today,
        )
    if unit in ("quarter", "qtr"):
        first = _add_months(date(now.today.year, (now.today.month - 1) // 3 * 3 + 1, 1), 3 * step)
        last = _add_months(first, 2)
        days = [first, _last_day(last.year, last.month)]
        return _ask("Which day that quarter?", days, now.today)
    monday = _monday(now.today) + timedelta(days=7 * step)
    if unit == "weekend":
        return _ask(
            "Which day of the weekend?",
            [monday + timedelta(days=5), monday + timedelta(days=6)],
            now.today,
        )
    return _ask("Which day that week?", [monday, monday + timedelta(days=4)], now.today)


@_rule(r"(?:the )?(?:last|past|previous) (?:day|week|month|year|quarter)|lastmonth|lastweek")
def _past_period(found, now: _Now):
    return now.today - timedelta(days=1)


@_rule(
    r"("
    + _AMOUNTS
    + r") (after|before|from) ((?:next |this |coming )?"
    + _WD
    + r"|today|tomorrow|yesterday|now)"
)
def _shifted(found, now: _Now):
    base = reading_at(found.group(found.lastindex), now)
    if not isinstance(base, date):
        return None
    moved = _Now(local=datetime.combine(base, now.local.time(), now.local.tzinfo), order=now.order)
    return _shift(moved, found.group(1), -1 if found.group(found.lastindex - 1) == "before" else 1)


# --- reading


def _order(zone: ZoneInfo) -> str:
    """How the member's part of the world writes 3/4: the US, Canada and East Asia month first,
    Europe, Latin America, Africa, Oceania and South Asia day first; unknown: ask."""
    key = getattr(zone, "key", "") or ""
    month_first = (
        "US/",
        "Canada/",
        "America/Indiana/",
        "America/Kentucky/",
        "America/North_Dakota/",
    )
    american = {
        "New_York",
        "Chicago",
        "Denver",
        "Los_Angeles",
        "Phoenix",
        "Anchorage",
        "Detroit",
        "Boise",
        "Juneau",
        "Adak",
        "Nome",
        "Sitka",
        "Toronto",
        "Vancouver",
        "Edmonton",
        "Winnipeg",
        "Halifax",
        "Regina",
        "St_Johns",
        "Menominee",
    }
    east_asia = {
        "Asia/Tokyo",
        "Asia/Seoul",
        "Asia/Shanghai",
        "Asia/Taipei",
        "Asia/Manila",
        "Pacific/Honolulu",
    }
    if key.startswith(month_first) or key.removeprefix("America/") in american or key in east_asia:
        return "mdy"
    if key.startswith(
        (
            "Europe/",
            "Africa/",
            "Australia/",
            "America/",
            "Atlantic/",
            "Indian/",
            "Asia/",
            "Pacific/",
        )
    ):
        return "dmy"
    return "ask"


def reading(text: str, *, zone: ZoneInfo, now: datetime) -> date | Ask | None:
    """What `text` means as a day for someone in `zone` at `now`: a day (maybe past), an Ask,
    or None when it is not a day we can read for sure."""
    local = now.astimezone(zone)
    return reading_at(text, _Now(local=local, order=_order(zone)))


def reading_at(text: str, here: _Now) -> date | Ask | None:
    wanted, clock = _without_time(_normal(text))
    if not wanted:
        if clock is None:
            return None
        return here.today if clock > here.local.time() else here.today + timedelta(days=1)
    for pattern, read in _RULES:
        found = pattern.match(wanted)
        if found:
            try:
                day = read(found, here)
            except (OverflowError, ValueError):  # 'in 999999 weeks': beyond the calendar
                return None
            if day is not None:
                return day
    return None


def read_day(text: str, *, zone: ZoneInfo, now: datetime, field: str = "due") -> date:
    """The day `text` means for someone in `zone` at `now`. Invalid, with examples, if it can't
    be read or is already past; Unsure, with a question and days to choose from, where a careful
    reader would ask."""
    today = now.astimezone(zone).date()
    try:
        day = reading(text, zone=zone, now=now)
    except (OverflowError, ValueError):  # 'in 9000 years': beyond the calendar
        day = None
    if day is None:
        raise Invalid(
            f"I couldn't read “{text.strip()[:40]}” as a date. Try: {EXAMPLES}.", field=field
        )
    if isinstance(day, Ask) and max(day.choices) <= horizon(today):
        raise Unsure(day.question, list(day.choices), field=field)
    if isinstance(day, Ask):
        day = max(day.choices)  # refused below as too far
    if day < today:
        raise Invalid(
            f"{day:%A, %B} {day.day}, {day.year} is in the past: choose a later date.", field=field
        )
    if day > horizon(today):
        raise Invalid(
            f"{day:%A, %B} {day.day}, {day.year} is more than {HORIZON_YEARS} years away: "
            "choose a nearer date.",
            field=field,
        )
    return day


HORIZON_YEARS = 10  # a promise further out than this is a typo, or not a promise
PAST_YEARS = 100  # a contact longer ago than this is a typo (a picker at year 1)


def earliest(today: date) -> date:
    """The first day a past date (last spoke, a touchpoint) may be: January 1st, PAST_YEARS
    before this year."""
    return date(today.year - PAST_YEARS, 1, 1)


def too_long_ago(field: str) -> Invalid:
    return Invalid(f"That is more than {PAST_YEARS} years ago: choose a later date.", field=field)


def horizon(today: date) -> date:
    """The last day a due date may be."""
    return date(today.year + HORIZON_YEARS, 12, 31)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The moment `day` is over where the member is (midnight after it), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


# --- the one-line promise: "<what> by <when>", or "<what> <when>" when the end is surely a date

_BY = re.compile(r"\s+by\s+", re.IGNORECASE)
_LOOSE = re.compile(  # endings that read as a date but are often just words in a note
    r"^(?:the )?\d{1,2}(?:st|nd|rd|th)?$|^(?:" + _MONTH + r"|sat|sun|mon|wed|thu|tue|now|eve)$"
)
_NOT_A_START = {
    "lunch",
    "lunchtime",
    "morning",
    "afternoon",
    "evening",
    "night",
    "noon",
    "at",
    "for",
}
_NOT_A_START |= {"midday", "around", "about", "from", "after", "before", "-", "@", "the"}
_OF_THE_NOTE = {"for", "of", "about", "during", "on", "in", "the", "this", "that", "over"}
_SOMEDAY = _Now(local=datetime(2000, 1, 5, 12, tzinfo=ZoneInfo("UTC")), order="mdy")


def split_when(line: str) -> tuple[str, str]:
    """(what, when) from '<what> by <when>' (the last ' by '), or, without 'by', from a line
    whose last words are surely a date: 'send slides in 2 weeks', 'call her next friday'.
    A month or a lone word that may be part of the note ('the march plan', 'ask if she may')
    does not count; a period to ask about ('call her next week') counts unless the note leads
    into it ('the plan for next week'). When there is none, `when` is ''."""
    cuts = list(_BY.finditer(line))
    if cuts:
        return line[: cuts[-1].start()], line[cuts[-1].end() :]
    words = line.split()
    for start in range(max(1, len(words) - 7), len(words)):
        tail = " ".join(words[start:])
        if words[start].lower() in _NOT_A_START or _LOOSE.match(_normal(tail)):
            continue
        found = reading_at(tail, _SOMEDAY)
        period = len(words) - start > 1 and words[start - 1].lower() not in _OF_THE_NOTE
        if isinstance(found, date) or (
            isinstance(found, Ask) and (period or not found.question.startswith("Which day"))
        ):
            return " ".join(words[:start]), tail
    return line, ""
