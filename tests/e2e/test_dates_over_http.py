"""Dates people type in the one-line promise, end to end: without "by", a month alone answered
with a choice that records once, a weekday that contradicts its date, years ahead, and a crafted
choice for someone else's advisor."""

from datetime import date

import pytest
from sqlmodel import Session, select

from core.models import Promise
from tests.e2e.helpers import BOB, latest_view, submit
from tests.payloads import ALICE, block_action

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")


def say(bot, fake_slack, text: str, user: str = ALICE) -> dict:
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    return answer.json() if answer.body else {}


def all_promises(engine) -> list[Promise]:
    with Session(engine) as session:
        return list(session.exec(select(Promise)))


def buttons(answer: dict) -> list[dict]:
    return [e for b in answer.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def click(bot, fake_slack, button: dict, user: str = ALICE) -> None:
    url = fake_slack.response_url("choice")
    bot.slack.interact(
        block_action(button["action_id"], button["value"], user=user, response_url=url)
    )
    bot.settle()


def test_a_one_line_promise_without_by_reads_the_date_at_its_end(bot, fake_slack, engine, grace):
    answer = say(bot, fake_slack, "promise <@U0GRACE|grace> send slides in 2 weeks")

    assert answer["text"].startswith("Recorded: you promised *Grace Hopper* “send slides”, due *")
    [promise] = all_promises(engine)
    assert (promise.what, promise.due_on) == ("send slides", date(2026, 12, 7))


def test_a_month_alone_offers_days_and_a_click_records_the_promise_once(
    bot, fake_slack, engine, grace
):
    answer = say(bot, fake_slack, "promise <@U0GRACE|grace> send the plan by January")

    assert "Which day in January 2027?" in answer["text"]
    assert all_promises(engine) == []
    offered = buttons(answer)
    assert [b["text"]["text"] for b in offered] == [
        "Fri, Jan 1, 2027",
        "Fri, Jan 15, 2027",
        "Sun, Jan 31, 2027",
    ]
    asked = len(fake_slack.calls_to("response_url"))  # the question came there too
    click(bot, fake_slack, offered[1])
    click(bot, fake_slack, offered[1])  # pressed twice, or a replayed request

    [promise] = all_promises(engine)
    assert (promise.what, promise.due_on) == ("send the plan", date(2027, 1, 15))
    replies = [c.args for c in fake_slack.calls_to("response_url")][asked:]
    assert replies[0]["replace_original"] is True
    assert "Recorded" in replies[0]["text"]
    assert "Already recorded" in replies[-1]["text"]


def test_two_different_days_clicked_on_one_question_record_one_promise(
    bot, fake_slack, engine, grace
):
    offered = buttons(say(bot, fake_slack, "promise <@U0GRACE|grace> send the plan by January"))

    click(bot, fake_slack, offered[0])
    click(bot, fake_slack, offered[2])

    [promise] = all_promises(engine)
    assert promise.due_on == date(2027, 1, 1)
    assert "Already recorded" in fake_slack.calls_to("response_url")[-1].args["text"]


def test_a_weekday_that_contradicts_its_date_is_asked_about_not_guessed(
    bot, fake_slack, engine, grace
):
    answer = say(bot, fake_slack, "promise <@U0GRACE|grace> send the deck by Sunday, Feb 10")

    assert "Feb 10, 2027 is a Wednesday" in answer["text"]
    assert [b["text"]["text"] for b in buttons(answer)] == [
        "Sun, Feb 7, 2027",
        "Wed, Feb 10, 2027",
        "Sun, Feb 14, 2027",
    ]
    assert all_promises(engine) == []


def test_three_years_from_today_is_recorded_three_years_ahead(bot, fake_slack, engine, grace):
    say(bot, fake_slack, "promise <@U0GRACE|grace> check in on the plan 3 years from today")

    [promise] = all_promises(engine)
    assert promise.due_on == date(2029, 11, 23)


def test_a_crafted_choice_with_another_members_advisor_records_nothing(
    bot, fake_slack, engine, grace
):
    answer = say(bot, fake_slack, "promise <@U0GRACE|grace> send the plan by January")
    [first, *_] = buttons(answer)
    asked = len(fake_slack.calls_to("response_url"))  # the question came there too

    click(bot, fake_slack, first, user=BOB)  # Bob sends Alice's button, advisor id and all

    assert all_promises(engine) == []
    [reply] = [c.args for c in fake_slack.calls_to("response_url")][asked:]
    assert "not on your board" in reply["text"]
    assert "Nothing was saved" in reply["text"]


def test_the_promise_form_reads_a_typed_day_and_asks_at_the_field_when_unsure(
    bot, fake_slack, engine, grace
):
    say(bot, fake_slack, "promise")
    modal = latest_view(fake_slack, "views.open")
    answers = {"advisor": str(grace.id), "what": "Review her talk", "due": "2026-11-23"}

    unsure = submit(bot, modal, {**answers, "firmness": "try", "when": "by January"}).json()

    assert unsure["response_action"] == "errors"
    assert unsure["errors"]["when"] == (
        "Which day in January 2027? Did you mean Fri, Jan 1, 2027, Fri, Jan 15, 2027 or "
        "Sun, Jan 31, 2027? Type the one you mean."
    )
    assert all_promises(engine) == []

    submit(bot, modal, {**answers, "firmness": "try", "when": "friday after next"})
    bot.settle()

    [promise] = all_promises(engine)
    assert promise.due_on == date(2026, 12, 4)


@pytest.mark.parametrize("when", ["9999-12-31", "in 9000 years", "in 11 years"])
def test_a_date_too_far_out_is_refused_plainly_not_with_an_error(
    bot, fake_slack, engine, grace, when
):
    answer = say(bot, fake_slack, f"promise <@U0GRACE|grace> send the deck by {when}")

    assert answer["text"].endswith("Nothing was saved.")
    assert "Something went wrong" not in answer["text"] and all_promises(engine) == []
