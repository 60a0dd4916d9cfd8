"""Deleting data for good: a member's whole record (`/advisor forget me`), and a whole workspace's
(after an uninstall's grace period).

`forget_member` deletes every row of one member in every table that can hold one (FORGETTING:
each table with how its member's rows are found), children before parents, and answers how many
rows of each table went; `what_forget_deletes` counts the same rows without touching them (the
confirmation says it). A circle the member set up is the team's: it stays, handed to its
facilitator, else to whoever has been in it longest; with nobody left in it, it is archived with
no owner. A trio of learning partners becomes a pair; a pair is deleted. Their challenges'
messages in circle channels are replaced by a line saying they were removed (REMOVED_POST), and
the replies in those threads are forgotten with them. Rows of other members stay, save the
messages the bot was to send to the member (an update another member sends on, a group DM of
learning partners). Tables that hold nobody's data are NOT_PERSONAL, with why.

`forget_workspace` deletes every row of one workspace in every table (by its team_id, or through
the parent that has it: VIA_PARENT), children first, a chunk at a time, each chunk committed: call
it outside any transaction of the caller's, and again after a crash (it finishes the job). Tables
with no workspace in them are NO_WORKSPACE, with why."""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, Table, cast, delete, false, func, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, SQLModel, col, select

from core import outbox
from core.circles import CHECK_IN
from core.models import (
    Advisor,
    AdvisorGoal,
    BoardImport,
    Challenge,
    ChallengeReply,
    CheckInAway,
    Circle,
    CircleMember,
    CircleState,
    DmChannel,
    Goal,
    Member,
    Nudge,
    Outbox,
    Pairing,
    Promise,
    PromiseEvent,
    Reassessment,
    ReassessmentAnswer,
    Schedule,
    Touchpoint,
    Wakeup,
)

CHUNK = 500  # ids in one IN list, rows in one deleted chunk of a workspace
# The outbox purpose that blanks a challenge's message in its circle's channel once its author
# is forgotten (bot/delivery/forget.py): the row names the message, never the person.
REMOVED_POST = "forgotten_post"

NOT_PERSONAL = {
    "workspace": "the workspace's sending state (held, token refused, uninstalled): no person",
    "seenevent": "digests of requests already handled, kept a day: no person or text in them",
    "checkin": "a circle's occurrence (when, open until, its message): no person",
    "slack_installations": (
        "the workspace's install (its user_id is whoever installed the app): deleting it would "
        "uninstall the bot for the whole team; it goes with the install, on uninstall"
    ),
    "slack_bots": "the workspace's bot token: the bot's own user, no member",
    "slack_oauth_states": "OAuth states of installs under way, minutes long: no person",
}


@dataclass(frozen=True)
class Mine:
    """Ids of the member's rows that rows of other tables hang off (found before any delete)."""

    team_id: str
    user_id: str
    advisors: list[int]
    promises: list[int]
    reassessments: list[int]
    goals: list[int]
    challenges: list[int]
    outbox: list[int]


def _ids(session: Session, query) -> list[int]:
    return list(session.exec(query))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _in(column, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`, as OR-ed IN lists of at most CHUNK (false when there are none)."""
    if not ids:
        return false()
    return or_(*(col(column).in_(chunk) for chunk in _chunks(ids)))


TOKENS = re.compile(r"[A-Za-z0-9]+")


def _names(user_id: str, row: Outbox) -> bool:
    """Whether an outbox row is to or about the member: theirs, to their DM, to a group DM
    with them, or naming them in its key (`<user>:touch:...`) or payload."""
    if user_id in (row.owner_id, row.target_user):
        return True
    if user_id in TOKENS.findall(row.key or ""):
        return True
    return user_id in TOKENS.findall(json.dumps(row.payload or {}))


def _outbox_rows(session: Session, team_id: str, user_id: str) -> list[int]:
    maybe = select(Outbox).where(
        Outbox.team_id == team_id,
        or_(
            Outbox.owner_id == user_id,
            Outbox.target_user == user_id,
            col(Outbox.key).contains(user_id),
            cast(Outbox.payload, String).contains(user_id),
        ),
    )
    return [row.id for row in session.exec(maybe) if _names(user_id, row)]


def _mine(session: Session, team_id: str, user_id: str) -> Mine:
    owned = {"team_id": team_id, "owner_id": user_id}

    def of(model) -> list[int]:
        return _ids(session, select(model.id).filter_by(**owned))

    return Mine(
        team_id=team_id,
        user_id=user_id,
        advisors=of(Advisor),
        promises=of(Promise),
        reassessments=of(Reassessment),
        goals=of(Goal),
        challenges=_ids(
            session,
            select(Challenge.id).where(
                Challenge.team_id == team_id, Challenge.author_id == user_id
            ),
        ),
        outbox=_outbox_rows(session, team_id, user_id),
    )


def _owned(model) -> Callable[[Mine], ColumnElement[bool]]:
    return lambda m: (model.team_id == m.team_id) & (model.owner_id == m.user_id)


def _theirs(model) -> Callable[[Mine], ColumnElement[bool]]:
    return lambda m: (model.team_id == m.team_id) & (model.user_id == m.user_id)


# Each table holding a member's rows, children before parents: which of its rows are the
# member's. Pairing and circle rows are changed rather than deleted (see the docstring).
DELETED: dict[str, tuple[type[SQLModel], Callable[[Mine], ColumnElement[bool]]]] = {
    "advisorgoal": (
        AdvisorGoal,
        lambda m: or_(_in(AdvisorGoal.advisor_id, m.advisors), _in(AdvisorGoal.goal_id, m.goals)),
    ),
    "touchpoint": (Touchpoint, _owned(Touchpoint)),
    "promiseevent": (PromiseEvent, lambda m: _in(PromiseEvent.promise_id, m.promises)),
    "promise": (Promise, _owned(Promise)),
    "reassessmentanswer": (
        ReassessmentAnswer,
        lambda m: _in(ReassessmentAnswer.reassessment_id, m.reassessments),
    ),
    "reassessment": (Reassessment, _owned(Reassessment)),
    "goal": (Goal, _owned(Goal)),
    "nudge": (Nudge, lambda m: _owned(Nudge)(m) | _in(Nudge.outbox_id, m.outbox)),
    "outbox": (Outbox, lambda m: _in(Outbox.id, m.outbox)),
    "advisor": (Advisor, _owned(Advisor)),
    "wakeup": (Wakeup, _owned(Wakeup)),
    "schedule": (  # their preview's and reassessment's; a circle's is handed over with it
        Schedule,
        lambda m: (
            (Schedule.team_id == m.team_id)
            & (Schedule.purpose != CHECK_IN)
            & ((Schedule.owner_id == m.user_id) | (Schedule.key == m.user_id))
        ),
    ),
    "dmchannel": (DmChannel, _theirs(DmChannel)),
    "challengereply": (  # theirs anywhere, and every reply in their challenges' threads
        ChallengeReply,
        lambda m: _theirs(ChallengeReply)(m) | _in(ChallengeReply.challenge_id, m.challenges),
    ),
    "challenge": (Challenge, lambda m: _in(Challenge.id, m.challenges)),
    "checkinaway": (CheckInAway, _theirs(CheckInAway)),
    "circlemember": (CircleMember, _theirs(CircleMember)),
    "boardimport": (BoardImport, _owned(BoardImport)),  # what they were importing
    "member": (Member, _theirs(Member)),
}
CHANGED = ("pairing", "circle")  # their id taken out (see _pairings and _circles)
FORGETTING = frozenset(DELETED) | frozenset(CHANGED)


def _count(session: Session, model, where: ColumnElement[bool]) -> int:
    return session.execute(select(func.count()).select_from(model).where(where)).scalar_one()


def _their_pairings(session: Session, team_id: str, user_id: str) -> list[Pairing]:
    query = select(Pairing).where(
        Pairing.team_id == team_id, col(Pairing.members).contains(user_id)
    )
    return [p for p in session.exec(query) if user_id in p.members.split(",")]


def _their_circles(session: Session, team_id: str, user_id: str) -> list[Circle]:
    query = select(Circle).where(
        Circle.team_id == team_id,
        (Circle.owner_id == user_id) | (Circle.facilitator_id == user_id),
    )
    return list(session.exec(query))


def what_forget_deletes(session: Session, *, team_id: str, user_id: str) -> dict[str, int]:
    """How many rows of each table `forget_member` would delete (or, for pairings and circles,
    change), without a change; tables with none are left out."""
    mine = _mine(session, team_id, user_id)
    counts = {name: _count(session, model, where(mine)) for name, (model, where) in DELETED.items()}
    counts["pairing"] = len(_their_pairings(session, team_id, user_id))
    counts["circle"] = len(_their_circles(session, team_id, user_id))
    return {name: count for name, count in counts.items() if count}


def _pairings(session: Session, team_id: str, user_id: str) -> int:
    """Learning partners: a trio goes on as a pair, a pair (or someone alone) is deleted."""
    found = _their_pairings(session, team_id, user_id)
    for pairing in found:
        others = [who for who in pairing.members.split(",") if who != user_id]
        if len(others) >= 2:
            pairing.members = ",".join(others)
            session.add(pairing)
        else:
            session.delete(pairing)
    session.flush()
    return len(found)


def _successor(session: Session, circle: Circle, user_id: str) -> str | None:
    """Who runs a circle its owner has left: its facilitator, else whoever has been in it
    longest; None when nobody is left in it."""
    if circle.facilitator_id and circle.facilitator_id != user_id:
        return circle.facilitator_id
    query = (
        select(CircleMember.user_id)
        .where(
            CircleMember.circle_id == circle.id,
            CircleMember.user_id != user_id,
            col(CircleMember.left_at).is_(None),
        )
        .order_by(CircleMember.joined_at, CircleMember.id)
    )
    return session.exec(query).first()


def _circles(session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """Circles they set up or facilitate stay (the team's), without their id."""
    found = _their_circles(session, team_id, user_id)
    for circle in found:
        if circle.owner_id == user_id:
            successor = _successor(session, circle, user_id)
            circle.owner_id = successor or ""
            schedule = session.exec(
                select(Schedule).where(
                    Schedule.team_id == team_id,
                    Schedule.purpose == CHECK_IN,
                    Schedule.key == str(circle.id),
                )
            ).first()
            if schedule is not None:
                schedule.owner_id = successor
                if successor is None:
                    schedule.next_at = None
                session.add(schedule)
            if successor is None:  # nobody is left in it: it ends, its history kept
                circle.state, circle.paused_why = CircleState.ARCHIVED, None
        if circle.facilitator_id == user_id:
            circle.facilitator_id = None
        circle.updated_at = now
        session.add(circle)
    session.flush()
    return len(found)


def _blank_challenges(session: Session, mine: Mine, now: datetime) -> None:
    """Their challenges' messages in circle channels (posted by the bot) say they were removed."""
    if not mine.challenges:
        return
    query = select(Challenge.channel_id, Challenge.ts).where(_in(Challenge.id, mine.challenges))
    for channel_id, ts in session.execute(query):
        if channel_id and ts:
            outbox.enqueue(
                session,
                team_id=mine.team_id,
                purpose=REMOVED_POST,
                key=f"{channel_id}:{ts}",
                target=outbox.Target.conversation(channel_id),
                payload={"ts": ts},
                now=now,
            )


def forget_member(session: Session, *, team_id: str, user_id: str, now: datetime) -> dict[str, int]:
    """Delete every row of the member (the module's docstring says what stays and how): how
    many rows of each table were deleted (pairings and circles: changed); tables with none are
    left out. Doing it again deletes nothing more."""
    mine = _mine(session, team_id, user_id)
    _blank_challenges(session, mine, now)
    done = {"pairing": _pairings(session, team_id, user_id)}
    done["circle"] = _circles(session, team_id, user_id, now)
    for name, (model, where) in DELETED.items():
        done[name] = session.execute(
            delete(model).where(where(mine)).execution_options(synchronize_session=False)
        ).rowcount
    session.expire_all()
    return {name: count for name, count in done.items() if count}


# --- a whole workspace

VIA_PARENT: dict[str, tuple[type[SQLModel], str, type[SQLModel]]] = {
    # a table with no team_id of its own: (its model, the column naming its parent, the parent)
    "advisorgoal": (AdvisorGoal, "advisor_id", Advisor),
    "promiseevent": (PromiseEvent, "promise_id", Promise),
    "reassessmentanswer": (ReassessmentAnswer, "reassessment_id", Reassessment),
}
NO_WORKSPACE = {
    "seenevent": "digests of requests already handled, kept a day (bot.event_dedup forgets them)",
    "slack_oauth_states": "OAuth states of installs under way, minutes long, before any team",
}


class Stopped(Exception):
    """A workspace's deletion was called off between two chunks (it was installed again)."""


def _table_rows(session: Session, table: Table, where, chunk: int, still=None) -> int:
    """Delete the rows of `table` that `where` selects, `chunk` at a time, each committed;
    `still(session)` is asked at the start of each chunk's transaction (Stopped when False)."""
    keys = list(table.primary_key.columns)
    deleted = 0
    while True:
        found = session.execute(select(*keys).where(where).limit(chunk)).all()
        if not found:
            return deleted
        if still is not None and not still(session):
            session.rollback()
            raise Stopped(table.name)
        if len(keys) == 1:
            matched = keys[0].in_([row[0] for row in found])
        else:
            matched = or_(*((keys[0] == row[0]) & (keys[1] == row[1]) for row in found))
        deleted += session.execute(delete(table).where(matched)).rowcount
        session.commit()


LAST = "workspace"  # the row saying a workspace's data is to go (core/workspaces.py)


def _workspace_order() -> list[Table]:
    """Children before parents; the workspace's own row last, so that a deletion cut short
    (a crash, a deploy) leaves the row that says its data is to go, and is done again."""
    tables = list(reversed(SQLModel.metadata.sorted_tables))
    return [t for t in tables if t.name != LAST] + [t for t in tables if t.name == LAST]


def forget_workspace(
    session: Session,
    *,
    team_id: str,
    chunk: int = CHUNK,
    keep: frozenset[str] = frozenset(),
    still: Callable[[Session], bool] | None = None,
) -> dict[str, int]:
    """Delete every row of the workspace in every table (the module's docstring) but those of
    `keep`: how many rows of each table went; tables with none are left out. Commits as it
    goes; with `still`, stops (Stopped) at the first chunk where it says no."""
    done: dict[str, int] = {}
    for table in _workspace_order():
        if table.name in NO_WORKSPACE or table.name in keep:
            continue
        if table.name in VIA_PARENT:
            model, column, parent = VIA_PARENT[table.name]
            parents = select(parent.id).where(parent.team_id == team_id)
            where = getattr(model, column).in_(parents)
        else:
            where = table.c.team_id == team_id
        done[table.name] = _table_rows(session, table, where, chunk, still)
    session.commit()
    return {name: count for name, count in done.items() if count}
