"""Circles' buttons and forms as an attacker would send them: ids of someone else's challenge,
pairing or circle, of another workspace's check-in, numbers too big for the database, garbage.
Each is answered calmly (no error logged), acts for nobody else and changes nothing."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.ids import (
    AWAY,
    CHALLENGE_MENU,
    CIRCLE_REMINDERS_OFF,
    CIRCLE_SHARE_VIEW,
    FOLLOW_UP_OUTCOME,
    PARTNERS_MET,
    SHARE_CHALLENGE,
)
from core.models import Challenge, ChallengeReply, CheckInAway, CircleMember, Pairing
from tests.e2e.circling import CHANNEL, Circling, make_circle
from tests.e2e.helpers import BOB, GRACE
from tests.payloads import ALICE, event_callback, message_click, view_submission

MALLORY = "U0MALLORY"
HUGE = "9" * 23
OPENS = datetime(2026, 11, 24, 9, tzinfo=UTC)
GARBAGE = ["", "x", "²", HUGE, "-1", "1:2:3", "edit:", ":"]


@pytest.fixture
def circling(bot, fake_slack, engine):
    for user in (ALICE, BOB, GRACE, MALLORY):
        fake_slack.add_user(user, tz="Europe/Paris")
    fake_slack.add_channel(CHANNEL, members=[ALICE, BOB, GRACE, MALLORY], bot_in=True)
    return Circling(bot, fake_slack, engine)


@pytest.fixture
def shared(circling, nudging, clock):
    """Alice's circle (Bob, Grace; not Mallory) with a check-in open and Bob's challenge."""
    make_circle(nudging.engine, clock, [ALICE, BOB, GRACE], partners=True)
    nudging.at(OPENS)
    [check_in] = circling.check_ins()
    circling.share(check_in, BOB, "Hiring is slow")
    [challenge] = circling.challenges()
    return check_in, challenge


def share_form(metadata: dict) -> dict:
    """The share modal as a client could make it up, with `metadata` of its choosing."""
    challenge = {
        "type": "input",
        "block_id": "challenge",
        "label": {"type": "plain_text", "text": "x"},
        "element": {"type": "plain_text_input", "action_id": "value"},
    }
    return {
        "callback_id": CIRCLE_SHARE_VIEW,
        "title": {"type": "plain_text", "text": "Share"},
        "private_metadata": json.dumps(metadata),
        "blocks": [challenge],
    }


def state(engine) -> list:
    with Session(engine) as session:
        rows = [*session.exec(select(Challenge)), *session.exec(select(CheckInAway))]
        rows += [*session.exec(select(CircleMember)), *session.exec(select(Pairing))]
        return [row.model_dump() for row in rows]


def click_as(circling, action_id, value, *, user, selected=None, message=None):
    url = circling.slack.response_url(f"crafted-{user}")
    before = len(circling.slack.calls_to("response_url"))
    answer = circling.bot.slack.interact(
        message_click(
            action_id,
            value,
            message=message or {"ts": "1795510800.000001", "text": "x", "blocks": []},
            channel=CHANNEL,
            response_url=url,
            user=user,
            selected=selected,
        )
    )
    circling.bot.settle()
    assert answer.status == 200
    return [c.args for c in circling.slack.calls_to("response_url")[before:]]


def test_someone_elses_challenge_cannot_be_edited_withdrawn_or_used_to_enlist(
    circling, shared, engine, caplog
):
    before = state(engine)
    row_id = circling.challenge_rows()[0].id
    opened = len(circling.slack.calls_to("views.open"))

    for choice in ("edit", "withdraw", "enlist"):
        [said] = click_as(circling, CHALLENGE_MENU, "", user=MALLORY, selected=f"{choice}:{row_id}")
        assert "Only the person who shared" in said["text"]
        assert BOB not in json.dumps(said)

    assert state(engine) == before
    assert len(circling.slack.calls_to("views.open")) == opened
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_in_every_circle_button_changes_nothing_and_errs_nowhere(
    circling, shared, engine, caplog, value
):
    before = state(engine)
    for action in (SHARE_CHALLENGE, AWAY, CIRCLE_REMINDERS_OFF):
        click_as(circling, action, value, user=BOB)
    click_as(circling, f"{FOLLOW_UP_OUTCOME}_solved", value, user=BOB)
    click_as(circling, f"{PARTNERS_MET}_yes", value, user=BOB)
    click_as(circling, CHALLENGE_MENU, "", user=BOB, selected=value or "edit:")

    assert state(engine) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_follow_up_answer_for_someone_elses_challenge_records_nothing(circling, shared, engine):
    row_id = circling.challenge_rows()[0].id

    [said] = click_as(circling, f"{FOLLOW_UP_OUTCOME}_solved", f"solved:{row_id}", user=MALLORY)

    assert "not one of yours" in said["text"]
    assert circling.challenge_rows()[0].outcome is None


def test_a_pairing_answer_from_someone_not_in_it_records_nothing(circling, shared, nudging, engine):
    nudging.at(OPENS + timedelta(days=2))
    with Session(engine) as session:
        pairing = session.exec(select(Pairing)).first()
        outsider = next(u for u in (ALICE, BOB, GRACE, MALLORY) if u not in pairing.members)

    click_as(circling, f"{PARTNERS_MET}_yes", f"yes:{pairing.id}", user=outsider)

    with Session(engine) as session:
        assert session.get(Pairing, pairing.id).met is None


def test_away_or_share_from_someone_not_in_the_circle_offers_to_join_and_records_nothing(
    circling, shared, engine
):
    check_in, _ = shared
    before = state(engine)
    value = str(circling.check_in_rows()[0].id)

    for action in (AWAY, SHARE_CHALLENGE):
        [said] = click_as(circling, action, value, user=MALLORY, message=check_in)
        assert "circle_join" in json.dumps(said)

    assert state(engine) == before


def test_a_share_form_crafted_for_a_check_in_of_a_circle_one_is_not_in_is_refused_at_the_field(
    circling, shared, engine
):
    check_in_id = circling.check_in_rows()[0].id
    form = share_form({"check_in": check_in_id})

    answer = circling.bot.slack.interact(view_submission(form, {"challenge": "hi"}, user=MALLORY))

    assert answer.json()["response_action"] == "errors"
    assert len(circling.challenge_rows()) == 1


def test_an_edit_form_crafted_with_someone_elses_challenge_changes_nothing(
    circling, shared, engine
):
    row_id = circling.challenge_rows()[0].id
    form = share_form({"challenge": row_id})

    answer = circling.bot.slack.interact(
        view_submission(form, {"challenge": "pwned"}, user=MALLORY)
    )

    assert answer.json()["response_action"] == "errors"
    assert circling.challenge_rows()[0].text == "Hiring is slow"


def test_a_reply_event_in_another_workspaces_channel_with_the_same_ts_counts_nowhere(
    circling, shared, engine
):
    _, challenge = shared
    event = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": MALLORY,
        "text": "hi",
        "ts": "1795510899.000001",
        "thread_ts": challenge["ts"],
    }
    circling.bot.slack.post(event_callback(event, team="T0OTHER"), content_type="application/json")
    circling.bot.settle()

    assert circling.rows(ChallengeReply) == []
