"""Log lines an operator can read on a bad day: a burst is one line a minute with a count, a
database that does not answer is one line per request, not a traceback."""

import logging

from sqlalchemy.exc import OperationalError

from bot.deferred import _log_failure
from bot.server import _OnceAMinute


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("waitress.queue", logging.WARNING, "", 0, message, (), None)


def test_a_burst_of_warnings_is_one_line_a_minute_with_how_many_were_held_back():
    clock = Clock()
    once = _OnceAMinute(clock=clock)

    let_through = [once.filter(record(f"Task queue depth is {n}")) for n in range(100)]
    clock.now = 61.0
    later = record("Task queue depth is 3")

    assert let_through.count(True) == 1 and let_through[0] is True
    assert once.filter(later) is True
    assert later.getMessage() == "Task queue depth is 3 (99 more like it in the last minute)"


def test_a_listener_that_finds_the_database_unavailable_logs_one_line(caplog):
    down = OperationalError("SELECT 1", {}, Exception("canceling statement due to lock timeout"))

    with caplog.at_level(logging.WARNING):
        _log_failure("slash command", down)

    [line] = caplog.records
    assert line.exc_info is None and "lock timeout" in line.getMessage()


def test_any_other_failure_of_a_listener_keeps_its_traceback(caplog):
    with caplog.at_level(logging.WARNING):
        _log_failure("block_actions", KeyError("user"))

    [line] = caplog.records
    assert line.levelno == logging.ERROR and line.exc_info is not None
