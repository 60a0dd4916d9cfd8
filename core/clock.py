"""Time for core: every core function takes a clock instead of reading the system time."""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real clock, used by the running bot."""

    def now(self) -> datetime:
        return datetime.now(UTC)
