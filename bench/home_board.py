"""Building and publishing App Home for a member with 50 advisors and 2,000 touchpoints, in a
database that also holds 100,000 advisors (and 100,000 touchpoints) of other members: everything
except the HTTP call to Slack.

Run from the repository root:

    .venv/bin/python -m bench.home_board [--database sqlite|postgres|both] [--repeats 200]
                                         [--json PATH] [--sqlite-analyze] [--profile]

For each database: a fresh one is made (SQLite in a temporary directory; Postgres as a new
database `advisor_bench_<pid>` on the server, always dropped at the end), migrated with
core.db.migrate and seeded with bulk Core inserts. Each repeat then times, with
time.perf_counter_ns, what `publish_home` does before it calls Slack: open a session and a
transaction, `home_view(...)` (its queries and the Block Kit build), commit, and `json.dumps` of
the body that `WebClient.views_publish` would send. Postgres is timed twice: as configured
(psycopg prepares a statement on its 5th run on a connection) and with nothing prepared. The
first view is checked (the 50 advisors with their newest touchpoints, at most 100 blocks, valid
for slack_sdk's View). The plans of the queries home_view really sends are shown and checked:
each must use its index (ix_advisor_board, ix_touchpoint_advisor_at...) and read no whole table.
"""

import argparse
import contextlib
import cProfile
import gc
import io
import json
import logging
import math
import os
import platform
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import slack_sdk
import sqlalchemy
from psycopg import sql
from slack_sdk.models.views import View
from sqlalchemy import Engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bot.ids import ADVISOR_MENU
from bot.listeners.common import entries, home_view
from bot.views.board import MAX_BLOCKS
from bot.views.text import escape
from bot.views.touchpoint_form import HOW
from core.cadence import default_days
from core.db import make_engine, migrate, session_factory
from core.models import (
    Advisor,
    AdvisorStatus,
    Exchange,
    GivenBy,
    Medium,
    Member,
    RelationshipKind,
    Support,
    Touchpoint,
)

TARGET_MS = 50.0
WARMUP = 20
QUERY_REPEATS = 50
SEED = 20261122
CHUNK = 5_000  # rows per bulk INSERT statement (executemany)
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"

TEAM = "T0BENCH01"
OWNER = "U0BENCHME"
OWNER_TZ = "Europe/Paris"
BOARD_SIZE = 50
ALUMNI_COUNT = 4
OWN_TOUCHPOINTS = 2_000
ADVISORS_PER_MEMBER = 5
OTHER_TEAMS = [f"T{n:08d}" for n in range(1, 10)]  # half the other members are in TEAM itself

FIRST = (  # noqa: SIM905 (a list of 50 one-word names reads better as one string)
    "Aiko Amara Ana Anders Ben Bilal Carmen Chen Chloé Dana David Elena Emeka Farah Fatima "
    "Gabriel Hana Hugo Ines Ivan Jamal Jana João Kai Kofi Lars Leila Liam Lucía Mateo Maya Mei "
    "Nadia Noah Olga Omar Priya Rafael Ravi Rosa Sam Sara Sofia Tariq Tomás Uma Wei Yara Yusuf Zoe"
).split()
LAST = (  # noqa: SIM905
    "Abe Adeyemi Almeida Bauer Bernard Chen Costa Dubois Eriksen Fischer García Gupta Haddad "
    "Hansen Ibrahim Ito Jensen Kim Kowalski Larsen Lee Lopez Martin Meyer Moreau Müller Nakamura "
    "Nguyen Novak O'Brien Okafor Park Patel Petrov Rossi Santos Schmidt Silva Singh Smith Suzuki "
    "Tanaka Torres Wagner Wang Weber Williams Wójcik Yilmaz Zhang"
).split()
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
]
GAINS = [
    "",
    "",
    "Speaks for me in promotion rounds.",
    "Tells me how decisions really get made upstairs.",
    "Knows the product side & the customers better than anyone.",
    "Keeps me honest about what I actually want from work.",
    "Introduced me to half the people I know in the industry.",
]
ADVISOR_NOTES = [
    "",
    "",
    "",
    "Prefers a call on Friday afternoons.",
    "Ask about the <platform> migration next time.",
    "Met at the 2024 offsite. Runs marathons.",
]
TOUCH_NOTES = [
    "",
    "",
    "Quick catch-up.",
    "Talked about the reorg & what it means for the team.",
    "They suggested I lead the <growth> review next quarter.",
    "Long walk: career plans, the next two years, whether to move to a staff role or into "
    "management, and how to tell my manager about it without sounding impatient.",
    "Sent me the article on writing design docs.",
    "Intro to their former colleague in Berlin.",
]
KINDS = list(RelationshipKind)
KIND_WEIGHTS = [2, 4, 1, 1, 1]
CADENCES = [7, 14, 21, 30, 45, 60, 90]
SUPPORTS = [s.value for s in Support]
CHANNELS = [c.value for c in Medium]
EXCHANGES = [e.value for e in Exchange]
GIVERS = [g.value for g in GivenBy]


class BenchError(Exception):
    """The benchmark cannot trust its numbers (a wrong answer); the message says why."""


@dataclass
class Dataset:
    """Every row to insert, made once and inserted into each database alike."""

    now: datetime
    members: list[dict]
    advisors: list[dict]
    touchpoints: list[dict]
    board_ids: list[int]  # the measured member's active advisors
    alumni_names: list[str]
    latest_how: dict[int, str] = field(default_factory=dict)  # board advisor id -> newest 'how'
    other_members: int = 0
    generate_s: float = 0.0


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def _advisor(
    rng: random.Random,
    *,
    team: str,
    owner: str,
    slack_user_id: str | None,
    alumni: bool,
    times: list[datetime],
    now: datetime,
) -> dict:
    """An advisor row whose last touch is its newest touchpoint (or some day, if it has none)."""
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    cadence = default_days(kind) if rng.random() < 0.7 else rng.choice(CADENCES)
    last_touch = max(times) if times else now - _days(rng, 1, 200 if not alumni else 700)
    created = (min(times) if times else last_touch) - _days(rng, 0, 90)
    next_due = None if alumni else last_touch + timedelta(days=cadence)
    snoozed = None
    if next_due is not None and next_due < now and rng.random() < 0.05:
        snoozed = now + _days(rng, 1, 7)
    in_slack = slack_user_id is not None
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    contact = None
    if not in_slack and rng.random() < 0.8:
        contact = (
            f"{name.split()[0].lower()}@example.org"
            if rng.random() < 0.7
            else f"+1 555 {rng.randrange(10_000):04d}"
        )
    return {
        "team_id": team,
        "owner_id": owner,
        "slack_user_id": slack_user_id,
        "tz": rng.choice(ZONES) if in_slack else None,
        "name": name,
        "contact": contact,
        "relationship": kind.value,
        "inside_org": rng.random() < (0.9 if in_slack else 0.15),
        "support": rng.sample(SUPPORTS, rng.randint(0, 3)),
        "gains": rng.choice(GAINS),
        "notes": rng.choice(ADVISOR_NOTES),
        "cadence_days": cadence,
        "status": AdvisorStatus.ALUMNI.value if alumni else AdvisorStatus.ACTIVE.value,
        "last_touch_at": last_touch,
        "next_touch_due_at": next_due,
        "snoozed_until": snoozed,
        "created_at": created,
        "updated_at": last_touch,
    }


def _touchpoint(rng: random.Random, advisor: dict, at: datetime) -> dict:
    link = None
    if rng.random() < 0.1:
        channel, stamp = rng.randrange(10**8), rng.randrange(10**16)
        link = f"https://example.slack.com/archives/C{channel:08d}/p{stamp:016d}"
    return {
        "team_id": advisor["team_id"],
        "owner_id": advisor["owner_id"],
        "advisor_id": advisor["id"],
        "at": at,
        "how": rng.choice(CHANNELS),
        "exchanged": rng.sample(EXCHANGES, rng.randint(0, 2)),
        "given_by": rng.choice(GIVERS),
        "note": rng.choice(TOUCH_NOTES),
        "message_link": link,
        "created_at": at,
    }


def _slack_ids(rng: random.Random, count: int) -> list[str]:
    ids: set[str] = set()
    while len(ids) < count:
        ids.add(f"W{rng.randrange(10**9):09d}")
    return sorted(ids)


def _own_times(rng: random.Random, now: datetime) -> list[list[datetime]]:
    """2,000 touchpoint times over the past year, each board advisor getting at least one; the
    newest is 0-80 days old, so some advisors are overdue, some due soon, most on track."""
    counts = [1] * BOARD_SIZE
    weights = [rng.uniform(0.2, 3.0) for _ in range(BOARD_SIZE)]
    for index in rng.choices(range(BOARD_SIZE), weights, k=OWN_TOUCHPOINTS - BOARD_SIZE):
        counts[index] += 1
    year_ago = now - timedelta(days=365)
    times = []
    for count in counts:
        newest = now - _days(rng, 0.1, 80)
        span = (newest - year_ago).total_seconds()
        older = [year_ago + timedelta(seconds=rng.uniform(0, span)) for _ in range(count - 1)]
        times.append([newest, *older])
    return times


def generate(other_advisors: int, other_touchpoints: int, now: datetime) -> Dataset:
    """The measured member (50 active advisors, 4 alumni, 2,000 touchpoints) among other members
    with 5 advisors each and touchpoints on random ones of theirs; all times timezone-aware UTC.
    Ids follow creation time, so the measured member's rows are scattered through the tables."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    other_members = math.ceil(other_advisors / ADVISORS_PER_MEMBER)
    members = [
        {
            "team_id": TEAM,
            "user_id": OWNER,
            "tz": OWNER_TZ,
            "created_at": now - _days(rng, 400, 700),
        }
    ]
    owners: list[tuple[str, str]] = []
    for n in range(other_members):
        team = TEAM if n % 2 == 0 else OTHER_TEAMS[(n // 2) % len(OTHER_TEAMS)]
        user = f"U{n + 1:09d}"
        owners.append((team, user))
        members.append(
            {
                "team_id": team,
                "user_id": user,
                "tz": rng.choice(ZONES),
                "created_at": now - _days(rng, 30, 900),
            }
        )

    pending: list[tuple[dict, list[datetime]]] = []  # advisor row, its touchpoint times
    own_slack = iter(_slack_ids(rng, BOARD_SIZE + ALUMNI_COUNT))
    for index, times in enumerate(_own_times(rng, now)):
        slack_user_id = next(own_slack) if index % 10 < 7 else None  # 70% Slack members
        row = _advisor(
            rng,
            team=TEAM,
            owner=OWNER,
            slack_user_id=slack_user_id,
            alumni=False,
            times=times,
            now=now,
        )
        row["_board"] = True
        pending.append((row, times))
    for index in range(ALUMNI_COUNT):
        slack_user_id = next(own_slack) if index % 2 else None
        row = _advisor(
            rng, team=TEAM, owner=OWNER, slack_user_id=slack_user_id, alumni=True, times=[], now=now
        )
        pending.append((row, []))

    other_times: list[list[datetime]] = [[] for _ in range(other_advisors)]
    year_ago = now - timedelta(days=365)
    for _ in range(other_touchpoints):
        other_times[rng.randrange(other_advisors)].append(year_ago + _days(rng, 0, 364.9))
    for n in range(other_advisors):
        team, owner = owners[n // ADVISORS_PER_MEMBER]
        if n % ADVISORS_PER_MEMBER == 0:
            slack_ids = iter(_slack_ids(rng, ADVISORS_PER_MEMBER))
        slack_user_id = next(slack_ids) if rng.random() < 0.6 else None
        alumni = rng.random() < 0.1
        times = other_times[n]
        pending.append(
            (
                _advisor(
                    rng,
                    team=team,
                    owner=owner,
                    slack_user_id=slack_user_id,
                    alumni=alumni,
                    times=times,
                    now=now,
                ),
                times,
            )
        )

    pending.sort(key=lambda item: item[0]["created_at"])
    advisors, touchpoints, board_ids, alumni_names, latest_how = [], [], [], [], {}
    for advisor_id, (row, times) in enumerate(pending, start=1):
        row["id"] = advisor_id
        board = row.pop("_board", False)
        if row["owner_id"] == OWNER:
            if board:
                board_ids.append(advisor_id)
            else:
                alumni_names.append(row["name"])
        advisors.append(row)
        for at in times:
            touchpoints.append(_touchpoint(rng, row, at))
            if board and at == row["last_touch_at"]:
                latest_how[advisor_id] = touchpoints[-1]["how"]
    touchpoints.sort(key=lambda row: row["at"])  # logged as they happened: owners interleave
    for touchpoint_id, row in enumerate(touchpoints, start=1):
        row["id"] = touchpoint_id
    return Dataset(
        now=now,
        members=members,
        advisors=advisors,
        touchpoints=touchpoints,
        board_ids=board_ids,
        alumni_names=alumni_names,
        latest_how=latest_how,
        other_members=other_members,
        generate_s=time.perf_counter() - started,
    )


def seed(engine: Engine, data: Dataset, *, sqlite_analyze: bool = False) -> dict:
    """Bulk Core inserts (executemany, CHUNK rows a statement) in one transaction; on Postgres
    the id sequences are moved past the inserted ids and VACUUM ANALYZE brings the statistics
    (and visibility map) to what autovacuum would have left in a live database. SQLite gets no
    ANALYZE unless asked: the app never runs one, so a real SQLite file has no statistics."""
    started = time.perf_counter()
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for table, rows in (
            (Member.__table__, data.members),
            (Advisor.__table__, data.advisors),
            (Touchpoint.__table__, data.touchpoints),
        ):
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(table), rows[start : start + CHUNK])
        if postgres:
            for table in ("advisor", "touchpoint"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    inserted = time.perf_counter()
    if postgres or sqlite_analyze:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
    done = time.perf_counter()
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("member", "advisor", "touchpoint")
        }
    expected = {
        "member": len(data.members),
        "advisor": len(data.advisors),
        "touchpoint": len(data.touchpoints),
    }
    if counts != expected:
        raise BenchError(f"seeding left {counts}, expected {expected}")
    return {"insert_s": inserted - started, "analyze_s": done - inserted, "seed_s": done - started}


def check_view(view: dict, body: str, data: Dataset, session: Session) -> dict:
    """The first view must be the real board: every board advisor with their newest touchpoint."""
    blocks = view.get("blocks", [])
    if len(blocks) > MAX_BLOCKS:
        raise BenchError(f"the view has {len(blocks)} blocks, Slack allows {MAX_BLOCKS}")
    shown: dict[int, str] = {}
    for block in blocks:
        if block.get("type") != "section":
            continue
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == ADVISOR_MENU:  # the compact layout for long boards
            advisor_id = int(accessory["options"][0]["value"].rsplit(":", 1)[1])
            shown[advisor_id] = block["text"]["text"]
    if sorted(shown) != sorted(data.board_ids):
        raise BenchError(
            f"the view shows {len(shown)} advisors' sections, expected the {len(data.board_ids)} "
            "of the board"
        )
    for advisor_id, line in shown.items():
        kind = data.latest_how[advisor_id]
        how = "" if kind == "other" else f"({HOW[kind].lower()}"  # 'other' is not shown
        if "Last touchpoint" not in line or how not in line:
            raise BenchError(f"advisor {advisor_id}'s line lacks its newest touchpoint: {line!r}")
    summary = blocks[1]["text"]["text"]
    if not summary.startswith(f"{BOARD_SIZE} advisors"):
        raise BenchError(f"the summary says {summary!r}")
    alumni_line = blocks[-1]
    if alumni_line.get("type") != "context" or not all(
        escape(name) in alumni_line["elements"][0]["text"] for name in data.alumni_names
    ):
        raise BenchError(f"the alumni line is missing or incomplete: {alumni_line!r}")
    if View(**view).to_dict() != view:
        raise BenchError("slack_sdk's View(**view).to_dict() differs from the view")
    if json.loads(body)["view"] != view:
        raise BenchError("the JSON body does not round-trip to the view")
    rows = entries(session, team_id=TEAM, owner_id=OWNER)
    if len(rows) != BOARD_SIZE or any(entry.latest is None for entry in rows):
        raise BenchError("entries() does not give the 50 advisors each with a touchpoint")
    return {
        "blocks": len(blocks),
        "advisor_sections": len(shown),
        "body_bytes": len(body.encode()),
        "summary": summary,
    }


# The queries home_view runs, how to tell them apart, and the index each should use.
QUERIES = [
    ("alumni", "FROM advisor", "alumni", ("ix_advisor_board",)),
    ("member zone", "FROM member", None, ("uq_member_team_user", "sqlite_autoindex_member_1")),
    ("board advisors", "FROM advisor", "active", ("ix_advisor_board",)),
    ("latest touchpoints", "FROM touchpoint", None, ("ix_touchpoint_advisor_at",)),
]
MAIN_QUERIES = ("board advisors", "latest touchpoints")


def _label(statement: str, parameters) -> str | None:
    values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters or ())
    for label, source, status, _indexes in QUERIES:
        if source in statement and (status is None or status in values):
            return label
    return None


def _sqlite_plan(connection, statement: str, parameters) -> list[str]:
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def _postgres_plan(connection, statement: str, parameters) -> list[str]:
    """The plan made for these very parameters (a 'custom' plan), with real times and buffers."""
    rows = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
    return [row[0] for row in rows]


def _postgres_generic_plan(connection, statement: str, parameters: dict) -> list[str]:
    """The plan Postgres keeps for a prepared statement once it stops planning each call anew:
    psycopg prepares a statement on its 5th run on a connection, and the server may switch to a
    generic plan from the 6th execution of that. Shown by PREPARE + EXPLAIN EXECUTE."""
    names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement)))
    number = {name: n for n, name in enumerate(names, start=1)}
    prepared = re.sub(r"%\((\w+)\)s", lambda m: f"${number[m.group(1)]}", statement)
    raw = connection.connection.dbapi_connection
    with psycopg.ClientCursor(raw) as cursor:  # literal values: EXECUTE takes no bind parameters
        cursor.execute(f"PREPARE bench_generic AS {prepared}")
        try:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            arguments = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic({arguments})",
                [parameters[name] for name in names],
            )
            return [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("DEALLOCATE bench_generic")


FULL_SCAN = {
    "postgresql": re.compile(r"Seq Scan on (advisor|touchpoint|member)\b"),
    "sqlite": re.compile(r"^\s*SCAN (advisor|touchpoint|member)\b"),
}


def _plan_problem(label: str, lines: list[str], dialect: str) -> str | None:
    """None when the plan uses the query's index and reads no whole table; else what is wrong."""
    indexes = next(q[3] for q in QUERIES if q[0] == label)
    scans = sorted({m.group(1) for line in lines if (m := FULL_SCAN[dialect].search(line))})
    if scans:
        return "reads all of " + ", ".join(scans)
    if not any(index in line for line in lines for index in indexes):
        return f"does not use {indexes[0]}"
    return None


def capture(engine: Engine, data: Dataset) -> list[tuple[str, str, object]]:
    """The SQL home_view really sends, with its parameters: (label, statement, parameters)."""
    seen: list[tuple[str, str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        label = _label(statement, parameters)
        if label is not None:
            seen.append((label, statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session, session.begin():
            home_view(session, team_id=TEAM, user_id=OWNER, now=data.now)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    missing = [label for label, *_ in QUERIES if label not in {s[0] for s in seen}]
    if missing:
        raise BenchError(f"home_view did not run the expected queries: {missing}")
    return seen


def explain(engine: Engine, captured: list[tuple[str, str, object]]) -> dict:
    """EXPLAIN each captured statement (ANALYZE and BUFFERS on Postgres) and check its plan."""
    dialect = engine.dialect.name
    plan_of = _postgres_plan if dialect == "postgresql" else _sqlite_plan
    plans = {}
    with engine.connect() as connection:
        for label, statement, parameters in captured:
            lines = plan_of(connection, statement, parameters)
            plans[label] = {
                "sql": " ".join(statement.split()),
                "plan": lines,
                "problem": _plan_problem(label, lines, dialect),
            }
            if dialect == "postgresql":
                generic = _postgres_generic_plan(connection, statement, parameters)
                plans[label]["generic_plan"] = generic
                plans[label]["generic_problem"] = _plan_problem(label, generic, dialect)
    return plans


def time_queries(engine: Engine, captured: list[tuple[str, str, object]], repeats: int) -> dict:
    """Median ms of each captured statement run alone through the driver, all rows fetched."""
    times: dict[str, list[int]] = {label: [] for label, *_ in captured}
    with engine.connect() as connection:
        for _ in range(repeats):
            for label, statement, parameters in captured:
                started = time.perf_counter_ns()
                connection.exec_driver_sql(statement, parameters).all()
                times[label].append(time.perf_counter_ns() - started)
    return {label: statistics.median(ns) / 1e6 for label, ns in times.items()}


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of all values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def publish_once(open_session: Callable[[], Session], now: datetime) -> tuple[dict, str, int, int]:
    """What publish_home does before the HTTP call, timed: (view, body, view ns, dumps ns)."""
    started = time.perf_counter_ns()
    with open_session() as session, session.begin():  # bot.listeners.common.transaction
        view = home_view(session, team_id=TEAM, user_id=OWNER, now=now)
    built = time.perf_counter_ns()
    body = json.dumps({"user_id": OWNER, "view": view})  # what WebClient.views_publish sends
    done = time.perf_counter_ns()
    return view, body, built - started, done - built


def measure(engine: Engine, data: Dataset, repeats: int) -> dict:
    open_session = session_factory(engine)
    view, body, _, _ = publish_once(open_session, data.now)
    with Session(engine) as session:
        checked = check_view(view, body, data, session)
    for _ in range(WARMUP):
        publish_once(open_session, data.now)
    view_ns, dumps_ns = [], []
    for _ in range(repeats):
        _view, _body, built, dumped = publish_once(open_session, data.now)
        view_ns.append(built)
        dumps_ns.append(dumped)
    total_ms = [(a + b) / 1e6 for a, b in zip(view_ns, dumps_ns, strict=True)]
    return {
        **checked,
        "repeats": repeats,
        "min_ms": min(total_ms),
        "median_ms": statistics.median(total_ms),
        "p95_ms": percentile(total_ms, 0.95),
        "p99_ms": percentile(total_ms, 0.99),
        "max_ms": max(total_ms),
        "view_median_ms": statistics.median(ns / 1e6 for ns in view_ns),
        "dumps_median_ms": statistics.median(ns / 1e6 for ns in dumps_ns),
    }


def profile(engine: Engine, data: Dataset, repeats: int, top: int = 25) -> str:
    open_session = session_factory(engine)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        publish_once(open_session, data.now)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="bench-home-") as directory:
        yield f"sqlite:///{Path(directory) / 'advisor.db'}"


@contextlib.contextmanager
def postgres_url(server: str) -> Iterator[str]:
    """A fresh database on `server`, dropped (whoever is still connected) when the block ends."""
    name = f"advisor_bench_{os.getpid()}"
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


def server_version(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return connection.exec_driver_sql("SHOW server_version").scalar_one()
        return connection.exec_driver_sql("SELECT sqlite_version()").scalar_one()


def _never_prepare(dbapi_connection, _record) -> None:
    dbapi_connection.prepare_threshold = None  # psycopg: plan every statement for its parameters


def run_database(name: str, data: Dataset, options) -> tuple[dict, list[dict]]:
    """Seed one fresh database, show its plans and time the Home: (database facts, timed runs).
    Postgres is timed twice: as configured, where psycopg prepares a statement on its 5th run
    on a connection and the server may then keep a generic plan, and with nothing prepared, as
    a member's statements first run on each pooled connection (or whenever their board size,
    hence the SQL text, is new to that connection)."""
    url_of = sqlite_url() if name == "sqlite" else postgres_url(options.postgres)
    runs = []
    with url_of as url:
        engine = make_engine(url)
        engines = [(name, engine)]
        try:
            migrate(engine)
            seeded = seed(engine, data, sqlite_analyze=options.sqlite_analyze)
            version = server_version(engine)
            captured = capture(engine, data)
            plans = explain(engine, captured)
            if name == "postgres":
                unprepared = make_engine(url)
                event.listen(unprepared, "connect", _never_prepare)
                engines.append((f"{name}, unprepared", unprepared))
            for run_name, run_engine in engines:
                runs.append(
                    {
                        "name": run_name,
                        "database": name,
                        **measure(run_engine, data, options.repeats),
                        "query_median_ms": time_queries(run_engine, captured, QUERY_REPEATS),
                        "profile": (
                            profile(run_engine, data, options.repeats) if options.profile else None
                        ),
                    }
                )
        finally:
            for _run_name, run_engine in engines:
                run_engine.dispose()
    facts = {
        "version": version,
        **seeded,
        "plans": plans,
        "plans_ok": all(plans[label]["problem"] is None for label in MAIN_QUERIES),
    }
    return facts, runs


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "slack_sdk": slack_sdk.version.__version__,
    }


def _check(problem: str | None) -> str:
    return f"PROBLEM: {problem}" if problem else "uses its index"


def report_plans(name: str, facts: dict) -> str:
    lines = [f"{name} {facts['version']}: plans of the queries home_view sends"]
    for label, *_ in QUERIES:
        entry = facts["plans"][label]
        if label not in MAIN_QUERIES:
            lines.append(f"  {label}: {_check(entry['problem'])}")
            continue
        kind = " for these parameters" if "generic_plan" in entry else ""
        lines.append(f"  {label}, plan{kind} ({_check(entry['problem'])}):")
        lines.extend(f"    {line}" for line in entry["plan"])
        if "generic_plan" in entry:
            lines.append(f"  {label}, generic plan ({_check(entry['generic_problem'])}):")
            lines.extend(f"    {line}" for line in entry["generic_plan"])
    return "\n".join(lines)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]


def report(results: dict) -> str:
    data = results["data"]
    timing = [("run", "median ms", "p95 ms", "p99 ms", "min ms", "max ms", "view ms", "json ms")]
    labels = [label for label, *_ in QUERIES]
    queries = [("run", *(f"{label} ms" for label in labels))]
    verdicts = []
    for r in results["runs"]:
        timing.append(
            (
                r["name"],
                *(f"{r[key]:.2f}" for key in ("median_ms", "p95_ms", "p99_ms", "min_ms", "max_ms")),
                f"{r['view_median_ms']:.2f}",
                f"{r['dumps_median_ms']:.2f}",
            )
        )
        queries.append((r["name"], *(f"{r['query_median_ms'][label]:.2f}" for label in labels)))
        verdict = "OK" if r["median_ms"] < TARGET_MS else "ABOVE"
        verdicts.append(f"{r['name']} {r['median_ms']:.2f} ms {verdict}")
    seeding = [("database", "seed s", "insert s", "analyze s", "blocks", "body KB", "plans")]
    for name, facts in results["databases"].items():
        first = next(r for r in results["runs"] if r["database"] == name)
        seeding.append(
            (
                name,
                f"{facts['seed_s']:.1f}",
                f"{facts['insert_s']:.1f}",
                f"{facts['analyze_s']:.1f}",
                str(first["blocks"]),
                f"{first['body_bytes'] / 1024:.1f}",
                "ok" if facts["plans_ok"] else "PROBLEM",
            )
        )
    m = results["machine"]
    return "\n".join(
        [
            f"App Home for a member with {BOARD_SIZE} advisors (+{ALUMNI_COUNT} alumni) and "
            f"{OWN_TOUCHPOINTS:,} touchpoints, among {data['other_advisors']:,} advisors and "
            f"{data['other_touchpoints']:,} touchpoints of {data['other_members']:,} other members "
            f"(rows generated in {data['generate_s']:.1f} s)",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}",
            "",
            f"session + home_view + commit + json.dumps, no HTTP: {results['repeats']} repeats "
            f"after {WARMUP} warm-up",
            *_table(timing),
            "",
            *_table(seeding),
            "",
            f"each query alone through the driver, rows fetched (median of {QUERY_REPEATS})",
            *_table(queries),
            "",
            f"target: median under {TARGET_MS:.0f} ms: " + "; ".join(verdicts),
        ]
    )


def run(options) -> dict:
    names = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    now = datetime.now(UTC).replace(microsecond=0)
    data = generate(options.other_advisors, options.other_touchpoints, now)
    results = {
        "repeats": options.repeats,
        "warmup": WARMUP,
        "machine": machine(),
        "now": now.isoformat(),
        "data": {
            "board": BOARD_SIZE,
            "alumni": ALUMNI_COUNT,
            "own_touchpoints": OWN_TOUCHPOINTS,
            "other_members": data.other_members,
            "other_advisors": options.other_advisors,
            "other_touchpoints": options.other_touchpoints,
            "generate_s": data.generate_s,
        },
        "databases": {},
        "runs": [],
    }
    gc.freeze()  # the ~200,000 row dicts stay alive all run: keep them out of the collector's way
    for name in names:
        facts, runs = run_database(name, data, options)
        results["databases"][name] = facts
        results["runs"] += runs
        print(report_plans(name, facts), end="\n\n", flush=True)
        for timed in runs:
            if timed["profile"]:
                print(f"{timed['name']}: cProfile of {options.repeats} repeats, cumulative")
                print(timed["profile"], flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.home_board",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeats", type=int, default=200, help="measured repeats per database")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        metavar="URL",
        help=f"a Postgres server to make the throwaway database on (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument(
        "--other-advisors", type=int, default=100_000, help="advisors of other members"
    )
    parser.add_argument(
        "--other-touchpoints", type=int, default=100_000, help="touchpoints of other members"
    )
    parser.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="run ANALYZE on SQLite after seeding (the app never does; Postgres always gets it)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also run the repeats under cProfile and print it"
    )
    options = parser.parse_args(argv)
    if options.repeats < 1 or options.other_advisors < 0 or options.other_touchpoints < 0:
        parser.error("--repeats must be at least 1, the other counts at least 0")
    if options.other_touchpoints and not options.other_advisors:
        parser.error("--other-touchpoints needs other advisors to belong to")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = run(options)
    except BenchError as problem:
        print(f"home_board: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
