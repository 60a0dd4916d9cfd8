"""How long `/advisor import` takes with 10,000 rows, phase by phase, on SQLite and Postgres.

    .venv/bin/python -m bench.import_rows                      # SQLite, 10,000 rows
    .venv/bin/python -m bench.import_rows --database both      # and a throwaway Postgres database
    .venv/bin/python -m bench.import_rows --rows 2000 --json out.json

A member's CSV of `--rows` advisors (a few with problems, some repeated) goes through what the
bot does with an upload, each phase timed on its own (wall clock, `time.perf_counter`):

- read: the bytes decoded and every row read and checked (core/import_reading.py);
- check: the import kept, rows already on the board set aside (core.imports.begin + checked,
  one transaction);
- preview: the DM's preview built from the stored import (what the outbox's purpose renders);
- save: every row saved, a chunk per transaction (core.imports.save);
- re-import: the same file read and checked again with the board now full (nothing to add);
- export import: the board's JSON export (10,000 advisors) read and restored for a second member.

The whole run happens after the bot has acked the upload (bot/listeners/imports.py): these are
the seconds between the upload and the preview, and between the click and the report."""

import argparse
import json
import logging
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from bench._load import DEFAULT_POSTGRES, BenchError
from bench.nudge_throughput import run_each
from bot.views.imports import build_preview_message
from core import imports
from core.clock import StoppedClock
from core.db import make_engine, migrate, session_factory
from core.export import export_json, export_member
from core.import_reading import HEADER, decoded, read_export, read_import
from core.members import remember_member
from core.models import Advisor

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
TEAM, OWNER, SECOND = "T0BENCH", "U0BENCH", "U0SECOND"
PARIS = ZoneInfo("Europe/Paris")


def csv_of(rows: int) -> bytes:
    """`rows` data rows: 0.2 % with a problem, 0.1 % repeating an earlier row."""
    lines = [HEADER]
    for n in range(rows):
        if n % 500 == 7:
            lines.append(f"Broken {n},,,wizard,sideways,0,03/04/2026")
        elif n % 1000 == 11:
            lines.append(f"Person {n - 1:05d},,person{n - 1}@example.com,peer,inside,30,")
        else:
            relationship = ("senior", "peer", "junior")[n % 3]
            lines.append(
                f"Person {n:05d},,person{n}@example.com,{relationship},inside,30,2026-10-01"
            )
    return ("\n".join(lines) + "\n").encode()


def timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def run_one(url: str, rows: int) -> dict:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    clock = StoppedClock(NOW)
    try:
        with sessions() as session, session.begin():
            for user in (OWNER, SECOND):
                remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
        data = csv_of(rows)
        who = {"team_id": TEAM, "owner_id": OWNER}
        times: dict[str, float] = {}

        def read():
            return read_import(decoded(data), filename="a.csv", **who, zone=PARIS, now=NOW)

        reading, times["read"] = timed(read)

        def check(key: str, reading=reading, owner=OWNER):
            mine = {"team_id": TEAM, "owner_id": owner}
            with sessions() as session, session.begin():
                import_id = imports.begin(
                    session, **mine, source=imports.FILE, source_key=key, filename=key, now=NOW
                )
                imports.checked(session, **mine, import_id=import_id, reading=reading, now=NOW)
            return import_id

        import_id, times["check"] = timed(lambda: check("F1"))

        def preview():
            with sessions() as session:
                found = imports.get(session, **who, import_id=import_id)
                return build_preview_message(found, NOW.date())

        message, times["preview"] = timed(preview)

        def save(import_id=import_id, owner=OWNER):
            return imports.save(
                sessions,
                team_id=TEAM,
                owner_id=owner,
                import_id=import_id,
                process="bench",
                clock=clock,
                report=True,
            )

        saved, times["save"] = timed(save)
        again, times["re-import read"] = timed(read)
        second, times["re-import check"] = timed(lambda: check("F2", again))
        with sessions() as session:
            nothing = len(imports.get(session, **who, import_id=second).rows)
            record = export_member(session, team_id=TEAM, user_id=OWNER, now=NOW)
        text = export_json(record)

        def read_json():
            return read_export(text, owner_id=SECOND, team_id=TEAM, now=NOW)

        restored, times["export read"] = timed(read_json)
        json_id, times["export check"] = timed(lambda: check("F3", restored, SECOND))
        json_saved, times["export save"] = timed(lambda: save(json_id, SECOND))
        with sessions() as session:
            counts = dict(
                session.execute(
                    select(Advisor.owner_id, func.count()).group_by(Advisor.owner_id)
                ).all()
            )
        return {
            "rows": rows,
            "to_add": len(reading.rows),
            "problems": len(reading.problems),
            "repeats": len(reading.repeats),
            "added": saved.added,
            "re_import_to_add": nothing,
            "export_bytes": len(text.encode()),
            "export_added": json_saved.added,
            "advisors": counts,
            "preview_blocks": len(message["blocks"]),
            "seconds": times,
        }
    finally:
        engine.dispose()


def report(results: dict) -> str:
    phases = list(results["runs"][0]["seconds"])
    lines = ["| phase | " + " | ".join(r["version"] for r in results["runs"]) + " |"]
    lines.append("| --- |" + " ---: |" * len(results["runs"]))
    for phase in phases:
        shown = " | ".join(f"{r['seconds'][phase]:.2f} s" for r in results["runs"])
        lines.append(f"| {phase} | {shown} |")
    for r in results["runs"]:
        lines.append(
            f"\n{r['version']}: {r['rows']:,} rows, {r['to_add']:,} to add, {r['problems']} with "
            f"problems, {r['repeats']} repeated; saved {r['added']:,}; a re-import had "
            f"{r['re_import_to_add']} to add; the export ({r['export_bytes'] / 1e6:.1f} MB) "
            f"restored {r['export_added']:,} advisors; preview in {r['preview_blocks']} blocks."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_rows",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, metavar="SERVER")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    names = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    try:
        results = run_each(
            names,
            args.postgres_url,
            "bench-import-",
            f"importing {args.rows:,} rows",
            lambda url: run_one(url, args.rows),
        )
    except BenchError as error:
        print(error, file=sys.stderr)
        return 2
    print(report(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
