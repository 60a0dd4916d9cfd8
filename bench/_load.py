"""A big database for the nudge benchmarks: members, their advisors and open promises, 1 % of
them due a nudge. Shared by bench/nudge_due.py and bench/nudge_memory.py.

Rows are generated as a stream (seeded `random`, so every database gets the same data) and
bulk-loaded in one transaction: SQLite with the DB-API `executemany`, values turned into what
SQLAlchemy itself would store (each column type's own bind processor), Postgres with `COPY`.
Then ANALYZE on both (VACUUM ANALYZE on Postgres). The schema is the app's:
core.db.make_engine + core.db.migrate, so every index and foreign key is there during the load.
"""

import contextlib
import json
import math
import os
import random
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import Engine, Table, text
from sqlalchemy.engine import make_url

from core.due import LEAD_DAYS, STALLED_AFTER
from core.models import Advisor, AdvisorStatus, Firmness, Member, Promise, PromiseStatus
from core.nudges import LOOKAHEAD

SEED = 20261123
CHUNK = 20_000  # rows per executemany / generator batch
ADVISORS_PER_MEMBER = 5
TEAMS = [f"T{n:08d}" for n in range(10)]
DUE_FRACTION = 0.01  # of advisors, and of promises
ALUMNI_FRACTION = 0.10  # of the advisors not due: nudge_at NULL
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"

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
    window always open, time zone UTC), `promises` open promises, 1 % of each due at `now`."""

    now: datetime
    advisors: int
    promises: int

    @property
    def members(self) -> int:
        return math.ceil(self.advisors / ADVISORS_PER_MEMBER)

    @property
    def due_advisors(self) -> int:
        return round(self.advisors * DUE_FRACTION)

    @property
    def due_promises(self) -> int:
        return round(self.promises * DUE_FRACTION)


@dataclass
class Loaded:
    """What went in, and what due_owners must answer for it."""

    counts: dict[str, int]
    due_advisors: int
    due_promises: int
    due_owners: set[tuple[str, str]]
    alumni: int
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


class _Generator:
    """The rows, as tuples in the *_COLUMNS order, made chunk by chunk."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rng = random.Random(SEED)
        # Due advisors: nudge_at up to 10 days ago, no two in the same second, so "the most
        # overdue first" has one answer.
        due = sorted(self.rng.sample(range(spec.advisors), spec.due_advisors))
        self.due = dict(zip(due, self.rng.sample(range(1, 10 * 86_400), len(due)), strict=True))
        self.status = bytearray(spec.advisors)  # 1: alumni
        self.due_owners: set[tuple[str, str]] = set()
        self.alumni = 0
        self.seconds = 0.0

    def members(self) -> Iterator[list[tuple]]:
        spec, rng = self.spec, self.rng
        started = time.perf_counter()
        chunk = []
        for m in range(spec.members):
            created = _at(rng, spec.now, timedelta(days=-900), timedelta(days=-30))
            always_open = ("0123456", 0, 1440, None, True, True, False, None, None)
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
            if k in self.due:  # due a nudge: its cadence passed up to 10 days ago
                due_at = now - timedelta(seconds=self.due[k])
                status, nudge_at = AdvisorStatus.ACTIVE.value, due_at
                self.due_owners.add((team, owner))
            elif rng.random() < ALUMNI_FRACTION:
                due_at = nudge_at = None
                status = AdvisorStatus.ALUMNI.value
                self.status[k] = 1
                self.alumni += 1
            else:  # due later: always past due_owners' look-ahead, within 60 days
                due_at = _at(rng, now, LOOKAHEAD + timedelta(hours=1), timedelta(days=60))
                status, nudge_at = AdvisorStatus.ACTIVE.value, due_at
            last_touch = (due_at or now - timedelta(days=200)) - timedelta(days=cadence)
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
                    status,
                    last_touch,
                    due_at,
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
        """Open promises on random active advisors, each with the nudge_at the app would
        store (its earliest nudge still to come). 1 % are due: made 10 days ago and not updated
        since, due in 20-60 days, so "stalled" is due at made + 10 days, in the past 3 days (no
        two in the same second). The others are due their "a few days before" nudge (the
        start of due date - 3 days, UTC) 3-60 days from now, after the look-ahead."""
        spec, rng, now = self.spec, self.rng, self.spec.now
        due = sorted(rng.sample(range(spec.promises), spec.due_promises))
        due = dict(zip(due, rng.sample(range(1, 3 * 86_400), len(due)), strict=True))
        today = now.date()
        started = time.perf_counter()
        chunk = []
        for p in range(spec.promises):
            k = rng.randrange(spec.advisors)
            while self.status[k]:  # no promises to alumni
                k = rng.randrange(spec.advisors)
            team, owner = owner_of(k, spec.members)
            if p in due:
                nudge_at = now - timedelta(seconds=due[p])
                created = nudge_at - STALLED_AFTER
                due_on = today + timedelta(days=rng.randint(20, 60))
                self.due_owners.add((team, owner))
            else:
                lead = timedelta(days=LEAD_DAYS[Firmness.PROMISE])
                soon = today + timedelta(days=rng.randint(3, 60))
                nudge_at = datetime.combine(soon, clock_time(0), tzinfo=UTC)
                due_on = soon + lead
                created = _at(rng, now, timedelta(days=-9), timedelta(days=-1))
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
                    datetime.combine(due_on + timedelta(days=1), clock_time(0), tzinfo=UTC),
                    0,
                    None,
                    None,
                    nudge_at,
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
    rows = _Generator(spec)
    tables = (
        (Member.__table__, MEMBER_COLUMNS, rows.members),
        (Advisor.__table__, ADVISOR_COLUMNS, rows.advisors),
        (Promise.__table__, PROMISE_COLUMNS, rows.promises),
    )
    started = time.perf_counter()
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
        alumni=rows.alumni,
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
