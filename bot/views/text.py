"""Small text helpers for Block Kit: escaping, shortening, dates people read."""

from datetime import date, datetime


def escape(typed: str) -> str:
    """Text a person typed, shown as mrkdwn without turning into mentions or links."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = 75) -> dict:
    return {"type": "plain_text", "text": shorten(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": shorten(text, 3000)}


def day(when: date | datetime, today: date | datetime) -> str:
    """'Thu, Dec 24': unambiguous and short; 'Sat, Jan 2, 2027' when it is not in the year of
    `today` (the member's day now)."""
    shown = f"{when:%a, %b} {when.day}"
    return shown if when.year == today.year else f"{shown}, {when.year}"


def long_day(when: date | datetime) -> str:
    """'Thursday, December 24, 2026'."""
    return f"{when:%A, %B} {when.day}, {when.year}"


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}
