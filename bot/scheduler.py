"""The APScheduler that wakes a tick every ADVISOR_TICK_SECONDS. What to send is always decided
from the rows (core.nudges), so any number of processes may tick at once: each nudge is
claimed by exactly one of them, and a claim never confirmed is retried after its lease."""

import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import timedelta
from itertools import zip_longest

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.notify import Notifier
from core import nudges
from core.clock import Clock

log = logging.getLogger(__name__)
TICK_JOB = "tick"
SEEN_EVENTS_KEPT = timedelta(days=1)
MAX_BATCHES = 20  # due queries a tick makes; what is left waits for the next tick


def process_name() -> str:
    """Who holds a lease: host, pid and a random part (a restarted pid is a new holder)."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Ticker:
    """One look for due work: retries whose lease ran out first, then every member due a
    delivery. A member whose turn fails is logged and left for the next tick; the rest go on."""

    def __init__(self, sessions: Callable[[], Session], clock: Clock, notifier: Notifier):
        self.sessions, self.clock, self.notifier = sessions, clock, notifier

    def __call__(self) -> None:
        now = self.clock.now()
        log.debug("tick at %s", now.isoformat(timespec="seconds"))
        with self.sessions() as session:
            retries = nudges.expired(session, now=now)
            # Monday somewhere in the world: those who asked for a preview are looked at too.
            extra = nudges.preview_owners(session) if now.weekday() in (6, 0, 1) else []
        for delivery_id in retries:
            self.notifier.deliver(delivery_id)
        for _ in range(MAX_BATCHES):
            with self.sessions() as session:
                owners = nudges.due_owners(session, now=self.clock.now())
            self._serve(list(dict.fromkeys(owners + extra)))
            extra = []
            if len(owners) < nudges.BATCH:
                break
        with self.sessions() as session, session.begin():
            nudges.forget_events(session, before=now - SEEN_EVENTS_KEPT)

    def _serve(self, owners: list[tuple]) -> None:
        later: list[list[int]] = []
        for team_id, owner_id in owners:
            first, *rest = self._claim(team_id, owner_id) or [None]
            if first is not None:
                self.notifier.deliver(first)
            later.append(rest)
        # One message per item: Slack takes one a second per DM, so those go last, in turns.
        for turn in zip_longest(*later):
            for delivery_id in filter(None, turn):
                self.notifier.deliver(delivery_id)

    def _claim(self, team_id: str, owner_id: str) -> list[int]:
        try:
            with self.sessions() as session, session.begin():
                now = self.clock.now()
                plan = nudges.plan(session, team_id=team_id, owner_id=owner_id, now=now)
                if plan is None or not plan.items:
                    return []
                claimed = nudges.claim(session, plan=plan, now=now, process=self.notifier.process)
                return [delivery.id for delivery in claimed]
        except IntegrityError:  # another process claimed the same nudges first: theirs to send
            log.info("Nudges for %s were claimed by another process", owner_id)
        except OperationalError as error:  # a lock timeout, a dropped connection: next tick
            log.warning("Could not claim nudges for %s: %s", owner_id, error.orig)
        return []


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
