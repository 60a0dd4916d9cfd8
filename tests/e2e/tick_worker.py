"""A scheduler process for the multi-process tests: ticks the real Ticker and Notifier against
a database and the fake Slack, at a fixed moment, until nothing is due. Run as
`python -m tests.e2e.tick_worker DATABASE_URL SLACK_API_URL PROCESS_NAME ISO_MOMENT`."""

import sys
from datetime import datetime

from bot.notify import Notifier, Pacer, client_for_nudges
from bot.scheduler import Ticker
from core.db import make_engine, session_factory
from core.nudges import due_owners, expired
from tests.fakes import BOT_TOKEN


class FixedClock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def main(database_url: str, api_url: str, process: str, moment: str) -> None:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    clock = FixedClock(datetime.fromisoformat(moment))
    notifier = Notifier(
        client_for_nudges(BOT_TOKEN, api_url), sessions, clock, process=process, pacer=Pacer(10_000)
    )
    tick = Ticker(sessions, clock, notifier)
    for _ in range(5):
        tick()
        with sessions() as session:
            if not expired(session, now=clock.now()) and not due_owners(session, now=clock.now()):
                break
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:5])
