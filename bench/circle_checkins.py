"""Check-ins of many circles falling in the same minute in one workspace, against Slack's
posting limits.

The fake Slack Web API (tests/fakes.py, real HTTP on loopback) enforces Slack's limits on
chat.postMessage: one message a second per channel, and a cap of CAP messages in any WINDOW
seconds for the workspace; past them it answers 429 with Retry-After. The database holds
--circles circles (default 1,000), each in its own channel (C0BENCH000001...) with two or three
people, set up a day earlier with core.circles.create, every one meeting weekly on Monday at
09:00 UTC: all their check-ins fall due in the same minute. One scheduler tick (the real
Ticker: it claims each schedule's occurrence, whose `scheduled` hook puts the check-in in the
outbox, then sends) through one Sender paced at the cap (what ADVISOR_SENDS_PER_MINUTE would be
set to). Reported: check-ins posted (exactly one in each circle's channel), 429s met, posts a
second between the first and the last accepted post as a fraction of the cap (target >= 0.9),
how long the tick ran before its first post and in all, and that a second tick posts nothing.

Run from the repository root:

    .venv/bin/python -m bench.circle_checkins [--database sqlite|postgres|both]
                                              [--postgres-url SERVER] [--circles 1000]
                                              [--cap 300] [--window 10] [--json PATH]

Postgres runs on a fresh database `advisor_bench_<pid>_<random>` made on SERVER (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end.
"""

import argparse
import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, func, select

from bench._load import DEFAULT_POSTGRES, BenchError
from bench.nudge_throughput import most_within, run_each
from bot.delivery.pacing import Pacing
from bot.delivery.purposes import registry
from bot.delivery.sender import Sender, client_for_sending
from bot.recurrence import next_after
from bot.scheduler import Ticker
from core import check_ins, circles
from core.circles import Settings
from core.clock import StoppedClock
from core.db import make_engine, migrate, session_factory
from core.models import CheckIn, Outbox, OutboxState
from core.schedules import Rule
from tests.fakes import FakeSlack

MONDAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 9, tzinfo=UTC)  # every circle's check-in: Mondays at 09:00 UTC
SET_UP = AT - timedelta(days=1)  # the circles were set up the day before
TICK = AT + timedelta(seconds=20)  # the tick that finds them due, in the same minute
RULE = Rule.weekly({MONDAY.weekday()}, minute=9 * 60, tz="UTC", starts_on=MONDAY)
TEAM_ID, TOKEN = "T0BENCH", "xoxb-bench-circles"
TARGET_FRACTION = 0.9


@dataclass
class Setup:
    """The workspace's circles and its cap."""

    circles: int
    cap: int
    window: float

    @property
    def rate(self) -> float:
        return self.cap / self.window


def channel(n: int) -> str:
    return f"C0BENCH{n + 1:06d}"


def people(n: int) -> tuple[str, ...]:
    """Two or three people, by turns, nobody in two circles."""
    return tuple(f"U0C{n + 1:06d}P{k}" for k in range(2 + n % 2))


def load(engine, setup: Setup) -> None:
    """The circles, set up as the setup form sets them up (one transaction for all)."""
    with Session(engine) as session:
        for n in range(setup.circles):
            circles.create(
                session,
                team_id=TEAM_ID,
                channel_id=channel(n),
                owner_id=people(n)[0],
                settings=Settings(name=f"Circle {n + 1}", members=people(n), rule=RULE),
                next_after=next_after,
                now=SET_UP,
            )
        session.commit()


def purposes() -> dict:
    found = registry()
    if circles.CHECK_IN not in found or check_ins.POST not in found:
        raise BenchError("the circles' purposes are not in bot/delivery/purposes.py registry()")
    return found


def outbox_rows(engine) -> dict[str, dict[str, int]]:
    """Outbox rows by purpose and state."""
    with Session(engine) as session:
        query = select(Outbox.purpose, Outbox.state, func.count()).group_by(
            Outbox.purpose, Outbox.state
        )
        rows: dict[str, dict[str, int]] = {}
        for purpose, state, n in session.exec(query):
            rows.setdefault(purpose, {})[str(state)] = n
        return rows


def run(database_url: str, setup: Setup) -> dict:
    known = purposes()
    engine = make_engine(database_url)
    slack = FakeSlack().start()
    try:
        migrate(engine)
        started = time.monotonic()
        load(engine, setup)
        loaded = time.monotonic() - started
        slack.add_workspace(TEAM_ID, TOKEN)
        slack.limit_posting(
            per_channel_gap=1.0, cap=setup.cap, window=setup.window, team_id=TEAM_ID
        )
        clients = {TEAM_ID: client_for_sending(TOKEN, slack.api_url)}
        sessions, clock = session_factory(engine), StoppedClock(TICK)
        sender = Sender(
            clients.get,
            sessions,
            clock,
            process="bench",
            pacing=Pacing(setup.rate),  # ADVISOR_SENDS_PER_MINUTE / 60, set at the cap
            purposes=known,
        )
        ticker = Ticker(sessions, clock, sender)
        started = time.monotonic()
        ticker()
        elapsed = time.monotonic() - started
        accepted = list(slack.accepted_at.get(TEAM_ID, []))
        limited = slack.limited_by_team.get(TEAM_ID, 0)
        per_channel = Counter({c: len(slack.posted(c)) for c in map(channel, range(setup.circles))})
        rows = outbox_rows(engine)
        with Session(engine) as session:
            made = session.exec(select(func.count()).select_from(CheckIn)).one()
        clock.moment = TICK + timedelta(seconds=30)  # the next tick, in the same minute
        again_started = time.monotonic()
        ticker()
        again = {
            "seconds": time.monotonic() - again_started,
            "posts": len(slack.accepted_at.get(TEAM_ID, [])) - len(accepted),
            "limited": slack.limited_by_team.get(TEAM_ID, 0) - limited,
        }
        span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
        rate = (len(accepted) - 1) / span if span else 0.0
        posted = rows.get(check_ins.POST, {})
        once_each = sum(1 for n in per_channel.values() if n == 1)
        return {
            "circles": setup.circles,
            "cap": setup.cap,
            "window": setup.window,
            "pacing_per_second": setup.rate,
            "load_seconds": loaded,
            "check_ins": made,
            "posted_rows": posted,
            "outbox": rows,
            "accepted": len(accepted),
            "channels_posted_once": once_each,
            "most_in_a_channel": max(per_channel.values(), default=0),
            "limited": limited,
            "elapsed": elapsed,
            "first_post_after": accepted[0] - started if accepted else None,
            "seconds": span,
            "rate": rate,
            "fraction": rate / setup.rate,
            "most_in_a_second": most_within(accepted, 1.0),
            "accepted_at": [t - started for t in accepted],
            "second_tick": again,
            "all_posted_once": once_each == setup.circles
            and len(accepted) == setup.circles
            and posted == {OutboxState.SENT.value: setup.circles}
            and again["posts"] == 0,
        }
    finally:
        slack.stop()
        engine.dispose()


def report(results: dict) -> str:
    header = (
        "database",
        "circles",
        "cap",
        "posted",
        "channels once",
        "429s",
        "first post",
        "seconds",
        "posts/s",
        "fraction of cap",
        "most in 1 s",
        "tick",
        "2nd tick posts",
    )
    rows = [header]
    verdicts = []
    for r in results["runs"]:
        first = r["first_post_after"]
        rows.append(
            (
                r["database"],
                f"{r['circles']:,}",
                f"{r['cap']} per {r['window']:g} s",
                f"{r['accepted']:,}",
                f"{r['channels_posted_once']:,}",
                f"{r['limited']}",
                "-" if first is None else f"{first:.1f} s",
                f"{r['seconds']:.1f}",
                f"{r['rate']:.2f}",
                f"{r['fraction']:.3f}",
                f"{r['most_in_a_second']}",
                f"{r['elapsed']:.1f} s",
                f"{r['second_tick']['posts']}",
            )
        )
        ok = r["fraction"] >= TARGET_FRACTION and r["all_posted_once"]
        why = "" if r["all_posted_once"] else f", NOT all posted once: {r['posted_rows']}"
        verdicts.append(f"  {r['database']}: {r['fraction']:.3f}{why} {'OK' if ok else 'NOT MET'}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    table = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    m = results["machine"]
    loads = ", ".join(f"{r['database']} {r['load_seconds']:.1f} s" for r in results["runs"])
    return "\n".join(
        [
            f"one tick, one Sender paced at {results['runs'][0]['pacing_per_second']:g}/s "
            "(the cap); 1 message/s per channel",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
            f"SQLAlchemy {m['sqlalchemy']}",
            f"circles set up (core.circles.create, one transaction): {loads}",
            "",
            *table,
            "",
            f"target: every check-in posted once, at least {TARGET_FRACTION} of the cap:",
            *verdicts,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.circle_checkins",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        metavar="SERVER",
        help=f"where to make the throwaway database (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--circles", type=int, default=1000, help="circles, one channel each")
    parser.add_argument("--cap", type=int, default=300, help="messages per window")
    parser.add_argument("--window", type=float, default=10.0, help="seconds")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    setup = Setup(args.circles, args.cap, args.window)
    names = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    what = f"{setup.circles} circles"
    try:
        results = run_each(
            names, args.postgres_url, "bench-circles-", what, lambda url: run(url, setup)
        )
    except BenchError as problem:
        print(f"circle_checkins: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if args.json:
        with open(args.json, "w") as out:
            out.write(json.dumps(results, indent=2, default=str) + "\n")
    return 0 if all(r["all_posted_once"] for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
