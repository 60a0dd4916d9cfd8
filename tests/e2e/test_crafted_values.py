"""Values that come back from Slack are data a client could craft: an id nobody has, one too
big for the database, a digit that is not ASCII, garbage. Each is answered calmly (HTTP 200, no
error logged) and changes nothing."""

import json
import logging

import pytest

from bot.ids import (
    DELETE_TOUCHPOINT,
    HISTORY,
    HISTORY_NEWEST,
    HISTORY_OLDER,
    HISTORY_VIEW,
    LIST_MORE,
    NUDGE_PICK,
    PROMISES_MORE,
    WHO_LOG,
    WHO_PROMISE,
)
from tests.e2e.helpers import snapshot
from tests.payloads import block_action, modal_click

pytestmark = pytest.mark.usefixtures("workspace")
HUGE = "9" * 23
ASKED = "2026-11-23T09:00:00+00:00"


def choice(**fields) -> str:
    return json.dumps({"asked": ASKED, **fields})


IN_HISTORY = [
    (HISTORY_OLDER, "²:t1@" + ASKED),
    (HISTORY_OLDER, "1:t²@" + ASKED),
    (HISTORY_OLDER, f"{HUGE}:t1@" + ASKED),
    (HISTORY_OLDER, f"1:t{HUGE}@" + ASKED),
    (HISTORY_NEWEST, HUGE),
    (DELETE_TOUCHPOINT, HUGE),
    (DELETE_TOUCHPOINT, "²"),
    (DELETE_TOUCHPOINT, "-1"),
]
IN_MESSAGES = [
    (HISTORY, HUGE),
    (HISTORY, "²"),
    (LIST_MORE, "active:²"),
    (LIST_MORE, "active:" + "9" * 1999),
    (PROMISES_MORE, "²"),
    (PROMISES_MORE, "9" * 1999),
    (NUDGE_PICK + "_1", json.dumps({"nudge": 10**30, "text": "x"})),
    (WHO_LOG + "_0", choice(advisor=10**30, note="x")),
    (WHO_LOG + "_0", choice(advisor=True, note="x")),
    (WHO_PROMISE + "_0", choice(advisor=10**30, what="x", due="2026-12-01", firmness="promise")),
    (WHO_PROMISE + "_0", choice(advisor=1, what="x", due="9999-12-31", firmness="promise")),
]


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("action_id", "value"), IN_HISTORY)
def test_a_crafted_value_in_the_history_changes_nothing_and_errs_nowhere(
    bot, engine, caplog, grace, action_id, value
):
    view = {
        "id": "V0HISTORY",
        "type": "modal",
        "callback_id": HISTORY_VIEW,
        "title": {"type": "plain_text", "text": "History"},
        "blocks": [],
        "private_metadata": json.dumps({"advisor": grace.id, "from": ""}),
    }
    before = snapshot(engine)

    with caplog.at_level(logging.ERROR):
        answer = bot.slack.interact(modal_click(action_id, value, view=view))
        bot.settle()

    assert answer.status == 200 and errors_logged(caplog) == []
    assert snapshot(engine) == before


@pytest.mark.parametrize(("action_id", "value"), IN_MESSAGES)
def test_a_crafted_value_in_a_message_changes_nothing_and_errs_nowhere(
    bot, fake_slack, engine, caplog, grace, action_id, value
):
    before = snapshot(engine)

    with caplog.at_level(logging.ERROR):
        url = fake_slack.response_url()
        answer = bot.slack.interact(block_action(action_id, value, response_url=url))
        bot.settle()

    assert answer.status == 200 and errors_logged(caplog) == []
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("action_id", "value"),
    [(LIST_MORE, "active:20"), (PROMISES_MORE, "20"), (HISTORY_OLDER, "1:t1@" + ASKED)],
)
def test_a_paging_button_clicked_where_the_bot_never_put_it_does_nothing(
    bot, engine, caplog, grace, action_id, value
):
    before = snapshot(engine)

    with caplog.at_level(logging.ERROR):
        answer = bot.slack.interact(block_action(action_id, value))  # from Home, no message
        bot.settle()

    assert answer.status == 200 and errors_logged(caplog) == []
    assert snapshot(engine) == before


def test_a_button_the_bot_does_not_know_is_acked_and_logged_quietly(bot, fake_slack, caplog):
    with caplog.at_level(logging.WARNING):
        url = fake_slack.response_url()
        answer = bot.slack.interact(
            block_action("no_such_button\x00<!channel>", "1", response_url=url)
        )
        bot.settle()

    assert answer.status == 200
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
