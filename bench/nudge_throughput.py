"""Delivery throughput against Slack's posting limits, with two workspaces at different caps.

The fake Slack Web API (tests/fakes.py, real HTTP on loopback) enforces Slack's limits on
chat.postMessage: one message a second per channel (per DM), and a cap of CAP messages in any
WINDOW seconds per workspace, each workspace its own; past them it answers 429 with Retry-After.
Workspace A (default 100 per 10 s) and workspace B (default 50 per 10 s) each have their own due
members (digest members with one due advisor, and members who want one message per item with
three due advisors each). One scheduler tick delivers everything through the real Ticker and
one Sender with a client per workspace (bot.delivery.sender.client_for_sending, one token each),
paced at A's rate: what ADVISOR_SENDS_PER_MINUTE would be set to. B has to find its own pace
from its 429s. Reported per workspace: messages sent, 429s met, messages a second between its
first and last accepted post as a fraction of its own cap (target >= 0.9), and whether every
outbox row ended sent (no 429 left unhandled). --one-workspace runs workspace A alone, as the
previous engine's benchmark did.

Run from the repository root:

    .venv/bin/python -m bench.nudge_throughput [--database sqlite|postgres|both]
                                               [--postgres-url SERVER] [--one-workspace]
                                               [--members 500] [--per-item 50] [--items 3]
                                               [--cap 100] [--window 10]
                                               [--b-members 250] [--b-per-item 25]
                                               [--b-cap 50] [--b-window 10] [--json PATH]

Postgres runs on a fresh database `advisor_bench_<pid>_<random>` made on SERVER (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end.
"""

import argparse
import contextlib
import json
import logging
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy
from sqlalchemy import update
from sqlmodel import Session, func, select

from bench._load import DEFAULT_POSTGRES, BenchError, postgres_url, sqlite_url
from bot.delivery.pacing import Pacing
from bot.delivery.sender import Sender, client_for_sending
from bot.scheduler import Ticker
from core.clock import StoppedClock
from core.db import make_engine, migrate, session_factory
from core.models import Member, Outbox, OutboxState
from tests.e2e.nudging import add_due_member
from tests.fakes import FakeSlack

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
TARGET_FRACTION = 0.9


@dataclass
class Workspace:
    """One workspace of the run: its token, cap and due members."""

    name: str
    team_id: str
    token: str
    members: int  # digest members with one due advisor
    per_item: int  # members who want one message per item
    items: int  # due advisors of each per-item member
    cap: int
    window: float

    def users(self) -> list[tuple[str, bool]]:
        """(user id, wants one message per item)."""
        digest = [(f"U0{self.name}{n:06d}", False) for n in range(self.members)]
        many = [
            (f"U0{self.name}{n:06d}", True)
            for n in range(self.members, self.members + self.per_item)
        ]
        return digest + many

    @property
    def expected(self) -> int:
        return self.members + self.per_item * self.items

    @property
    def rate(self) -> float:
        return self.cap / self.window


def interleaved(workspaces: list[Workspace]) -> list[tuple[Workspace, str, bool]]:
    """Every workspace's members, mixed in proportion (A, B, A, A, B...), so each batch of due
    members holds some of each, as when their nudges fall due through the day."""
    placed = []
    for workspace in workspaces:
        users = workspace.users()
        for n, (user, many) in enumerate(users):
            placed.append(((n + 0.5) / len(users), workspace.name, workspace, user, many))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [(workspace, user, many) for _, _, workspace, user, many in placed]


def load(engine, workspaces: list[Workspace]) -> None:
    """The due members (tests/e2e/nudging.add_due_member: window always open, advisors due
    since a day ago), each with its own look_at in the interleaved order."""
    order = interleaved(workspaces)
    with Session(engine) as session:
        for workspace, user, many in order:
            add_due_member(
                session,
                user,
                now=NOW,
                advisors=workspace.items if many else 1,
                digest=not many,
                team_id=workspace.team_id,
            )
        session.flush()
        for n, (workspace, user, _many) in enumerate(order):
            session.execute(
                update(Member)
                .where(Member.team_id == workspace.team_id, Member.user_id == user)
                .values(look_at=NOW - timedelta(days=1) + timedelta(seconds=n))
            )
        session.commit()


def run(database_url: str, workspaces: list[Workspace]) -> dict:
    engine = make_engine(database_url)
    slack = FakeSlack().start()
    try:
        migrate(engine)
        load(engine, workspaces)
        for workspace in workspaces:
            slack.add_workspace(workspace.team_id, workspace.token)
            for user, _many in workspace.users():
                slack.add_user(user, tz="UTC", team_id=workspace.team_id)
            slack.limit_posting(
                per_channel_gap=1.0,
                cap=workspace.cap,
                window=workspace.window,
                team_id=workspace.team_id,
            )
        clients = {w.team_id: client_for_sending(w.token, slack.api_url) for w in workspaces}
        sessions, clock = session_factory(engine), StoppedClock(NOW)
        pace = workspaces[0].rate  # ADVISOR_SENDS_PER_MINUTE / 60, set for workspace A
        sender = Sender(clients.get, sessions, clock, process="bench", pacing=Pacing(pace))
        started = time.monotonic()
        Ticker(sessions, clock, sender)()
        elapsed = time.monotonic() - started
        with Session(engine) as session:
            states = session.exec(
                select(Outbox.team_id, Outbox.state, func.count()).group_by(
                    Outbox.team_id, Outbox.state
                )
            ).all()
        results = {"pacing_per_second": pace, "elapsed": elapsed, "workspaces": []}
        for workspace in workspaces:
            accepted = slack.accepted_at.get(workspace.team_id, [])
            span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
            rate = (len(accepted) - 1) / span if span else 0.0
            rows = {state: n for team, state, n in states if team == workspace.team_id}
            results["workspaces"].append(
                {
                    "workspace": workspace.name,
                    "team_id": workspace.team_id,
                    "cap": workspace.cap,
                    "window": workspace.window,
                    "expected": workspace.expected,
                    "rows": rows,
                    "sent": rows.get(OutboxState.SENT, 0),
                    "accepted": len(accepted),
                    "limited": slack.limited_by_team.get(workspace.team_id, 0),
                    "seconds": span,
                    "rate": rate,
                    "fraction": rate / workspace.rate,
                    "most_in_a_second": most_within(accepted, 1.0),
                    "accepted_at": [t - started for t in accepted],
                    "all_sent": rows == {OutboxState.SENT: workspace.expected}
                    and len(accepted) == workspace.expected,
                }
            )
        return results
    finally:
        slack.stop()
        engine.dispose()


def most_within(times: list[float], span: float) -> int:
    """The most posts accepted within any `span` seconds: paced ones stay near span x rate."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= span:
            first += 1
        most = max(most, last - first + 1)
    return most


@contextlib.contextmanager
def database(name: str, server: str, prefix: str = "bench-throughput-"):
    if name == "sqlite":
        with sqlite_url(prefix=prefix) as url:
            yield url
    else:
        with postgres_url(server) as url:
            yield url


def run_each(names: list[str], server: str, prefix: str, what: str, run_one) -> dict:
    """`run_one(url)` on a fresh database of each name, with the machine's description: the
    results as the benchmarks print and save them. BenchError when a database is unreachable."""
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlalchemy": sqlalchemy.__version__,
        },
        "runs": [],
    }
    for name in names:
        with database(name, server, prefix) as url:
            shown = version(url)
            print(f"{shown}: {what}...", flush=True)
            done = run_one(url)
            done["database"] = name
            done["version"] = shown
            results["runs"].append(done)
    return results


def version(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                shown = connection.exec_driver_sql("SHOW server_version").scalar_one()
                return f"PostgreSQL {shown}"
            return "SQLite " + connection.exec_driver_sql("SELECT sqlite_version()").scalar_one()
    finally:
        engine.dispose()


def report(results: dict) -> str:
    header = (
        "database",
        "workspace",
        "cap",
        "messages",
        "sent",
        "429s",
        "seconds",
        "msgs/s",
        "fraction of cap",
        "most in 1 s",
        "all sent",
    )
    rows = [header]
    verdicts = []
    for run_ in results["runs"]:
        for w in run_["workspaces"]:
            rows.append(
                (
                    run_["database"],
                    w["workspace"],
                    f"{w['cap']} per {w['window']:g} s",
                    f"{w['expected']:,}",
                    f"{w['sent']:,}",
                    f"{w['limited']}",
                    f"{w['seconds']:.1f}",
                    f"{w['rate']:.2f}",
                    f"{w['fraction']:.3f}",
                    f"{w['most_in_a_second']}",
                    "yes" if w["all_sent"] else f"NO: {w['rows']}",
                )
            )
            ok = w["fraction"] >= TARGET_FRACTION and w["all_sent"]
            verdicts.append(
                f"  {run_['database']} {w['workspace']}: {w['fraction']:.3f}"
                f"{'' if w['all_sent'] else ', rows left unsent'} {'OK' if ok else 'NOT MET'}"
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    table = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    m = results["machine"]
    return "\n".join(
        [
            f"one tick, one Sender paced at {results['runs'][0]['pacing_per_second']:g}/s "
            "(workspace A's cap); 1 message/s per DM in every workspace",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
            f"SQLAlchemy {m['sqlalchemy']}",
            "",
            *table,
            "",
            f"target: at least {TARGET_FRACTION} of each workspace's cap, every row sent:",
            *verdicts,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.nudge_throughput",
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
    parser.add_argument("--one-workspace", action="store_true", help="workspace A alone")
    parser.add_argument("--members", type=int, default=500, help="A: digest members")
    parser.add_argument("--per-item", type=int, default=50, help="A: members, one DM per item")
    parser.add_argument("--items", type=int, default=3, help="due advisors of per-item members")
    parser.add_argument("--cap", type=int, default=100, help="A: messages per window")
    parser.add_argument("--window", type=float, default=10.0, help="A: seconds")
    parser.add_argument("--b-members", type=int, help="B: digest members (default: A's / 2)")
    parser.add_argument("--b-per-item", type=int, help="B: per-item members (default: A's / 2)")
    parser.add_argument("--b-cap", type=int, default=50, help="B: messages per window")
    parser.add_argument("--b-window", type=float, default=10.0, help="B: seconds")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    workspaces = [
        Workspace(
            "A",
            "T0A",
            "xoxb-workspace-a",
            args.members,
            args.per_item,
            args.items,
            args.cap,
            args.window,
        )
    ]
    if not args.one_workspace:
        b_members = args.members // 2 if args.b_members is None else args.b_members
        b_per_item = args.per_item // 2 if args.b_per_item is None else args.b_per_item
        workspaces.append(
            Workspace(
                "B",
                "T0B",
                "xoxb-workspace-b",
                b_members,
                b_per_item,
                args.items,
                args.b_cap,
                args.b_window,
            )
        )
    names = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    what = f"{sum(w.expected for w in workspaces)} messages"
    try:
        results = run_each(
            names, args.postgres_url, "bench-throughput-", what, lambda url: run(url, workspaces)
        )
    except BenchError as problem:
        print(f"nudge_throughput: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if args.json:
        with open(args.json, "w") as out:
            out.write(json.dumps(results, indent=2, default=str) + "\n")
    everything = [w for r in results["runs"] for w in r["workspaces"]]
    return 0 if all(w["all_sent"] for w in everything) else 1


if __name__ == "__main__":
    sys.exit(main())
