"""Exactly once across processes: two scheduler processes on one Postgres deliver 1,000 due
nudges with none doubled (200 on the embedded SQLite, which serialises writers anyway); a
process killed mid-delivery loses none, and its unconfirmed claim goes out once after the
lease."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from core.models import Nudge, Outbox, OutboxState
from tests.e2e.nudging import add_due_member

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def how_many(database_url: str, test_name: str) -> int:
    if "killed" in test_name:
        return 300
    return 200 if database_url.startswith("sqlite") else 1000


@pytest.fixture
def due_everywhere(request, database_url, engine, fake_slack):
    """Members (1,000 on Postgres), each with one advisor due, their windows open all week."""
    users = [f"U{n:07d}" for n in range(how_many(database_url, request.node.name))]
    with Session(engine) as session:
        for user in users:
            add_due_member(session, user, now=NOW)
        session.commit()
    for user in users:
        fake_slack.add_user(user, tz="UTC")
    return users


def worker(database_url: str, fake_slack, name: str, moment: datetime) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.tick_worker",
            database_url,
            fake_slack.api_url,
            name,
            moment.isoformat(),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def delivered_once_each(engine, fake_slack, users) -> None:
    for user in users:
        posted = fake_slack.posted("D" + user[1:])
        assert len(posted) == 1, f"{user} got {len(posted)} nudges"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Nudge)).one() == len(users)
        states = session.exec(select(Outbox.state, func.count()).group_by(Outbox.state)).all()
        assert dict(states) == {OutboxState.SENT: len(users)}


def test_two_scheduler_processes_deliver_a_thousand_due_nudges_exactly_once(
    database_url, engine, fake_slack, due_everywhere
):
    first = worker(database_url, fake_slack, "process-a", NOW)
    second = worker(database_url, fake_slack, "process-b", NOW)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0

    delivered_once_each(engine, fake_slack, due_everywhere)
    assert len(fake_slack.calls_to("chat.postMessage")) == len(due_everywhere), "none twice"
    with Session(engine) as session:
        senders = session.exec(select(Outbox.claimed_by).distinct()).all()
    assert sorted(senders) == ["process-a", "process-b"], "both processes did part of the work"


def test_a_process_killed_mid_delivery_loses_nothing_and_the_rest_go_out_after_restart(
    database_url, engine, fake_slack, due_everywhere
):
    fake_slack.delays["chat.postMessage"] = 0.01
    doomed = worker(database_url, fake_slack, "doomed", NOW)
    fake_slack.wait_for("chat.postMessage", count=100, timeout=120)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    with Session(engine) as session:
        sent = session.exec(
            select(func.count()).select_from(Outbox).where(Outbox.state == OutboxState.SENT)
        ).one()
    assert 0 < sent < len(due_everywhere), "killed part-way"
    fake_slack.delays.clear()

    restarted = worker(database_url, fake_slack, "restarted", NOW + timedelta(minutes=10))
    assert restarted.wait(timeout=300) == 0

    delivered_once_each(engine, fake_slack, due_everywhere)
