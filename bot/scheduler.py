"""The APScheduler that wakes a tick every ADVISOR_TICK_SECONDS; what to do is decided from rows."""

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from core.clock import Clock

log = logging.getLogger(__name__)
TICK_JOB = "tick"


def tick(clock: Clock) -> None:
    """One look for due work; until the nudge engine lands it only notes the time."""
    log.debug("tick at %s", clock.now().isoformat(timespec="seconds"))


def start_scheduler(job: Callable[[], None], *, seconds: float) -> BackgroundScheduler:
    """Run `job` every `seconds`; a tick never overlaps the previous one and missed ones merge."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=seconds),
        id=TICK_JOB,
        name=TICK_JOB,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
