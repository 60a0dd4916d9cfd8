"""Server-side latency of a signed `/advisor help` over HTTP, next to a bare Bolt app (the floor).

Run from the repository root:

    .venv/bin/python -m bench.help_latency [--requests 2000] [--warmup 200] [--json PATH]

Both apps are served by the same waitress server (bot.server.make_server) on loopback and talk to
the same fake Slack. A tiny WSGI middleware times each request inside the server, from the WSGI
call until the response body iterable exists; the client's round trip is recorded too, for
reference. Requests alternate between the two apps (real, floor, real, floor...) over one
persistent HTTP connection each, so machine noise hits both alike.
"""

import argparse
import contextlib
import http.client
import json
import logging
import math
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.app import build_app
from bot.server import EVENTS_PATH, SlackFront, make_server
from bot.slack_client import make_web_client
from core.clock import SystemClock
from core.db import database_answers, make_engine, migrate, session_factory
from tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign
from tests.payloads import FORM, slash_command

TARGET_RATIO = 1.5
REQUEST_ID_HEADER = "X-Bench-Request"
REQUEST_ID_ENVIRON = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
USAGE_CARD_MARK = "/advisor help"


class BenchError(Exception):
    """The benchmark cannot trust its numbers (a wrong answer); the message says why."""


class Timed:
    """WSGI middleware: nanoseconds from the call until the body iterable exists, per request id."""

    def __init__(self, app: Callable):
        self._app = app
        self.server_ns: dict[str, int] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter_ns()
        body = self._app(environ, start_response)
        self.server_ns[environ.get(REQUEST_ID_ENVIRON, "")] = time.perf_counter_ns() - started
        return body


@dataclass
class Side:
    """One app under test: its server, its timing middleware and the client's connection to it."""

    name: str
    timed: Timed
    server: object
    thread: threading.Thread
    stopping: threading.Event
    check_body: Callable[[str], str | None]
    client_ns: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    connection: http.client.HTTPConnection | None = None

    @property
    def port(self) -> int:
        return self.server.effective_port

    def connect(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.stopping.set()
        self.thread.join(timeout=5)


def serve(name: str, wsgi_app: Callable, check_body: Callable[[str], str | None]) -> Side:
    """Wrap `wsgi_app` in the timer and serve it with the bot's own waitress settings, port 0."""
    timed = Timed(wsgi_app)
    server = make_server(timed, host="127.0.0.1", port=0)
    stopping = threading.Event()

    def loop() -> None:  # waitress's loop, closed from its own thread so no select() breaks
        while not stopping.is_set():
            server.asyncore.loop(
                timeout=0.05, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
            )
        server.task_dispatcher.shutdown()
        server.close()

    thread = threading.Thread(target=loop, name=f"waitress-{name}", daemon=True)
    thread.start()
    side = Side(
        name=name,
        timed=timed,
        server=server,
        thread=thread,
        stopping=stopping,
        check_body=check_body,
    )
    side.connect()
    return side


def real_app(fake: FakeSlack, database_dir: Path):
    """advisor-bot as bot/__main__.py builds it in HTTP mode: migrated SQLite, real clock."""
    engine = make_engine(f"sqlite:///{database_dir / 'advisor.db'}")
    migrate(engine)
    app = build_app(
        client=make_web_client(BOT_TOKEN, fake.api_url),
        signing_secret=SIGNING_SECRET,
        sessions=session_factory(engine),
        clock=SystemClock(),
    )
    front = SlackFront(
        app, signing_secret=SIGNING_SECRET, database_answers=partial(database_answers, engine)
    )
    return front, engine


def floor_app(fake: FakeSlack) -> SlackRequestHandler:
    """The least a Bolt app can do for the same request: verify it and ack."""
    client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
    app = App(client=client, signing_secret=SIGNING_SECRET)

    @app.command("/advisor")
    def only_ack(ack: Ack) -> None:
        ack()

    return SlackRequestHandler(app, path=EVENTS_PATH)


def has_usage_card(body: str) -> str | None:
    if USAGE_CARD_MARK not in body:
        return f"the answer lacks the usage card ({USAGE_CARD_MARK!r}): {body[:200]!r}"
    return None


def any_body(_body: str) -> str | None:
    return None


def send_help(side: Side, fake: FakeSlack, request_id: str) -> int:
    """POST one freshly signed `/advisor help`; check the answer; return the client round trip."""
    body = slash_command("help", response_url=fake.response_url("bench"))
    headers = {"Content-Type": FORM, REQUEST_ID_HEADER: request_id, **sign(body)}
    data = body.encode()
    started = time.perf_counter_ns()
    side.connection.request("POST", EVENTS_PATH, body=data, headers=headers)
    response = side.connection.getresponse()
    answer = response.read()
    elapsed = time.perf_counter_ns() - started
    text = answer.decode("utf-8", "replace")
    if response.status != 200:
        raise BenchError(f"{side.name}: request {request_id} got {response.status}: {text[:200]!r}")
    problem = side.check_body(text)
    if problem:
        raise BenchError(f"{side.name}: request {request_id}: {problem}")
    if request_id not in side.timed.server_ns:
        raise BenchError(f"{side.name}: the server did not time request {request_id}")
    return elapsed


def run_rounds(sides: list[Side], fake: FakeSlack, rounds: int, *, record: bool, tag: str) -> None:
    for n in range(rounds):
        for side in sides:  # interleaved: real, floor, real, floor...
            request_id = f"{tag}-{side.name}-{n}"
            elapsed = send_help(side, fake, request_id)
            if record:
                side.client_ns.append(elapsed)
                side.ids.append(request_id)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with `fraction` of all values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarize(side: Side) -> dict:
    server_ms = [side.timed.server_ns[i] / 1e6 for i in side.ids]
    client_ms = [ns / 1e6 for ns in side.client_ns]
    return {
        "requests": len(server_ms),
        "min_ms": min(server_ms),
        "median_ms": statistics.median(server_ms),
        "p99_ms": percentile(server_ms, 0.99),
        "mean_ms": statistics.fmean(server_ms),
        "max_ms": max(server_ms),
        "client_median_ms": statistics.median(client_ms),
        "client_p99_ms": percentile(client_ms, 0.99),
    }


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def report(results: dict) -> str:
    rows = [("app", "min ms", "median ms", "p99 ms", "client median ms", "client p99 ms")]
    for name in ("real", "floor"):
        r = results[name]
        rows.append(
            (
                name,
                f"{r['min_ms']:.3f}",
                f"{r['median_ms']:.3f}",
                f"{r['p99_ms']:.3f}",
                f"{r['client_median_ms']:.3f}",
                f"{r['client_p99_ms']:.3f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    ratio = results["ratio"]
    verdict = "OK" if ratio["median"] < TARGET_RATIO and ratio["p99"] < TARGET_RATIO else "ABOVE"
    m = results["machine"]
    return "\n".join(
        [
            f"/advisor help, server-side latency: {results['requests']} requests per app after "
            f"{results['warmup']} warm-up, interleaved",
            f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}",
            "",
            *lines,
            "",
            f"ratio real/floor: median {ratio['median']:.2f}, p99 {ratio['p99']:.2f} "
            f"(target < {TARGET_RATIO}: {verdict})",
        ]
    )


def without_ack_poll(app: App) -> None:
    """Run listeners inline, so nothing waits out Bolt's 10 ms ack poll (analysis only: it pokes
    a private attribute; build_app sets it too since issue 11, so it is a no-op now)."""
    app._listener_runner.process_before_response = True


def run(requests: int, warmup: int, *, inline: bool = False) -> dict:
    with contextlib.ExitStack() as cleanup:
        fake = FakeSlack().start()
        cleanup.callback(fake.stop)
        database_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        front, engine = real_app(fake, database_dir)
        cleanup.callback(engine.dispose)
        floor = floor_app(fake)
        if inline:
            without_ack_poll(front._app)
            without_ack_poll(floor.app)
        sides = []
        for name, wsgi_app, check_body in (
            ("real", front, has_usage_card),
            ("floor", floor, any_body),
        ):
            sides.append(serve(name, wsgi_app, check_body))
            cleanup.callback(sides[-1].stop)
        run_rounds(sides, fake, warmup, record=False, tag="warmup")
        run_rounds(sides, fake, requests, record=True, tag="measure")
    real, floor = (summarize(side) for side in sides)
    return {
        "requests": requests,
        "warmup": warmup,
        "ack_poll": not inline,
        "machine": machine(),
        "real": real,
        "floor": floor,
        "ratio": {
            "median": real["median_ms"] / floor["median_ms"],
            "p99": real["p99_ms"] / floor["p99_ms"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.help_latency", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per app")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests per app first")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    parser.add_argument(
        "--no-ack-poll",
        action="store_true",
        help="run listeners inline on both apps, to see the work hidden by Bolt's 10 ms ack poll",
    )
    options = parser.parse_args(argv)
    if options.requests < 1 or options.warmup < 0:
        parser.error("--requests must be at least 1 and --warmup at least 0")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        results = run(options.requests, options.warmup, inline=options.no_ack_poll)
    except BenchError as problem:
        print(f"help_latency: FAILED: {problem}", file=sys.stderr)
        return 1
    print(report(results))
    if options.json:
        options.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
