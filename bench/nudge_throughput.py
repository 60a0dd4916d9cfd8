"""Benchmark (b) of the nudge engine: delivery throughput against Slack's posting limits.

The fake Slack Web API (tests/fakes.py, real HTTP on loopback) enforces Slack's limits on
chat.postMessage: one message a second per channel, and a workspace cap of CAP messages in any
WINDOW seconds; past them it answers 429 with Retry-After. One scheduler tick delivers every
due nudge through the real Ticker and Notifier, paced at the cap (ADVISOR_SENDS_PER_MINUTE).
Reported: messages a second as a fraction of the cap (target >= 0.9), 429s met, and whether
every message arrived (zero 429s left unhandled).

Run from the repository root:  .venv/bin/python -m bench.nudge_throughput [--members 500]
"""

import argparse
import logging
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.notify import Notifier, Pacer, client_for_nudges
from sqlmodel import Session, func, select

from bot.scheduler import Ticker
from core.db import make_engine, migrate, session_factory
from core.models import Delivery, DeliveryState
from tests.e2e.nudging import add_due_member
from tests.fakes import BOT_TOKEN, FakeSlack

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


class Fixed:
    def now(self) -> datetime:
        return NOW


def load(engine, members: int, per_item: int, items_each: int) -> int:
    """`members` with one due advisor, and `per_item` more who want one message per item, each
    with `items_each` due advisors; returns the messages expected."""
    with Session(engine) as session:
        for n in range(members + per_item):
            many = n >= members
            add_due_member(
                session, f"U{n:07d}", now=NOW, advisors=items_each if many else 1, digest=not many
            )
        session.commit()
    return members + per_item * items_each


def run(database_url: str, *, members: int, per_item: int, cap: int, window: float) -> dict:
    engine = make_engine(database_url)
    migrate(engine)
    expected = load(engine, members, per_item, 3)
    slack = FakeSlack().start()
    for n in range(members + per_item):
        slack.add_user(f"U{n:07d}", tz="UTC")
    slack.limit_posting(per_channel_gap=1.0, cap=cap, window=window)
    sessions = session_factory(engine)
    notifier = Notifier(
        client_for_nudges(BOT_TOKEN, slack.api_url),
        sessions,
        Fixed(),
        process="bench",
        pacer=Pacer(cap / window),
    )
    started = time.monotonic()
    Ticker(sessions, Fixed(), notifier)()
    elapsed = time.monotonic() - started
    posted = [c.at for c in slack.calls_to("chat.postMessage")]
    with Session(engine) as session:
        sent = session.exec(
            select(func.count()).select_from(Delivery).where(Delivery.state == DeliveryState.SENT)
        ).one()
    slack.stop()
    engine.dispose()
    accepted = len(posted) - slack.limited
    span = max(posted) - min(posted) if len(posted) > 1 else elapsed
    rate = (accepted - 1) / span if span else 0.0
    return {
        "expected": expected,
        "sent": sent,
        "limited": slack.limited,
        "elapsed": elapsed,
        "rate": rate,
        "fraction": rate / (cap / window),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--per-item", type=int, default=50, help="members with one DM per item")
    parser.add_argument("--cap", type=int, default=100, help="workspace cap: messages per window")
    parser.add_argument("--window", type=float, default=10.0, help="seconds")
    parser.add_argument("--postgres-url", help="also run on this (emptied) Postgres database")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        urls = {"sqlite": f"sqlite:///{Path(folder) / 'bench.db'}"}
        if args.postgres_url:
            urls["postgres"] = args.postgres_url
        print(f"cap {args.cap} per {args.window:g} s = {args.cap / args.window:g}/s; 1/s per DM")
        print("database  messages  sent  429s  seconds  msgs/s  fraction of cap")
        for name, url in urls.items():
            r = run(
                url, members=args.members, per_item=args.per_item, cap=args.cap, window=args.window
            )
            print(
                f"{name:9} {r['expected']:8} {r['sent']:5} {r['limited']:5} {r['elapsed']:8.1f} "
                f"{r['rate']:7.2f}  {r['fraction']:.3f}"
            )


if __name__ == "__main__":
    main()
