"""Peak memory of the bot process running the scheduler's tick over 1,000,000 advisors, 1 % of
them due: scheduling state lives in the database, not in memory.

Run from the repository root:

    .venv/bin/python -m bench.nudge_memory [--advisors 1000000] [--promises N] [--max-ticks 10]
                                           [--json PATH]

The parent builds a SQLite file in a temporary directory (core.db.migrate, then bench/_load.py:
every member's nudge window always open, time zone UTC, look_at as the tick leaves it; 1 % of
advisors and of promises due at the simulated moment, each at a different member) and starts
tests.fakes.FakeSlack, a fake Web API on 127.0.0.1, in the parent process (so its memory is not
counted). Then it runs three child processes
(bench/_memory_child.py, which imports only what the bot imports), one after the other, on
that database:

- baseline: imports the bot (`bot.__main__`, which imports the app, its listeners, the
  sender and the scheduler), opens the engine and runs one query;
- plan only: the same, then the core of a tick without claiming or sending:
  `core.due_members.due_owners` (one batch), then `core.nudge_plan.plan` for each owner in its
  own session;
- tick: the same as baseline, then the real `bot.scheduler.Ticker` with the real
  `bot.delivery.sender.Sender` (`OneWorkspace` client to the fake Slack, `Pacing` at 10,000
  messages a second) at the simulated moment (`core.clock.StoppedClock`), ticked until
  due_owners and the outbox's due rows are empty (at most --max-ticks ticks).

Each child's peak RSS is the VmHWM it reads from /proc/self/status at its end: the high-water
mark of its resident memory. After the ticks, every due owner must have exactly one outbox row
(purpose "nudge", sent), every due advisor and promise one nudge, and one post must have been
made per row. The target from the issue: the tick's process under 150 MB.
"""

import argparse
import json
import logging
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime

import sqlalchemy
from sqlalchemy import text

from bench._load import BenchError, Loaded, Spec, load, sqlite_url
from core.db import make_engine, migrate
from tests.fakes import BOT_TOKEN, FakeSlack

TARGET_MB = 150.0
MODES = ("baseline", "plan", "tick")
LABELS = {
    "baseline": "baseline: import the bot, open the engine",
    "plan": "plan only: due_owners + plan per owner",
    "tick": "tick: Ticker + Sender, messages sent",
}


def run_child(mode: str, url: str, api_url: str, moment: str, max_ticks: int) -> dict:
    """Run one child to its end. Its peak RSS is the VmHWM it reads from /proc/self/status at
    its end: the high-water mark of the memory of the program it exec'd. (Its ru_maxrss from
    os.wait4 is kept in the JSON but not used: on Linux a child's ru_maxrss starts from the RSS
    of the parent it was forked from, here the loader's, and exec does not reset it.)"""
    command = [sys.executable, "-m", "bench._memory_child", mode, url, api_url, moment]
    command += [BOT_TOKEN, str(max_ticks)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        printed, problems = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise BenchError(f"the {mode} child failed ({process.returncode}): {problems[-2000:]}")
    done = json.loads(printed.strip().splitlines()[-1])
    done["ru_maxrss_kb"] = usage.ru_maxrss
    done["stderr"] = problems[-5000:]
    return done


def check_tick(url: str, loaded: Loaded) -> dict:
    """After the ticks: one sent outbox row of nudges per due owner, and nothing else."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            states = dict(
                connection.execute(
                    text("SELECT purpose || ' ' || state, count(*) FROM outbox GROUP BY 1")
                ).all()
            )
            owners = connection.execute(
                text("SELECT count(DISTINCT team_id || ' ' || owner_id) FROM outbox")
            ).scalar_one()
            nudged = connection.execute(text("SELECT count(*) FROM nudge")).scalar_one()
    finally:
        engine.dispose()
    expected = len(loaded.due_owners)
    if states != {"nudge sent": expected} or owners != expected:
        raise BenchError(f"after the tick: outbox rows {states} to {owners} owners, {expected} due")
    if nudged != loaded.due_advisors + loaded.due_promises:
        raise BenchError(
            f"after the tick: {nudged} nudges, expected one per due advisor and promise "
            f"({loaded.due_advisors + loaded.due_promises})"
        )
    return {"deliveries": states["nudge sent"], "nudges": nudged}


def run(options) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    spec = Spec(now=now, advisors=options.advisors, promises=options.promises)
    results: dict = {"machine": machine(), "now": now.isoformat(), "children": []}
    with sqlite_url(prefix="bench-memory-") as url:
        engine = make_engine(url)
        try:
            migrate(engine)
            loaded = load(engine, spec)
        finally:
            engine.dispose()
        database = url.removeprefix("sqlite:///")
        results["data"] = {
            "counts": loaded.counts,
            "due_advisors": loaded.due_advisors,
            "due_promises": loaded.due_promises,
            "due_owners": len(loaded.due_owners),
            "load_s": loaded.insert_s + loaded.analyze_s,
            "database_mb": os.path.getsize(database) / 2**20,
        }
        slack = FakeSlack().start()
        try:
            for _team, owner in loaded.due_owners:
                slack.add_user(owner, tz="UTC")
            for mode in MODES:
                done = run_child(mode, url, slack.api_url, now.isoformat(), options.max_ticks)
                results["children"].append(done)
                print(f"{LABELS[mode]}: peak {done['vm_hwm_kb'] / 1024:.1f} MB", flush=True)
            results["checked"] = check_tick(url, loaded)
            posted = len(slack.calls_to("chat.postMessage"))
            if posted != results["checked"]["deliveries"]:
                raise BenchError(
                    f"{posted} messages posted, {results['checked']['deliveries']} sent"
                )
            results["checked"]["posted"] = posted
        finally:
            slack.stop()
    return results


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def report(results: dict) -> str:
    data, m = results["data"], results["machine"]
    base = next(c for c in results["children"] if c["mode"] == "baseline")["vm_hwm_kb"]
    rows = [("child process", "peak RSS MB", "over baseline MB", "RSS at end MB", "s", "did")]
    for done in results["children"]:
        did = ""
        if done["mode"] == "plan":
            did = f"{done['owners']:,} owners, {done['planned']:,} plans, {done['items']:,} items"
        elif done["mode"] == "tick":
            checked = results["checked"]
            ticks = "; ".join(
                f"tick {n} {t['seconds']:.1f} s" for n, t in enumerate(done["ticks"], start=1)
            )
            did = f"{checked['deliveries']:,} messages sent, {checked['nudges']:,} nudges; {ticks}"
        rows.append(
            (
                LABELS[done["mode"]],
                f"{done['vm_hwm_kb'] / 1024:.1f}",
                f"{(done['vm_hwm_kb'] - base) / 1024:+.1f}",
                f"{done['vm_rss_kb'] / 1024:.1f}",
                f"{done['seconds']:.1f}",
                did,
            )
        )
    tick = next(c for c in results["children"] if c["mode"] == "tick")["vm_hwm_kb"] / 1024
    verdict = "OK" if tick < TARGET_MB else "ABOVE"
    return "\n".join(
        [
            f"SQLite {m['sqlite']} file of {data['database_mb']:.0f} MB: "
            f"{data['counts']['member']:,} members, {data['counts']['advisor']:,} advisors, "
            f"{data['counts']['promise']:,} open promises; due: {data['due_advisors']:,} "
            f"advisors and {data['due_promises']:,} promises of {data['due_owners']:,} owners "
            f"(loaded in {data['load_s']:.0f} s)",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
            f"SQLAlchemy {m['sqlalchemy']}",
            "",
            *_table(rows),
            "",
            f"target: the tick's process under {TARGET_MB:.0f} MB: {tick:.1f} MB {verdict}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.nudge_memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--advisors", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--promises", type=int, help="open promises (default: advisors / 5)")
    parser.add_argument(
        "--max-ticks", type=int, default=10, help="most ticks the tick child runs (default 10)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the numbers here")
    options = parser.parse_args(argv)
    if options.promises is None:
        options.promises = options.advisors // 5
    if options.advisors < 100 or options.promises < 0 or options.max_ticks < 1:
        parser.error("--advisors must be at least 100, --promises at least 0, --max-ticks 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = run(options)
    except BenchError as problem:
        print(f"nudge_memory: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if options.json:
        with open(options.json, "w") as out:
            out.write(json.dumps(results, indent=2) + "\n")
    tick = next(c for c in results["children"] if c["mode"] == "tick")
    return 0 if tick["vm_hwm_kb"] / 1024 < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
