"""The measured process of bench/nudge_memory.py, kept apart so that it imports only what the
bot imports (no psycopg, no test fakes, no loader):

    python -m bench._memory_child MODE DATABASE_URL SLACK_API_URL ISO_MOMENT BOT_TOKEN MAX_TICKS

MODE is baseline, plan or tick (see bench/nudge_memory.py). Prints one JSON line: what it did,
and its VmHWM and VmRSS from /proc/self/status at the end."""

import json
import sys
import time
from datetime import datetime


def _status_kb(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def child(mode: str, url: str, api_url: str, moment: str, token: str, max_ticks: str) -> dict:
    """One measured process: what it did, and its own VmHWM / VmRSS at the end."""
    from sqlalchemy import text

    import bot.__main__  # noqa: F401  (the whole bot, as the real process imports it)
    from core.db import make_engine, session_factory

    started = time.perf_counter()
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM member")).scalar_one()
    done: dict = {"mode": mode}
    now = datetime.fromisoformat(moment)
    sessions = session_factory(engine)
    if mode == "plan":
        from bot.recurrence import next_after
        from core import due_members, nudge_plan

        with sessions() as session:
            owners = due_members.due_owners(session, now=now, limit=due_members.BATCH)
        planned = items = 0
        for team_id, owner_id in owners:
            with sessions() as session:  # never committed: plan's changes are rolled back
                plan = nudge_plan.plan(
                    session, team_id=team_id, owner_id=owner_id, now=now, next_after=next_after
                )
                if plan is not None:
                    planned += 1
                    items += len(plan.items)
        done.update(owners=len(owners), planned=planned, items=items)
    elif mode == "tick":
        from bot.delivery.pacing import Pacing
        from bot.delivery.sender import OneWorkspace, Sender
        from bot.scheduler import Ticker, process_name
        from core import outbox
        from core.clock import StoppedClock
        from core.due_members import BATCH, due_owners

        clock = StoppedClock(now)
        sender = Sender(
            OneWorkspace(token, api_url),
            sessions,
            clock,
            process=process_name(),
            pacing=Pacing(10_000),
        )
        ticker = Ticker(sessions, clock, sender)
        ticks = []
        for _ in range(int(max_ticks)):  # until no member is due and the outbox is empty
            started_tick = time.perf_counter()
            ticker()
            seconds = time.perf_counter() - started_tick
            with sessions() as session:
                next_batch = len(due_owners(session, now=now, limit=BATCH))
                outbox_due = len(outbox.due(session, now=now))
            ticks.append({"seconds": seconds, "next_batch": next_batch, "outbox_due": outbox_due})
            if not next_batch and not outbox_due:
                break
        done.update(ticks=ticks)
    engine.dispose()
    done.update(
        seconds=time.perf_counter() - started,
        vm_hwm_kb=_status_kb("VmHWM"),
        vm_rss_kb=_status_kb("VmRSS"),
    )
    return done


if __name__ == "__main__":
    print(json.dumps(child(*sys.argv[1:7])), flush=True)
