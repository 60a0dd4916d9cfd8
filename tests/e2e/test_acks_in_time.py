"""Slow database or slow Slack never costs an ack: Slack gets its answer at once, and the person
sees the real outcome, once, when the slow part is done (or has failed)."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from core.db import LOCK_TIMEOUT_MS
from core.models import Touchpoint
from tests.e2e.helpers import latest_view
from tests.fakes import Reply
from tests.payloads import FORM, SlackSender, slash_command, view_submission

pytestmark = pytest.mark.usefixtures("workspace")
ACK_LIMIT = 3.0  # Slack's: later than this, the person sees "failed with the error..."


def touchpoints(engine) -> list[Touchpoint]:
    with Session(engine) as session:
        return list(session.exec(select(Touchpoint)))


@contextmanager
def tables_locked(engine, seconds: float) -> Iterator[None]:
    """Another connection holds the board's tables in ACCESS EXCLUSIVE mode for `seconds`."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a table lock held by another connection is a Postgres test")
    held = threading.Event()

    def hold() -> None:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0"))
            connection.execute(
                text("LOCK TABLE member, advisor, touchpoint IN ACCESS EXCLUSIVE MODE")
            )
            held.set()
            time.sleep(seconds)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert held.wait(5)
    try:
        yield
    finally:
        holder.join(seconds + 5)


def timed(post) -> tuple[float, object]:
    started = time.monotonic()
    answer = post()
    return time.monotonic() - started, answer


def raw(bot) -> SlackSender:
    """The bot's HTTP answer itself (not what the person sees later)."""
    return SlackSender(bot.url)


def command(bot, fake_slack, typed: str):
    body = slash_command(typed, response_url=fake_slack.response_url())
    return timed(lambda: raw(bot).post(body, content_type=FORM))


def said(fake_slack, since: int) -> list[str]:
    return [c.args.get("text", "") for c in fake_slack.calls_to("response_url")[since:]]


def test_log_and_help_are_acked_at_once_while_the_tables_are_locked_and_the_log_lands_once(
    bot, fake_slack, engine, grace
):
    before = len(fake_slack.calls_to("response_url"))
    with tables_locked(engine, 3.5):
        log_took, logged = command(bot, fake_slack, "log <@U0GRACE> coffee")
        help_took, helped = command(bot, fake_slack, "help")

    assert logged.status == 200 and log_took < 1.0
    assert helped.status == 200 and help_took < 1.0
    assert "what I can do" in helped.json()["text"]  # help needs no database: in the ack
    fake_slack.wait_for("response_url", count=before + 1, timeout=10)
    bot.listeners.settle(10)
    answers = said(fake_slack, before)
    assert [a for a in answers if a.startswith("Logged a touchpoint with Grace")] == answers
    assert len(answers) == 1
    assert len(touchpoints(engine)) == 1


def test_a_lock_held_past_the_lock_timeout_tells_the_person_nothing_was_saved_once(
    bot, fake_slack, engine, grace
):
    before = len(fake_slack.calls_to("response_url"))
    with tables_locked(engine, LOCK_TIMEOUT_MS / 1000 + 1.5):
        took, answer = command(bot, fake_slack, "log <@U0GRACE> coffee")
        assert answer.status == 200 and took < 1.0
        fake_slack.wait_for("response_url", count=before + 1, timeout=LOCK_TIMEOUT_MS / 1000 + 5)

    bot.listeners.settle(10)
    [answer] = said(fake_slack, before)
    assert "nothing was saved" in answer
    assert touchpoints(engine) == []


def test_a_modal_submitted_while_the_tables_are_locked_says_it_is_saving_then_the_outcome(
    bot, fake_slack, engine, grace
):
    bot.slack.command("log", response_url=fake_slack.response_url())
    modal = latest_view(fake_slack, "views.open")
    body = view_submission(modal, {"advisor": str(grace.id), "note": "lunch"})
    updates = len(fake_slack.calls_to("views.update"))

    with tables_locked(engine, 3.5):
        took, answer = timed(lambda: raw(bot).post(body, content_type=FORM))

    assert answer.status == 200 and took < ACK_LIMIT
    assert answer.json()["response_action"] == "update"
    assert "Still saving" in str(answer.json()["view"])
    fake_slack.wait_for("views.update", count=updates + 1, timeout=10)
    bot.listeners.settle(10)
    [update] = fake_slack.calls_to("views.update")[updates:]
    assert update.args["view_id"] == "V0MODAL"
    assert "Logged a touchpoint with Grace" in str(update.args["view"])
    assert len(touchpoints(engine)) == 1


def test_a_slow_views_open_does_not_delay_the_ack_and_the_modal_opens_once(bot, fake_slack):
    fake_slack.delays["views.open"] = 3.5

    took, answer = command(bot, fake_slack, "add")

    assert answer.status == 200 and took < 1.0
    fake_slack.wait_for("views.open", count=1, timeout=10)
    bot.listeners.settle(10)
    assert len(fake_slack.calls_to("views.open")) == 1
    assert said(fake_slack, 0) == []  # no false error on top of the modal


def test_a_form_slack_opened_too_late_says_so_and_asks_to_run_it_again(bot, fake_slack):
    fake_slack.script("views.open", Reply(200, {"ok": False, "error": "expired_trigger_id"}))

    answer = bot.slack.command("add", response_url=fake_slack.response_url())

    assert answer.acked == ""
    assert answer.json()["text"].startswith("Slack took too long to open the form")
    assert len(fake_slack.calls_to("response_url")) == 1
