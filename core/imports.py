"""Importing advisors (`/advisor import`): what core/import_reading.py read is kept as a pending
import, rows already on the member's board set aside; nothing is saved until the member
confirms. Then the rows are saved a chunk per transaction, each chunk moving the import's
`applied` count in the same transaction, behind a compare-and-set on it: a second click, a
replay, or a retry after a crash half-way goes on from where the last chunk ended and never
adds a row twice. A row whose person reached the board meanwhile is not added either.

Every query is scoped to the member (team_id, owner_id): an import id from a payload that is
not theirs finds nothing. Imports are kept a day; one left half-saved by a crash is resumed
(by the tick, or by the member confirming again) once its lease has run out.

Nothing stays half-way for ever: a file whose reading never finished (a process stopped while
it was fetched) ends as failed and the member is told to upload it again; a save failing for a
reason other than the database being away is tried MAX_ATTEMPTS times, then ends as failed
with a report of what was saved and what was not (each advisor is saved whole, with their
touchpoints and promises, or not at all: a chunk is one transaction); an import still being
saved a day after it was read ends the same way."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, insert, or_, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, col, select

from core import cadence, due, outbox
from core.board import SNOOZE_DAYS
from core.clock import Clock, moment_on
from core.db import insert_new
from core.due_members import wake
from core.errors import NotYours
from core.goals import MAX_PER_KIND
from core.import_reading import JSON, Reading, as_day, as_moment, notes_for
from core.members import member_zone
from core.models import (
    Advisor,
    AdvisorGoal,
    AdvisorStatus,
    BoardImport,
    Goal,
    ImportState,
    Outbox,
    Promise,
    PromiseEvent,
    Touchpoint,
)
from core.names import normalize
from core.outbox import Target
from core.typed import CONTROL, check_typed

PREVIEW = "import_preview"  # outbox purposes: the preview of an uploaded file, in the DM
PROBLEMS = "import_problems"  # every row's problems as a CSV file, when the preview can't list all
REPORT = "import_report"  # what was imported, once saved
SHOWN = "import_preview_shown"  # the DM's preview, updated in place once the import ended
PASTE, FILE = "paste", "file"
CHUNK = 500  # rows of a CSV saved per transaction
EXPORT_CHUNK = 100  # advisors of an export per transaction, with their touchpoints and promises
LEASE = timedelta(minutes=5)  # a save not heard of for this long is anyone's to resume
KEPT = timedelta(days=1)  # an import is discarded a day after it was read
SHOWN_PROBLEMS = 15  # rows with problems a preview lists; beyond, the full list comes as a file
REPORTED_ROWS = 10  # row numbers a report names per reason
MAX_ATTEMPTS = 3  # saves failing (not for the database being away) before the import fails
RETRY_AFTER = timedelta(minutes=1)  # a failed save is tried again by the tick after this
READING_FOR = timedelta(minutes=10)  # a file still being read after this never will be
NOT_READ = (
    "I couldn't finish reading it (I was stopped or restarted while reading it). Upload it "
    "again here."
)
log = logging.getLogger(__name__)


def begin(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    source: str,
    source_key: str,
    filename: str | None,
    now: datetime,
) -> int | None:
    """Start reading an import: its id, or None when this file (or this very paste) was taken
    already, by this request or a copy of it."""
    values = {
        "team_id": team_id,
        "owner_id": owner_id,
        "source": source,
        "source_key": source_key[:100],
        "filename": (filename or "")[:255] or None,
        "kind": "csv",
        "state": ImportState.READING,
        "text": "",
        "rows": [],
        "goals": [],
        "problems": [],
        "skipped": [],
        "notes": [],
        "total": 0,
        "applied": 0,
        "added": 0,
        "already": 0,
        "created_at": now,
        "updated_at": now,
    }
    return insert_new(session, BoardImport, values, unique=["team_id", "owner_id", "source_key"])


def get(session: Session, *, team_id: str, owner_id: str, import_id: int) -> BoardImport:
    """The member's import; NotYours for any other id (someone else's, gone, made up)."""
    found = session.exec(
        select(BoardImport).where(
            BoardImport.id == import_id,
            BoardImport.team_id == team_id,
            BoardImport.owner_id == owner_id,
        )
    ).first()
    if found is None:
        raise NotYours("import")
    return found


def find_by_source(
    session: Session, *, team_id: str, owner_id: str, source_key: str
) -> BoardImport | None:
    query = select(BoardImport).where(
        BoardImport.team_id == team_id,
        BoardImport.owner_id == owner_id,
        BoardImport.source_key == source_key[:100],
    )
    return session.exec(query).first()


@dataclass(frozen=True)
class _Known:
    """Someone on the member's board (or alumni) already: who they are as shown."""

    name: str
    status: str


@dataclass
class _Board:
    """Who is on the member's board (and alumni) already, by Slack member, contact and name."""

    slack: dict[str, _Known] = field(default_factory=dict)
    contact: dict[str, _Known] = field(default_factory=dict)
    name: dict[str, _Known] = field(default_factory=dict)
    upto: int = 0  # the newest advisor read: only those after it are read again

    def match(self, row: dict) -> _Known | None:
        """The advisor this row names, as enlisting would refuse it: the same Slack member, the
        same contact (an email), or, for someone outside Slack, the same name."""
        if row.get("slack_user_id") and row["slack_user_id"] in self.slack:
            return self.slack[row["slack_user_id"]]
        if row.get("contact") and row["contact"].casefold() in self.contact:
            return self.contact[row["contact"].casefold()]
        if not row.get("slack_user_id"):
            return self.name.get(normalize(row["name"]))
        return None

    def add(self, slack_user_id: str | None, contact: str | None, name: str, status: str) -> None:
        known = _Known(name, status)
        if slack_user_id:
            self.slack.setdefault(slack_user_id, known)
        if contact:
            self.contact.setdefault(contact.casefold(), known)
        self.name.setdefault(normalize(name), known)


def _board(session: Session, team_id: str, owner_id: str, board: _Board | None = None) -> _Board:
    """The member's advisors as far as telling who is there goes (four columns, not rows);
    with `board`, only those added since it was read, added to it."""
    board = board if board is not None else _Board()
    query = (
        select(Advisor.id, Advisor.slack_user_id, Advisor.contact, Advisor.name, Advisor.status)
        .where(Advisor.team_id == team_id, Advisor.owner_id == owner_id)
        .where(col(Advisor.id) > board.upto)
        .order_by(Advisor.status, Advisor.id)  # "active" first: the board wins over alumni
    )
    for advisor_id, *known in session.execute(query):
        board.add(*known)
        board.upto = max(board.upto, advisor_id)
    return board


def _already(advisor: _Known) -> str:
    where = "on your board" if advisor.status == AdvisorStatus.ACTIVE else "among your alumni"
    return f"already {where}"


def _update(session: Session, import_id: int, **values) -> None:
    session.execute(
        update(BoardImport)
        .where(col(BoardImport.id) == import_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _read(session: Session, import_id: int, **values) -> bool:
    """Record how reading a file ended, once: False when it ended already (the tick gave up
    on a reader stopped for long, which comes back too late)."""
    done = session.execute(
        update(BoardImport)
        .where(col(BoardImport.id) == import_id, BoardImport.state == ImportState.READING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def checked(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    import_id: int,
    reading: Reading,
    now: datetime,
    text: str = "",
) -> list[int]:
    """Keep what was read, ready to confirm: the rows to add, each row's problems, and the
    rows set aside (repeated in the file, or already on the board). For an uploaded file, the
    preview (and, when it can't list every problem, the full list) goes to the DM: the outbox
    rows made."""
    check_typed("csv", text)  # a NUL can't be stored (the paste form refuses it first)
    found = get(session, team_id=team_id, owner_id=owner_id, import_id=import_id)
    board = _board(session, team_id, owner_id)
    rows, skipped = [], []
    for repeat in reading.repeats:
        why = f"repeats {repeat.first}"
        skipped.append({"row": repeat.row, "where": repeat.where, "name": repeat.name, "why": why})
    for row in reading.rows:
        there = board.match(row)
        if there is None:
            rows.append(row)
            continue
        entry = {"row": row["row"], "name": row["name"], "why": _already(there)}
        skipped.append({**entry, "where": _where(reading.kind, row["row"]), "as": there.name})
    skipped.sort(key=lambda entry: entry["row"])
    problems = [
        {"row": p.row, "where": p.where, "name": p.name, "problems": list(p.problems)}
        for p in reading.problems
    ]
    read = _read(
        session,
        found.id,
        kind=reading.kind,
        state=ImportState.READY,
        text=text[:3000],
        rows=rows,
        goals=reading.goals,
        problems=problems,
        skipped=skipped,
        notes=notes_for(reading, rows),
        total=reading.total,
        updated_at=now,
    )
    if not read:
        return []  # given up on meanwhile (read for too long): the member was told
    if found.source != FILE:
        return []
    made = [_enqueue(session, found, PREVIEW, now)]
    if len(problems) > SHOWN_PROBLEMS:
        made.append(_enqueue(session, found, PROBLEMS, now))
    return [row for row in made if row]


def _where(kind: str, row: int) -> str:
    return f"Advisor {row}" if kind == JSON else f"Row {row}"


def unreadable(
    session: Session, *, team_id: str, owner_id: str, import_id: int, problem: str, now: datetime
) -> list[int]:
    """The file could not be read at all: the member is told why (in the DM, for a file)."""
    found = get(session, team_id=team_id, owner_id=owner_id, import_id=import_id)
    problem = CONTROL.sub("", problem)[:1000]
    if not _read(session, found.id, state=ImportState.FAILED, problem=problem, updated_at=now):
        return []  # given up on meanwhile, or read already: the member was told
    if found.source != FILE:
        return []
    made = _enqueue(session, found, PREVIEW, now)
    return [made] if made else []


def _enqueue(session: Session, found: BoardImport, purpose: str, now: datetime, **payload):
    return outbox.enqueue(
        session,
        team_id=found.team_id,
        purpose=purpose,
        key=f"{found.owner_id}:{found.id}",
        target=Target.dm(found.owner_id),
        owner_id=found.owner_id,
        payload={"import": found.id, **payload},
        now=now,
    )


def preview_message(
    session: Session, *, team_id: str, owner_id: str, import_id: int
) -> Outbox | None:
    """Where the preview of this import of the member's was posted (its channel and ts)."""
    return outbox.find(session, team_id=team_id, purpose=PREVIEW, key=f"{owner_id}:{import_id}")


def _reshown(session: Session, found: BoardImport, now: datetime) -> int | None:
    """The DM's preview of an uploaded file updated in place (through the outbox) to say how
    its import ended, wherever it ended (the tick too): never "Importing…" for ever. None when
    no preview was posted (a paste; a preview still to be sent shows the end itself)."""
    if found.source != FILE:
        return None
    posted = preview_message(
        session, team_id=found.team_id, owner_id=found.owner_id, import_id=found.id
    )
    if posted is None or not posted.channel_id or not posted.ts:
        return None
    return outbox.enqueue(
        session,
        team_id=found.team_id,
        purpose=SHOWN,
        key=f"{found.owner_id}:{found.id}",
        target=Target.conversation(posted.channel_id),
        owner_id=found.owner_id,
        payload={"import": found.id, "ts": posted.ts},
        now=now,
    )


def cancel(session: Session, *, team_id: str, owner_id: str, import_id: int, now: datetime) -> bool:
    """The member does not want it after all: True when it was waiting and is now cancelled."""
    done = session.execute(
        update(BoardImport)
        .where(
            col(BoardImport.id) == import_id,
            BoardImport.team_id == team_id,
            BoardImport.owner_id == owner_id,
            col(BoardImport.state).in_((ImportState.READY, ImportState.FAILED)),
        )
        .values(state=ImportState.CANCELLED, updated_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


# --- saving


def claim(
    session: Session, *, team_id: str, owner_id: str, import_id: int, process: str, now: datetime
) -> int | None:
    """Take the member's import to save it: waiting to be confirmed, or left half-saved by a
    save whose lease ran out. Where saving starts (the rows saved so far), or None when it is
    not theirs, not waiting, or being saved by someone else right now."""
    taken = session.execute(
        update(BoardImport)
        .where(
            col(BoardImport.id) == import_id,
            BoardImport.team_id == team_id,
            BoardImport.owner_id == owner_id,
            or_(
                BoardImport.state == ImportState.READY,
                and_(
                    BoardImport.state == ImportState.APPLYING,
                    col(BoardImport.lease_until) < now,
                ),
            ),
        )
        .values(
            state=ImportState.APPLYING, claimed_by=process, lease_until=now + LEASE, updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    return session.exec(select(BoardImport.applied).where(BoardImport.id == import_id)).one()


@dataclass(frozen=True)
class Saving:
    """An import being saved by this process: its rows, read once, and where it stands."""

    id: int
    team_id: str
    owner_id: str
    kind: str
    source: str
    rows: list[dict]
    goals: list[dict]
    zone: ZoneInfo
    board: _Board = field(default_factory=_Board)  # who is there, read again chunk by chunk


def saving(session: Session, *, team_id: str, owner_id: str, import_id: int) -> Saving:
    found = get(session, team_id=team_id, owner_id=owner_id, import_id=import_id)
    zone = member_zone(session, team_id=team_id, user_id=owner_id)
    return Saving(
        found.id, team_id, owner_id, found.kind, found.source, found.rows, found.goals, zone
    )


@dataclass(frozen=True)
class Chunk:
    """What one transaction did: the rows saved after it (`start` for the next), whether that
    was the last, whether another process holds the import now, and the report it enqueued
    (with the DM's preview updated, `shown`)."""

    start: int
    finished: bool = False
    lost: bool = False
    report: int | None = None
    shown: int | None = None


def save_chunk(
    session: Session,
    work: Saving,
    *,
    start: int,
    process: str,
    now: datetime,
    report: bool,
) -> Chunk:
    """Save the rows from `start` on, a chunk of them, in the caller's transaction: first the
    compare-and-set that moves `applied` from `start` (so a second saver waits, then finds it
    moved and adds nothing), then the advisors. The last chunk marks the import done and, with
    `report`, enqueues the report for the member's DM."""
    size = EXPORT_CHUNK if work.kind == JSON else CHUNK
    chunk = work.rows[start : start + size]
    end = start + len(chunk)
    moved = session.execute(
        update(BoardImport)
        .where(
            col(BoardImport.id) == work.id,
            BoardImport.team_id == work.team_id,
            BoardImport.owner_id == work.owner_id,
            BoardImport.state == ImportState.APPLYING,
            BoardImport.claimed_by == process,
            BoardImport.applied == start,
        )
        .values(applied=end, lease_until=now + LEASE, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return Chunk(start, lost=True)
    board = _board(session, work.team_id, work.owner_id, work.board)  # and who came meanwhile
    if work.kind == JSON:
        added, already = _restore(session, work, chunk, board, now)
    else:
        added, already = _enlist(session, work, chunk, board, now)
    if added:
        wake(session, team_id=work.team_id, owner_id=work.owner_id, now=now)
    _update(
        session,
        work.id,
        added=BoardImport.added + added,
        already=BoardImport.already + already,
    )
    if end < len(work.rows):
        return Chunk(end)
    _update(
        session,
        work.id,
        state=ImportState.DONE,
        claimed_by=None,
        lease_until=None,
        finished_at=now,
    )
    made = None
    found = get(session, team_id=work.team_id, owner_id=work.owner_id, import_id=work.id)
    if report:
        made = _enqueue(session, found, REPORT, now, **summary(found))
    return Chunk(end, finished=True, report=made, shown=_reshown(session, found, now))


@dataclass(frozen=True)
class Saved:
    """How a save ended: `state` of the import after it (APPLYING: another process saves it,
    or, `retrying`, it failed and the tick tries again), and the report enqueued (if any)."""

    state: str
    added: int = 0
    report: int | None = None
    retrying: bool = False
    summary: dict = field(default_factory=dict)  # what a failed save's report says
    shown: int | None = None  # the DM's preview, updated to say how it ended

    @property
    def made(self) -> list[int]:
        """The outbox rows it made, to send at once."""
        return [row for row in (self.report, self.shown) if row]


def transient(error: BaseException) -> bool:
    """The database away, locked or slow: the same save a little later will do."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def save(
    sessions: Callable[[], Session],
    *,
    team_id: str,
    owner_id: str,
    import_id: int,
    process: str,
    clock: Clock,
    report: bool,
    claimed: Callable[[], None] | None = None,
) -> Saved | None:
    """Claim the member's import and save all of it, a transaction per chunk (`claimed` is
    called once it is claimed, before the first); None when it could not be claimed (not
    theirs, not waiting, or being saved elsewhere). A crash between chunks leaves it half-saved
    until the lease runs out; then `save` again goes on from there."""
    with sessions() as session, session.begin():
        start = claim(
            session,
            team_id=team_id,
            owner_id=owner_id,
            import_id=import_id,
            process=process,
            now=clock.now(),
        )
        if start is None:
            return None
        work = saving(session, team_id=team_id, owner_id=owner_id, import_id=import_id)
    if claimed is not None:
        claimed()
    while True:
        try:
            with sessions() as session, session.begin():
                chunk = save_chunk(
                    session, work, start=start, process=process, now=clock.now(), report=report
                )
        except Exception as error:
            if transient(error):
                raise  # its lease runs out, and the tick goes on from this chunk
            log.exception("Saving import %s of %s failed at row %s", import_id, owner_id, start)
            return _failed_attempt(sessions, work, process=process, now=clock.now(), report=report)
        if chunk.lost:
            return Saved(ImportState.APPLYING)
        if chunk.finished:
            with sessions() as session:
                found = get(session, team_id=team_id, owner_id=owner_id, import_id=import_id)
            return Saved(ImportState.DONE, found.added, chunk.report, shown=chunk.shown)
        start = chunk.start


SAVE_FAILED = "something went wrong on my side while saving them"


def _failed_attempt(
    sessions: Callable[[], Session], work: Saving, *, process: str, now: datetime, report: bool
) -> Saved:
    """A chunk failed (its transaction undone: no advisor is half-saved). Counted; the tick
    tries again after RETRY_AFTER, and after MAX_ATTEMPTS the import ends as failed with a
    report of what was saved."""
    with sessions() as session, session.begin():
        counted = session.execute(
            update(BoardImport)
            .where(
                col(BoardImport.id) == work.id,
                BoardImport.team_id == work.team_id,
                BoardImport.owner_id == work.owner_id,
                BoardImport.state == ImportState.APPLYING,
                BoardImport.claimed_by == process,
            )
            .values(
                attempts=BoardImport.attempts + 1,
                claimed_by=None,
                lease_until=now + RETRY_AFTER,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if counted.rowcount != 1:
            return Saved(ImportState.APPLYING)  # taken over meanwhile: theirs to finish
        found = get(session, team_id=work.team_id, owner_id=work.owner_id, import_id=work.id)
        session.refresh(found)
        if found.attempts < MAX_ATTEMPTS:
            return Saved(ImportState.APPLYING, found.added, retrying=True)
        made, shown = _fail(session, found, now=now, report=report)
        session.refresh(found)
        return Saved(ImportState.FAILED, found.added, made, summary=summary(found), shown=shown)


def _fail(
    session: Session, found: BoardImport, *, now: datetime, report: bool
) -> tuple[int | None, int | None]:
    """End an import whose save can't finish: what was saved stays (whole advisors), the rest
    is not saved, and the report says which is which; the DM's preview says it stopped."""
    _update(
        session,
        found.id,
        state=ImportState.FAILED,
        problem=SAVE_FAILED,
        claimed_by=None,
        lease_until=None,
        finished_at=now,
        updated_at=now,
    )
    session.refresh(found)
    made = _enqueue(session, found, REPORT, now, **summary(found)) if report else None
    return made, _reshown(session, found, now)


def _like_the_model(**values) -> SimpleNamespace:
    """Values as core.due reads them from a row (a row not built: saving many at once is a
    bulk insert, and core.due stays the one place that says when a nudge is due)."""
    return SimpleNamespace(**values)


def _enlist(session: Session, work: Saving, chunk: list[dict], board: _Board, now: datetime):
    """CSV rows as advisors, the way `/advisor add` enlists them: the rhythm starts from the
    last contact (today when not said), every cadence days (the usual one when not said).
    One bulk insert for the chunk."""
    values, already = [], 0
    today = now.astimezone(work.zone).date()
    for row in chunk:
        if board.match(row) is not None:
            already += 1
            continue
        spoke_at = moment_on(as_day(row.get("last_spoke_on")) or today, work.zone, now)
        days = row.get("cadence_days") or cadence.default_days(row["relationship"])
        due_at = cadence.due_after(spoke_at, days)
        nudge_at = due.advisor_nudge_at(
            _like_the_model(status=AdvisorStatus.ACTIVE, next_touch_due_at=due_at)
        )
        values.append(
            _advisor_values(
                work,
                now,
                slack_user_id=row.get("slack_user_id"),
                tz=row.get("tz"),  # as Slack said when the import was read
                name=row["name"],
                contact=row.get("contact"),
                relationship=row["relationship"],
                inside_org=row["inside_org"],
                cadence_days=days,
                last_touch_at=spoke_at,
                last_spoke_at=spoke_at,
                next_touch_due_at=due_at,
                nudge_at=nudge_at,
            )
        )
        board.add(row.get("slack_user_id"), row.get("contact"), row["name"], AdvisorStatus.ACTIVE)
    if values:
        session.execute(insert(Advisor), values)
    return len(values), already


def _advisor_values(work: Saving, now: datetime, **given) -> dict:
    """Every column of a new advisor of the member (a bulk insert sets what it is given)."""
    return {
        "team_id": work.team_id,
        "owner_id": work.owner_id,
        "support": [],
        "gains": "",
        "notes": "",
        "origin": None,
        "closeness": None,
        "status": AdvisorStatus.ACTIVE,
        "snoozed_until": None,
        "created_at": now,
        "updated_at": now,
        **given,
    }


def _restore_goals(session: Session, work: Saving, now: datetime) -> dict[str, int]:
    """The export's goals on the member's lists (a goal with the same words is the same one; a
    list already full takes no more; on a list that was empty, in the export's order): each
    ref with the id of its goal."""
    current = list(
        session.exec(
            select(Goal).where(Goal.team_id == work.team_id, Goal.owner_id == work.owner_id)
        )
    )
    by_words = {(g.kind, normalize(g.text)): g.id for g in current}
    positions: dict[str, list[int]] = {}
    for goal in current:
        positions.setdefault(goal.kind, []).append(goal.position)
    empty_before = {g["kind"] for g in work.goals} - set(positions)
    ids: dict[str, int] = {}
    for record in sorted(work.goals, key=lambda g: (g["kind"], g["position"])):
        kind, key = record["kind"], (record["kind"], normalize(record["text"]))
        if key in by_words:
            ids[record["ref"]] = by_words[key]
            continue
        taken = positions.setdefault(kind, [])
        if len(taken) >= MAX_PER_KIND:
            continue
        position = record["position"] if kind in empty_before else max(taken, default=-1) + 1
        goal = Goal(
            team_id=work.team_id,
            owner_id=work.owner_id,
            kind=kind,
            text=record["text"],
            position=position,
            created_at=as_moment(record.get("created_at")) or now,
        )
        session.add(goal)
        session.flush()
        taken.append(position)
        by_words[key] = ids[record["ref"]] = goal.id
    return ids


def _goal_ids(session: Session, work: Saving, now: datetime) -> dict[str, int]:
    """The goals' ids, restoring them the first time (in the first chunk's transaction)."""
    stored = session.exec(select(BoardImport.goal_ids).where(BoardImport.id == work.id)).one()
    if stored is not None:
        return stored
    ids = _restore_goals(session, work, now) if work.goals else {}
    _update(session, work.id, goal_ids=ids)
    return ids


def _inserted(session: Session, model, values: list[dict]) -> list[int]:
    """Insert these rows at once: their ids, in the order given."""
    if not values:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, values))


def _restore(session: Session, work: Saving, chunk: list[dict], board: _Board, now: datetime):
    """Advisors of an export as they were: their rhythm and status, touchpoints, promises with
    their history, and the goals they help with. A bulk insert per table for the chunk."""
    goal_ids = _goal_ids(session, work, now)
    rows, already = [], 0
    for row in chunk:
        if board.match(row) is not None:
            already += 1
            continue
        rows.append(row)
        board.add(row["slack_user_id"], row.get("contact"), row["name"], row["status"])
    advisor_ids = _inserted(session, Advisor, [_restored_advisor(row, work, now) for row in rows])
    touches, links, promises, records = [], [], [], []
    for advisor_id, row in zip(advisor_ids, rows, strict=True):
        touches += [_touchpoint_values(t, work, advisor_id) for t in row["touchpoints"]]
        links += [
            {"advisor_id": advisor_id, "goal_id": goal_ids[ref]}
            for ref in row["goals"]
            if ref in goal_ids
        ]
        for record in row["promises"]:
            promises.append(_promise_values(record, work, advisor_id, now))
            records.append(record)
    if touches:
        session.execute(insert(Touchpoint), touches)
    if links:
        session.execute(insert(AdvisorGoal), links)
    promise_ids = _inserted(session, Promise, promises)
    changes = [
        _change_values(change, promise_id)
        for promise_id, record in zip(promise_ids, records, strict=True)
        for change in record["history"]
    ]
    if changes:
        session.execute(insert(PromiseEvent), changes)
    return len(rows), already


def _restored_due(row: dict, last_touch_at: datetime, now: datetime) -> datetime:
    """When an active advisor restored is next due: the export's date when the board could
    have set it (a cycle from a contact, moved by a new rhythm or a snooze: never more than a
    rhythm and the longest snooze from now), else a rhythm after the last contact, as
    `/advisor add` sets it."""
    days = row["cadence_days"]
    said = as_moment(row.get("next_touch_due_at"))
    latest = max(now, last_touch_at) + timedelta(days=days + max(SNOOZE_DAYS))
    if said is not None and said <= latest:
        return said
    return cadence.due_after(last_touch_at, days)


def _restored_advisor(row: dict, work: Saving, now: datetime) -> dict:
    """An export's advisor as the board keeps one: an active advisor has a last contact (the
    export's, else their latest touchpoint, else when they were enlisted; else today) and a
    next due date; alumni have neither a due date nor a snooze."""
    active = row["status"] == AdvisorStatus.ACTIVE
    touched = [as_moment(t["at"]) for t in row["touchpoints"]]
    last_touch_at = (
        as_moment(row.get("last_contact"))
        or max(touched, default=None)
        or as_moment(row.get("last_spoke_at"))
    )
    due_at = snoozed_until = None
    if active:
        last_touch_at = last_touch_at or now
        due_at = _restored_due(row, last_touch_at, now)
        snoozed_until = as_moment(row.get("snoozed_until"))
        if snoozed_until != due_at:  # a snooze is the due date it set, or nothing
            snoozed_until = None
    return _advisor_values(
        work,
        now,
        slack_user_id=row["slack_user_id"],
        tz=row.get("tz"),
        name=row["name"],
        contact=row.get("contact"),
        relationship=row["relationship"],
        inside_org=row["inside_org"],
        support=list(row["support"]),
        gains=row["gains"],
        notes=row["notes"],
        origin=row.get("origin"),
        closeness=row.get("closeness"),
        cadence_days=row["cadence_days"],
        status=row["status"],
        last_touch_at=last_touch_at,
        last_spoke_at=as_moment(row.get("last_spoke_at")),
        next_touch_due_at=due_at,
        snoozed_until=snoozed_until,
        nudge_at=due.advisor_nudge_at(
            _like_the_model(status=row["status"], next_touch_due_at=due_at)
        ),
        created_at=as_moment(row["created_at"]),
        updated_at=as_moment(row["updated_at"]),
    )


def _touchpoint_values(record: dict, work: Saving, advisor_id: int) -> dict:
    return {
        "team_id": work.team_id,
        "owner_id": work.owner_id,
        "advisor_id": advisor_id,
        "at": as_moment(record["at"]),
        "how": record["how"],
        "exchanged": list(record["exchanged"]),
        "given_by": record["given_by"],
        "note": record["note"],
        "message_link": record.get("message_link"),
        "created_at": as_moment(record["created_at"]),
    }


def _promise_values(record: dict, work: Saving, advisor_id: int, now: datetime) -> dict:
    values = {
        "team_id": work.team_id,
        "owner_id": work.owner_id,
        "advisor_id": advisor_id,
        "what": record["what"],
        "firmness": record["firmness"],
        "status": record["status"],
        "due_on": as_day(record["due_on"]),
        "original_due_on": as_day(record["original_due_on"]),
        "due_at": as_moment(record["due_at"]),
        "renegotiations": record["renegotiations"],
        "last_update_at": as_moment(record.get("last_update_at")),
        "closed_at": as_moment(record.get("closed_at")),
        "created_at": as_moment(record["created_at"]),
        "updated_at": as_moment(record["updated_at"]),
    }
    values["nudge_at"] = due.promise_nudge_at(_like_the_model(**values), work.zone, now)
    return values


def _change_values(record: dict, promise_id: int) -> dict:
    return {
        "promise_id": promise_id,
        "at": as_moment(record["at"]),
        "change": record["change"],
        "text": record["text"],
        "old_due_on": as_day(record.get("old_due_on")),
        "old_due_at": as_moment(record.get("old_due_at")),
        "new_due_on": as_day(record.get("new_due_on")),
        "sent_to_advisor": record["sent_to_advisor"],
        "told_them": record.get("told_them"),
    }


def summary(found: BoardImport) -> dict:
    """What the report says, kept with it: what was added and why the other rows were not
    (and, when saving failed, how many were not saved)."""
    set_aside = [s for s in found.skipped if not str(s.get("why", "")).startswith("repeats")]
    failed = {}
    if found.state == ImportState.FAILED:
        failed = {"failed": True, "not_saved": max(0, len(found.rows) - found.applied)}
    return {
        **failed,
        "added": found.added,
        "problems": len(found.problems),
        "problem_rows": [p["where"] for p in found.problems[:REPORTED_ROWS]],
        "already": len(set_aside) + found.already,
        "repeats": len(found.skipped) - len(set_aside),
        "kind": found.kind,
        "filename": found.filename,
    }


# --- the tick's part


def stalled(session: Session, *, now: datetime) -> list[tuple[str, str, int]]:
    """Imports left half-saved (their saver's lease ran out): (team, owner, id) to resume."""
    query = select(BoardImport.team_id, BoardImport.owner_id, BoardImport.id).where(
        BoardImport.state == ImportState.APPLYING, col(BoardImport.lease_until) < now
    )
    return [tuple(row) for row in session.execute(query)]


def give_up(session: Session, *, now: datetime) -> list[int]:
    """End what will never finish, telling the member: a file still being read READING_FOR
    after it was shared (its reader was stopped), and an import still being saved a day after
    it was read (its reports go out: what was saved, what was not). The outbox rows made."""
    made: list[int] = []
    reading = select(BoardImport).where(
        BoardImport.state == ImportState.READING, col(BoardImport.updated_at) < now - READING_FOR
    )
    for found in session.exec(reading).all():
        who = {"team_id": found.team_id, "owner_id": found.owner_id}
        made += unreadable(session, **who, import_id=found.id, problem=NOT_READ, now=now)
    saving_too_long = select(BoardImport).where(
        BoardImport.state == ImportState.APPLYING,
        col(BoardImport.created_at) < now - KEPT,
        col(BoardImport.lease_until) < now,
    )
    for found in session.exec(saving_too_long).all():
        log.warning(
            "Import %s of %s in %s is not saved a day after it was read: it ends as failed",
            found.id,
            found.owner_id,
            found.team_id,
        )
        made += [row for row in _fail(session, found, now=now, report=True) if row]
    return made


def discard_old(session: Session, *, now: datetime) -> int:
    """Forget imports read more than a day ago (a half-saved one is resumed first, not lost)."""
    done = session.execute(
        delete(BoardImport).where(
            col(BoardImport.created_at) < now - KEPT, BoardImport.state != ImportState.APPLYING
        )
    )
    return done.rowcount
