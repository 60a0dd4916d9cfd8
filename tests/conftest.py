"""Fixtures: databases (SQLite, and Postgres with TEST_DATABASE_URL), fake Slack, the bot."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from bot.app import build_app
from bot.delivery.pacing import Pacing
from bot.delivery.sender import OneWorkspace, Sender
from bot.server import Limits, SlackFront, make_server, outbox_health
from bot.slack_client import make_web_client
from core.db import database_answers, make_engine, migrate, session_factory
from tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeClock, FakeSlack, SettlingExecutor
from tests.payloads import ALICE, SlackSender

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def pytest_report_header(config) -> str:
    shown = make_url(POSTGRES_URL).render_as_string(hide_password=True) if POSTGRES_URL else "-"
    return f"databases: {', '.join(DATABASES)} (TEST_DATABASE_URL={shown})"


def pytest_sessionstart(session) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        pytest.exit("CI must run the suite on Postgres too: set TEST_DATABASE_URL.", returncode=3)
    if POSTGRES_URL:
        if "test" not in (make_url(POSTGRES_URL).database or ""):
            pytest.exit(
                "TEST_DATABASE_URL must name a database with 'test' in it: the tests wipe it.", 3
            )
        engine = make_engine(POSTGRES_URL)
        if not database_answers(engine):
            pytest.exit(f"TEST_DATABASE_URL does not answer: {POSTGRES_URL}", returncode=3)
        with engine.begin() as connection:  # start from nothing: migrations run from the first
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()


def _emptied_postgres() -> Engine:
    engine = make_engine(POSTGRES_URL)
    migrate(engine)
    tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """A URL to an empty, migrated database: a fresh SQLite file, or the emptied Postgres one."""
    if request.param == "postgres":
        _emptied_postgres().dispose()
        return POSTGRES_URL
    url = f"sqlite:///{tmp_path / 'advisor.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=DATABASES)
def session(request):
    """For core tests: an in-memory SQLite session, or one on the emptied Postgres database."""
    if request.param == "postgres":
        engine = _emptied_postgres()
    else:
        engine = make_engine("sqlite://")
        migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_slack(clock):
    slack = FakeSlack(clock=clock).start()
    slack.add_user(ALICE, tz="Europe/Paris", real_name="Alice Martin")
    yield slack
    slack.stop()


@dataclass
class RunningBot:
    url: str
    slack: SlackSender
    sleeps: list[float]
    listeners: SettlingExecutor
    sender: Sender | None = None

    def settle(self) -> None:
        """Wait until the bot has finished everything it started after acking."""
        self.listeners.settle()


@contextmanager
def running_bot(
    engine, fake_slack, clock, limits: Limits | None = None, *, installs=None, flow=None
) -> Iterator[RunningBot]:
    """The real app over HTTP on a loopback port, talking to the fake Slack (also used by
    tests/e2e/walkthrough.py outside pytest). With `installs` and `flow` (bot/installs.py,
    bot/oauth.py), installed through OAuth instead of with one token."""
    sleeps: list[float] = []
    token = None if installs else BOT_TOKEN
    client = make_web_client(token, fake_slack.api_url, sleep=sleeps.append)
    listeners = SettlingExecutor()
    sender = Sender(
        installs or OneWorkspace(BOT_TOKEN, fake_slack.api_url),
        session_factory(engine),
        clock,
        process="bot-process",
        pacing=Pacing(1000),
        sleep=sleeps.append,
    )
    app = build_app(
        client=client,
        signing_secret=SIGNING_SECRET,
        sessions=session_factory(engine),
        clock=clock,
        executor=listeners,
        sender=sender,
        installs=installs,
        oauth_flow=flow,
        keep_for=installs.keep_for if installs else timedelta(days=30),
    )
    front = SlackFront(
        app,
        signing_secret=SIGNING_SECRET,
        database_answers=partial(database_answers, engine),
        outbox_health=partial(outbox_health, session_factory(engine), clock),
        oauth=flow,
    )
    server = make_server(front, host="127.0.0.1", port=0, limits=limits or Limits())
    stopping = threading.Event()

    def serve() -> None:  # waitress's loop, closed from its own thread so no select() breaks
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1, use_poll=True)
        server.task_dispatcher.shutdown()
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    try:
        sender_ = SlackSender(
            url,
            settle=listeners.settle,
            answered=lambda: fake_slack.calls_to("response_url"),
        )
        yield RunningBot(url=url, slack=sender_, sleeps=sleeps, listeners=listeners, sender=sender)
    finally:
        stopping.set()
        thread.join(timeout=5)
        listeners.shutdown(wait=True)


@pytest.fixture
def bot(engine, fake_slack, clock):
    """The real app over HTTP on a loopback port, talking to the fake Slack."""
    with running_bot(engine, fake_slack, clock) as running:
        yield running
