"""A big database for the nudge benchmarks: members, their advisors and open promises, some of
them due a nudge. Shared by bench/nudge_due.py and bench/nudge_memory.py.

Rows are generated as a stream (seeded `random`, so every database gets the same data) and
bulk-loaded in one transaction: SQLite with the DB-API `executemany`, values turned into what
SQLAlchemy itself would store (each column type's own bind processor), Postgres with `COPY`.
Then ANALYZE on both (VACUUM ANALYZE on Postgres). The schema is the app's:
core.db.make_engine + core.db.migrate, so every index and foreign key is there during the load.

What the app stores is stored: each advisor's and promise's `nudge_at` (core/due.py), and each
member's `look_at` as the tick leaves it after planning them (core/nudge_plan.py: the start of
the day of their earliest nudge_at, their window being open all day; for a member with
something due now, that due moment; NULL when nothing of theirs has a nudge_at).
"""

import contextlib
import json
import math
import os
import random
import secrets
import tempfile
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from sqlalchemy import Engine, Table, text
from sqlalchemy.engine import make_url

from core.due import LEAD_DAYS, STALLED_AFTER, promise_nudge_at
from core.models import Advisor, AdvisorStatus, Firmness, Member, Promise, PromiseStatus

SEED = 20261123
CHUNK = 20_000  # rows per executemany / generator batch
ADVISORS_PER_MEMBER = 5
TEAMS = [f"T{n:08d}" for n in range(10)]
DUE_FRACTION = 0.01  # of advisors, and of promises (unless given in numbers)
ALUMNI_FRACTION = 0.10  # of the advisors not due: nudge_at NULL
NOT_DUE_FROM = timedelta(hours=27)  # advisors not due: nudge_at after tomorrow has begun...
NOT_DUE_UNTIL = timedelta(days=60)  # ...and within 60 days
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
UTC_ZONE = ZoneInfo("UTC")  # what core.windows.zone_of gives a member in UTC

MEMBER_COLUMNS = (
    "id",
    "team_id",
    "user_id",
    "tz",
    "created_at",
    "nudge_days",
    "nudge_start",
    "nudge_end",
    "paused_until",
    "digest",
    "one_a_day",
    "monday_preview",
    "last_delivery_on",
    "unreachable",
    "look_at",
)
ADVISOR_COLUMNS = (
    "id",
    "team_id",
    "owner_id",
    "slack_user_id",
    "tz",
    "name",
    "contact",
    "relationship",
    "inside_org",
    "support",
    "gains",
    "notes",
    "cadence_days",
    "status",
    "last_touch_at",
    "next_touch_due_at",
    "snoozed_until",
    "nudge_at",
    "created_at",
    "updated_at",
)
PROMISE_COLUMNS = (
    "id",
    "team_id",
    "owner_id",
    "advisor_id",
    "what",
    "firmness",
    "status",
    "due_on",
    "original_due_on",
    "due_at",
    "renegotiations",
    "last_update_at",
    "closed_at",
    "nudge_at",
    "created_at",
    "updated_at",
)
JSON_COLUMNS = {"support"}
NAMES = "Aiko Amara Ben Carmen Dana Elena Farah Hugo Ines Jamal Kai Lars Mei Omar Priya Sam Uma Wei"
CADENCES = [14, 21, 30, 45, 60, 90]
SUPPORTS = ["sponsorship", "coaching", "exposure", "counsel", "friendship"]
PROMISE_TEXT = ["Send the deck", "Intro to Lars", "Read the design doc", "Share my plan for Q3"]


class BenchError(Exception):
    """The benchmark cannot trust its numbers (a wrong answer); the message says why."""


@dataclass
class Spec:
    """What to load: `advisors` advisors of ceil(advisors / 5) members (every member's nudge
    window always open, time zone UTC), `promises` open promises; due at `now`: 1 % of each, or
    `due_advisor_count` advisors and `due_promise_count` promises. Each due advisor and each
    due promise is a different member's, so as many members are due as items."""

    now: datetime
    advisors: int
    promises: int
    due_advisor_count: int | None = None
    due_promise_count: int | None = None

    @property
    def members(self) -> int:
        return math.ceil(self.advisors / ADVISORS_PER_MEMBER)

    @property
    def due_advisors(self) -> int:
        if self.due_advisor_count is not None:
            return self.due_advisor_count
        return round(self.advisors * DUE_FRACTION)

    @property
    def due_promises(self) -> int:
        if self.due_promise_count is not None:
            return self.due_promise_count
        return round(self.promises * DUE_FRACTION)

    def check(self) -> None:
        if self.due_advisors + self.due_promises > self.members:
            raise BenchError(
                f"{self.due_advisors:,} due advisors and {self.due_promises:,} due promises "
                f"need as many members; there are {self.members:,}"
            )
        if self.due_promises > self.promises:
            raise BenchError(f"{self.due_promises:,} due promises of {self.promises:,}")


@dataclass
class Loaded:
    """What went in, and what due_owners must answer for it."""

    counts: dict[str, int]
    due_advisors: int
    due_promises: int
    due_owners: set[tuple[str, str]]
    due_order: list[tuple[str, str]]  # the due members, most overdue (lowest look_at) first
    alumni: int
    never_looked_at: int  # members with look_at NULL: nothing of theirs has a nudge_at
    generate_s: float = 0.0  # inside the insert time: rows are generated as they are written
    insert_s: float = 0.0
    analyze_s: float = 0.0
    extra: dict = field(default_factory=dict)


def owner_of(advisor_index: int, members: int) -> tuple[str, str]:
    """Advisors are added round-robin (every member's first, then every member's second...), so
    one member's rows are spread through the table as in a live database."""
    member = advisor_index % members
    return TEAMS[member % len(TEAMS)], f"U{member:09d}"


def _at(rng: random.Random, start: datetime, low: timedelta, high: timedelta) -> datetime:
    span = (high - low).total_seconds()
    return (start + low + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def _moment(seconds: float) -> datetime | None:
    return None if math.isnan(seconds) else datetime.fromtimestamp(seconds, UTC)


def look_at(earliest: datetime | None, now: datetime) -> datetime | None:
    """What the tick leaves in member.look_at for a member whose window is open all day, every
    day (UTC) and whose earliest nudge_at is `earliest` (core.nudge_plan._next_look): that
    moment when it has come, else the start of its day (not before now)."""
    if earliest is None:
        return None
    if earliest <= now:
        return earliest
    start = max(now, datetime.combine(earliest.date(), clock_time(0), tzinfo=UTC))
    return start if start > now else now + timedelta(minutes=1)


class _Generator:
    """The rows, as tuples in the *_COLUMNS order, made chunk by chunk. What decides nudges
    (which rows are due, every nudge_at, hence every look_at) is drawn first, into compact
    arrays; the rest of each row is drawn as it is written."""

    def __init__(self, spec: Spec) -> None:
        spec.check()
        self.spec = spec
        self.rng = rng = random.Random(SEED)
        started = time.perf_counter()
        members, advisors, promises = spec.members, spec.advisors, spec.promises
        now, now_s = spec.now, spec.now.timestamp()
        # Due members: each has one due advisor or one due promise, overdue by a number of
        # seconds no other due item shares, so "the most overdue first" has one answer.
        due_members = rng.sample(range(members), spec.due_advisors + spec.due_promises)
        overdue = rng.sample(range(1, 10 * 86_400), spec.due_advisors)  # up to 10 days
        taken = set(overdue)
        promise_overdue: list[int] = []
        while len(promise_overdue) < spec.due_promises:  # up to 3 days
            seconds = rng.randrange(1, 3 * 86_400)
            if seconds not in taken:
                taken.add(seconds)
                promise_overdue.append(seconds)
        self.due = {  # advisor index: seconds overdue
            rng.choice(self._advisors_of(m)): s
            for m, s in zip(due_members[: spec.due_advisors], overdue, strict=True)
        }
        due_promise_advisors = [
            rng.choice(self._advisors_of(m)) for m in due_members[spec.due_advisors :]
        ]
        keep_active = set(due_promise_advisors)
        # Every advisor's status and nudge_at (seconds since the epoch; NaN for alumni).
        self.status = bytearray(advisors)  # 1: alumni
        self.advisor_nudge = array("d", bytes(8 * advisors))
        self.earliest = array("d", [math.inf]) * members  # per member, of all nudge_at
        self.alumni = 0
        for k in range(advisors):
            if k in self.due:
                nudge = now_s - self.due[k]
            elif k not in keep_active and rng.random() < ALUMNI_FRACTION:
                self.status[k] = 1
                self.alumni += 1
                nudge = math.nan
            else:
                nudge = _at(rng, now, NOT_DUE_FROM, NOT_DUE_UNTIL).timestamp()
            self.advisor_nudge[k] = nudge
            m = k % members
            if nudge < self.earliest[m]:
                self.earliest[m] = nudge
        # Every promise's advisor, dates and nudge_at: 1 % (or as given) due their "stalled"
        # nudge (made 10 days before it, not updated since, due in 20-60 days); the others made
        # 1-9 days ago, due 6-63 days ahead, with the nudge_at core.due computes for them.
        due_promises = dict(
            zip(
                rng.sample(range(promises), spec.due_promises),
                zip(due_promise_advisors, promise_overdue, strict=True),
                strict=True,
            )
        )
        self.promise_advisor = array("q", bytes(8 * promises))
        self.promise_nudge = array("d", bytes(8 * promises))
        self.promise_created = array("d", bytes(8 * promises))
        self.promise_due_on = array("q", bytes(8 * promises))  # date ordinals
        today = now.date()
        lead = timedelta(days=LEAD_DAYS[Firmness.PROMISE])
        for p in range(promises):
            if p in due_promises:
                k, seconds = due_promises[p]
                nudge = now_s - seconds
                created = nudge - STALLED_AFTER.total_seconds()
                due_on = today + timedelta(days=rng.randint(20, 60))
            else:
                k = rng.randrange(advisors)
                while self.status[k]:  # no promises to alumni
                    k = rng.randrange(advisors)
                due_on = today + timedelta(days=rng.randint(3, 60)) + lead
                made = _at(rng, now, timedelta(days=-9), timedelta(days=-1))
                created = made.timestamp()
                nudge = promise_nudge_at(_promise(due_on, made), UTC_ZONE, now).timestamp()
            self.promise_advisor[p] = k
            self.promise_nudge[p] = nudge
            self.promise_created[p] = created
            self.promise_due_on[p] = due_on.toordinal()
            m = k % members
            if nudge < self.earliest[m]:
                self.earliest[m] = nudge
        order = sorted((self.earliest[m], m) for m in due_members)
        self.due_order = [(TEAMS[m % len(TEAMS)], f"U{m:09d}") for _, m in order]
        if any(seconds > now_s for seconds, _ in order):
            raise BenchError("a due member's earliest nudge is not due")
        self.due_owners = set(self.due_order)
        self.never_looked_at = sum(1 for e in self.earliest if math.isinf(e))
        self.seconds = time.perf_counter() - started

    def _advisors_of(self, member: int) -> list[int]:
        members = self.spec.members
        return list(range(member, self.spec.advisors, members))

    def members(self) -> Iterator[list[tuple]]:
        spec, rng, now = self.spec, self.rng, self.spec.now
        started = time.perf_counter()
        chunk = []
        for m in range(spec.members):
            created = _at(rng, now, timedelta(days=-900), timedelta(days=-30))
            earliest = self.earliest[m]
            looking = look_at(None if math.isinf(earliest) else _moment(earliest), now)
            always_open = ("0123456", 0, 1440, None, True, True, False, None, None, looking)
            chunk.append((m + 1, TEAMS[m % len(TEAMS)], f"U{m:09d}", "UTC", created, *always_open))
            if len(chunk) == CHUNK:
                self.seconds += time.perf_counter() - started
                yield chunk
                started, chunk = time.perf_counter(), []
        self.seconds += time.perf_counter() - started
        if chunk:
            yield chunk

    def advisors(self) -> Iterator[list[tuple]]:
        spec, rng, now = self.spec, self.rng, self.spec.now
        names = NAMES.split()
        started = time.perf_counter()
        chunk = []
        for k in range(spec.advisors):
            team, owner = owner_of(k, spec.members)
            cadence = rng.choice(CADENCES)
            nudge_at = _moment(self.advisor_nudge[k])  # due: the cadence passed (<= 10 days ago)
            status = AdvisorStatus.ALUMNI if self.status[k] else AdvisorStatus.ACTIVE
            last_touch = (nudge_at or now - timedelta(days=200)) - timedelta(days=cadence)
            in_slack = rng.random() < 0.6
            chunk.append(
                (
                    k + 1,
                    team,
                    owner,
                    f"W{k:09d}" if in_slack else None,
                    "UTC" if in_slack else None,
                    f"{rng.choice(names)} {rng.choice(names)}",
                    None if in_slack else "someone@example.org",
                    "peer",
                    in_slack,
                    rng.sample(SUPPORTS, rng.randint(0, 2)),
                    "",
                    "",
                    cadence,
                    status.value,
                    last_touch,
                    nudge_at,  # next_touch_due_at: an active advisor's nudge_at is that
                    None,
                    nudge_at,
                    last_touch - timedelta(days=30),
                    last_touch,
                )
            )
            if len(chunk) == CHUNK:
                self.seconds += time.perf_counter() - started
                yield chunk
                started, chunk = time.perf_counter(), []
        self.seconds += time.perf_counter() - started
        if chunk:
            yield chunk

    def promises(self) -> Iterator[list[tuple]]:
        spec, rng = self.spec, self.rng
        started = time.perf_counter()
        chunk = []
        for p in range(spec.promises):
            k = self.promise_advisor[p]
            team, owner = owner_of(k, spec.members)
            due_on = date.fromordinal(self.promise_due_on[p])
            created = _moment(self.promise_created[p])
            chunk.append(
                (
                    p + 1,
                    team,
                    owner,
                    k + 1,
                    rng.choice(PROMISE_TEXT),
                    Firmness.PROMISE.value,
                    PromiseStatus.OPEN.value,
                    due_on,
                    due_on,
                    _due_at(due_on),
                    0,
                    None,
                    None,
                    _moment(self.promise_nudge[p]),
                    created,
                    created,
                )
            )
            if len(chunk) == CHUNK:
                self.seconds += time.perf_counter() - started
                yield chunk
                started, chunk = time.perf_counter(), []
        self.seconds += time.perf_counter() - started
        if chunk:
            yield chunk


def _due_at(due_on: date) -> datetime:
    """When the due date is over where the member is (UTC)."""
    return datetime.combine(due_on + timedelta(days=1), clock_time(0), tzinfo=UTC)


def _promise(due_on: date, created: datetime) -> SimpleNamespace:
    """What core.due reads of an open promise, never updated."""
    return SimpleNamespace(
        status=PromiseStatus.OPEN.value,
        firmness=Firmness.PROMISE.value,
        last_update_at=None,
        created_at=created,
        due_on=due_on,
        due_at=_due_at(due_on),
    )


def _sqlite_rows(table: Table, columns: tuple[str, ...], engine: Engine, rows: list[tuple]):
    """The values SQLAlchemy would store: each column type's bind processor for this dialect
    (UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text, dates as text, booleans as 0/1, JSON
    as text), so the app's own comparisons (nudge_at = :seen) match them."""
    dialect = engine.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    pairs = [(i, p) for i, p in enumerate(processors) if p is not None]
    for row in rows:
        values = list(row)
        for i, process in pairs:
            if values[i] is not None:
                values[i] = process(values[i])
        yield values


def _postgres_row(row: tuple, json_at: list[int]) -> tuple:
    if not json_at:
        return row
    values = list(row)
    for i in json_at:
        values[i] = json.dumps(values[i])
    return values


def load(engine: Engine, spec: Spec) -> Loaded:
    """Generate and insert every row in one transaction, then ANALYZE; checks the counts."""
    postgres = engine.dialect.name == "postgresql"
    started = time.perf_counter()
    rows = _Generator(spec)
    tables = (
        (Member.__table__, MEMBER_COLUMNS, rows.members),
        (Advisor.__table__, ADVISOR_COLUMNS, rows.advisors),
        (Promise.__table__, PROMISE_COLUMNS, rows.promises),
    )
    with engine.begin() as connection:
        driver = connection.connection.driver_connection
        cursor = driver.cursor()
        if not postgres:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for the load only
        for table, columns, chunks in tables:
            names = ", ".join(columns)
            if postgres:
                json_at = [i for i, name in enumerate(columns) if name in JSON_COLUMNS]
                with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for chunk in chunks():
                        for row in chunk:
                            copy.write_row(_postgres_row(row, json_at))
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
            else:
                marks = ", ".join("?" for _ in columns)
                statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
                for chunk in chunks():
                    cursor.executemany(statement, _sqlite_rows(table, columns, engine, chunk))
        cursor.close()
    inserted = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
    done = time.perf_counter()
    with engine.connect() as connection:
        counts = {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("member", "advisor", "promise")
        }
    expected = {"member": spec.members, "advisor": spec.advisors, "promise": spec.promises}
    if counts != expected:
        raise BenchError(f"loading left {counts}, expected {expected}")
    return Loaded(
        counts=counts,
        due_advisors=spec.due_advisors,
        due_promises=spec.due_promises,
        due_owners=rows.due_owners,
        due_order=rows.due_order,
        alumni=rows.alumni,
        never_looked_at=rows.never_looked_at,
        generate_s=rows.seconds,
        insert_s=inserted - started,
        analyze_s=done - inserted,
    )


@contextlib.contextmanager
def sqlite_url(prefix: str = "bench-nudge-", directory: Path | None = None) -> Iterator[str]:
    """A SQLite file in a fresh temporary directory, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=directory) as where:
        yield f"sqlite:///{Path(where) / 'advisor.db'}"


@contextlib.contextmanager
def postgres_url(server: str) -> Iterator[str]:
    """A fresh database `advisor_bench_<pid>_<random>` on `server`, dropped (whoever is still
    connected) when the block ends, however it ends."""
    name = f"advisor_bench_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.Error as problem:
        raise BenchError(f"cannot reach Postgres at {server}: {problem}".strip()) from problem
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            url = make_url(server).set(drivername="postgresql+psycopg", database=name)
            yield url.render_as_string(hide_password=False)
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        admin.close()
