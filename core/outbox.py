"""The outbox: every message the bot posts on its own is a row, claimed once by its unique key
(workspace, purpose, key). Whichever process takes a row holds its lease while it talks to
Slack and renews it before every call; a row whose lease ran out is anyone's again. Failures
are counted and retried with back-off until MAX_ATTEMPTS, then the row is recorded as failed.
Slack-free: bot/delivery/sender.py does the talking, and each purpose says what to render."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, or_, update
from sqlmodel import Session, col, select

from core.db import insert_new, reader
from core.models import DmChannel, Outbox, OutboxState, Workspace

LEASE = timedelta(minutes=5)  # a row taken but not finished by then is anyone's again
MAX_ATTEMPTS = 8  # failed attempts (1, 2, 4... 30 minutes apart: about two hours in all)
BATCH = 500  # rows the sender looks at per due query
METADATA_TYPE = "advisor_bot_outbox"  # message metadata: how a lost post is found again
LIVE = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True)
class Target:
    """Where a message goes: a DM with a person, a group DM with a few (opened when sent), a
    conversation, or a thread in one."""

    user: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    group: tuple[str, ...] = ()

    @classmethod
    def group_dm(cls, user_ids) -> "Target":
        return cls(group=tuple(sorted(user_ids)))

    @classmethod
    def dm(cls, user_id: str) -> "Target":
        return cls(user=user_id)

    @classmethod
    def conversation(cls, channel_id: str, thread_ts: str | None = None) -> "Target":
        return cls(channel=channel_id, thread_ts=thread_ts)


@dataclass(frozen=True)
class Due:
    """A row the sender may take now: which workspace it paces against, and its lane (the
    conversation Slack's one-message-a-second applies to)."""

    id: int
    team_id: str
    lane: str


@dataclass
class Health:
    """What an operator sees in /healthz: failures are worth a look (out of attempts, or a
    message Slack rejects); refusals are expected (someone left, a channel was archived)."""

    failed: int = 0
    failed_last_day: int = 0
    refused_last_day: int = 0
    overdue: int = 0  # due more than OVERDUE ago and still not sent
    paused_workspaces: list[str] = field(default_factory=list)
    uninstalled_workspaces: list[str] = field(default_factory=list)  # data kept until deleted


OVERDUE = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """A failed attempt, recorded: the row's state after it, its number, the next try."""

    state: str
    number: int
    next_try_at: datetime | None


@dataclass(frozen=True)
class Wait:
    """A purpose's core decision: not yet (the person's window is closed): from `at`."""

    at: datetime
    why: str


@dataclass(frozen=True)
class Skip:
    """A purpose's core decision: nothing to send any more, and why."""

    why: str


def enqueue(
    session: Session,
    *,
    team_id: str,
    purpose: str,
    key: str,
    target: Target,
    now: datetime,
    owner_id: str | None = None,
    payload: dict | None = None,
    not_before: datetime | None = None,
) -> int | None:
    """Decide to post a message: its row's id, or None when this decision was already taken
    (by this process or another, now or earlier)."""
    start = not_before or now
    return insert_new(
        session,
        Outbox,
        {
            "team_id": team_id,
            "purpose": purpose,
            "key": key[:200],
            "owner_id": owner_id,
            "target_user": target.user,
            "channel_id": target.channel,
            "thread_ts": target.thread_ts,
            "payload": (payload or {}) | ({"group": list(target.group)} if target.group else {}),
            "state": OutboxState.PENDING,
            "not_before": start,
            "next_try_at": start,
            "attempts": 0,
            "may_be_posted": False,
            "created_at": now,
        },
        unique=["team_id", "purpose", "key"],
    )


def find(session: Session, *, team_id: str, purpose: str, key: str) -> Outbox | None:
    query = select(Outbox).where(
        Outbox.team_id == team_id, Outbox.purpose == purpose, Outbox.key == key
    )
    return session.exec(query).first()


ENDED_BADLY = (OutboxState.FAILED, OutboxState.REFUSED)
_AGAIN = {"state": OutboxState.PENDING, "attempts": 0, "last_error": None, "ended_at": None}


def rearm(session: Session, *, row_id: int, now: datetime) -> bool:
    """Give a failed or refused row a new series of attempts (the member asked again)."""
    done = session.execute(
        update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.state).in_(ENDED_BADLY))
        .values(next_try_at=now, **_AGAIN)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def reachable_again(
    session: Session, *, team_id: str, user_id: str, now: datetime, since: timedelta
) -> int:
    """The person Slack refused to reach is back (they used the bot): their refused rows of
    the last `since` go out again, each re-read by its purpose (what was dealt with since is
    skipped). Returns how many."""
    done = session.execute(
        update(Outbox)
        .where(
            Outbox.team_id == team_id,
            Outbox.target_user == user_id,
            Outbox.state == OutboxState.REFUSED,
            col(Outbox.ended_at) >= now - since,
        )
        .values(next_try_at=now, channel_id=None, **_AGAIN)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount


def _blocked(now: datetime):
    """The workspace of the row is waiting out a Retry-After, its token was refused, or the app
    was uninstalled from it."""
    return exists().where(
        Workspace.team_id == Outbox.team_id,
        or_(
            col(Workspace.hold_until) > now,
            col(Workspace.token_error).is_not(None),
            col(Workspace.uninstalled_at).is_not(None),
        ),
    )


_DUE_COLUMNS = (Outbox.id, Outbox.team_id, Outbox.channel_id, Outbox.target_user)


def _as_due(row) -> Due:
    return Due(row.id, row.team_id, row.channel_id or f"@{row.target_user or row.id}")


def group_of(row: Outbox) -> list[str]:
    """The people of a group DM not opened yet (empty for any other target)."""
    return list((row.payload or {}).get("group") or [])


def due(
    session: Session, *, now: datetime, limit: int = BATCH, except_teams: Collection[str] = ()
) -> list[Due]:
    """Rows any process may take now, most overdue first: new ones, retries whose time has
    come, leases that ran out. Rows of a workspace that must not be sent to are left out, and
    those of `except_teams` (the sender has enough of theirs in hand)."""
    query = (
        select(*_DUE_COLUMNS)
        .where(col(Outbox.next_try_at) <= now, ~_blocked(now))
        .order_by(Outbox.next_try_at, Outbox.id)
        .limit(limit)
    )
    if except_teams:
        query = query.where(col(Outbox.team_id).not_in(sorted(except_teams)))
    return [_as_due(row) for row in reader(session).execute(query)]


def take(session: Session, *, row_id: int, process: str, now: datetime) -> bool:
    """Take the row for one attempt, with a lease; False when it is not due or another process
    has it (or its workspace must not be sent to)."""
    taken = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == row_id,
            col(Outbox.state).in_(LIVE),
            col(Outbox.next_try_at) <= now,
            ~_blocked(now),
        )
        .values(state=OutboxState.SENDING, claimed_by=process, next_try_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def read(session: Session, *, row_id: int) -> Outbox:
    """The row as stored now, detached: a plain value (changes go through this module)."""
    row = session.exec(
        select(Outbox).where(Outbox.id == row_id).execution_options(populate_existing=True)
    ).one()
    session.expunge(row)
    return row


def _mine(session: Session, row_id: int, process: str, **values) -> bool:
    """Change a row this process still holds; False when its lease was lost."""
    done = session.execute(
        update(Outbox)
        .where(
            col(Outbox.id) == row_id,
            Outbox.state == OutboxState.SENDING,
            col(Outbox.claimed_by) == process,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def renew(
    session: Session, *, row_id: int, process: str, now: datetime, posting: bool = False
) -> bool:
    """Extend the lease before a call to Slack; with `posting`, note that a post is going out
    (now) whose answer may be lost. False when another process took the row over."""
    values: dict = {"next_try_at": now + LEASE}
    if posting:
        values |= {"may_be_posted": True, "post_tried_at": now}
    return _mine(session, row_id, process, **values)


def note_channel(session: Session, *, row_id: int, process: str, channel_id: str) -> bool:
    """The conversation a DM goes to, kept so a retry looks for the message there first."""
    return _mine(session, row_id, process, channel_id=channel_id)


def posted(
    session: Session, *, row_id: int, process: str, channel_id: str, ts: str, now: datetime
) -> bool:
    return _mine(
        session,
        row_id,
        process,
        state=OutboxState.SENT,
        channel_id=channel_id,
        ts=ts,
        sent_at=now,
        ended_at=now,
        next_try_at=None,
        may_be_posted=False,
        last_error=None,
    )


def release(
    session: Session,
    *,
    row_id: int,
    process: str,
    at: datetime,
    why: str,
    not_posted: bool = False,
) -> bool:
    """Not now, and not a failure (the member's window is closed, Slack asked to wait, the
    workspace's token is refused): any process may take it again from `at`. With
    `not_posted`, Slack said for sure the last post did not go out."""
    values: dict = {"state": OutboxState.PENDING, "next_try_at": at, "last_error": why[:200]}
    if not_posted:
        values["may_be_posted"] = False
    return _mine(session, row_id, process, **values)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4... minutes after each failed attempt, half an hour at most."""
    return timedelta(minutes=min(30, 2 ** max(0, attempts - 1)))


def failed_attempt(
    session: Session,
    *,
    row_id: int,
    process: str,
    now: datetime,
    error: str,
    not_posted: bool = False,
) -> "Attempt | None":
    """A transient failure (Slack down, a timeout, a row that cannot be read or rendered): tried
    again after a back-off, or recorded as failed once MAX_ATTEMPTS are used. Returns what
    became of the row, or None when this process no longer holds it (nothing changed)."""
    done = session.execute(select(Outbox.attempts).where(Outbox.id == row_id)).scalar()
    attempts = (done or 0) + 1
    values: dict = {"attempts": attempts, "last_error": error[:200]}
    if not_posted:
        values["may_be_posted"] = False
    if attempts >= MAX_ATTEMPTS:
        values |= {"state": OutboxState.FAILED, "next_try_at": None, "ended_at": now}
    else:
        values |= {"state": OutboxState.PENDING, "next_try_at": now + backoff(attempts)}
    if not _mine(session, row_id, process, **values):
        return None
    return Attempt(values["state"], attempts, values["next_try_at"])


def give_up(
    session: Session,
    *,
    row_id: int,
    process: str,
    error: str,
    now: datetime,
    gone: bool = False,
) -> bool:
    """Ended for good: refused (`gone`: the person left, the channel was archived), or failed
    (a message Slack rejects). False when this process no longer holds the row."""
    return _mine(
        session,
        row_id,
        process,
        state=OutboxState.REFUSED if gone else OutboxState.FAILED,
        next_try_at=None,
        ended_at=now,
        last_error=error[:200],
    )


def skip(session: Session, *, row_id: int, process: str, why: str, now: datetime) -> bool:
    """Nothing left to say by the time its turn came."""
    return _mine(
        session,
        row_id,
        process,
        state=OutboxState.SKIPPED,
        next_try_at=None,
        ended_at=now,
        last_error=why[:200],
    )


def health(session: Session, *, now: datetime) -> Health:
    count = select(func.count()).select_from(Outbox)
    failed = count.where(Outbox.state == OutboxState.FAILED)
    recent = failed.where(col(Outbox.ended_at) >= now - timedelta(days=1))
    refused = count.where(
        Outbox.state == OutboxState.REFUSED, col(Outbox.ended_at) >= now - timedelta(days=1)
    )
    overdue = (
        select(func.count())
        .select_from(Outbox)
        .where(col(Outbox.next_try_at) <= now - OVERDUE, ~_blocked(now))
    )
    paused = select(Workspace.team_id).where(col(Workspace.token_error).is_not(None))
    removed = select(Workspace.team_id).where(col(Workspace.uninstalled_at).is_not(None))
    return Health(
        failed=session.execute(failed).scalar_one(),
        failed_last_day=session.execute(recent).scalar_one(),
        refused_last_day=session.execute(refused).scalar_one(),
        overdue=session.execute(overdue).scalar_one(),
        paused_workspaces=sorted(session.exec(paused)),
        uninstalled_workspaces=sorted(session.exec(removed)),
    )


def not_posted(session: Session, *, row_id: int, process: str) -> bool:
    """Slack said for sure no post went out (a 429 on the post, or the message is not there)."""
    return _mine(session, row_id, process, may_be_posted=False)


def forget_channel(session: Session, *, row_id: int, process: str) -> bool:
    """The DM's channel was refused: the row opens it afresh."""
    return _mine(session, row_id, process, channel_id=None)


def states(session: Session, row_ids: list[int]) -> dict[int, str]:
    query = select(Outbox.id, Outbox.state).where(col(Outbox.id).in_(row_ids))
    return {row.id: row.state for row in session.execute(query)}


def due_rows(session: Session, row_ids: list[int]) -> list[Due]:
    """These rows, as the sender looks at them (whether due or not)."""
    found = {
        row.id: row
        for row in session.execute(select(*_DUE_COLUMNS).where(col(Outbox.id).in_(row_ids)))
    }
    return [_as_due(found[i]) for i in row_ids if i in found]


# --- the bot's DM with each person, opened once


def dm_channel(session: Session, *, team_id: str, user_id: str) -> str | None:
    query = select(DmChannel.channel_id).where(
        DmChannel.team_id == team_id, DmChannel.user_id == user_id
    )
    return session.exec(query).first()


def remember_dm(session: Session, *, team_id: str, user_id: str, channel_id: str) -> None:
    values = {"team_id": team_id, "user_id": user_id, "channel_id": channel_id}
    insert_new(session, DmChannel, values, unique=["team_id", "user_id"])


def forget_dm(session: Session, *, team_id: str, user_id: str) -> None:
    """The DM Slack gave once is refused now: open it afresh next time."""
    session.execute(
        delete(DmChannel).where(DmChannel.team_id == team_id, DmChannel.user_id == user_id)
    )


def stored_message(session: Session, *, team_id: str, owner_id: str, channel: str, ts: str) -> bool:
    """Whether the bot posted this Slack message for this member as an outbox row (a nudge, a
    welcome, a preview): such a message is only ever changed from its row."""
    query = select(Outbox.id).where(
        Outbox.team_id == team_id,
        Outbox.owner_id == owner_id,
        Outbox.channel_id == channel,
        Outbox.ts == ts,
    )
    return session.exec(query.limit(1)).first() is not None
