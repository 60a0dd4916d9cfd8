"""Small text helpers for Block Kit: escaping, shortening, dates people read. How text people
type is stored and shown (escaped exactly once, where it enters mrkdwn) is in bot/views/typed.py."""

from datetime import date, datetime

from bot.views.typed import BIDI, clip, cut, readable
from bot.views.typed import escape as escape


def said(problem: Exception) -> str:
    """An error's message as mrkdwn. Messages of errors are plain text (core's, and those a
    listener raises), often with a name someone typed in them: escaped here, once."""
    return escape(str(problem))


def shorten(text: str, limit: int) -> str:
    return clip(text, limit)


def plain(text: str, limit: int = 75) -> dict:
    """A plain_text object; any typed text in it reads as typed, without pings or markup."""
    return {"type": "plain_text", "text": shorten(readable(text), limit), "emoji": True}


def mrkdwn(text: str) -> dict:
    """A mrkdwn object from mrkdwn already built (user text in it went through `escape`)."""
    return {"type": "mrkdwn", "text": cut(BIDI.sub("", text), 3000)}


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
