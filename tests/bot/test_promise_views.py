"""Promises as Block Kit data: valid modals and lines, firmness everywhere, Home within limits."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.views.board import Entry, build_home
from bot.views.promises import (
    build_drop_modal,
    build_promise_modal,
    build_promises_message,
    build_renegotiate_modal,
    build_update_modal,
    keeping_line,
    promise_line,
)
from core.models import Promise
from core.promises import Keeping
from tests.bot.test_board_views import an_advisor

NOW = datetime(2026, 11, 23, 14, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def a_promise(n: int, *, due_in_days: int = 4, **fields) -> Promise:
    due_on = (NOW + timedelta(days=due_in_days)).date()
    values = {
        "id": n,
        "team_id": "T0TEST",
        "owner_id": "U0ALICE",
        "advisor_id": 1,
        "what": f"Promise {n}",
        "firmness": "promise",
        "due_on": due_on,
        "original_due_on": due_on,
        "due_at": datetime.combine(due_on + timedelta(days=1), datetime.min.time(), PARIS),
        "created_at": NOW,
        "updated_at": NOW,
    } | fields
    return Promise(**values)


def test_a_promise_line_shows_what_due_firmness_last_update_and_overdue():
    late = a_promise(1, due_in_days=-2, firmness="try", last_update_at=NOW, renegotiations=2)

    line = promise_line(late, NOW, PARIS)

    assert line == (
        ":warning: *overdue* · “Promise 1” · due Sat, Nov 21 · I'll try · "
        "last update Mon, Nov 23 · date moved 2 times"
    )


def test_the_keeping_line_counts_every_outcome():
    count = Keeping(kept_on_time=3, renegotiated_in_time=1, late=1, dropped=0)

    assert keeping_line(count) == (
        "Promises: 3 kept on time · 1 renegotiated in time · 1 late · 0 dropped"
    )


@pytest.mark.parametrize(
    "view",
    [
        build_promise_modal(
            board=[an_advisor(1), an_advisor(2)], today=date(2026, 11, 23), advisor_id=2
        ),
        build_update_modal(a_promise(1), an_advisor(1, slack_user_id="U0GRACE")),
        build_update_modal(a_promise(1), an_advisor(1)),
        build_renegotiate_modal(a_promise(1)),
        build_drop_modal(a_promise(1), an_advisor(1)),
    ],
)
def test_every_promise_modal_is_valid_block_kit(view):
    assert View(**view).to_dict() == view


def test_only_an_advisor_on_slack_can_be_sent_the_update():
    on_slack = build_update_modal(a_promise(1), an_advisor(1, slack_user_id="U0GRACE"))
    outside = build_update_modal(a_promise(1), an_advisor(1))

    assert "send" in [b.get("block_id") for b in on_slack["blocks"]]
    assert "send" not in [b.get("block_id") for b in outside["blocks"]]


def test_the_promises_list_is_valid_and_within_a_messages_50_blocks():
    items = [(a_promise(n), an_advisor(1)) for n in range(60)]

    message = build_promises_message(items, now=NOW, zone=PARIS, overall=Keeping())

    assert len(message["blocks"]) <= 50
    for block in message["blocks"]:
        assert Block.parse(block).to_dict() == block


@pytest.mark.parametrize(("advisors", "per_advisor"), [(3, 2), (30, 3), (50, 5)])
def test_home_with_promises_stays_within_100_blocks_and_shows_every_advisor(advisors, per_advisor):
    entries = [
        Entry(an_advisor(n), promises=tuple(a_promise(n * 10 + k) for k in range(per_advisor)))
        for n in range(advisors)
    ]

    home = build_home(entries, [], now=NOW, zone=PARIS)

    assert len(home["blocks"]) <= 100
    assert View(**home).to_dict() == home
    text = json.dumps(home)
    assert all(f"Advisor {n}" in text for n in range(advisors))
    if advisors * (2 + per_advisor) > 95:
        assert "more promises: `/advisor promises` shows them all" in text
