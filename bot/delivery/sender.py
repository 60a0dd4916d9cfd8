"""The sender: the one way anything the bot says on its own reaches Slack. It takes due outbox
rows (core/outbox.py), asks each row's purpose what to post (bot/delivery/purposes.py), and
talks to Slack with that workspace's client, one call at a time per row:

    take the row (a lease) -> open the DM if need be -> look for an earlier post whose answer
    was lost -> post (or upload a file), paced -> record it sent, and what it means for its purpose

The lease is renewed before every call (unless it was taken a moment before), so a slow send
is never taken over and posted twice; before a post, the row notes that a post is going out, so
a process that never hears back looks for it before posting again. Workspaces are paced on
their own (bot/delivery/pacing.py) and interleaved: one workspace waiting out a Retry-After, or
whose token Slack refuses, never holds another up; while the next post waits its turn, the
tick's other work (planning members) runs. A workspace's rows are taken a few at a time, as it
has room for them, and more of its due rows are fetched when it has done all it held, so no
workspace waits for the others' rows to be taken, or for the end of a batch. Each row's work is
isolated: whatever fails in it (a render error, a bug) is logged with its id and counted
against its attempts; the others go on."""

import heapq
import itertools
import logging
import math
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlmodel import Session

from bot.delivery.pacing import LANE_GAP, OPEN, POST, READ, Pacing, retry_after
from bot.delivery.purposes import (
    NO_PURPOSE,
    Gone,
    Later,
    Prepared,
    Purpose,
    Ready,
    Upload,
    registry,
)
from core import outbox, workspaces
from core.clock import Clock
from core.models import Outbox, OutboxState
from core.outbox import METADATA_TYPE

log = logging.getLogger(__name__)

# Slack will not deliver to this target, now or later.
GONE = {
    "user_not_found",
    "user_not_visible",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "messages_tab_disabled",
}
# Slack is having a bad moment: try again later.
TRANSIENT = {
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
    "missing_scope",  # the operator may add it; the attempts cap ends it otherwise
}
# The token may be refused: auth.test says whether it is (then the workspace stops) or not
# (then account_inactive means the person is gone, the others are transient).
TOKEN = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "team_access_not_granted",
}
NOT_INSTALLED = "not_installed"  # no client for the workspace
# An upload Slack will not take until someone changes the app or the workspace's settings.
NO_UPLOADS = {"missing_scope", "not_allowed_token_type", "file_uploads_disabled"}
MAX_WAIT = 30.0  # a longer Retry-After is waited out by a later tick, not by this one
HURRIED_WAIT = 3.0  # what a request's own message waits for at most; the tick sends it after
MAX_429_IN_A_ROW = 20
MAX_ROUNDS = 20  # batches of due rows a tick fetches at most; what is left waits for the next
Meanwhile = Callable[[], list[int] | None]  # one piece of other work: rows it made, None: done
# More due rows, but none of these workspaces' (they have enough) nor these rows (had already),
# and whether they were all there were; None: enough for this run.
More = Callable[[set[str], set[int]], "tuple[list[Job], bool] | None"]
IDLE_ENOUGH = 0.005  # seconds before the next post: time enough to start other work
LEGACY_METADATA = "advisor_nudge"  # what deliveries carried before the outbox (same ids)
POSTS = {"chat_postMessage", "files_upload_v2"}  # calls that add a message: noted before, paced


def client_for_sending(token: str, api_url: str) -> WebClient:
    """A client that never retries on its own: a repeated chat.postMessage would be a second
    message, so every retry goes through the sender (and its lease, and its look-up)."""
    return WebClient(token=token, base_url=api_url, timeout=10, retry_handlers=[])


class OneWorkspace:
    """Clients by workspace for a single-workspace install: the one bot token for any team.
    (Distribution adds one per install; the sender only ever asks `clients(team_id)`.)"""

    def __init__(self, token: str, api_url: str):
        self.client = client_for_sending(token, api_url)

    def __call__(self, team_id: str) -> WebClient | None:
        return self.client


class Step(Enum):
    TAKE = "take"
    OPEN = "open"
    LOOK_UP = "look up"
    POST = "post"


KIND = {Step.OPEN: OPEN, Step.LOOK_UP: READ, Step.POST: POST}  # whose budget a step spends
LOOK_AROUND = timedelta(minutes=10)  # a lost post is looked for this long before and after
FRESH_LEASE = 5.0  # seconds: a lease taken or renewed this recently needs no renewal yet
LOOK_UP_PAGES = 5


class Next(Enum):
    AGAIN = "again"  # the row has another step to go (or the same, after a wait)
    DONE = "done"
    STOP_WORKSPACE = "stop workspace"  # its token is refused: none of its rows go in this run


class LeaseLost(Exception):
    """Another process took the row over (this one was too slow): it is theirs now."""


class NotFoundYet(Exception):
    """The look-up ran out of pages before it could tell whether the post went out."""


@dataclass
class Job:
    """One row's way through a run."""

    id: int
    team_id: str
    lane: str
    step: Step = Step.TAKE
    row: Outbox | None = None
    purpose: Purpose | None = None
    message: dict | None = None
    replace: str | None = None  # the ts of a message to update in place, not a new post
    upload: Upload | None = None  # a file to share instead of a post
    limited: int = 0  # 429s in a row
    leased_at: float = 0.0  # when this process last took or renewed the lease (monotonic)
    opened: str | None = None  # a DM opened, not yet saved with the row
    reopened: bool = False  # a cached DM was refused once and opened afresh
    follow_ups: list[int] = field(default_factory=list)
    place: int | None = None  # its place in line in the run: among rows ready at once, first come


class Sender:
    """Sends due outbox rows; what to send is always read from the rows."""

    def __init__(
        self,
        clients: Callable[[str], WebClient | None],
        sessions: Callable[[], Session],
        clock: Clock,
        *,
        process: str,
        pacing: Pacing,
        purposes: dict[str, Purpose] | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self.clients, self.sessions, self.clock = clients, sessions, clock
        self.process, self.pacing = process, pacing
        self.stopping = threading.Event()
        self.sleep = sleep or self.stopping.wait  # a stop ends any wait at once
        self.purposes = purposes if purposes is not None else registry()
        self._checked_tokens = False  # the first check asks about every refused token

    # --- entry points

    def send_due(self, meanwhile: Meanwhile | None = None) -> int:
        """Everything due now (the tick), doing `meanwhile`'s work (planning members, whose new
        rows join in) whenever the next post has to wait for its turn. Due rows are fetched
        whenever a workspace runs out of them, a batch of the others' at a time, not batch after
        batch: a workspace sending a long backlog at its own pace, or waiting out a Retry-After,
        never keeps the others waiting for the end of a batch. Returns the rows looked at."""
        fetched = 0

        def more(except_teams: set[str], skip: set[int]) -> tuple[list[Job], bool] | None:
            nonlocal fetched
            if fetched >= MAX_ROUNDS * outbox.BATCH:  # what is left waits for the next tick
                return None
            with self.sessions() as session:
                due = outbox.due(
                    session, now=self.clock.now(), limit=outbox.BATCH, except_teams=except_teams
                )
            new = [Job(d.id, d.team_id, d.lane) for d in due if d.id not in skip]
            fetched += len(new)
            return new, len(due) < outbox.BATCH

        self.run([], meanwhile=meanwhile, more=more)
        return fetched

    def send_now(self, row_ids: list[int]) -> dict[int, str]:
        """A request's own new rows (an update sent on), right away; whatever would make it
        wait is left to the tick. Returns each row's state after."""
        with self._transaction() as session:
            due = outbox.due_rows(session, row_ids)
        self.run([Job(d.id, d.team_id, d.lane) for d in due], hurry=True)
        with self._transaction() as session:
            return outbox.states(session, row_ids)

    def stop(self) -> None:
        """The process is stopping: the call under way finishes and is recorded; nothing new is
        taken, and rows taken but not yet posted go back for the next process."""
        self.stopping.set()

    # --- the run: rows interleaved by when each may next go

    def run(
        self,
        jobs: list[Job],
        *,
        hurry: bool = False,
        meanwhile: Meanwhile | None = None,
        more: More | None = None,
    ) -> None:
        """Send these rows, each at its workspace's and conversation's pace; while the next one
        has to wait, do `meanwhile`'s work instead of sleeping, and send what it made too. With
        `more`, ask it for rows at the start, whenever a workspace has done all it held, and once
        everything is sent, until it has nothing new then (or says None: enough for this run)."""
        patience = HURRIED_WAIT if hurry else MAX_WAIT
        queue: list = []
        order = itertools.count()
        stopped: set[str] = set()
        untaken: dict[str, deque[Job]] = defaultdict(deque)  # by workspace, in due order
        in_hand: Counter[str] = Counter()  # each workspace's rows in the queue
        live: set[int] = set()  # rows in the run now (untaken or in the queue)
        left: dict[int, float] = {}  # rows that left the run, and when (pacing's clock)
        ahead = self._ahead()
        want_more = more is not None
        # After a fetch that got every due row it could (fewer than it asked for), the
        # workspaces it did not leave out have none left: one that runs out asks no more.
        maybe_more: set[str] | None = None  # None: any workspace may have more

        def skip() -> set[int]:
            """Rows a fetch must not bring back: those in the run, and those that left it
            less than MAX_WAIT ago (released for a short wait: a later fetch brings them)."""
            now = self.pacing.now()
            return live | {row for row, at in left.items() if now - at < MAX_WAIT}

        def push(job: Job) -> None:
            """Into the queue by when it may go, then by when it joined the run: a row that
            had to wait its turn keeps its place, and rows joining later never cut in."""
            if job.place is None:
                job.place = next(order)
            heapq.heappush(queue, (self._ready_at(job), job.place, job))

        def add(job: Job, *, at_once: bool = False) -> None:
            if job.id in live:
                return
            live.add(job.id)
            if at_once:  # a row a purpose made on its own row's end: looked at right away
                in_hand[job.team_id] += 1
                push(job)
                return
            untaken[job.team_id].append(job)
            take_more(job.team_id)

        def take_more(team_id: str) -> None:
            """Rows are taken as their workspace gets room for them, never all at once: a
            batch's takes would hold every workspace's next post up."""
            while in_hand[team_id] < ahead and untaken[team_id]:
                in_hand[team_id] += 1
                push(untaken[team_id].popleft())

        def done(job: Job) -> None:
            nonlocal want_more
            live.discard(job.id)
            left[job.id] = self.pacing.now()
            in_hand[job.team_id] -= 1
            take_more(job.team_id)
            if in_hand[job.team_id] or more is None:
                return
            if maybe_more is None or job.team_id in maybe_more:
                want_more = True  # the workspace has nothing left in hand: look for its next

        def push_rows(row_ids: list[int], *, at_once: bool = False) -> None:
            with self._transaction() as session:
                for due in outbox.due_rows(session, row_ids):
                    add(Job(due.id, due.team_id, due.lane), at_once=at_once)

        for job in jobs:
            add(job)
        try:
            while queue or meanwhile or more:
                if self.stopping.is_set():  # rows not taken yet need nothing
                    for _, _, job in queue:
                        self._leave(job, "the process stopped", after=0)
                    return
                if more and (want_more or not (queue or meanwhile)):
                    finishing, want_more = not (queue or meanwhile), False
                    left_out = {team for team, rows in untaken.items() if rows} | stopped
                    fetched = more(left_out, skip())
                    found, complete = fetched or ([], False)
                    if fetched is None or (finishing and not found):  # enough, or nothing left
                        more = None
                    if complete:
                        maybe_more = left_out
                    for job in found or []:
                        add(job)
                    # Rows found: fetch again at once, without the workspaces that now have rows
                    # waiting, so one workspace's old backlog never fills the run by itself.
                    want_more = bool(found) and more is not None
                    continue
                if meanwhile and (not queue or queue[0][0] > self.pacing.now() + IDLE_ENOUGH):
                    made = meanwhile()
                    if made is None:
                        meanwhile = None
                    elif made:
                        push_rows(made)
                    continue
                booked, _, job = heapq.heappop(queue)
                if job.team_id in stopped:
                    self._leave(job, "the workspace's token is refused", after=0)
                    done(job)
                    continue
                ready = self._ready_at(job)
                if ready > booked:  # the workspace or the conversation got busier meanwhile
                    push(job)
                    continue
                now = self.pacing.now()
                held = self._held_until(job) - now
                if held > patience or (hurry and ready - now > patience):  # a later run sends it
                    self._leave(job, "Slack asked to wait", after=max(held, 0))
                    done(job)
                    continue
                if ready > now:
                    self.sleep(ready - now)
                try:
                    outcome = self._step(job, at=ready, patience=patience)
                except Exception:  # even recording how it ended failed: the lease runs out, later
                    log.exception("Outbox row %s: its outcome could not be recorded", job.id)
                    done(job)
                    continue
                if outcome is Next.AGAIN:
                    push(job)
                else:
                    if outcome is Next.STOP_WORKSPACE:
                        stopped.add(job.team_id)
                        untaken.pop(job.team_id, None)  # not taken: nothing to give back
                    done(job)
                if job.follow_ups:
                    push_rows(job.follow_ups, at_once=True)  # most are for later: let go at once
                    job.follow_ups = []
        except Exception:
            self._give_back(queue)
            raise

    def _give_back(self, queue: list) -> None:
        """The run ended on an error (the database went away mid-run): rows it had taken go
        back at once, as far as the database lets them (else their leases run out)."""
        for _, _, job in queue:
            try:
                self._leave(job, "the run stopped on an error", after=0)
            except Exception:
                log.warning("Outbox row %s stays taken until its lease runs out", job.id)

    def _ahead(self) -> int:
        """Rows a workspace holds taken ahead of its next post: enough for a second of posts at
        its pace (each may be in a conversation that has to wait its second), and one more."""
        return math.ceil(self.pacing.per_second * LANE_GAP) + 1

    def _ready_at(self, job: Job) -> float:
        if job.step is Step.TAKE:
            return 0.0  # taking is the database's; Slack is not asked yet
        lane = job.lane if job.step is Step.POST else None
        return self.pacing.free_at(job.team_id, KIND[job.step], lane)

    def _held_until(self, job: Job) -> float:
        if job.step is Step.TAKE:
            return 0.0
        return self.pacing.held_until(job.team_id, KIND[job.step])

    def _step(self, job: Job, *, at: float, patience: float) -> Next:
        try:
            if job.step is Step.TAKE:
                return self._take(job)
            if job.step is Step.OPEN:
                return self._open(job, at)
            if job.step is Step.LOOK_UP:
                return self._look_up(job, at)
            return self._post(job, at)
        except LeaseLost:
            log.info("Outbox row %s was taken over by another process", job.id)
            return Next.DONE
        except SlackApiError as error:
            return self._slack_refused(job, error, patience)
        except NotFoundYet:
            return self._failed_attempt(job, "could not tell whether it was posted")
        except (SlackClientError, OSError) as error:
            return self._failed_attempt(job, f"Slack could not be reached: {error}")
        except Exception as error:  # a bug of ours, a row core cannot read: the others go on
            log.exception("Outbox row %s failed at %s", job.id, job.step.value)
            return self._failed_attempt(job, f"error in advisor-bot: {error!r}")

    # --- the steps

    def _take(self, job: Job) -> Next:
        """Take the row (its own transaction, short: other processes take theirs meanwhile, and
        a failure after it is counted against it), then ask its purpose what to post now."""
        with self._transaction() as session:
            if not outbox.take(session, row_id=job.id, process=self.process, now=self.clock.now()):
                return Next.DONE  # another process has it, or it is not due after all
        job.leased_at = self.pacing.now()
        prepared = self._prepare(job)
        if prepared is None:
            log.error("Outbox row %s has a purpose nobody renders: %r", job.id, job.row.purpose)
            job.purpose = NO_PURPOSE
            return self._give_up(job, f"unknown purpose {job.row.purpose!r}", gone=False)
        if isinstance(prepared, Ready):
            if self.clients(job.team_id) is None:
                return self._stop_workspace(job, NOT_INSTALLED)
            job.message, job.replace = prepared.message, prepared.replace
            job.upload = prepared.upload
            job.step = self._after_open(job)
            return Next.AGAIN
        if isinstance(prepared, Gone):
            return self._give_up(job, prepared.error, gone=True)
        with self._transaction() as session:
            mine = {"row_id": job.id, "process": self.process, "why": prepared.why}
            if isinstance(prepared, Later):
                outbox.release(session, **mine, at=prepared.at)
            else:
                outbox.skip(session, **mine, now=self.clock.now())
        return Next.DONE

    def _prepare(self, job: Job) -> Prepared | None:
        """The row as stored, the DM already known for its person, and what its purpose says
        (None when no purpose renders it), read in one transaction."""
        with self._transaction() as session:
            job.row = row = outbox.read(session, row_id=job.id)
            if row.target_user and not row.channel_id:
                known = outbox.dm_channel(session, team_id=row.team_id, user_id=row.target_user)
                if known:
                    outbox.note_channel(
                        session, row_id=row.id, process=self.process, channel_id=known
                    )
                    row.channel_id = known
            job.purpose = self.purposes.get(row.purpose)
            if job.purpose is None:
                return None
            return job.purpose.prepare(session, row=row, now=self.clock.now())

    @staticmethod
    def _after_open(job: Job) -> Step:
        row = job.row
        if not row.channel_id and (row.target_user or outbox.group_of(row)):
            return Step.OPEN
        return Step.LOOK_UP if row.may_be_posted and not job.replace else Step.POST

    def _open(self, job: Job, at: float) -> Next:
        row = job.row
        users = row.target_user or ",".join(outbox.group_of(row))
        answer = self._call(job, "conversations_open", at, users=users)
        row.channel_id = job.opened = answer["channel"]["id"]  # saved with the next renewal
        job.step = self._after_open(job)
        return Next.AGAIN

    def _look_up(self, job: Job, at: float) -> Next:
        """After a post whose answer was lost: Slack's history decides whether it went out. The
        post is looked for around the moment it was sent; a look-up that cannot finish is a
        failed attempt, never a reason to post again."""
        row = job.row
        where = {"channel": row.channel_id, "include_all_metadata": True}
        if row.post_tried_at is None:  # a row from before the outbox: any time since it was made
            where["oldest"] = f"{row.created_at.timestamp() - 60:.6f}"
        else:
            where["oldest"] = f"{(row.post_tried_at - LOOK_AROUND).timestamp():.6f}"
            where["latest"] = f"{(row.post_tried_at + LOOK_AROUND).timestamp():.6f}"
        method = "conversations_history"
        if row.thread_ts:
            method, where["ts"] = "conversations_replies", row.thread_ts
        cursor = None
        for _ in range(LOOK_UP_PAGES):
            page = self._call(job, method, at, limit=200, cursor=cursor, **where)
            for message in page.get("messages") or []:
                if _carries(message, row.id) or _shows(message, job.upload):
                    return self._posted(job, row.channel_id, message["ts"], found=True)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
            at = self.pacing.free_at(job.team_id, READ)
            if at > self.pacing.now():
                self.sleep(at - self.pacing.now())
        else:
            raise NotFoundYet(row.id)
        with self._transaction() as session:
            outbox.not_posted(session, row_id=row.id, process=self.process)
        job.step = Step.POST
        return Next.AGAIN

    def _post(self, job: Job, at: float) -> Next:
        row = job.row
        if job.upload:
            return self._upload(job, at)
        if job.replace:
            return self._replace(job, at)
        metadata = {"event_type": METADATA_TYPE, "event_payload": {"outbox": row.id}}
        answer = self._call(
            job,
            "chat_postMessage",
            at,
            channel=row.channel_id,
            thread_ts=row.thread_ts,
            metadata=metadata,
            **job.message,
        )
        return self._posted(job, answer["channel"], answer["ts"])

    def _upload(self, job: Job, at: float) -> Next:
        """Share a file: an upload URL, the bytes, then files.completeUploadExternal with the
        conversation's id (three calls in one, booked as one post). Its answer carries no
        message metadata: a retry after a lost answer looks for the file by its title and
        filename instead (`_shows`). Slack's answer names the file, not always the message
        it made: the file's id is recorded where the message's ts is not known."""
        row, upload = job.row, job.upload
        answer = self._call(
            job,
            "files_upload_v2",
            at,
            channel=row.channel_id,
            thread_ts=row.thread_ts,
            file=upload.bytes(),
            filename=upload.filename,
            title=upload.title,
            alt_txt=upload.alt_text,
            initial_comment=upload.comment,
        )
        return self._posted(job, row.channel_id, _shared_at(answer, row.channel_id))

    def _replace(self, job: Job, at: float) -> Next:
        """Update a message in place, rendered again right before (another process may have
        changed what it shows since this row was taken: the latest state is what lands)."""
        prepared = self._prepare(job)
        if not isinstance(prepared, Ready) or prepared.replace != job.replace:
            with self._transaction() as session:
                why = getattr(prepared, "why", "nothing left to show")
                outbox.skip(
                    session, row_id=job.id, process=self.process, why=why, now=self.clock.now()
                )
            return Next.DONE
        answer = self._call(
            job, "chat_update", at, channel=job.row.channel_id, ts=job.replace, **prepared.message
        )
        return self._posted(job, answer["channel"], answer["ts"])

    def _call(self, job: Job, method: str, at: float, **args):
        """A Web API call for a row whose lease this process still holds (renewed first, unless
        it was taken or renewed a moment ago), booked against its workspace's budget for that
        kind of call. A post is always noted first: its answer may be lost."""
        posting = method in POSTS  # an update is the same done twice
        if posting or job.opened or self.pacing.now() - job.leased_at > FRESH_LEASE:
            self._renew(job, posting=posting)
        kind = KIND[job.step]
        self.pacing.book(job.team_id, kind, at, job.lane if posting else None)
        answer = getattr(self.clients(job.team_id), method)(**args)
        self.pacing.accepted(job.team_id, kind)
        job.limited = 0
        return answer

    def _renew(self, job: Job, *, posting: bool) -> None:
        """Extend the lease, in one transaction with the DM just opened (if any) and, before a
        post, the note that it is going out."""
        with self._transaction() as session:
            mine = {"row_id": job.id, "process": self.process}
            if not outbox.renew(session, **mine, now=self.clock.now(), posting=posting):
                raise LeaseLost(job.id)
            row = job.row
            if job.opened:
                outbox.note_channel(session, **mine, channel_id=job.opened)
            if job.opened and row.target_user:  # a person's DM is opened once; a group's is not
                outbox.remember_dm(
                    session, team_id=row.team_id, user_id=row.target_user, channel_id=job.opened
                )
        job.opened, job.leased_at = None, self.pacing.now()

    # --- how a row ends

    def _posted(self, job: Job, channel: str, ts: str, *, found: bool = False) -> Next:
        """Slack has the message: record it sent, in one transaction with what that means for
        its purpose. Should that meaning fail to be recorded (a locked database), the row is
        tried again: its look-up finds the message and records both, once."""
        now = self.clock.now()
        try:
            with self._transaction() as session:
                if outbox.posted(
                    session, row_id=job.id, process=self.process, channel_id=channel, ts=ts, now=now
                ):
                    job.row.channel_id, job.row.ts = channel, ts  # where it went, for the purpose
                    job.follow_ups = job.purpose.posted(session, row=job.row, now=now)
        except Exception as error:
            log.exception("Outbox row %s was posted; what that means could not be recorded", job.id)
            if job.row.attempts + 1 < outbox.MAX_ATTEMPTS:
                return self._failed_attempt(job, f"posted, but not recorded: {error!r}")
            with self._transaction() as session:  # out of attempts: sent, said without it
                outbox.posted(
                    session, row_id=job.id, process=self.process, channel_id=channel, ts=ts, now=now
                )
        how = "Found in Slack (posted before its answer was lost)" if found else "Sent"
        log.info("%s: outbox row %s, %s", how, job.id, _about(job.row, channel))
        return Next.DONE

    def _give_up(self, job: Job, error: str, *, gone: bool) -> Next:
        said = "refused for good" if gone else "gave up on"
        log.warning("Slack %s outbox row %s, %s: %s", said, job.id, _about(job.row), error)

        def record(session: Session, *, with_purpose: bool) -> list[int]:
            now = self.clock.now()
            if not outbox.give_up(
                session, row_id=job.id, process=self.process, error=error, now=now, gone=gone
            ):
                return []  # not ours any more: whoever holds it decides
            if not with_purpose:
                return []
            return job.purpose.failed(session, row=job.row, error=error, gone=gone, now=now)

        job.follow_ups = self._with_purpose(job, record, "what failing means")
        return Next.DONE

    def _failed_attempt(self, job: Job, error: str, *, not_posted: bool = False) -> Next:
        """A transient failure: a later attempt, after a back-off, or failed for good once
        the attempts are used up."""

        def record(session: Session, *, with_purpose: bool) -> list[int]:
            now = self.clock.now()
            attempt = outbox.failed_attempt(
                session,
                row_id=job.id,
                process=self.process,
                now=now,
                error=error,
                not_posted=not_posted,
            )
            if attempt is not None:
                _log_attempt(job, attempt, error)
            if attempt is None or attempt.state != OutboxState.FAILED or not with_purpose:
                return []
            if job.row is None:
                return []
            return job.purpose.failed(session, row=job.row, error=error, gone=False, now=now)

        job.follow_ups = self._with_purpose(job, record, "what failing means")
        return Next.DONE

    def _with_purpose(self, job: Job, record, what: str) -> list[int]:
        """Record the row's end with what it means for its purpose, in one transaction; should
        the purpose fail, the end is recorded without it (and the failure logged)."""
        try:
            with self._transaction() as session:
                return record(session, with_purpose=True)
        except Exception:
            log.exception("Outbox row %s: %s could not be recorded", job.id, what)
            with self._transaction() as session:
                return record(session, with_purpose=False)

    def _leave(self, job: Job, why: str, *, after: float) -> None:
        """Not in this run: a taken row goes back, for whoever may send it first once `after`
        seconds have passed."""
        if job.row is None:
            return
        with self._transaction() as session:
            outbox.release(
                session,
                row_id=job.id,
                process=self.process,
                at=self.clock.now() + timedelta(seconds=after),
                why=why,
            )

    # --- what Slack refused

    def _slack_refused(self, job: Job, error: SlackApiError, patience: float) -> Next:
        status = error.response.status_code
        code = str(error.response.get("error") or f"HTTP {status}")
        if status == 429:
            return self._rate_limited(job, retry_after(error.response.headers), patience)
        if code in TOKEN and self._token_refused(job):
            return self._stop_workspace(job, code)
        if job.step is Step.LOOK_UP:  # unknown whether it went out: never given up at once
            return self._failed_attempt(job, f"could not look for the message: {code}")
        if code == "channel_not_found" and job.row.target_user and not job.reopened:
            return self._open_afresh(job)
        if code in GONE or code == "account_inactive":
            return self._give_up(job, code, gone=True)
        if job.upload is not None and code in NO_UPLOADS:  # waiting changes nothing: say it now
            log.error(
                "Slack refuses file uploads in workspace %s (%s): reinstall the app to grant "
                "files:write, or allow uploads; the purpose goes on without its file",
                job.team_id,
                code,
            )
            return self._give_up(job, code, gone=False)
        answered = status < 500 and job.step is Step.POST  # nothing was posted, Slack said so
        if code in TRANSIENT or status >= 500 or code in TOKEN:
            said = f"Slack answered {code} (HTTP {status})"
            return self._failed_attempt(job, said, not_posted=answered)
        return self._give_up(job, code, gone=False)

    def _open_afresh(self, job: Job) -> Next:
        """The DM known for this person was refused: open it again, once, before believing it."""
        job.reopened = True
        with self._transaction() as session:
            outbox.forget_dm(session, team_id=job.team_id, user_id=job.row.target_user)
            if job.step is Step.POST:
                outbox.not_posted(session, row_id=job.id, process=self.process)
            outbox.forget_channel(session, row_id=job.id, process=self.process)
        job.row.channel_id = None
        job.row.may_be_posted = job.row.may_be_posted and job.step is not Step.POST
        job.step = Step.OPEN
        return Next.AGAIN

    def _rate_limited(self, job: Job, seconds: float, patience: float) -> Next:
        """429: this workspace's calls of this kind wait (and slow down); a long wait is left
        to a later tick, with every process holding off the workspace's posts until then. Only
        a 429 on the post itself says that nothing was posted."""
        kind = KIND[job.step]
        self.pacing.hold(job.team_id, kind, seconds)
        job.limited += 1
        log.warning(
            "Slack rate-limited %s in workspace %s; waiting %s s", kind, job.team_id, seconds
        )
        on_the_post = job.step is Step.POST
        if seconds <= patience and job.limited <= MAX_429_IN_A_ROW:
            if on_the_post:
                with self._transaction() as session:
                    outbox.not_posted(session, row_id=job.id, process=self.process)
                job.row.may_be_posted = False
            return Next.AGAIN
        now = self.clock.now()
        until = now + timedelta(seconds=seconds)
        with self._transaction() as session:
            if seconds > patience and kind == POST:
                workspaces.hold(session, team_id=job.team_id, until=until, now=now)
            outbox.release(
                session,
                row_id=job.id,
                process=self.process,
                at=until,
                why=f"Slack asked to wait ({kind})",
                not_posted=on_the_post,
            )
        return Next.DONE

    def _token_refused(self, job: Job) -> bool:
        """Whether Slack refuses the workspace's token itself (auth.test says so too)."""
        try:
            refused = self._refusal(job.team_id)
        except (SlackClientError, OSError):
            return False  # cannot tell: a transient failure, for now
        return refused is not None and (refused in TOKEN or refused == NOT_INSTALLED)

    def _refusal(self, team_id: str) -> str | None:
        """Why auth.test refuses the workspace's token (None: it works); raises when Slack
        cannot be asked."""
        client = self.clients(team_id)
        if client is None:
            return NOT_INSTALLED
        try:
            client.auth_test()
        except SlackApiError as error:
            return str(error.response.get("error"))
        return None

    def _stop_workspace(self, job: Job, code: str) -> Next:
        # With installs through OAuth, a revoked token is an uninstall (bot/installs.py):
        # its tokens are deleted and nothing is sent there unless the app is installed again.
        revoked = getattr(self.clients, "revoked", None)
        removed = revoked is not None and revoked(job.team_id, code)
        if not removed:
            log.error(
                "Slack refuses the token of workspace %s (%s): nothing is sent to it until it "
                "works again (checked every few minutes)",
                job.team_id,
                code,
            )
        now = self.clock.now()
        with self._transaction() as session:
            if not removed:
                workspaces.token_refused(session, team_id=job.team_id, error=code, now=now)
            outbox.release(
                session,
                row_id=job.id,
                process=self.process,
                at=now,
                why=f"the workspace's token is refused ({code})",
                not_posted=job.step is Step.POST,
            )
        return Next.STOP_WORKSPACE

    def check_tokens(self) -> None:
        """Ask Slack again about each workspace whose token was refused, when its time comes
        (all of them on this process's first tick: it may have started with a new token)."""
        first, self._checked_tokens = not self._checked_tokens, True
        with self._transaction() as session:
            teams = workspaces.to_check(session, now=self.clock.now(), all_refused=first)
        for team_id in teams:
            try:
                refused = self._refusal(team_id)
            except (SlackClientError, OSError) as error:
                refused = f"unknown: Slack could not be asked ({error})"
            with self._transaction() as session:
                now = self.clock.now()
                if refused is None:
                    workspaces.token_works(session, team_id=team_id, now=now)
                else:
                    again = workspaces.still_refused(session, team_id=team_id, now=now)
            if refused is None:
                log.warning("The token of workspace %s works again: sending resumes", team_id)
            else:
                log.warning(
                    "The token of workspace %s is still refused (%s); asking Slack again at %s",
                    team_id,
                    refused,
                    again.isoformat(timespec="seconds"),
                )

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session


def _about(row: Outbox | None, channel: str | None = None) -> str:
    """A row as an operator reads it in a log line: what, where, for whom."""
    if row is None:
        return "(not readable)"
    where = channel or row.channel_id or (f"DM with {row.target_user}" if row.target_user else "?")
    if row.thread_ts:
        where += f" (thread {row.thread_ts})"
    whose = f" for {row.owner_id}" if row.owner_id else ""
    return f"{row.purpose} to {where}{whose} in {row.team_id}"


def _log_attempt(job: Job, attempt: outbox.Attempt, error: str) -> None:
    if attempt.state == OutboxState.FAILED:
        log.error(
            "Outbox row %s failed for good after %s attempts, %s: %s",
            job.id,
            attempt.number,
            _about(job.row),
            error,
        )
        return
    log.warning(
        "Outbox row %s, attempt %s of %s failed (%s); next try at %s",
        job.id,
        attempt.number,
        outbox.MAX_ATTEMPTS,
        error,
        attempt.next_try_at.isoformat(timespec="seconds"),
    )


def _carries(message: dict, row_id: int) -> bool:
    """Whether a message in Slack is this row's post (found by its metadata)."""
    meta = message.get("metadata") or {}
    payload = meta.get("event_payload") or {}
    if meta.get("event_type") == METADATA_TYPE:
        return payload.get("outbox") == row_id
    return meta.get("event_type") == LEGACY_METADATA and payload.get("delivery") == row_id


def _shows(message: dict, upload: Upload | None) -> bool:
    """Whether a message in Slack shares this upload (a file of its title and filename)."""
    if upload is None:
        return False
    return any(
        file.get("title") == upload.title and file.get("name") == upload.filename
        for file in message.get("files") or []
    )


def _shared_at(answer, channel: str) -> str:
    """The ts of the message sharing an uploaded file when Slack's answer says it (a file's
    shares are filled in as Slack gets to them), else the file's id."""
    [file, *_] = answer.get("files") or [{}]
    shares = file.get("shares") or {}
    for where in ("private", "public"):
        for share in (shares.get(where) or {}).get(channel) or []:
            if share.get("ts"):
                return str(share["ts"])
    return str(file.get("id") or "")
