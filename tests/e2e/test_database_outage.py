"""An outage is one line, not a flood: with the database unreachable the tick says so once a
minute (with the reason, on one line, no traceback), and says when it is back and after how
long; then it sends what became due meanwhile."""

import logging
import sqlite3
from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from bot.scheduler import Ticker, one_line
from core.db import session_factory

TICK_SECONDS = 1
OUTAGE_MINUTES = 5


class Switch:
    """Sessions on the test's database, or (while `down`) on one that cannot be reached."""

    def __init__(self, working, broken):
        self.working, self.broken, self.down = working, broken, False

    def __call__(self) -> Session:
        return Session(self.broken if self.down else self.working)


def refusing_engine():
    """An engine whose every connect raises, as a vanished database does."""

    def connect():
        raise sqlite3.OperationalError("unable to open database file")

    return create_engine("sqlite://", creator=connect)


def closed_port_engine():
    return create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )


def vanished_file_engine(tmp_path):
    """A SQLite file whose folder is gone (unmounted, deleted)."""
    return create_engine(f"sqlite:///{tmp_path / 'unmounted' / 'advisor.db'}")


def lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("bot", "core", "apscheduler"))]


def run_ticks(ticker, clock, seconds: int) -> None:
    for _ in range(seconds // TICK_SECONDS):
        clock.advance(seconds=TICK_SECONDS)
        ticker()


def test_five_minutes_without_the_database_give_one_line_a_minute_then_back_after(
    engine, nudging, caplog
):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    switch = Switch(engine, refusing_engine())
    ticker = Ticker(switch, nudging.clock, nudging.sender())
    switch.down = True

    with caplog.at_level(logging.INFO):
        run_ticks(ticker, nudging.clock, OUTAGE_MINUTES * 60)
        down = lines(caplog)
        switch.down = False
        caplog.clear()
        run_ticks(ticker, nudging.clock, 1)
        back = lines(caplog)

    assert len(down) == OUTAGE_MINUTES, [r.getMessage() for r in down]  # at 0, 1, 2, 3, 4 min
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in down)
    first = down[0].getMessage()
    assert first.startswith("Database unreachable since 2026-11-23T09:00:01+00:00")
    assert "OperationalError: unable to open database file" in first
    assert "(4 min 0 s)" in down[-1].getMessage()
    assert back[0].getMessage() == (
        "Database back after 5 min 0 s (unreachable since 2026-11-23T09:00:01+00:00)"
    )
    assert len(nudging.dms()) == 1, "what became due meanwhile goes once it answers"


def test_a_new_reason_is_said_at_once_and_an_unchanged_one_waits_its_minute(
    engine, nudging, caplog
):
    switch = Switch(engine, refusing_engine())
    ticker = Ticker(switch, nudging.clock, nudging.sender())
    switch.down = True
    with caplog.at_level(logging.INFO):
        run_ticks(ticker, nudging.clock, 30)
        switch.broken = closed_port_engine() if "postgres" in str(engine.url) else switch.broken
        run_ticks(ticker, nudging.clock, 20)

    said = [r.getMessage() for r in lines(caplog)]
    expected = 2 if "postgres" in str(engine.url) else 1
    assert len(said) == expected, said


@pytest.mark.parametrize("broken", ["closed port", "vanished file", "refusing connect"])
def test_each_way_a_database_goes_away_is_one_line_with_its_reason(
    engine, nudging, caplog, tmp_path, broken
):
    make = {
        "closed port": closed_port_engine,
        "vanished file": lambda: vanished_file_engine(tmp_path),
        "refusing connect": refusing_engine,
    }[broken]
    ticker = Ticker(session_factory(make()), nudging.clock, nudging.sender())

    with caplog.at_level(logging.DEBUG, logger="bot"):
        run_ticks(ticker, nudging.clock, 90)

    said = [r for r in lines(caplog) if r.levelno >= logging.INFO]
    assert len(said) == 2, [r.getMessage() for r in said]
    reason = said[0].getMessage().partition(": ")[2]
    assert reason and "()" not in reason and all(r.exc_info is None for r in said)


def test_an_error_with_no_words_is_told_by_the_first_cause_that_has_some():
    from sqlalchemy.exc import InvalidatePoolError

    try:
        try:
            raise ConnectionResetError("server closed the connection unexpectedly")
        except ConnectionResetError as cause:
            raise InvalidatePoolError() from cause
    except InvalidatePoolError as error:
        said = one_line(error)

    assert said == "ConnectionResetError: server closed the connection unexpectedly"
