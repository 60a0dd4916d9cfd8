"""The APScheduler that wakes a tick every ADVISOR_TICK_SECONDS. What to send is always decided
from the rows, so any number of processes may tick at once. One tick:

1. checks again the workspaces whose token Slack refused, and forgets old Slack event ids;
   finishes imports a stopped process left half-saved, and discards those a day old;
2. sends everything due in the outbox (bot/delivery/sender.py), and whenever its next post has
   to wait its turn, plans the next member due a look (core/due_members.py finds them,
   core/nudge_plan.py decides), whose messages join in: one whose planning fails is logged
   and looked at again later;
3. then, the same way, claims the occurrences of schedules whose time has come (purposes
   with a `scheduled` hook), whose rows join in too."""

import logging
import os
import socket
import uuid
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from bot import event_dedup
from bot.delivery.sender import Sender
from bot.installs import Installs, purge_expired
from bot.recurrence import next_after
from core import due_members, imports, nudge_plan, schedules
from core.clock import Clock
from core.db import one_line
from core.models import Schedule

log = logging.getLogger(__name__)
TICK_JOB = "tick"
MAX_BATCHES = 20  # due queries a tick makes; what is left waits for the next tick
BROKEN_MEMBER_WAIT = timedelta(hours=1)  # a member whose planning failed is looked at again then
OUTAGE_REPEAT = timedelta(minutes=1)  # while the database is away, it is said this often


def process_name() -> str:
    """Who holds a lease: host, pid and a random part (a restarted pid is a new holder)."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Ticker:
    """One look for due work. Each member's planning, and each row's sending, is isolated: what
    fails is logged with its ids and the rest are served in the same tick."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        clock: Clock,
        sender: Sender,
        *,
        installs: Installs | None = None,
    ):
        self.sessions, self.clock, self.sender = sessions, clock, sender
        self.installs = installs  # installed through OAuth: tokens to refresh
        self.outage = Outage(clock)

    def __call__(self) -> None:
        """A tick, unless the database does not answer: then one line says so (once a minute
        while it lasts, and once when it is back), never a traceback per tick."""
        log.debug("tick at %s", self.clock.now().isoformat(timespec="seconds"))
        try:
            with self.sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception as error:
            self.outage.down(error)
            return
        self.outage.up()
        try:
            self._tick()
        except SQLAlchemyError as error:  # the database went away mid-tick: the next one says so
            log.warning("Tick stopped: %s", one_line(error))

    def _tick(self) -> None:
        self._isolated("checking refused tokens", self.sender.check_tokens)
        if self.installs is not None:
            self._isolated("refreshing tokens that expire soon", self.installs.refresh_expiring)
        self._isolated("deleting uninstalled workspaces' data", self._purge)
        self._isolated("forgetting old Slack events", self._forget_events)
        self._isolated("finishing and discarding imports", self._imports)
        with self.sessions() as finding:  # one session for the tick's due queries
            self.sender.send_due(meanwhile=_in_turn(self._planner(finding), self._claimer()))

    def _purge(self) -> None:
        """Workspaces uninstalled past their grace period lose their data now."""
        purge_expired(self.sessions, self.clock, self.installs)

    def _planner(self, finding: Session) -> Callable[[], list[int] | None]:
        """Plans the members due a look, one per call (batch after batch of due_owners, at most
        MAX_BATCHES): the sender calls it whenever its next post has to wait."""
        waiting: deque[tuple[str, str]] = deque()
        batches = 0

        def plan_next() -> list[int] | None:
            nonlocal batches
            if not waiting:
                if batches == MAX_BATCHES:
                    return None
                now, limit = self.clock.now(), due_members.BATCH
                waiting.extend(due_members.due_owners(finding, now=now, limit=limit))
                batches += 1
                if not waiting:
                    return None  # nobody left to look at
            return self.plan(*waiting.popleft())

        return plan_next

    def plan(self, team_id: str, owner_id: str) -> list[int]:
        """Plan one member: claim what is due for them and set when to look again. Returns the
        outbox rows made."""
        try:
            with self.sessions() as session, session.begin():
                now = self.clock.now()
                seen = due_members.wakeups(session, team_id=team_id, owner_id=owner_id)
                plan = nudge_plan.plan(
                    session, team_id=team_id, owner_id=owner_id, now=now, next_after=next_after
                )
                made = nudge_plan.claim(session, plan=plan, now=now) if plan and plan.items else []
                if plan is not None:
                    nudge_plan.look_again(session, member=plan.member, now=now)
                    _say_why(plan, made)
                due_members.answered(session, wakeup_ids=seen)
                return made
        except (IntegrityError, nudge_plan.ClaimedElsewhere):  # theirs to send
            log.info("Nudges for %s were claimed by another process", owner_id)
        except OperationalError as error:  # a lock timeout, a dropped connection: next tick
            log.warning("Could not plan nudges for %s: %s", owner_id, error.orig)
        except Exception:  # a row core cannot read: this member waits, the others go on
            log.exception("Planning nudges for %s in %s failed", owner_id, team_id)
            self._isolated("setting a broken member aside", self._set_aside, team_id, owner_id)
        return []

    def _claimer(self) -> Callable[[], list[int] | None]:
        """Claims the schedules whose time has come, one per call (batch after batch, at most
        MAX_BATCHES): the sender calls it whenever its next post has to wait, so 1,000 circles
        meeting at the same minute are claimed in the tick that finds them due, between posts.
        One whose claim failed is tried again by the next tick, not this one."""
        on_schedules = {n: p for n, p in self.sender.purposes.items() if p.scheduled}
        waiting: deque[int] = deque()
        tried: set[int] = set()
        batches = 0

        def claim_next() -> list[int] | None:
            nonlocal batches
            if not on_schedules:
                return None
            if not waiting:
                if batches == MAX_BATCHES:
                    return None
                with self.sessions() as session:  # its own: a new snapshot each batch
                    due = schedules.due(session, now=self.clock.now(), purposes=set(on_schedules))
                batches += 1
                waiting.extend(schedule_id for schedule_id in due if schedule_id not in tried)
                if not waiting:
                    return None  # nothing left to claim
            schedule_id = waiting.popleft()
            tried.add(schedule_id)
            work = self._occurrence
            return self._isolated(f"schedule {schedule_id}", work, schedule_id, on_schedules) or []

        return claim_next

    def _occurrence(self, schedule_id: int, on_schedules: dict) -> list[int]:
        """The schedule's latest occurrence (missed earlier ones are skipped), claimed once
        whatever process gets there first; its purpose says what it puts in the outbox (the
        rows it returns)."""
        with self.sessions() as session, session.begin():
            now = self.clock.now()
            schedule = session.get(Schedule, schedule_id)
            occurrence = schedules.latest_missed(schedule, now=now, next_after=next_after)
            if occurrence is None or not schedules.advance(
                session,
                schedule=schedule,
                occurrence=schedule.next_at,
                next_after=next_after,
                after=occurrence,
            ):
                return []  # another process claimed it
            purpose = on_schedules[schedule.purpose]
            return purpose.scheduled(session, schedule=schedule, occurrence=occurrence, now=now)

    def _set_aside(self, team_id: str, owner_id: str) -> None:
        with self.sessions() as session, session.begin():
            member = nudge_plan.get_member(session, team_id, owner_id)
            if member is not None:
                member.look_at = self.clock.now() + BROKEN_MEMBER_WAIT
                session.add(member)
            seen = due_members.wakeups(session, team_id=team_id, owner_id=owner_id)
            due_members.answered(session, wakeup_ids=seen)

    def _forget_events(self) -> None:
        with self.sessions() as session, session.begin():
            event_dedup.forget_old(session, now=self.clock.now())

    def _imports(self) -> None:
        """Imports a stopped process left half-saved (or whose save failed a while ago) are
        finished (their reports go out with this tick's sends); those that never will be are
        ended, the member told (core/imports.give_up); those read more than a day ago are
        discarded."""
        with self.sessions() as session, session.begin():
            imports.give_up(session, now=self.clock.now())
            stalled = imports.stalled(session, now=self.clock.now())
            imports.discard_old(session, now=self.clock.now())
        for team_id, owner_id, import_id in stalled:
            self._isolated(
                f"finishing import {import_id}", self._finish, team_id, owner_id, import_id
            )

    def _finish(self, team_id: str, owner_id: str, import_id: int) -> None:
        imports.save(
            self.sessions,
            team_id=team_id,
            owner_id=owner_id,
            import_id=import_id,
            process=self.sender.process,
            clock=self.clock,
            report=True,
        )

    def _isolated(self, what: str, work: Callable, *args):
        """What `work` returns; None when it failed (logged)."""
        try:
            return work(*args)
        except DBAPIError as error:  # the database's own words say it all: no traceback
            log.warning("Tick: %s failed: %s", what, one_line(error))
        except Exception:
            log.exception("Tick: %s failed", what)
        return None


def _in_turn(*works: Callable[[], list[int] | None]) -> Callable[[], list[int] | None]:
    """One piece of work per call: the first's until it has none left, then the next's (None
    once all are done)."""
    left = deque(works)

    def next_piece() -> list[int] | None:
        while left:
            made = left[0]()
            if made is not None:
                return made
            left.popleft()
        return None

    return next_piece


def _took(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


class Outage:
    """The database as the ticks find it: one line when it stops answering (with the reason),
    one a minute while it stays away (or sooner if the reason changes), one when it is back
    with how long it was away."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.since: datetime | None = None
        self.said_at: datetime | None = None
        self.reason = ""

    def down(self, error: BaseException) -> None:
        now, reason = self.clock.now(), one_line(error)
        if self.since is None:
            self.since = now
        elif now - self.said_at < OUTAGE_REPEAT and reason == self.reason:
            return
        self.said_at, self.reason = now, reason
        log.error(
            "Database unreachable since %s (%s): %s; nothing is sent until it answers",
            self.since.isoformat(timespec="seconds"),
            _took(now - self.since),
            reason,
        )

    def up(self) -> None:
        if self.since is None:
            return
        now = self.clock.now()
        log.warning(
            "Database back after %s (unreachable since %s)",
            _took(now - self.since),
            self.since.isoformat(timespec="seconds"),
        )
        self.since = self.said_at = None


def _say_why(plan: nudge_plan.Plan, made: list[int]) -> None:
    """Why a member did or did not get a nudge, and when the tick looks at them next."""
    member = plan.member
    later = (
        f"next look at {member.look_at.isoformat(timespec='minutes')}"
        if member.look_at
        else "not looked at again until something of theirs changes"
    )
    if made:
        items = ", ".join(f"{item.kind} ({item.subject_id})" for item in plan.items)
        log.info(
            "Nudges for %s in %s: %s, in outbox row(s) %s; %s",
            member.user_id,
            member.team_id,
            items,
            ", ".join(map(str, made)),
            later,
        )
    else:
        reason = plan.why_not or "what was due is claimed already"
        log.debug(
            "No nudge for %s in %s now: %s; %s", member.user_id, member.team_id, reason, later
        )


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
