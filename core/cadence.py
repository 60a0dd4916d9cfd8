"""How often to be in touch, and how a relationship stands against that rhythm."""

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
