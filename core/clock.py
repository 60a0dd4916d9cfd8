"""Time for core: every core function takes a clock instead of reading the system time."""

from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real clock, used by the running bot."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def moment_on(day: date, zone: ZoneInfo, now: datetime) -> datetime:
    """When something that happened on `day` (where the member is) counts from: now if that is
    today, else noon of that day."""
    if day == now.astimezone(zone).date():
        return now
    return datetime.combine(day, time(12), tzinfo=zone)


class StoppedClock:
    """A clock stopped at one moment: what happened then is recorded as of then."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def now(self) -> datetime:
        return self.moment
