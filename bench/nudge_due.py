"""One batch of the tick's due query with 1,000,000 advisors, 1 % of them due, against the same
query with its indexes unusable; and the same number due among 100,000 advisors, to show the
query's cost does not grow with what is stored.

Run from the repository root:

    .venv/bin/python -m bench.nudge_due [--sqlite-only | --postgres-only] [--postgres-url URL]
                                        [--advisors 1000000] [--promises N]
                                        [--small-advisors 100000] [--wakeups 1000]
                                        [--repeats 20] [--json PATH]

For each database: two fresh ones (SQLite files in a temporary directory; on Postgres new
databases `advisor_bench_<pid>_<random>`, always dropped at the end), migrated with
core.db.migrate and loaded by bench/_load.py: the big one with --advisors advisors (members,
open promises, 1 % of advisors and of promises due, each at a different member), the small one
with --small-advisors advisors and as many due as the big one. Every member's `look_at` is what
the tick leaves there. Then, on fresh engines, it times one batch of
`core.due_members.due_owners(session, now=..., limit=500)` (on one session from
core.db.session_factory kept across runs, as a tick keeps one for its due queries; also, as a
tick's first batch, on a session opened for the run) in both databases and, interleaved with
it, due_owners on engines whose statements cannot use the indexes (`NOT INDEXED` on SQLite's
member and wakeup; enable_indexscan, enable_bitmapscan and enable_indexonlyscan off on
Postgres). The first answer of each must be the 500 most overdue due members, in order. The
plans are printed and checked (EXPLAIN QUERY PLAN; on Postgres EXPLAIN (ANALYZE, BUFFERS), and
the generic plan a prepared statement may switch to). Then --wakeups rows are added to the big
database's wakeup table and the batch is timed again. Also timed, interleaved: due_owners'
statements alone through the driver (with and without usable indexes), and a floor: a session
with `SELECT 1` for each statement due_owners sends, read the way it reads. The targets from
the issue: one batch under 30 ms, at least 20x faster than with the indexes unusable, and
within 1.3x between the big and the small database.
"""

import argparse
import json
import logging
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import psycopg
import sqlalchemy
from sqlalchemy import Engine, event, insert, text
from sqlmodel import Session

from bench._load import (
    DEFAULT_POSTGRES,
    BenchError,
    Loaded,
    Spec,
    load,
    owner_of,
    postgres_url,
    sqlite_url,
)
from core.db import make_engine, migrate, reader, session_factory
from core.due_members import BATCH, due_owners
from core.models import Wakeup

TARGET_MS = 30.0
TARGET_RATIO = 20.0
TARGET_GROWTH = 1.3  # big / small, the same number due
WARMUP = 3
INDEX = "ix_member_look_at"
TABLES = ("member", "wakeup")  # what due_owners reads
FULL_SCAN = {  # a table read whole: the due query's cost would grow with the table
    "postgresql": re.compile(r"Seq Scan on (member|advisor|promise)\b"),
    # SQLite: `SCAN t` (also `SCAN t USING [COVERING] INDEX`, all of an index) reads it all,
    # and so does filling a Bloom filter on a join's inner table.
    "sqlite": re.compile(r"^\s*(?:SCAN|BLOOM FILTER ON) (member|advisor|promise)\b"),
}
NO_INDEXES = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")


def capture(engine: Engine, now: datetime) -> list[tuple[str, object]]:
    """The statements due_owners sends, in order, with their parameters."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            due_owners(session, now=now, limit=BATCH)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if not seen:
        raise BenchError("due_owners sent no statement")
    return seen


def not_indexed(statement: str) -> str:
    """SQLite: the statement with every table due_owners reads taken `NOT INDEXED`."""
    for table in TABLES:
        statement = re.sub(
            rf"\bFROM {table}\b(?! NOT INDEXED)", f"FROM {table} NOT INDEXED", statement
        )
    return statement


def _not_indexed(_conn, _cursor, statement, parameters, _context, _executemany):
    return not_indexed(statement), parameters


def _no_index_scans(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        for setting in NO_INDEXES:
            cursor.execute(f"SET {setting} = off")
    dbapi_connection.commit()


def combined(answers: list[list[tuple]], limit: int) -> list[tuple]:
    """What due_owners makes of its statements' rows: in order (rows with a third column, the
    woken-or-looking flag of its UNION ALL, by that first, each part in its order), each owner
    once, at most `limit` of them."""
    rows = [row for rows in answers for row in rows]
    if rows and len(rows[0]) > 2:
        rows = [row[:2] for row in sorted(rows, key=lambda row: row[2])]
    return list(dict.fromkeys(rows))[:limit]


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
    """The plan Postgres may keep for a prepared statement once it stops planning each call
    anew (psycopg prepares a statement on its 5th run on a connection): PREPARE + EXPLAIN
    EXECUTE with plan_cache_mode = force_generic_plan."""
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


def plan_problem(lines: list[str], dialect: str, *, indexed: bool) -> str | None:
    """For the due query: None when member is read through ix_member_look_at and no big table
    is read whole (wakeup is small, and read whole by design: its owners are grouped). For the
    scan: None when member is read whole."""
    scans = sorted({m.group(1) for line in lines if (m := FULL_SCAN[dialect].search(line))})
    if not indexed:
        return None if "member" in scans else "does not read all of member"
    if scans:
        return "reads all of " + ", ".join(scans)
    if not any(INDEX in line for line in lines):
        return f"does not use {INDEX}"
    return None


def explain(engine: Engine, scan_engine: Engine, sent: list[tuple]) -> dict:
    """The plans of every statement (due, its generic plan on Postgres, scan), each list
    checked as a whole."""
    dialect = engine.dialect.name
    plan_of = _postgres_plan if dialect == "postgresql" else _sqlite_plan
    found: dict[str, list[list[str]]] = {"due": [], "due_generic": [], "scan": []}
    with engine.connect() as connection:
        for statement, parameters in sent:
            found["due"].append(plan_of(connection, statement, parameters))
            if dialect == "postgresql":
                generic = _postgres_generic_plan(connection, statement, parameters)
                found["due_generic"].append(generic)
    with scan_engine.connect() as connection:
        for statement, parameters in sent:
            scan = not_indexed(statement) if dialect == "sqlite" else statement
            found["scan"].append(plan_of(connection, scan, parameters))
    plans = {}
    for key, per_statement in found.items():
        if not per_statement:
            continue
        every_line = [line for lines in per_statement for line in lines]
        plans[key] = {
            "plans": per_statement,
            "problem": plan_problem(every_line, dialect, indexed=key != "scan"),
        }
    return plans


def check(name: str, rows: list[tuple], expected: list[tuple]) -> None:
    """The first batch: exactly the most overdue owners, most overdue first."""
    want = expected[:BATCH]
    if rows == want:
        return
    if set(rows) == set(want):
        raise BenchError(f"{name}: the right {len(rows)} owners, in the wrong order")
    raise BenchError(
        f"{name}: {len(rows)} owners, {len(set(rows) - set(want))} of them not among the "
        f"{len(want)} expected"
    )


class Database:
    """One loaded database, with an engine as the app makes it and one whose statements cannot
    use the indexes."""

    def __init__(self, label: str, url: str, loaded: Loaded):
        self.label, self.url, self.loaded = label, url, loaded
        self.expected = loaded.due_order
        self.engine, self.scan_engine = make_engine(url), make_engine(url)
        if self.scan_engine.dialect.name == "sqlite":
            event.listen(self.scan_engine, "before_cursor_execute", _not_indexed, retval=True)
        else:
            event.listen(self.scan_engine, "connect", _no_index_scans)

        self.sessions: list[Session] = []

    def dispose(self) -> None:
        for session in self.sessions:
            session.close()
        self.engine.dispose()
        self.scan_engine.dispose()

    def runs(self, now: datetime) -> dict[str, Callable[[], list[tuple]]]:
        """due_owners as the tick calls it batch after batch (on the one session the tick
        keeps for its due queries), and with its indexes unusable; and as the first batch of
        a tick (a session opened for it, as the tick opens one)."""

        def on(engine: Engine) -> Callable[[], list[tuple]]:
            session = session_factory(engine)()
            self.sessions.append(session)
            return lambda: due_owners(session, now=now, limit=BATCH)

        def first(engine: Engine) -> Callable[[], list[tuple]]:
            open_session = session_factory(engine)

            def run() -> list[tuple]:
                with open_session() as session:
                    return due_owners(session, now=now, limit=BATCH)

            return run

        return {"due": on(self.engine), "scan": on(self.scan_engine), "first": first(self.engine)}

    def floor(self, now: datetime) -> Callable[[], list[tuple]]:
        """What any due query costs before the database does any work: a session as the tick
        opens one and, on the connection due_owners reads on (core.db.reader: no transaction),
        `SELECT 1` for each statement due_owners sends, every row fetched."""
        open_session = session_factory(self.engine)
        statements = len(capture(self.engine, now))

        def run() -> list[tuple]:
            with open_session() as session:
                for _ in range(statements):
                    reader(session).execute(text("SELECT 1")).all()
            return []

        return run

    def sql_alone(self, now: datetime, *, scan: bool = False) -> Callable[[], list[tuple]]:
        """The statements due_owners sends, alone through the driver on one pooled connection
        in autocommit (as core.db.reader reads them), every row fetched, combined as due_owners
        combines them (with `scan`, on the engine whose statements cannot use the indexes)."""
        statements = capture(self.engine, now)
        engine = self.scan_engine if scan else self.engine

        def run() -> list[tuple]:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                answers = [
                    [tuple(row) for row in connection.exec_driver_sql(sql, parameters)]
                    for sql, parameters in statements
                ]
            return combined(answers, BATCH)

        return run


def measure(runs: dict[str, Callable[[], list[tuple]]], expected: dict, repeats: int) -> dict:
    """Check each first answer, warm up, then `repeats` rounds of every run, interleaved
    (due, scan, SQL alone, scan SQL alone, floor, due small, scan small, due...) so the
    machine's noise hits all alike. Returns the ms of every run by name."""
    for name, run in runs.items():
        if name in expected:
            check(name, run(), expected[name])
    for _ in range(WARMUP):
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter_ns()
            run()
            times[name].append((time.perf_counter_ns() - started) / 1e6)
    return times


def server_version(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + connection.exec_driver_sql("SHOW server_version").scalar_one()
        return "SQLite " + connection.exec_driver_sql("SELECT sqlite_version()").scalar_one()


def loaded_database(url: str, spec: Spec) -> Loaded:
    engine = make_engine(url)
    try:
        migrate(engine)
        return load(engine, spec)
    finally:
        engine.dispose()  # measure on fresh connections, not the loader's


def add_wakeups(url: str, count: int, members: int, now: datetime) -> list[tuple[str, str]]:
    """`count` wakeup rows for random members (some woken more than once), as requests add
    them; returns the owners due_owners must take first: those of the oldest BATCH wakeups,
    in their order, each once."""
    rng = random.Random(count)
    rows = []
    for n in range(count):
        team_id, owner_id = owner_of(rng.randrange(members), members)
        at = now - timedelta(seconds=count - n)
        rows.append({"team_id": team_id, "owner_id": owner_id, "at": at})
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(Wakeup.__table__), rows)
    finally:
        engine.dispose()
    return list(dict.fromkeys((r["team_id"], r["owner_id"]) for r in rows[:BATCH]))


def summary(times: dict[str, list[float]], name: str) -> dict:
    runs = times[name]
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs), "runs": runs}


def measure_pair(name: str, big: Database, small: Database | None, options) -> dict:
    """due_owners in the big and the small database, each against its scan, interleaved."""
    now = options.now
    version = server_version(big.engine)
    sent = capture(big.engine, now)
    plans = {"big": explain(big.engine, big.scan_engine, sent)}
    runs = big.runs(now)
    runs["sql"] = big.sql_alone(now)
    runs["scan_sql"] = big.sql_alone(now, scan=True)
    expected = dict.fromkeys(runs, big.expected)
    runs["floor"] = big.floor(now)
    if small is not None:
        plans["small"] = explain(small.engine, small.scan_engine, capture(small.engine, now))
        for key, run in small.runs(now).items():
            if key != "first":
                runs[f"{key}_small"] = run
                expected[f"{key}_small"] = small.expected
    times = measure(runs, expected, options.repeats)
    result = {
        "database": name,
        "version": version,
        "counts": big.loaded.counts,
        "due_members": len(big.expected),
        "statements": [" ".join(statement.split()) for statement, _ in sent],
        "plans": plans,
        **{key: summary(times, key) for key in times},
    }
    result["ratio"] = result["scan"]["median"] / result["due"]["median"]
    result["sql_ratio"] = result["scan_sql"]["median"] / result["sql"]["median"]
    if small is not None:
        result["small_counts"] = small.loaded.counts
        result["small_due_members"] = len(small.expected)
        result["small_ratio"] = result["scan_small"]["median"] / result["due_small"]["median"]
        result["growth"] = result["due"]["median"] / result["due_small"]["median"]
        result["scan_growth"] = result["scan"]["median"] / result["scan_small"]["median"]
    return result


def measure_wakeups(name: str, big: Database, options) -> dict:
    """With --wakeups rows in the wakeup table: the batch is the first woken owners."""
    now = options.now
    woken = add_wakeups(big.url, options.wakeups, big.loaded.counts["member"], now)
    sent = capture(big.engine, now)
    plans = {"big": explain(big.engine, big.scan_engine, sent)}
    runs = big.runs(now)
    expected = combined([woken, big.expected], BATCH)  # the woken first, then by look_at
    times = measure(runs, dict.fromkeys(runs, expected), options.repeats)
    result = {
        "database": f"{name}, {options.wakeups:,} wakeups",
        "version": server_version(big.engine),
        "counts": big.loaded.counts,
        "due_members": len(big.expected),
        "woken": len(woken),
        "statements": [" ".join(statement.split()) for statement, _ in sent],
        "plans": plans,
        **{key: summary(times, key) for key in times},
    }
    result["ratio"] = result["scan"]["median"] / result["due"]["median"]
    return result


def drop_sqlite_stats(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")
    finally:
        engine.dispose()


def run_database(name: str, spec: Spec, small_spec: Spec | None, options, say) -> list[dict]:
    """Load the fresh databases and measure them. SQLite is measured twice: with the
    statistics ANALYZE left (sqlite_stat1), then without them, as the app runs (it never runs
    ANALYZE on SQLite); both on fresh engines, since SQLite reads its statistics when it
    connects. The wakeups come last, on the database as the app runs it."""
    url_of = sqlite_url if name == "sqlite" else lambda: postgres_url(options.postgres_url)
    results = []
    with ExitStack() as stack:
        big_url = stack.enter_context(url_of())
        loaded = {"big": loaded_database(big_url, spec)}
        say(f"{name}: loaded {spec.advisors:,} advisors ({loaded['big'].insert_s:.0f} s)")
        urls = {"big": big_url}
        if small_spec is not None:
            urls["small"] = stack.enter_context(url_of())
            loaded["small"] = loaded_database(urls["small"], small_spec)
            say(f"{name}: loaded {small_spec.advisors:,} advisors")
        variants = [name] if name != "sqlite" else ["sqlite, after ANALYZE", "sqlite"]
        for variant in variants:
            if variant == "sqlite":
                for url in urls.values():
                    drop_sqlite_stats(url)
            databases = {key: Database(key, urls[key], loaded[key]) for key in urls}
            try:
                result = measure_pair(variant, databases["big"], databases.get("small"), options)
                result["loading"] = {
                    key: {"insert_s": one.insert_s, "analyze_s": one.analyze_s}
                    for key, one in loaded.items()
                }
                results.append(result)
                say(report_plans(result))
                if options.wakeups and variant == variants[-1]:
                    with_wakeups = measure_wakeups(variant, databases["big"], options)
                    results.append(with_wakeups)
                    say(report_plans(with_wakeups))
            finally:
                for database in databases.values():
                    database.dispose()
    return results


def _check(problem: str | None, indexed: bool) -> str:
    if problem:
        return f"PROBLEM: {problem}"
    return f"uses {INDEX}, reads no big table whole" if indexed else "reads member whole"


def report_plans(result: dict) -> str:
    lines = [f"{result['database']} ({result['version']}): due_owners sends"]
    lines += [f"  [{n}] {sql}" for n, sql in enumerate(result["statements"], start=1)]
    labels = {
        "due": ("due_owners, plans for these parameters", True),
        "due_generic": ("due_owners, generic plans", True),
        "scan": ("indexes unusable", False),
    }
    for size, plans in result["plans"].items():
        for key, (label, indexed) in labels.items():
            if key not in plans:
                continue
            entry = plans[key]
            lines.append(f"  {size} database, {label} ({_check(entry['problem'], indexed)}):")
            for n, plan in enumerate(entry["plans"], start=1):
                lines.extend(
                    f"    [{n}] {line}" if i == 0 else f"        {line}"
                    for i, line in enumerate(plan)
                )
    return "\n".join(lines) + "\n"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]


def _ms(entry: dict) -> str:
    return f"{entry['median']:.2f} ({entry['min']:.2f}-{entry['max']:.2f})"


def met(result: dict) -> dict[str, bool]:
    verdicts = {
        "under": result["due"]["median"] < TARGET_MS,
        "ratio": result["ratio"] >= TARGET_RATIO,
    }
    if "growth" in result:
        verdicts["growth"] = result["growth"] <= TARGET_GROWTH
    return verdicts


def report(results: dict) -> str:
    timing = [
        (
            "database",
            "advisors",
            "due members",
            "due_owners ms (min-max)",
            "a tick's first ms",
            "its SQL alone ms",
            "indexes unusable ms (min-max)",
            "unusable: SQL alone ms",
            "floor ms",
            "ratio",
            "ratio of SQL alone",
        )
    ]
    sized = [r for r in results["runs"] if "growth" in r]
    big, small = "big", "small"
    if sized:
        big = _short(sized[0]["counts"]["advisor"])
        small = _short(sized[0]["small_counts"]["advisor"])
    growth = [
        (
            "database",
            "due members",
            f"{big}: due_owners ms",
            f"{small}: due_owners ms",
            f"{big} / {small}",
            f"{big}: unusable ms",
            f"{small}: unusable ms",
            f"{big} / {small}",
            f"{small}: ratio",
        )
    ]
    verdicts = []
    for r in results["runs"]:
        timing.append(
            (
                r["database"],
                f"{r['counts']['advisor']:,}",
                f"{r['due_members']:,}",
                _ms(r["due"]),
                f"{r['first']['median']:.2f}" if "first" in r else "",
                f"{r['sql']['median']:.2f}" if "sql" in r else "",
                _ms(r["scan"]),
                f"{r['scan_sql']['median']:.2f}" if "scan_sql" in r else "",
                f"{r['floor']['median']:.2f}" if "floor" in r else "",
                f"{r['ratio']:.1f}x",
                f"{r['sql_ratio']:.1f}x" if "sql_ratio" in r else "",
            )
        )
        if "growth" in r:
            growth.append(
                (
                    r["database"],
                    f"{r['due_members']:,} / {r['small_due_members']:,}",
                    f"{r['due']['median']:.2f}",
                    f"{r['due_small']['median']:.2f}",
                    f"{r['growth']:.2f}x",
                    f"{r['scan']['median']:.1f}",
                    f"{r['scan_small']['median']:.1f}",
                    f"{r['scan_growth']:.1f}x",
                    f"{r['small_ratio']:.1f}x",
                )
            )
        ok = met(r)
        words = [
            f"{r['due']['median']:.2f} ms {'OK' if ok['under'] else 'NOT MET'}",
            f"{r['ratio']:.1f}x {'OK' if ok['ratio'] else 'NOT MET'}",
        ]
        if "growth" in ok:
            verdict = "OK" if ok["growth"] else "NOT MET"
            words.append(f"{big} / {small} {r['growth']:.2f}x {verdict}")
        verdicts.append(f"  {r['database']}: " + ", ".join(words))
    m = results["machine"]
    lines = [
        f"due_owners (one batch of {BATCH}) vs the same with its indexes unusable: median of "
        f"{results['repeats']} runs each, interleaved, after {WARMUP} warm-up",
        f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
        f"SQLAlchemy {m['sqlalchemy']}, psycopg {m['psycopg']}",
        "",
        *_table(timing),
    ]
    if len(growth) > 1:
        lines += ["", f"the same number due among {small} advisors:", *_table(growth)]
    lines += [
        "",
        f"targets: under {TARGET_MS:.0f} ms, at least {TARGET_RATIO:.0f}x faster than with the "
        f"indexes unusable, {big} advisors within {TARGET_GROWTH}x of {small}:",
        *verdicts,
    ]
    return "\n".join(lines)


def _short(advisors: int) -> str:
    """1M, 100k, 50k..."""
    if advisors >= 1_000_000 and advisors % 1_000_000 == 0:
        return f"{advisors // 1_000_000}M"
    if advisors >= 1000 and advisors % 1000 == 0:
        return f"{advisors // 1000}k"
    return f"{advisors:,}"


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
    }


def run(options, say: Callable[[str], None] = print) -> dict:
    names = ["sqlite", "postgres"]
    if options.sqlite_only:
        names = ["sqlite"]
    elif options.postgres_only:
        names = ["postgres"]
    spec = Spec(now=options.now, advisors=options.advisors, promises=options.promises)
    small_spec = None
    if options.small_advisors:
        small_spec = Spec(
            now=options.now,
            advisors=options.small_advisors,
            promises=options.small_advisors // 5,
            due_advisor_count=spec.due_advisors,
            due_promise_count=spec.due_promises,
        )
        small_spec.check()
    spec.check()
    results = {
        "repeats": options.repeats,
        "warmup": WARMUP,
        "machine": machine(),
        "now": options.now.isoformat(),
        "runs": [],
    }
    for name in names:
        started = time.perf_counter()
        measured = run_database(name, spec, small_spec, options, say)
        for result in measured:
            result["total_s"] = time.perf_counter() - started
            results["runs"].append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.nudge_due",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        metavar="URL",
        help=f"a Postgres server to make the throwaway databases on (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--advisors", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--promises", type=int, help="open promises (default: advisors / 5)")
    parser.add_argument(
        "--small-advisors",
        type=int,
        default=100_000,
        help="also load this many advisors with as many due as the big database, and compare "
        "(default 100,000; 0: do not)",
    )
    parser.add_argument(
        "--wakeups",
        type=int,
        default=1_000,
        help="then add this many wakeup rows and measure again (default 1,000; 0: do not)",
    )
    parser.add_argument("--repeats", type=int, default=20, help="measured runs of each query")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers and plans here")
    options = parser.parse_args(argv)
    if options.promises is None:
        options.promises = options.advisors // 5
    if options.advisors < 100 or options.promises < 0 or options.repeats < 1:
        parser.error("--advisors must be at least 100, --promises at least 0, --repeats 1")
    options.now = datetime.now(UTC).replace(microsecond=0)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = run(options, say=lambda text: print(text, flush=True))
    except BenchError as problem:
        print(f"nudge_due: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if options.json:
        with open(options.json, "w") as out:
            out.write(json.dumps(results, indent=2) + "\n")
    plans_ok = all(
        p["problem"] is None
        for r in results["runs"]
        for size in r["plans"].values()
        for p in size.values()
    )
    return 0 if plans_ok else 1


if __name__ == "__main__":
    sys.exit(main())
