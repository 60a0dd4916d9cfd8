"""Load: 200 concurrent signed requests of mixed kinds against a Postgres-backed bot over HTTP.

The bot is built as bot/__main__.py builds it in HTTP mode (bot.app.build_app, bot.server's
SlackFront and waitress settings, a pool of 8 for the work after the ack), on a migrated
Postgres database, talking to the fake Slack of tests/fakes.py. Kinds, in equal parts:
`/advisor help`, `/advisor list`, `/advisor log <@advisor> note` and an `app_home_opened` event,
from 40 members with 3 advisors each.

Phases:
1. 200 at once: every one answered 200; the server-side ack time (from the WSGI call to the
   answer's body, i.e. what the bot itself spends before Slack has its answer) and the client's.
2. The same while another connection holds member, advisor and touchpoint in ACCESS EXCLUSIVE
   mode for 10 s: every request must still be acked inside 3 s (client-side).
3. 2,000 more requests in rounds of 200: the process's RSS and open files after each round.

Run: `.venv/bin/python -m bench.load [--database-url postgresql+psycopg://...]` (the database
is wiped). Exit 1 when a target is missed.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from bot.app import build_app
from bot.server import SlackFront, make_server
from bot.slack_client import make_web_client
from core import board
from core.clock import SystemClock
from core.db import database_answers, make_engine, migrate, session_factory
from core.members import remember_member
from tests.fakes import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack, sign
from tests.payloads import app_home_opened, event_callback, slash_command

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/advisor_bench_load"
CONCURRENT = 200
MEMBERS, ADVISORS_EACH = 40, 3
LOCK_SECONDS = 10.0
KINDS = ("help", "list", "log", "home")


class Timed:
    """The bot's WSGI app, timing each request from the call to its answer's body."""

    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()
        self.seconds: list[float] = []

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        body = list(self._app(environ, start_response))
        with self._lock:
            self.seconds.append(time.perf_counter() - started)
        return body


def members() -> list[str]:
    return [f"U0LOAD{m:03d}" for m in range(MEMBERS)]


def advisor_of(member: str, n: int) -> str:
    return f"U0ADV{member[-3:]}{n}"


def seed(engine, fake: FakeSlack) -> None:
    clock = SystemClock()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        for member in members():
            fake.add_user(member, tz="Europe/Paris")
            remember_member(
                session, team_id=TEAM_ID, user_id=member, tz="Europe/Paris", clock=clock
            )
            for n in range(ADVISORS_EACH):
                board.enlist(
                    session,
                    team_id=TEAM_ID,
                    owner_id=member,
                    person=board.Person(
                        name=f"Advisor {member[-3:]} {n}", slack_user_id=advisor_of(member, n)
                    ),
                    details=board.Details(),
                    last_spoke_on=date(2026, 1, 1),
                    zone=ZoneInfo("Europe/Paris"),
                    clock=clock,
                )


def request_for(i: int, url: str, response_url: str) -> tuple[str, bytes, str]:
    kind = KINDS[i % len(KINDS)]
    member = members()[i % MEMBERS]
    if kind == "home":
        return kind, event_callback(app_home_opened(user=member)).encode(), "application/json"
    typed = {"help": "help", "list": "list", "log": f"log <@{advisor_of(member, i % 3)}> load {i}"}
    body = slash_command(typed[kind], user=member, response_url=response_url)
    return kind, body.encode(), "application/x-www-form-urlencoded"


def send(url: str, kind: str, body: bytes, content_type: str) -> tuple[str, int, float]:
    headers = {"Content-Type": content_type, **sign(body)}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return kind, status, time.perf_counter() - started


def burst(url: str, response_url: str, start: int, count: int = CONCURRENT) -> list[tuple]:
    requests = [request_for(start + i, url, response_url) for i in range(count)]
    gate = threading.Barrier(count)

    def one(request):
        gate.wait()
        return send(url, *request)

    with ThreadPoolExecutor(max_workers=count) as clients:
        return list(clients.map(one, requests))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def summary(results: list[tuple], server: list[float]) -> dict:
    client = [seconds for _, _, seconds in results]
    return {
        "requests": len(results),
        "answered_200": sum(1 for _, status, _ in results if status == 200),
        "server_ack_ms": {
            "median": round(statistics.median(server) * 1000, 1),
            "p99": round(pct(server, 0.99) * 1000, 1),
            "max": round(max(server) * 1000, 1),
        },
        "client_ms": {
            "median": round(statistics.median(client) * 1000, 1),
            "p99": round(pct(client, 0.99) * 1000, 1),
            "max": round(max(client) * 1000, 1),
        },
    }


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def hold_lock(engine, seconds: float, held: threading.Event) -> None:
    with engine.connect() as connection, connection.begin():
        connection.execute(text("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0"))
        connection.execute(text("LOCK TABLE member, advisor, touchpoint IN ACCESS EXCLUSIVE MODE"))
        held.set()
        time.sleep(seconds)


def wait_idle(work: ThreadPoolExecutor, timeout: float = 60) -> None:
    """Until the bot's work pool has drained (what it does after acking)."""
    deadline = time.monotonic() + timeout
    while work._work_queue.qsize() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)


def run(database_url: str, rounds: int) -> dict:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    fake = FakeSlack().start()
    seed(engine, fake)
    work = ThreadPoolExecutor(max_workers=8, thread_name_prefix="listener")
    app = build_app(
        client=make_web_client(BOT_TOKEN, fake.api_url),
        signing_secret=SIGNING_SECRET,
        sessions=session_factory(engine),
        clock=SystemClock(),
        executor=work,
    )
    front = SlackFront(
        app, signing_secret=SIGNING_SECRET, database_answers=partial(database_answers, engine)
    )
    timed = Timed(front)
    server = make_server(timed, host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    response_url = fake.response_url("load")
    results: dict = {}
    sent = 0

    burst(url, response_url, sent, 20)  # warm up connections and caches
    sent += 20
    wait_idle(work)

    timed.seconds.clear()
    results["at_once"] = summary(burst(url, response_url, sent), list(timed.seconds))
    sent += CONCURRENT
    wait_idle(work)

    timed.seconds.clear()
    answered_before = len(fake.calls_to("response_url"))
    held = threading.Event()
    holder = threading.Thread(target=hold_lock, args=(engine, LOCK_SECONDS, held), daemon=True)
    holder.start()
    held.wait(10)
    locked = burst(url, response_url, sent)
    sent += CONCURRENT
    results["with_10s_lock"] = summary(locked, list(timed.seconds))
    results["with_10s_lock"]["acked_within_3s"] = sum(1 for _, s, t in locked if s == 200 and t < 3)
    holder.join()
    wait_idle(work)
    told = [c.args.get("text", "") for c in fake.calls_to("response_url")[answered_before:]]
    results["with_10s_lock"]["told_after"] = {
        start: sum(1 for t in told if t.startswith(start))
        for start in ("Logged a touchpoint", "Your board", "Something went wrong")
    }
    results["with_10s_lock"]["told_after"]["in all"] = len(told)
    results["answers_through_response_url"] = 0

    samples = []
    for _ in range(rounds):
        with fake._changed:  # the fake Slack shares the process: keep its records from growing
            fake.calls.clear()
            fake.messages.clear()
        timed.seconds.clear()
        burst(url, response_url, sent)
        sent += CONCURRENT
        wait_idle(work)
        results["answers_through_response_url"] += len(fake.calls_to("response_url"))
        samples.append({"rss_kib": rss_kib(), "open_files": open_files()})
    results["memory"] = samples
    server.close()
    work.shutdown(wait=True)
    fake.stop()
    engine.dispose()
    return results


def verdict(results: dict) -> list[str]:
    missed = []
    at_once, locked = results["at_once"], results["with_10s_lock"]
    if at_once["answered_200"] != at_once["requests"]:
        missed.append("not every request was answered 200")
    if at_once["server_ack_ms"]["p99"] >= 500:
        missed.append("p99 server-side ack is 500 ms or more")
    if locked["acked_within_3s"] != locked["requests"]:
        missed.append("a request was not acked within 3 s while the tables were locked")
    memory = results["memory"]
    if len(memory) >= 2:
        first, last = memory[0], memory[-1]
        if (
            last["rss_kib"] > first["rss_kib"] * 1.15
            or last["open_files"] > first["open_files"] + 5
        ):
            missed.append("RSS or open files grew over the rounds")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=10, help="rounds of 200 for phase 3")
    options = parser.parse_args(argv)
    results = run(options.database_url, options.rounds)
    print(json.dumps(results, indent=2))
    missed = verdict(results)
    for line in missed:
        print("MISSED:", line, file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
