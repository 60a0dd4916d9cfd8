"""Promises end to end: one-line and modal, update sent by DM, renegotiate, drop, done; privacy."""

import json

import pytest
from sqlmodel import Session, select

from bot.ids import (
    PROMISE_BUTTON,
    PROMISE_DONE,
    PROMISE_DROP,
    PROMISE_MENU,
    PROMISE_RENEGOTIATE,
    PROMISE_UPDATE,
)
from core.models import Promise, PromiseStatus, Touchpoint
from tests.e2e.helpers import (
    BOB,
    enlist,
    home_text,
    latest_view,
    opened_for_advisors,
    posted_but_welcome,
    submit,
)
from tests.payloads import ALICE, block_action

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")


def say(bot, fake_slack, text: str, user: str = "U0ALICE") -> str:
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    return answer.json()["text"] if answer.body else ""


def all_promises(engine) -> list[Promise]:
    with Session(engine) as session:
        return list(session.exec(select(Promise)))


def menu(bot, choice: str, promise_id: int, user: str = "U0ALICE"):
    bot.slack.interact(block_action(PROMISE_MENU, selected=f"{choice}:{promise_id}", user=user))
    bot.settle()


@pytest.fixture
def deck(bot, fake_slack, engine, grace) -> Promise:
    say(bot, fake_slack, "promise <@U0GRACE|grace> send the deck by friday")
    [promise] = all_promises(engine)
    return promise


def test_a_one_line_promise_is_read_in_the_members_zone_and_echoed_unambiguously(
    bot, fake_slack, engine, grace
):
    text = say(bot, fake_slack, "promise <@U0GRACE|grace> send the deck by friday")

    assert text.startswith(
        "Recorded: you promised *Grace Hopper* “send the deck”, "
        "due *Friday, November 27, 2026* (I promise)."
    )
    [promise] = all_promises(engine)
    assert (promise.what, str(promise.due_on), promise.firmness) == (
        "send the deck",
        "2026-11-27",
        "promise",
    )
    assert "“send the deck” · due Fri, Nov 27 · I promise" in home_text(fake_slack)


def test_saying_try_records_an_ill_try(bot, fake_slack, engine, grace):
    text = say(bot, fake_slack, "promise grace I'll try to introduce her to Ada by end of month")

    assert "“introduce her to Ada”, due *Monday, November 30, 2026* (I'll try)" in text


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("promise <@U0GRACE> send the deck", "Say when, with “by”."),
        ("promise <@U0GRACE> send the deck by someday soonish", "Try: friday, next tuesday"),
        ("promise <@U0GRACE> send the deck by yesterday", "is in the past"),
        ("promise <@U0GRACE> by friday", "Say what you promised."),
        ("promise <@U0BOB> send the deck by friday", "Who to? They must be on your board."),
        ("promise <@U0GRACE> " + "x" * 501 + " by friday", "Keep it under 500 characters"),
    ],
)
def test_a_bad_one_line_promise_says_why_and_saves_nothing(
    bot, fake_slack, engine, grace, line, answer
):
    text = say(bot, fake_slack, line)

    assert answer in text and text.endswith("Nothing was saved.")
    assert all_promises(engine) == []


def test_the_promise_form_records_one_with_its_firmness(bot, fake_slack, engine, grace):
    say(bot, fake_slack, "promise")
    modal = latest_view(fake_slack, "views.open")

    answer = submit(
        bot,
        modal,
        {
            "advisor": str(grace.id),
            "what": "Review her talk",
            "due": "2026-12-04",
            "firmness": "try",
        },
    )
    bot.settle()

    assert answer.json()["response_action"] == "update"
    [promise] = all_promises(engine)
    assert (promise.what, str(promise.due_on), promise.firmness) == (
        "Review her talk",
        "2026-12-04",
        "try",
    )


def test_an_update_is_delivered_to_the_advisor_by_dm_and_counts_as_a_touchpoint(
    bot, fake_slack, engine, deck
):
    menu(bot, PROMISE_UPDATE, deck.id)
    modal = latest_view(fake_slack, "views.open")

    submit(bot, modal, {"update": "Outline done, slides next"})
    bot.settle()

    [opened] = opened_for_advisors(fake_slack)
    assert opened.args["users"] == "U0GRACE"
    dm = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "D0GRACE"]
    assert dm[0].args["text"] == (
        "<@U0ALICE> asked me to pass on an update on “send the deck” "
        "(due Friday, November 27, 2026):\n>Outline done, slides next"
    )
    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
    assert touchpoint.note == "Progress update on “send the deck”: Outline done, slides next"
    assert "last update Mon, Nov 23" in home_text(fake_slack)


def test_an_update_that_cannot_be_delivered_is_kept_and_handed_back_to_send_yourself(
    bot, fake_slack, engine, deck
):
    menu(bot, PROMISE_UPDATE, deck.id)
    fake_slack.fail("conversations.open", "user_not_found")

    submit(bot, latest_view(fake_slack, "views.open"), {"update": "Outline done"})
    bot.settle()

    to_me = posted_but_welcome(fake_slack, "D0ALICE")
    assert (
        to_me[0]
        .args["text"]
        .startswith(
            "I couldn't deliver your update to Grace Hopper: they are no longer in this workspace."
        )
    )
    with Session(engine) as session:
        assert session.exec(select(Touchpoint)).all() == []
    [modal] = [c.args["view"] for c in fake_slack.calls_to("views.update")]
    assert modal["title"]["text"] == "Update not delivered", "no longer “on its way”"
    assert "I couldn't deliver your update to Grace Hopper" in json.dumps(modal)


def test_an_update_for_someone_outside_slack_comes_back_ready_to_copy(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"name": "Ada Lovelace"})
    say(bot, fake_slack, "promise ada send notes by friday")
    [promise] = all_promises(engine)
    menu(bot, PROMISE_UPDATE, promise.id)
    modal = latest_view(fake_slack, "views.open")
    assert "send" not in json.dumps([b.get("block_id") for b in modal["blocks"]])

    answer = submit(bot, modal, {"update": "Half done"})

    assert "send Ada Lovelace yourself" in json.dumps(answer.json()) and ">Half done" in json.dumps(
        answer.json()
    )
    assert opened_for_advisors(fake_slack, ALICE, BOB) == []


def test_renegotiating_moves_the_date_and_shows_it_moved(bot, fake_slack, engine, deck):
    menu(bot, PROMISE_RENEGOTIATE, deck.id)

    answer = submit(
        bot,
        latest_view(fake_slack, "views.open"),
        {"due": "2026-12-04", "note": "Need Bob's numbers"},
    )
    bot.settle()

    assert "now due *Friday, December 4, 2026*" in json.dumps(answer.json())
    [promise] = all_promises(engine)
    assert (str(promise.due_on), str(promise.original_due_on), promise.renegotiations) == (
        "2026-12-04",
        "2026-11-27",
        1,
    )
    assert "date moved once" in home_text(fake_slack)


def test_dropping_asks_whether_they_were_told_and_keeps_the_history(bot, fake_slack, engine, deck):
    menu(bot, PROMISE_DROP, deck.id)
    modal = latest_view(fake_slack, "views.open")

    refused = submit(bot, modal, {})
    answer = submit(bot, modal, {"told": "no"})
    bot.settle()

    assert list(refused.json()["errors"]) == ["told"]
    assert "A short note to Grace Hopper saying it's off keeps their trust." in json.dumps(
        answer.json()
    )
    assert all_promises(engine)[0].status == PromiseStatus.DROPPED
    assert "0 kept on time · 0 renegotiated in time · 0 late · 1 dropped" in home_text(fake_slack)


def test_done_keeps_the_promise_and_the_count_shows_it(bot, fake_slack, engine, deck):
    menu(bot, PROMISE_DONE, deck.id)

    assert all_promises(engine)[0].status == PromiseStatus.DONE
    assert "Promises: 1 kept on time" in home_text(fake_slack)
    assert "Promise kept" in json.dumps(latest_view(fake_slack, "views.open"))


def test_the_promises_command_lists_open_promises_with_their_menu(bot, fake_slack, deck):
    answer = bot.slack.command("promises", response_url=fake_slack.response_url())

    listing = json.dumps(answer.json(), ensure_ascii=False)
    assert "To *Grace Hopper*: “send the deck” · due Fri, Nov 27 · I promise" in listing
    assert f"{PROMISE_DONE}:{deck.id}" in listing
    assert "Promises: 0 kept on time" in listing


def test_the_done_button_on_home_keeps_the_promise(bot, fake_slack, engine, deck):
    bot.slack.interact(block_action(PROMISE_BUTTON.format(PROMISE_DONE), str(deck.id)))
    bot.settle()

    assert all_promises(engine)[0].status == PromiseStatus.DONE
    home = home_text(fake_slack)
    assert "Promises: 1 kept on time" in home and "promise_done" not in home


@pytest.mark.parametrize(
    "choice", [PROMISE_DONE, PROMISE_UPDATE, PROMISE_RENEGOTIATE, PROMISE_DROP]
)
def test_a_menu_choice_on_another_members_promise_is_refused(
    bot, fake_slack, engine, bobs_advisor, choice
):
    say(bot, fake_slack, "promise <@U0GRACE> bobs secret by friday", user=BOB)
    [bobs] = all_promises(engine)

    menu(bot, choice, bobs.id)

    assert all_promises(engine)[0].status == PromiseStatus.OPEN
    assert "not one of yours" in json.dumps(latest_view(fake_slack, "views.open"))


def test_a_crafted_form_for_another_members_promise_changes_nothing(
    bot, fake_slack, engine, bobs_advisor, deck
):
    say(bot, fake_slack, "promise <@U0GRACE> bobs secret by friday", user=BOB)
    bobs = next(p for p in all_promises(engine) if p.owner_id == BOB)
    menu(bot, PROMISE_RENEGOTIATE, deck.id)
    modal = latest_view(fake_slack, "views.open")

    answer = submit(
        bot, modal, {"due": "2026-12-24"}, private_metadata=json.dumps({"promise_id": bobs.id})
    )

    assert "not one of yours" in json.dumps(answer.json())
    assert str(next(p for p in all_promises(engine) if p.owner_id == BOB).due_on) == "2026-11-27"


def test_an_update_to_a_promise_closed_meanwhile_sends_nothing(bot, fake_slack, engine, deck):
    menu(bot, PROMISE_UPDATE, deck.id)
    modal = latest_view(fake_slack, "views.open")
    menu(bot, PROMISE_DONE, deck.id)

    answer = submit(bot, modal, {"update": "Outline done"})
    bot.settle()

    assert "already done" in json.dumps(answer.json())
    assert opened_for_advisors(fake_slack, ALICE, BOB) == []


def test_renegotiating_a_promise_closed_meanwhile_is_answered_with_a_notice(bot, fake_slack, deck):
    menu(bot, PROMISE_RENEGOTIATE, deck.id)
    modal = latest_view(fake_slack, "views.open")
    menu(bot, PROMISE_DONE, deck.id)

    answer = submit(bot, modal, {"due": "2026-12-04"})

    assert answer.json()["response_action"] == "update"
    assert "already done" in json.dumps(answer.json())


def test_an_old_button_on_a_closed_promise_is_answered_not_obeyed(bot, fake_slack, engine, deck):
    menu(bot, PROMISE_DONE, deck.id)

    menu(bot, PROMISE_DROP, deck.id)

    assert all_promises(engine)[0].status == PromiseStatus.DONE
    assert "already done" in json.dumps(latest_view(fake_slack, "views.open"))


def test_a_crafted_update_on_another_members_promise_sends_nothing(
    bot, fake_slack, engine, bobs_advisor, deck
):
    say(bot, fake_slack, "promise <@U0GRACE> bobs secret by friday", user=BOB)
    bobs = next(p for p in all_promises(engine) if p.owner_id == BOB)
    menu(bot, PROMISE_UPDATE, deck.id)
    modal = latest_view(fake_slack, "views.open")

    answer = submit(
        bot, modal, {"update": "hi"}, private_metadata=json.dumps({"promise_id": bobs.id})
    )
    bot.settle()

    assert "not one of yours" in json.dumps(answer.json())
    assert opened_for_advisors(fake_slack, ALICE, BOB) == []


@pytest.mark.parametrize(
    "line",
    [
        "promise <@U0GRACE> send the deck By Friday",
        "promise <@U0GRACE> I\u2019ll try to send the deck by friday",
    ],
)
def test_capitals_and_curly_apostrophes_are_read_as_meant(bot, fake_slack, engine, grace, line):
    say(bot, fake_slack, line)

    [promise] = all_promises(engine)
    assert promise.what == "send the deck" and str(promise.due_on) == "2026-11-27"


def test_a_multi_line_update_is_quoted_line_by_line_and_escaped(bot, fake_slack, deck):
    menu(bot, PROMISE_UPDATE, deck.id)

    submit(
        bot,
        latest_view(fake_slack, "views.open"),
        {"update": "Slides <done>\nNumbers & notes next"},
    )
    bot.settle()

    [dm] = [c for c in fake_slack.calls_to("chat.postMessage") if c.args["channel"] == "D0GRACE"]
    assert dm.args["text"].endswith(":\n>Slides &lt;done&gt;\n>Numbers &amp; notes next")
