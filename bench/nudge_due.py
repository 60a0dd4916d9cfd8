"""One scheduler tick's due query with 1,000,000 advisors, 1 % of them due, against a full scan
of the same data doing the same job.

Run from the repository root:

    .venv/bin/python -m bench.nudge_due [--sqlite-only | --postgres-only] [--postgres-url URL]
                                        [--advisors 1000000] [--promises N] [--repeats 20]
                                        [--json PATH]

For each database: a fresh one (SQLite in a temporary directory; Postgres as a new database
`advisor_bench_<pid>_<random>`, always dropped at the end), migrated with core.db.migrate, loaded
by bench/_load.py (members, advisors, open promises; 1 % of advisors and of promises due) and
analyzed. Then, on a fresh engine, it times `core.nudges.due_owners(session, now=...)` (a session
from core.db.session_factory per run, as a tick opens one) and, interleaved with it, the very SQL
that due_owners sends with its indexes made unusable: `FROM advisor NOT INDEXED` /
`FROM promise NOT INDEXED` on SQLite, and enable_indexscan, enable_bitmapscan and
enable_indexonlyscan off for the scan's connections on Postgres. Both answers must be the
owners the loader made due. The plans of both are printed (EXPLAIN QUERY PLAN; on Postgres
EXPLAIN (ANALYZE, BUFFERS), and the generic plan a prepared statement may switch to). The target
from the issue: the due query under 100 ms and at least 20x faster than the scan.
"""

import argparse
import inspect
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import sqlalchemy
from sqlalchemy import Engine, event
from sqlmodel import Session

from bench._load import (
    DEFAULT_POSTGRES,
    BenchError,
    Loaded,
    Spec,
    load,
    postgres_url,
    sqlite_url,
)
from core.db import make_engine, migrate, session_factory
from core.nudges import due_owners

TARGET_MS = 100.0
TARGET_RATIO = 20.0
WARMUP = 3
INDEXES = ("ix_advisor_nudge", "ix_promise_nudge")
COVERING = ("ix_advisor_nudge_cover", "ix_promise_nudge_cover")  # --covering: a what-if
TABLES = ("advisor", "promise")
FULL_SCAN = {  # a table read whole: the due query's cost would grow with the table
    "postgresql": re.compile(r"Seq Scan on (advisor|promise|member)\b"),
    # SQLite fills a Bloom filter on a join's inner table by reading all of that table.
    "sqlite": re.compile(r"^\s*(?:SCAN|BLOOM FILTER ON) (advisor|promise|member)\b"),
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
            due_owners(session, now=now)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if not seen:
        raise BenchError("due_owners sent no statement")
    return seen


def scan_statements(statements: list[str], dialect: str) -> list[str]:
    """The same statements; on SQLite advisor and promise read with `NOT INDEXED` (Postgres
    gets its index scans turned off on the scan engine's connections instead)."""
    if dialect != "sqlite":
        return statements
    scans, found = [], dict.fromkeys(TABLES, 0)
    for statement in statements:
        for table in TABLES:
            statement, times = re.subn(rf"\bFROM {table}\b", f"FROM {table} NOT INDEXED", statement)
            found[table] += times
        scans.append(statement)
    if any(times == 0 for times in found.values()):
        raise BenchError(f"cannot make the scan: tables read in FROM {found}")
    return scans


def _not_indexed(_conn, _cursor, statement, parameters, _context, _executemany):
    """SQLite: every statement due_owners sends on the scan engine reads advisor and promise
    with `NOT INDEXED` (Postgres turns its index scans off on those connections instead)."""
    for table in TABLES:
        statement = re.sub(
            rf"\bFROM {table}\b(?! NOT INDEXED)", f"FROM {table} NOT INDEXED", statement
        )
    return statement, parameters


def batch_size() -> int | None:
    """How many owners one due_owners call returns at most (its `limit` default), if any."""
    limit = inspect.signature(due_owners).parameters.get("limit")
    return limit.default if limit is not None and isinstance(limit.default, int) else None


def combined(answers: list[list[tuple]], limit: int | None) -> list[tuple]:
    """What due_owners makes of its statements' rows: in order, each owner once, at most
    `limit` of them."""
    owners = list(dict.fromkeys(row for rows in answers for row in rows))
    return owners[:limit] if limit else owners


def _no_index_scans(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        for setting in NO_INDEXES:
            cursor.execute(f"SET {setting} = off")
    dbapi_connection.commit()


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


def plan_problem(
    lines: list[str], dialect: str, *, indexed: bool, indexes: tuple[str, ...] = INDEXES
) -> str | None:
    """For the due query: None when advisor and promise are read through their nudge_at
    index and no table (member included, if the query joins it) is read whole. For the scan:
    None when advisor and promise are read whole."""
    scans = sorted({m.group(1) for line in lines if (m := FULL_SCAN[dialect].search(line))})
    if not indexed:
        missing = [t for t in TABLES if t not in scans]
        return f"does not read all of {', '.join(missing)}" if missing else None
    if scans:
        return "reads all of " + ", ".join(scans)
    missing = [i for i in indexes if not any(i in line for line in lines)]
    return f"does not use {', '.join(missing)}" if missing else None


def explain(engine: Engine, scan_engine: Engine, sent: list[tuple], indexes) -> dict:
    """The plans of every statement (due, its generic plan on Postgres, scan), each list
    checked as a whole: the due statements must use both nudge_at indexes between them and
    read no table whole; the scans must read advisor and promise whole."""
    dialect = engine.dialect.name
    plan_of = _postgres_plan if dialect == "postgresql" else _sqlite_plan
    found: dict[str, list[list[str]]] = {"due": [], "due_generic": [], "scan": []}
    with engine.connect() as connection:
        for statement, _scan, parameters in sent:
            found["due"].append(plan_of(connection, statement, parameters))
            if dialect == "postgresql":
                generic = _postgres_generic_plan(connection, statement, parameters)
                found["due_generic"].append(generic)
    with scan_engine.connect() as connection:
        for _statement, scan, parameters in sent:
            found["scan"].append(plan_of(connection, scan, parameters))
    plans = {}
    for key, per_statement in found.items():
        if not per_statement:
            continue
        every_line = [line for lines in per_statement for line in lines]
        indexed = key != "scan"
        plans[key] = {
            "plans": per_statement,
            "problem": plan_problem(every_line, dialect, indexed=indexed, indexes=indexes),
        }
    return plans


def check(name: str, rows: list[tuple], due: set[tuple[str, str]], limit: int | None) -> None:
    """Each owner once, only due owners, and all of them (or a full batch of them)."""
    if len(rows) != len(set(rows)):
        raise BenchError(f"{name}: {len(rows) - len(set(rows))} owners came twice")
    extra = set(rows) - due
    if extra:
        raise BenchError(f"{name}: {len(extra)} owners are not due")
    expected = min(limit, len(due)) if limit else len(due)
    if len(rows) != expected:
        raise BenchError(f"{name}: {len(rows)} owners, expected {expected}")


def measure(engine: Engine, scan_engine: Engine, sent: list[tuple], loaded: Loaded, options):
    """Warm-up, then `repeats` runs of each, interleaved (due, sql, scan, due, sql, scan...) so
    the machine's noise hits all alike. "due" is due_owners in its own session, as a tick opens
    one; "sql" is the statements it sends, alone through the driver on one pooled connection
    with every row fetched; "scan" is those statements with the indexes unusable, the same
    way. Returns the ns of every run by name, and the answers of the first runs."""
    open_session = session_factory(engine)
    now, limit = options.now, batch_size()

    def due_once() -> list[tuple]:
        with open_session() as session:
            return due_owners(session, now=now)

    def alone(on: Engine, statements: list[tuple[str, object]]) -> Callable[[], list[tuple]]:
        def run() -> list[tuple]:
            with on.connect() as connection:
                answers = [
                    [tuple(row) for row in connection.exec_driver_sql(sql, parameters)]
                    for sql, parameters in statements
                ]
            return combined(answers, limit)

        return run

    open_scan_session = session_factory(scan_engine)

    def scan_once() -> list[tuple]:  # due_owners itself, its indexes unusable
        with open_scan_session() as session:
            return due_owners(session, now=now)

    runs = {
        "due": due_once,
        "sql": alone(engine, [(statement, parameters) for statement, _, parameters in sent]),
        "scan": scan_once,
    }
    answers = {}
    for name, run in runs.items():
        answers[name] = run()
        if name != "sql" or len(sent) == 1:  # several dependent statements: rows, not owners
            check(name, answers[name], loaded.due_owners, limit)
    if answers["due"] != answers["scan"]:
        raise BenchError("due_owners and the scan do not give the same owners")
    for _ in range(WARMUP):
        for run in runs.values():
            run()
    times: dict[str, list[int]] = {name: [] for name in runs}
    for _ in range(options.repeats):
        for name, run in runs.items():
            started = time.perf_counter_ns()
            run()
            times[name].append(time.perf_counter_ns() - started)
    return times, answers


def add_covering_indexes(engine: Engine) -> None:
    """--covering, a what-if: ix_advisor_nudge and ix_promise_nudge replaced by indexes on
    (nudge_at, team_id, owner_id), which hold everything due_owners reads."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        for table, index, cover in zip(TABLES, INDEXES, COVERING, strict=True):
            connection.exec_driver_sql(
                f"CREATE INDEX {cover} ON {table} (nudge_at, team_id, owner_id)"
            )
            connection.exec_driver_sql(f"DROP INDEX {index}")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")


def server_version(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return "PostgreSQL " + connection.exec_driver_sql("SHOW server_version").scalar_one()
        return "SQLite " + connection.exec_driver_sql("SELECT sqlite_version()").scalar_one()


def run_database(name: str, spec: Spec, options) -> list[dict]:
    """Load one fresh database and measure it. SQLite is measured twice: with the statistics
    ANALYZE left (sqlite_stat1), then without them, as the app runs (it never runs ANALYZE
    on SQLite); both on fresh engines, since SQLite reads its statistics when it connects."""
    url_of = sqlite_url() if name == "sqlite" else postgres_url(options.postgres_url)
    results = []
    with url_of as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            loaded = load(engine, spec)
            if options.covering:
                add_covering_indexes(engine)
        finally:
            engine.dispose()  # measure on fresh connections, not the loader's
        results.append(measure_database(name, url, spec, loaded, options))
        if name == "sqlite":
            engine = make_engine(url)
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql("DELETE FROM sqlite_stat1")
            finally:
                engine.dispose()
            results.append(measure_database("sqlite, no stats", url, spec, loaded, options))
    return results


def measure_database(name: str, url: str, spec: Spec, loaded: Loaded, options) -> dict:
    engine, scan_engine = make_engine(url), make_engine(url)
    if scan_engine.dialect.name == "sqlite":
        event.listen(scan_engine, "before_cursor_execute", _not_indexed, retval=True)
    if engine.dialect.name == "postgresql":
        event.listen(scan_engine, "connect", _no_index_scans)
    try:
        version = server_version(engine)
        captured = capture(engine, spec.now)
        scans = scan_statements([statement for statement, _ in captured], engine.dialect.name)
        sent = [
            (statement, scan, parameters)
            for (statement, parameters), scan in zip(captured, scans, strict=True)
        ]
        indexes = COVERING if options.covering else INDEXES
        plans = explain(engine, scan_engine, sent, indexes)
        times, answers = measure(engine, scan_engine, sent, loaded, options)
    finally:
        engine.dispose()
        scan_engine.dispose()
    ms = {name: [ns / 1e6 for ns in runs] for name, runs in times.items()}
    due_ms, scan_ms = statistics.median(ms["due"]), statistics.median(ms["scan"])
    return {
        "database": name,
        "covering": options.covering,
        "version": version,
        "counts": loaded.counts,
        "due_advisors": loaded.due_advisors,
        "due_promises": loaded.due_promises,
        "due_owners": len(loaded.due_owners),
        "answer_owners": len(answers["due"]),
        "batch": batch_size(),
        "alumni": loaded.alumni,
        "generate_s": loaded.generate_s,
        "insert_s": loaded.insert_s,
        "analyze_s": loaded.analyze_s,
        "sql": [" ".join(statement.split()) for statement, _, _ in sent],
        "scan_sql": [" ".join(scan.split()) for _, scan, _ in sent],
        "plans": plans,
        "due_ms": due_ms,
        "sql_ms": statistics.median(ms["sql"]),
        "scan_ms": scan_ms,
        "ratio": scan_ms / due_ms,
        "runs_ms": ms,
        "met": due_ms < TARGET_MS and scan_ms / due_ms >= TARGET_RATIO,
    }


def _check(problem: str | None, indexed: bool, indexes: tuple[str, ...]) -> str:
    if problem:
        return f"PROBLEM: {problem}"
    return f"uses {' and '.join(indexes)}" if indexed else "reads advisor and promise whole"


def report_plans(result: dict) -> str:
    indexes = COVERING if result["covering"] else INDEXES
    count = len(result["sql"])
    lines = [f"{result['version']}: due_owners sends {count} statement(s)"]
    lines += [f"  [{n}] {sql}" for n, sql in enumerate(result["sql"], start=1)]
    labels = {
        "due": ("due_owners, plans for these parameters", True),
        "due_generic": ("due_owners, generic plans", True),
        "scan": ("full scan", False),
    }
    for key, (label, indexed) in labels.items():
        if key not in result["plans"]:
            continue
        entry = result["plans"][key]
        lines.append(f"  {label} ({_check(entry['problem'], indexed, indexes)}):")
        for n, plan in enumerate(entry["plans"], start=1):
            lines.extend(
                f"    [{n}] {line}" if i == 0 else f"        {line}" for i, line in enumerate(plan)
            )
    return "\n".join(lines)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]


def report(results: dict) -> str:
    timing = [
        (
            "database",
            "advisors",
            "promises",
            "due adv.",
            "due prom.",
            "due owners",
            "answer",
            "due_owners ms",
            "(min-max)",
            "its SQL alone ms",
            "full scan ms",
            "(min-max)",
            "ratio",
        )
    ]
    loading = [("database", "generate s", "insert s (incl. generate)", "analyze s")]
    verdicts = []
    for r in results["runs"]:
        timing.append(
            (
                r["database"],
                f"{r['counts']['advisor']:,}",
                f"{r['counts']['promise']:,}",
                f"{r['due_advisors']:,}",
                f"{r['due_promises']:,}",
                f"{r['due_owners']:,}",
                f"{r['answer_owners']:,}",
                f"{r['due_ms']:.1f}",
                f"{min(r['runs_ms']['due']):.1f}-{max(r['runs_ms']['due']):.1f}",
                f"{r['sql_ms']:.1f}",
                f"{r['scan_ms']:.1f}",
                f"{min(r['runs_ms']['scan']):.1f}-{max(r['runs_ms']['scan']):.1f}",
                f"{r['ratio']:.1f}x",
            )
        )
        if not r["database"].endswith("no stats"):  # the same load as the row before
            loading.append(
                (
                    r["database"],
                    f"{r['generate_s']:.1f}",
                    f"{r['insert_s']:.1f}",
                    f"{r['analyze_s']:.1f}",
                )
            )
        verdict = "OK" if r["met"] else "NOT MET"
        verdicts.append(f"{r['database']} {r['due_ms']:.1f} ms, {r['ratio']:.1f}x {verdict}")
    m = results["machine"]
    what_if = ""
    if results["covering"]:
        what_if = " (WHAT-IF: covering nudge indexes, not the app's schema)"
    return "\n".join(
        [
            f"due_owners vs the same SQL with its indexes unusable{what_if}: median of "
            f"{results['repeats']} runs each, interleaved, after {WARMUP} warm-up",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
            f"SQLAlchemy {m['sqlalchemy']}, psycopg {m['psycopg']}",
            "",
            *_table(timing),
            "",
            *_table(loading),
            "",
            f"target: due query under {TARGET_MS:.0f} ms and at least {TARGET_RATIO:.0f}x faster "
            "than the scan: " + "; ".join(verdicts),
        ]
    )


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
    results = {
        "repeats": options.repeats,
        "warmup": WARMUP,
        "covering": options.covering,
        "machine": machine(),
        "now": options.now.isoformat(),
        "runs": [],
    }
    for name in names:
        started = time.perf_counter()
        measured = run_database(name, spec, options)
        for result in measured:
            result["total_s"] = time.perf_counter() - started
            results["runs"].append(result)
            say(f"{result['database']}: " + report_plans(result) + "\n")
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
        help=f"a Postgres server to make the throwaway database on (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--advisors", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--promises", type=int, help="open promises (default: advisors / 5)")
    parser.add_argument("--repeats", type=int, default=20, help="measured runs of each query")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers and plans here")
    parser.add_argument(
        "--covering",
        action="store_true",
        help="what-if: replace the two nudge_at indexes by (nudge_at, team_id, owner_id) ones",
    )
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
    plans_ok = all(p["problem"] is None for r in results["runs"] for p in r["plans"].values())
    return 0 if plans_ok else 1


if __name__ == "__main__":
    sys.exit(main())
