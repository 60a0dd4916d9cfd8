"""Dates people type: each candidate parser against bench/dates/corpus.jsonl.

    python -m bench.dates_score [--misses NAME]

Per phrase the corpus holds a reference now, a zone and what a careful reader of a due day
answers: the day, "ask" (a question with choices) or "refuse" (past, or not a day). A parser is
right when it gives that day, asks where it should ask or refuses where it should refuse; wrong
when it gives another day (or a day where it should ask); unread otherwise. Every parser's day is
taken as a day in the member's zone and a past day counts as refused, as the product refuses it.
Libraries that are not installed are skipped (the optional ones are not project dependencies).
"""

import json
import sys
import warnings
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.dates import Ask, reading

CORPUS = Path(__file__).parent / "dates" / "corpus.jsonl"
warnings.filterwarnings("ignore")


def _ours(text, now, zone):
    return reading(text, zone=zone, now=now)


def _dateparser(text, now, zone):
    import dateparser

    settings = {
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "MDY",
        "RELATIVE_BASE": now.astimezone(zone).replace(tzinfo=None),
        "REQUIRE_PARTS": ["day"],
    }
    found = dateparser.parse(text, languages=["en"], settings=settings)
    return found.date() if found else None


def _parsedatetime(text, now, zone):
    import parsedatetime

    calendar = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)
    found, context = calendar.parseDT(text, sourceTime=now.astimezone(zone).replace(tzinfo=None))
    return found.date() if context.hasDate else None


def _dateutil(text, now, zone):
    from dateutil import parser

    base = now.astimezone(zone).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    try:
        return parser.parse(text, fuzzy=True, default=base).date()
    except (ValueError, OverflowError):
        return None


def _ctparse(text, now, zone):
    import ctparse

    found = ctparse.ctparse(text, ts=now.astimezone(zone).replace(tzinfo=None), timeout=1)
    if found is None:
        return None
    time = found.resolution
    start = getattr(time, "start", time)
    if (
        getattr(start, "year", None)
        and getattr(start, "month", None)
        and getattr(start, "day", None)
    ):
        return date(start.year, start.month, start.day)
    return None


def _timefhuman(text, now, zone):
    from timefhuman import timefhuman

    found = timefhuman(text, now=now.astimezone(zone).replace(tzinfo=None))
    if isinstance(found, list):
        found = found[0] if len(found) == 1 else None
    if isinstance(found, tuple):
        found = found[0]
    return (
        found.date() if isinstance(found, datetime) else found if isinstance(found, date) else None
    )


def _datefinder(text, now, zone):
    import datefinder

    base = now.astimezone(zone).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    found = list(datefinder.find_dates(text, base_date=base))
    return found[0].date() if len(found) == 1 else None


def _recognizers(text, now, zone):
    from recognizers_date_time import recognize_datetime
    from recognizers_text import Culture

    local = now.astimezone(zone).replace(tzinfo=None)
    for result in recognize_datetime(text, Culture.English, local):
        for value in result.resolution.get("values", []):
            if value.get("type") == "date" and "value" in value:
                try:
                    return date.fromisoformat(value["value"])
                except ValueError:
                    return None
        return None
    return None


PARSERS = {
    "ours (rules, questions)": _ours,
    "dateparser 1.x": _dateparser,
    "parsedatetime": _parsedatetime,
    "dateutil fuzzy": _dateutil,
    "ctparse": _ctparse,
    "timefhuman": _timefhuman,
    "datefinder": _datefinder,
    "recognizers-text": _recognizers,
}


def judge(expect: str, got, today: date) -> str:
    if isinstance(got, Ask):
        return "right" if expect == "ask" else "asked"
    if got is not None and got < today:
        got = "refuse"
    if got is None:
        got = "refuse"
    if got == "refuse":
        return "right" if expect == "refuse" else "unread"
    if expect == "refuse":
        return "wrong"  # a future day for a past or unreadable phrase
    if expect == "ask":
        return "wrong"  # a guess where a careful reader asks
    return "right" if got.isoformat() == expect else "wrong"


def score(name: str, parse, rows: list[dict]) -> tuple[dict, list]:
    counts, misses = {"right": 0, "wrong": 0, "unread": 0, "asked": 0}, []
    for row in rows:
        zone = ZoneInfo(row["zone"])
        now = datetime.fromisoformat(row["now"]).replace(tzinfo=zone)
        try:
            got = parse(row["text"], now, zone)
        except Exception:  # a library that crashes on a phrase has not read it
            got = None
        verdict = judge(row["expect"], got, now.date())
        counts[verdict] += 1
        if verdict != "right":
            misses.append((verdict, row["text"], row["now"][:10], row["expect"], got))
    return counts, misses


def main() -> None:
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    days = sum(r["expect"] not in ("ask", "refuse") for r in rows)
    print(
        f"{len(rows)} phrases: {days} days, "
        f"{sum(r['expect'] == 'ask' for r in rows)} ask, "
        f"{sum(r['expect'] == 'refuse' for r in rows)} refuse"
    )
    print(f"{'parser':26} {'right':>6} {'wrong':>6} {'asked':>6} {'unread':>6}  right %")
    show = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--misses" else None
    for name, parse in PARSERS.items():
        try:
            counts, misses = score(name, parse, rows)
        except ImportError:
            print(f"{name:26} (not installed)")
            continue
        share = 100 * counts["right"] / len(rows)
        print(
            f"{name:26} {counts['right']:6} {counts['wrong']:6} {counts['asked']:6} "
            f"{counts['unread']:6}  {share:5.1f}"
        )
        if show and show in name:
            for miss in misses:
                print("   ", *miss)


if __name__ == "__main__":
    main()
