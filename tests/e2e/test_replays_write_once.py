"""The same request twice writes once: Slack accepts a signed request for five minutes, so the
identical signed bytes sent again (by a proxy, a network retry or an attacker) change nothing
more, and the person is told it was done already."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot import event_dedup
from bot.ids import PROMISE_MENU, PROMISE_RENEGOTIATE, PROMISE_UPDATE
from core.models import Promise, PromiseEvent, SeenEvent, Touchpoint
from tests.e2e.helpers import latest_view
from tests.fakes import sign
from tests.payloads import FORM, block_action, slash_command, view_submission

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
TIMES = 3


def rows(engine, model) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model)))


def replayed(bot, body: str) -> list:
    """`body`, signed once, sent TIMES times: the very same bytes and headers each time."""
    headers = sign(body)
    answers = []
    for _ in range(TIMES):
        answers.append(bot.slack.post(body, content_type=FORM, headers=headers))
        bot.settle()
    return answers


def test_a_replayed_log_command_logs_one_touchpoint_and_says_so(bot, fake_slack, engine, grace):
    body = slash_command("log <@U0GRACE> coffee", response_url=fake_slack.response_url())

    first, *again = replayed(bot, body)

    assert len(rows(engine, Touchpoint)) == 1
    assert first.json()["text"].startswith("Logged a touchpoint with Grace")
    assert all(a.json()["text"].startswith("Already done") for a in again)


def test_copies_sent_at_the_same_moment_log_one_touchpoint(bot, fake_slack, engine, grace):
    body = slash_command("log <@U0GRACE> coffee", response_url=fake_slack.response_url())
    headers = sign(body)

    with ThreadPoolExecutor(max_workers=TIMES) as senders:
        sent = [senders.submit(bot.slack.post, body, content_type=FORM, headers=headers)]
        sent += [senders.submit(bot.slack.post, body, content_type=FORM, headers=headers)]
        sent += [senders.submit(bot.slack.post, body, content_type=FORM, headers=headers)]
    bot.settle()

    assert all(s.result().status == 200 for s in sent)
    assert len(rows(engine, Touchpoint)) == 1
    said = [c.args["text"] for c in fake_slack.calls_to("response_url")]
    assert sorted(t.split(" ")[0] for t in said[-TIMES:]) == ["Already", "Already", "Logged"]


def test_a_replayed_promise_command_records_one_promise(bot, fake_slack, engine, grace):
    typed = "promise <@U0GRACE> send the deck by friday"
    body = slash_command(typed, response_url=fake_slack.response_url())

    first, *again = replayed(bot, body)

    assert len(rows(engine, Promise)) == 1
    assert first.json()["text"].startswith("Recorded")
    assert all(a.json()["text"].startswith("Already done") for a in again)


def test_a_replayed_touchpoint_modal_logs_one_touchpoint(bot, fake_slack, engine, grace):
    bot.slack.command("log", response_url=fake_slack.response_url())
    modal = latest_view(fake_slack, "views.open")
    body = view_submission(modal, {"advisor": str(grace.id), "note": "lunch"})

    first, *again = replayed(bot, body)

    assert len(rows(engine, Touchpoint)) == 1
    assert "Logged a touchpoint with Grace" in str(first.json()["view"])
    assert all("Already done" in str(a.json()["view"]) for a in again)


def test_a_replayed_update_sent_on_posts_one_update_and_one_dm(bot, fake_slack, engine, grace):
    typed = "promise <@U0GRACE> send the deck by friday"
    bot.slack.command(typed, response_url=fake_slack.response_url())
    bot.settle()
    [promise] = rows(engine, Promise)
    bot.slack.interact(block_action(PROMISE_MENU, selected=f"{PROMISE_UPDATE}:{promise.id}"))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    assert "send" in [b.get("block_id") for b in modal["blocks"]]  # "send it on" is offered
    body = view_submission(modal, {"update": "Outline done"})

    replayed(bot, body)

    updates = [e for e in rows(engine, PromiseEvent) if e.change == "update"]
    assert len(updates) == 1
    dms = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "D0GRACE"]
    assert len(dms) == 1


def test_a_replayed_promise_modal_records_one_promise(bot, fake_slack, engine, grace):
    bot.slack.command("promise", response_url=fake_slack.response_url())
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    answers = {"advisor": str(grace.id), "what": "send the deck", "due": "2026-12-01"}

    first, *again = replayed(bot, view_submission(modal, answers))

    assert len(rows(engine, Promise)) == 1
    assert "Recorded" in str(first.json()["view"])
    assert all("Already done" in str(a.json()["view"]) for a in again)


def test_a_replayed_renegotiation_moves_the_date_once(bot, fake_slack, engine, grace):
    typed = "promise <@U0GRACE> send the deck by friday"
    bot.slack.command(typed, response_url=fake_slack.response_url())
    bot.settle()
    [promise] = rows(engine, Promise)
    bot.slack.interact(block_action(PROMISE_MENU, selected=f"{PROMISE_RENEGOTIATE}:{promise.id}"))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")

    first, *again = replayed(bot, view_submission(modal, {"due": "2026-12-04", "note": "late"}))

    assert "now due" in str(first.json()["view"])
    assert all("Already done" in str(a.json()["view"]) for a in again)  # not a field error
    [promise] = rows(engine, Promise)
    assert promise.renegotiations == 1
    assert len([e for e in rows(engine, PromiseEvent) if e.change == "renegotiated"]) == 1


def test_a_command_typed_again_is_a_new_request_and_is_logged_again(bot, fake_slack, engine, grace):
    for _ in range(2):  # each carries its own trigger_id: a person meant it twice
        bot.slack.command("log <@U0GRACE> coffee", response_url=fake_slack.response_url())
        bot.settle()

    assert len(rows(engine, Touchpoint)) == 2


def test_the_keys_of_replays_are_forgotten_by_the_tick_after_a_day(bot, fake_slack, engine, grace):
    bot.slack.command("log <@U0GRACE> coffee", response_url=fake_slack.response_url())
    bot.settle()
    [key] = [k for k in rows(engine, SeenEvent) if k.event_id.startswith("r:")]

    with Session(engine) as session, session.begin():
        event_dedup.forget_old(session, now=key.seen_at + event_dedup.KEPT + timedelta(seconds=1))

    assert [k for k in rows(engine, SeenEvent) if k.event_id.startswith("r:")] == []
