"""A scheduler process for the multi-process tests: ticks the real Ticker and Sender against
a database and the fake Slack, at a fixed moment, until nothing is due. Run as
`python -m tests.e2e.tick_worker DATABASE_URL SLACK_API_URL PROCESS_NAME ISO_MOMENT`."""

import sys
from datetime import datetime

from bot.delivery.pacing import Pacing
from bot.delivery.sender import OneWorkspace, Sender
from bot.scheduler import Ticker
from core import outbox
from core.clock import StoppedClock
from core.db import make_engine, session_factory
from core.due_members import due_owners
from tests.fakes import BOT_TOKEN


def main(database_url: str, api_url: str, process: str, moment: str) -> None:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    clock = StoppedClock(datetime.fromisoformat(moment))
    sender = Sender(
        OneWorkspace(BOT_TOKEN, api_url), sessions, clock, process=process, pacing=Pacing(10_000)
    )
    tick = Ticker(sessions, clock, sender)
    for _ in range(5):
        tick()
        with sessions() as session:
            now = clock.now()
            if not outbox.due(session, now=now) and not due_owners(session, now=now):
                break
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:5])
