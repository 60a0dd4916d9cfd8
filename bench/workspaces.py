"""Deliveries across 20 workspaces, each with its own posting cap on the fake Slack.

The fake Slack Web API (tests/fakes.py, real HTTP on loopback) enforces Slack's limits on
chat.postMessage for each workspace on its own: one message a second per conversation, and a
cap of CAP messages in any WINDOW seconds; past either it answers 429 with Retry-After. Here
--workspaces workspaces (default 20) have caps spread evenly from --low to --high messages per
--window seconds (default 5 to 24 per 10 s: 29 a second in all). Each installs the app through
the bot's own OAuth flow (bot/oauth.py: Bolt's flow exchanges the code FakeSlack.authorize gave
at the fake's oauth.v2.access, and the token, one per workspace with a bot user of its own, is
stored encrypted in the installation store). Each holds due members with one advisor due a
nudge (one DM each): as many as its cap sends in --seconds seconds (default 60), so every
workspace has work for about as long. The members come due interleaved (W00, W07, W13, W01...),
in proportion to the caps. They are planned first (bot.scheduler.Ticker.plan: the real nudge
rows in the outbox; not timed), then one Sender.send_due delivers them all: the real
bot.delivery.sender.Sender and Pacing, paced at the highest cap (ADVISOR_SENDS_PER_MINUTE is one
setting for every workspace; the others find their own pace from their 429s), with the bot's
own clients callable, bot.installs.Installs (each workspace's client from the installation
store).

Measured from the fake's accepted posts:
- steady: deliveries a second, in all, from one window after the first post (each workspace's
  first window lets a burst of a whole cap through) until the first workspace has sent its last
  row (from then on not every workspace has work): against the sum of the caps, target 0.9;
- overall: from the first post to the last, the same way;
- the 429s drawn, each workspace's own rate as a fraction of its cap, every outbox row sent.
--no-caps lifts the caps (and paces at 1,000 a second): what one process delivers at most.

Run from the repository root:

    .venv/bin/python -m bench.workspaces [--database sqlite|postgres|both]
                                         [--postgres-url SERVER] [--workspaces 20]
                                         [--low 5] [--high 24] [--window 10] [--seconds 60]
                                         [--no-caps] [--json PATH]

Postgres runs on a fresh database `advisor_bench_<pid>_<random>` made on SERVER (default
postgresql://postgres@127.0.0.1:5432/postgres) and dropped at the end.
"""

import argparse
import json
import logging
import sys
import time
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlmodel import Session, func, select

from bench._load import DEFAULT_POSTGRES, BenchError
from bench.nudge_throughput import Workspace, interleaved, load, most_within, run_each
from bot.delivery.pacing import Pacing
from bot.delivery.sender import Sender, client_for_sending
from bot.installs import EncryptedInstallations, Installs, SignedStates, TokenCipher
from bot.oauth import InstallFlow, install_flow
from bot.scheduler import Ticker
from core.clock import StoppedClock
from core.db import make_engine, migrate, session_factory
from core.models import Outbox, OutboxState
from tests.fakes import FakeSlack

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
TARGET_FRACTION = 0.9
CLIENT_ID, CLIENT_SECRET = "bench.client", "bench-secret"
UNCAPPED = 1000.0  # --no-caps: the pace, and the fake takes every post


def spread(count: int, low: int, high: int, window: float, seconds: float) -> list[Workspace]:
    """`count` workspaces, caps evenly from `low` to `high` per `window` seconds, each with as
    many due members (one message each) as its cap sends in `seconds`."""
    workspaces = []
    for n in range(count):
        cap = round(low + (high - low) * n / max(count - 1, 1))
        members = round(cap / window * seconds)
        name = f"W{n:02d}"
        workspaces.append(Workspace(name, f"T0{name}", "", members, 0, 1, cap, window))
    return workspaces


def installs(engine, slack: FakeSlack, clock) -> tuple[Installs, InstallFlow]:
    """The bot's installation store and install flow as bot/__main__.make_installs makes them
    (with a fresh encryption key), against the fake Slack."""
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    kept = Installs(
        EncryptedInstallations(store, TokenCipher((Fernet.generate_key().decode(),))),
        session_factory(engine),
        clock,
        api_url=slack.api_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        keep_for=timedelta(days=30),
        engine=engine,
    )
    flow = install_flow(
        client=client_for_sending(None, slack.api_url),
        installs=kept,
        states=SignedStates(engine, "bench-state-secret"),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=None,
        retention_days=30,
        clock=clock,
    )
    return kept, flow


def install(slack: FakeSlack, flow: InstallFlow, workspace: Workspace) -> None:
    """Someone approves the install in the workspace; the bot's flow exchanges the code (what
    /slack/oauth_redirect does once the state checks out) and stores the install."""
    code = slack.authorize(workspace.team_id, team_name=f"Workspace {workspace.name}")
    installation = flow.run_installation(code)
    flow.store_installation(None, installation)


def plan(engine, workspaces: list[Workspace]) -> float:
    """Every due member planned by the real planner (their nudge rows in the outbox), in the
    interleaved order: the rows' ids interleave too. Returns the seconds it took."""
    started = time.monotonic()
    ticker = Ticker(session_factory(engine), StoppedClock(NOW), sender=None)
    for workspace, user, _many in interleaved(workspaces):
        ticker.plan(workspace.team_id, user)
    return time.monotonic() - started


def outbox_rows(engine) -> dict[str, dict[str, int]]:
    """Outbox rows by workspace and state."""
    with Session(engine) as session:
        query = select(Outbox.team_id, Outbox.state, func.count()).group_by(
            Outbox.team_id, Outbox.state
        )
        rows: dict[str, dict[str, int]] = {}
        for team_id, state, n in session.exec(query):
            rows.setdefault(team_id, {})[str(state)] = n
        return rows


def rate_of(times: list[float]) -> tuple[float, float]:
    """(seconds from the first to the last, posts a second between them)."""
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return span, ((len(times) - 1) / span if span else 0.0)


def steady(everyone: list[float], own: list[list[float]], window: float) -> dict | None:
    """Posts a second from `window` seconds after the first post until the first workspace
    posted its last: the stretch where every workspace has work, its first bursts left out
    (None when there is no such stretch: a workspace was done within its first window)."""
    if not all(own):
        return None
    start, end = everyone[0] + window, min(times[-1] for times in own)
    if end <= start:
        return None
    posts = sum(1 for t in everyone if start <= t <= end)
    return {"from": window, "to": end - everyone[0], "posts": posts, "rate": posts / (end - start)}


def run(database_url: str, workspaces: list[Workspace], *, capped: bool = True) -> dict:
    engine = make_engine(database_url)
    slack = FakeSlack().start()
    try:
        migrate(engine)
        load(engine, workspaces)
        planned = plan(engine, workspaces)
        slack.oauth_app(CLIENT_ID, CLIENT_SECRET)
        sessions, clock = session_factory(engine), StoppedClock(NOW)
        clients, flow = installs(engine, slack, clock)
        for workspace in workspaces:
            install(slack, flow, workspace)
            for user, _many in workspace.users():
                slack.add_user(user, tz="UTC", team_id=workspace.team_id)
            slack.limit_posting(  # uncapped: the fake still notes each accepted post
                per_channel_gap=1.0,
                cap=workspace.cap if capped else 10**9,
                window=workspace.window,
                team_id=workspace.team_id,
            )
        pace = max(w.rate for w in workspaces) if capped else UNCAPPED  # one for all
        sender = Sender(clients, sessions, clock, process="bench", pacing=Pacing(pace))
        started = time.monotonic()
        sender.send_due()
        elapsed = time.monotonic() - started
        rows = outbox_rows(engine)
        own = [slack.accepted_at.get(w.team_id, []) for w in workspaces]
        everyone = sorted(t for times in own for t in times)
        span, rate = rate_of(everyone)
        caps = sum(w.rate for w in workspaces)
        results = {
            "capped": capped,
            "pacing_per_second": pace,
            "plan_seconds": planned,
            "elapsed": elapsed,
            "messages": sum(w.expected for w in workspaces),
            "accepted": len(everyone),
            "limited": slack.limited,
            "seconds": span,
            "rate": rate,
            "sum_of_caps": caps,
            "fraction": rate / caps,
            "steady": steady(everyone, own, workspaces[0].window) if capped else None,
            "first_post_after": everyone[0] - started if everyone else None,
            "most_in_a_second": most_within(everyone, 1.0),
            "workspaces": [],
        }
        if results["steady"]:
            results["steady"]["fraction"] = results["steady"]["rate"] / caps
        for workspace, accepted in zip(workspaces, own, strict=True):
            own_span, own_rate = rate_of(accepted)
            mine = rows.get(workspace.team_id, {})
            results["workspaces"].append(
                {
                    "workspace": workspace.name,
                    "team_id": workspace.team_id,
                    "cap": workspace.cap,
                    "window": workspace.window,
                    "expected": workspace.expected,
                    "rows": mine,
                    "sent": mine.get(OutboxState.SENT.value, 0),
                    "accepted": len(accepted),
                    "posted_there": len(slack.posted(team_id=workspace.team_id)),
                    "limited": slack.limited_by_team.get(workspace.team_id, 0),
                    "seconds": own_span,
                    "rate": own_rate,
                    "fraction": own_rate / workspace.rate,
                    "accepted_at": [t - started for t in accepted],
                    "all_sent": mine == {OutboxState.SENT.value: workspace.expected}
                    and len(accepted) == workspace.expected,
                }
            )
        results["all_sent"] = all(w["all_sent"] for w in results["workspaces"])
        return results
    finally:
        slack.stop()
        engine.dispose()


def report(results: dict) -> str:
    first = results["runs"][0]
    capped = first["capped"]
    header = (
        "database",
        "workspaces",
        "messages",
        "sent",
        "429s",
        "seconds",
        "msgs/s",
        "sum of caps",
        "overall",
        "steady msgs/s",
        "steady",
        "all sent",
    )
    rows = [header]
    verdicts, details = [], []
    for r in results["runs"]:
        held = r["steady"]
        rows.append(
            (
                r["database"],
                f"{len(r['workspaces'])}",
                f"{r['messages']:,}",
                f"{r['accepted']:,}",
                f"{r['limited']}",
                f"{r['seconds']:.1f}",
                f"{r['rate']:.2f}",
                f"{r['sum_of_caps']:.1f}/s" if capped else "none",
                f"{r['fraction']:.3f}" if capped else "-",
                f"{held['rate']:.2f} ({held['from']:.0f}-{held['to']:.0f} s)" if held else "-",
                f"{held['fraction']:.3f}" if held else "-",
                "yes" if r["all_sent"] else "NO",
            )
        )
        fraction = held["fraction"] if held else 0.0
        ok = fraction >= TARGET_FRACTION and r["all_sent"]
        shown = f"{fraction:.3f}" if held else "no steady stretch (give more --seconds)"
        verdicts.append(f"  {r['database']}: {shown} {'OK' if ok else 'NOT MET'}")
        details.append(f"{r['database']}, each workspace (cap, sent, 429s, msgs/s, of its cap):")
        details.extend(
            f"  {w['workspace']} {w['cap']:>3}/{w['window']:g}s {w['accepted']:>5} "
            f"{w['limited']:>4} {w['rate']:6.2f} {w['fraction']:.3f}"
            f"{'' if w['all_sent'] else '  NOT all sent: ' + str(w['rows'])}"
            for w in r["workspaces"]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    table = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    m = results["machine"]
    plans = ", ".join(f"{r['database']} {r['plan_seconds']:.1f} s" for r in results["runs"])
    pacing = (
        f"paced at {first['pacing_per_second']:g}/s (the highest cap) in every workspace"
        if capped
        else f"no caps, paced at {UNCAPPED:g}/s: what one process delivers at most"
    )
    target = [
        f"target: every row sent, steady deliveries a second at least {TARGET_FRACTION} of the "
        "sum of the caps:",
        *verdicts,
    ]
    return "\n".join(
        [
            f"one Sender, {pacing}; 1 message/s per DM",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}, "
            f"SQLAlchemy {m['sqlalchemy']}",
            f"members planned before (Ticker.plan, not timed): {plans}",
            "",
            *table,
            "",
            *(details if capped else []),
            *(["", *target] if capped else []),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.workspaces",
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
    parser.add_argument("--workspaces", type=int, default=20, help="how many")
    parser.add_argument("--low", type=int, default=5, help="the lowest cap, per window")
    parser.add_argument("--high", type=int, default=24, help="the highest cap, per window")
    parser.add_argument("--window", type=float, default=10.0, help="seconds")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="each workspace's work, at its cap"
    )
    parser.add_argument("--no-caps", action="store_true", help="one process's most, no caps")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers here")
    args = parser.parse_args(argv)
    if not 1 <= args.low <= args.high or args.workspaces < 1 or args.seconds <= args.window:
        parser.error("need 1 <= --low <= --high, a workspace, and --seconds beyond --window")
    logging.basicConfig(level=logging.ERROR)
    workspaces = spread(args.workspaces, args.low, args.high, args.window, args.seconds)
    names = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    what = f"{sum(w.expected for w in workspaces):,} messages in {len(workspaces)} workspaces"
    try:
        results = run_each(
            names,
            args.postgres_url,
            "bench-workspaces-",
            what,
            lambda url: run(url, workspaces, capped=not args.no_caps),
        )
    except BenchError as problem:
        print(f"workspaces: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if args.json:
        with open(args.json, "w") as out:
            out.write(json.dumps(results, indent=2, default=str) + "\n")
    return 0 if all(r["all_sent"] for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
