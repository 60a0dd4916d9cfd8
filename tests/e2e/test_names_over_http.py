"""A name means that person, or the bot asks: /advisor log and /advisor promise with shared first
names, alumni, near spellings and yourself, and the buttons that answer "which one?"."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

from bot.ids import BRING_BACK, EASE_ASIDE, WHO_LOG, WHO_PROMISE
from bot.listeners.touchpoints import ALREADY_ANSWERED
from core.models import Advisor, AdvisorStatus, Promise, Touchpoint
from tests.e2e.helpers import BOB, GRACE, advisors, enlist, latest_view, open_add_modal, submit
from tests.payloads import ALICE, _actor, block_action

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")


def say(bot, fake_slack, text: str, user: str = ALICE) -> dict:
    """A slash command; the ephemeral answer it was acknowledged with."""
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    assert answer.status == 200
    return answer.json() if answer.body else {}


def click(bot, fake_slack, button: dict, user: str = ALICE) -> dict:
    """Press a button of an ephemeral answer; what the bot sent to its response_url."""
    before = len(fake_slack.calls_to("response_url"))
    payload = block_action(
        button["action_id"], button["value"], user=user, response_url=fake_slack.response_url()
    )
    assert bot.slack.interact(payload).status == 200
    bot.settle()
    answers = fake_slack.calls_to("response_url")[before:]
    return answers[-1].args if answers else {}


def buttons(message: dict) -> dict[str, dict]:
    """The buttons of a message, by their label."""
    return {
        element["text"]["text"]: element
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    }


def by_name(engine, owner: str = ALICE) -> dict[str, Advisor]:
    return {advisor.name: advisor for advisor in advisors(engine, owner)}


def touchpoints(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Advisor.name, Touchpoint.note).join(Touchpoint)).all()
    return sorted((name, note) for name, note in rows)


def promises(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Advisor.name, Promise.what).join(Promise)).all()
    return sorted((name, what) for name, what in rows)


@pytest.fixture
def sams(bot, fake_slack, engine) -> dict[str, Advisor]:
    """The issue's board: Sam Lee eased aside to alumni, Sam Patel on the board."""
    enlist(bot, fake_slack, {"name": "Sam Lee", "inside": "outside"})
    enlist(bot, fake_slack, {"name": "Sam Patel", "inside": "outside"})
    bot.settle()
    lee = by_name(engine)["Sam Lee"]
    bot.slack.interact(block_action(EASE_ASIDE, str(lee.id)))
    bot.settle()
    people = by_name(engine)
    assert people["Sam Lee"].status == AdvisorStatus.ALUMNI
    return people


# --- The case: Sam Lee among alumni, Sam Patel on the board


def test_logging_an_alumnus_by_name_records_it_for_them_and_offers_to_bring_them_back(
    bot, fake_slack, engine, sams
):
    answer = say(bot, fake_slack, "log Sam Lee lunch")

    assert "Sam Patel" not in json.dumps(answer)
    assert answer["text"].startswith("Logged a touchpoint with *Sam Lee*, who is among your alumni")
    assert touchpoints(engine) == [("Sam Lee", "lunch")]
    bring_back = buttons(answer)["Bring back"]
    assert (bring_back["action_id"], bring_back["value"]) == (BRING_BACK, str(sams["Sam Lee"].id))

    said = click(bot, fake_slack, bring_back)

    assert "Sam Lee is back on your board" in said["text"]
    assert by_name(engine)["Sam Lee"].status == AdvisorStatus.ACTIVE


def test_a_promise_to_an_alumnus_by_name_is_theirs_once_they_are_brought_back(
    bot, fake_slack, engine, sams
):
    answer = say(bot, fake_slack, "promise Sam Lee send slides by friday")

    assert "Sam Patel" not in json.dumps(answer)
    assert "*Sam Lee* is among your alumni" in answer["text"]
    assert "nothing was saved yet" in answer["text"]
    assert "“send slides”, due *Friday, November 27, 2026*" in answer["text"]
    assert promises(engine) == []

    said = click(bot, fake_slack, buttons(answer)["Bring back and record"])

    assert said["replace_original"] is True
    assert said["text"].startswith("Recorded: you promised *Sam Lee* “send slides”, due *Friday")
    assert "back on your board" in said["text"]
    assert promises(engine) == [("Sam Lee", "send slides")]
    assert by_name(engine)["Sam Lee"].status == AdvisorStatus.ACTIVE


def test_a_shared_first_name_is_asked_about_and_the_button_completes_the_log_once(
    bot, fake_slack, engine, sams
):
    answer = say(bot, fake_slack, "log Sam lunch about the offsite")

    assert (
        answer["text"] == "“Sam” could be *Sam Patel* or *Sam Lee* (among your alumni). Which one?"
    )
    assert "with the note “lunch about the offsite”" in json.dumps(answer, ensure_ascii=False)
    choices = buttons(answer)
    assert sorted(choices) == ["Sam Lee (alumni)", "Sam Patel"]
    assert all(re.fullmatch(f"{WHO_LOG}_\\d", b["action_id"]) for b in choices.values())
    assert touchpoints(engine) == []

    first = click(bot, fake_slack, choices["Sam Patel"])
    second = click(bot, fake_slack, choices["Sam Patel"])  # a double click, or a replay

    assert first["replace_original"] is True
    assert first["text"].startswith("Logged a touchpoint with Sam Patel.")
    assert second["replace_original"] is True
    assert second["text"] == ALREADY_ANSWERED
    assert touchpoints(engine) == [("Sam Patel", "lunch about the offsite")]


def test_a_shared_first_name_in_a_promise_is_asked_about_and_recorded_once(
    bot, fake_slack, engine, sams
):
    answer = say(bot, fake_slack, "promise Sam send slides by friday")

    assert "Which one?" in answer["text"]
    assert "“send slides”, due *Friday, November 27, 2026*" in json.dumps(
        answer, ensure_ascii=False
    )
    choices = buttons(answer)
    assert all(re.fullmatch(f"{WHO_PROMISE}_\\d", b["action_id"]) for b in choices.values())
    assert promises(engine) == []

    first = click(bot, fake_slack, choices["Sam Patel"])
    second = click(bot, fake_slack, choices["Sam Patel"])

    assert first["text"].startswith("Recorded: you promised *Sam Patel* “send slides”")
    assert second["text"].startswith("Already recorded")
    assert promises(engine) == [("Sam Patel", "send slides")]


def test_picking_the_alumnus_in_a_promise_question_brings_them_back(bot, fake_slack, engine, sams):
    answer = say(bot, fake_slack, "promise Sam send slides by friday")

    said = click(bot, fake_slack, buttons(answer)["Sam Lee (alumni)"])

    assert said["text"].startswith("Recorded: you promised *Sam Lee*")
    assert promises(engine) == [("Sam Lee", "send slides")]
    assert by_name(engine)["Sam Lee"].status == AdvisorStatus.ACTIVE


def test_more_of_one_name_typed_is_asked_about_with_each_persons_own_note(
    bot, fake_slack, engine, sams
):
    answer = say(bot, fake_slack, "log Sam Pat lunch")

    choices = buttons(answer)
    assert list(choices) == ["Sam Patel", "Sam Lee (alumni)"]  # the fuller match first

    click(bot, fake_slack, choices["Sam Patel"])

    assert touchpoints(engine) == [("Sam Patel", "lunch")]


@pytest.mark.parametrize("action", [WHO_LOG, WHO_PROMISE])
def test_a_crafted_button_with_another_members_advisor_touches_nothing(
    bot, fake_slack, engine, sams, bobs_advisor, action
):
    answer = say(bot, fake_slack, "promise Sam send slides by friday")
    value = json.loads(buttons(answer)["Sam Patel"]["value"])
    value["advisor"] = bobs_advisor.id
    crafted = {"action_id": f"{action}_0", "value": json.dumps(value)}

    said = click(bot, fake_slack, crafted)

    assert "not on your board" in said["text"]
    assert "Nothing was saved" in said["text"]
    assert touchpoints(engine) == [] and promises(engine) == []


@pytest.mark.parametrize("value", ["", "not json", "[]", '{"advisor": "1"}', '{"asked": "x"}'])
def test_a_button_value_that_is_not_ours_saves_nothing(bot, fake_slack, engine, sams, value):
    said = click(bot, fake_slack, {"action_id": f"{WHO_LOG}_0", "value": value or "x"})

    assert "Nothing was saved" in said["text"]
    assert touchpoints(engine) == []


# --- Near spellings and names that are words in the note


def test_a_near_spelling_is_caught_and_asked_about_before_anything_is_logged(
    bot, fake_slack, engine
):
    enlist(bot, fake_slack, {"name": "Priya Sharma"})
    enlist(bot, fake_slack, {"name": "Grace Hopper"})

    answer = say(bot, fake_slack, "log Pria told her about the offsite")

    assert answer["text"] == "I don't see “Pria” on your board. Did you mean *Priya Sharma*?"
    assert touchpoints(engine) == []

    said = click(bot, fake_slack, buttons(answer)["Priya Sharma"])

    assert said["text"].startswith("Logged a touchpoint with Priya Sharma.")
    assert touchpoints(engine) == [("Priya Sharma", "told her about the offsite")]


def test_a_name_that_is_also_a_word_in_the_note_does_not_mislead(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"name": "Will Chen"})
    enlist(bot, fake_slack, {"name": "Mark Otto"})

    answer = say(bot, fake_slack, "log Mark will send notes")

    assert answer["text"].startswith("Logged a touchpoint with Mark Otto.")
    assert touchpoints(engine) == [("Mark Otto", "will send notes")]


def test_a_name_with_accents_is_found_without_them(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"name": "José García"})

    answer = say(bot, fake_slack, "promise jose garcia send the deck by friday")

    assert answer["text"].startswith("Recorded: you promised *José García* “send the deck”")


# --- Yourself, refused at once


def test_adding_yourself_is_refused_at_once_without_a_form(bot, fake_slack, engine):
    answer = say(bot, fake_slack, "add <@U0ALICE|alice>")

    assert answer["text"].startswith("You can't be your own advisor")
    assert fake_slack.calls_to("views.open") == []


def test_picking_yourself_in_the_add_form_is_a_field_error(bot, fake_slack, engine):
    answer = enlist(bot, fake_slack, {"member": ALICE})

    assert answer.json() == {
        "response_action": "errors",
        "errors": {"member": "You can't be your own advisor: pick someone else."},
    }
    assert advisors(engine) == []


def test_logging_yourself_is_refused_at_once(bot, fake_slack, engine, grace):
    answer = say(bot, fake_slack, "log <@U0ALICE|alice> thought about my goals")

    assert answer["text"].startswith("That's you: a touchpoint is a contact with one of your")
    assert touchpoints(engine) == []


def test_promising_yourself_is_refused_at_once(bot, fake_slack, engine, grace):
    answer = say(bot, fake_slack, "promise <@U0ALICE|alice> update my goals by friday")

    assert answer["text"].startswith("That's you: a promise is something you do for an advisor.")
    assert answer["text"].endswith("Nothing was saved.")
    assert promises(engine) == []


# --- Enlisting someone already among alumni offers to bring them back


def test_adding_someone_among_alumni_by_name_offers_bring_back_at_once(
    bot, fake_slack, engine, sams
):
    opened = len(fake_slack.calls_to("views.open"))

    answer = say(bot, fake_slack, "add Sam Lee")

    assert answer["text"].startswith("*Sam Lee* is already among your alumni.")
    assert len(fake_slack.calls_to("views.open")) == opened
    said = click(bot, fake_slack, buttons(answer)["Bring back"])
    assert "Sam Lee is back on your board" in said["text"]
    assert by_name(engine)["Sam Lee"].status == AdvisorStatus.ACTIVE


def test_adding_a_slack_member_among_alumni_offers_bring_back_at_once(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"member": GRACE})
    bot.settle()
    grace = by_name(engine)["Grace Hopper"]
    bot.slack.interact(block_action(EASE_ASIDE, str(grace.id)))
    bot.settle()

    answer = say(bot, fake_slack, "add <@U0GRACE|grace>")

    assert buttons(answer)["Bring back"]["value"] == str(grace.id)
    assert say(bot, fake_slack, "add <@U0BOB|bob>") == {}  # someone new: the form opens
    assert latest_view(fake_slack, "views.open")["callback_id"] == "advisor_add"


def test_adding_someone_already_on_the_board_is_said_at_once(bot, fake_slack, engine, sams):
    answer = say(bot, fake_slack, "add sam patel")

    assert answer["text"].startswith("*Sam Patel* is already on your board")


def test_the_add_form_for_someone_among_alumni_gives_way_to_bring_back(
    bot, fake_slack, engine, sams
):
    modal = open_add_modal(bot, fake_slack)

    answer = submit(bot, modal, {"name": "sam lee", "relationship": "peer"})

    assert answer.json()["response_action"] == "update"
    offer = answer.json()["view"]
    assert "*Sam Lee* is already among your alumni" in json.dumps(offer)
    [bring_back] = [e for b in offer["blocks"] if b["type"] == "actions" for e in b["elements"]]

    bot.slack.interact(_click_in_modal(bring_back, view_id="V0OFFER"))
    bot.settle()

    assert by_name(engine)["Sam Lee"].status == AdvisorStatus.ACTIVE
    updated = fake_slack.calls_to("views.update")[-1].args
    assert updated["view_id"] == "V0OFFER"
    assert "Sam Lee is back on your board" in json.dumps(updated["view"])
    assert len(advisors(engine)) == 2


def _click_in_modal(button: dict, *, view_id: str, user: str = ALICE) -> str:
    """A click on a button inside an open modal."""
    action = {"action_id": button["action_id"], "block_id": "b", "type": "button"}
    action["value"] = button["value"]
    view = {"id": view_id, "type": "modal", "callback_id": "notice", "blocks": []}
    payload = {
        **_actor(user),
        "type": "block_actions",
        "actions": [action],
        "container": {"type": "view", "view_id": view_id},
        "view": view,
    }
    return urlencode({"payload": json.dumps(payload)})


def test_bob_cannot_be_logged_by_alice_through_his_own_advisors_name(
    bot, fake_slack, engine, bobs_advisor
):
    answer = say(bot, fake_slack, "log Grace coffee")

    assert answer["text"] == "Your board is empty: `/advisor add` enlists your first advisor."
    assert touchpoints(engine) == []
    assert BOB  # Bob's board is his own


def test_two_clicks_arriving_together_log_once(bot, fake_slack, engine, sams):
    answer = say(bot, fake_slack, "log Sam lunch")
    button = buttons(answer)["Sam Patel"]
    payloads = [
        block_action(button["action_id"], button["value"], response_url=fake_slack.response_url())
        for _ in range(4)
    ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda p: bot.slack.interact(p).status, payloads))
    bot.settle()

    assert statuses == [200] * 4
    assert touchpoints(engine) == [("Sam Patel", "lunch")]
    texts = sorted(c.args["text"] for c in fake_slack.calls_to("response_url"))
    assert texts[:3] == [ALREADY_ANSWERED] * 3


def test_two_different_people_clicked_on_one_question_log_once(bot, fake_slack, engine, sams):
    answer = say(bot, fake_slack, "log Sam lunch")
    offered = buttons(answer)
    payloads = [
        block_action(b["action_id"], b["value"], response_url=fake_slack.response_url())
        for b in (offered["Sam Patel"], offered["Sam Lee (alumni)"])
    ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(lambda p: bot.slack.interact(p).status, payloads))
    bot.settle()

    assert statuses == [200, 200]
    assert len(touchpoints(engine)) == 1
    assert ALREADY_ANSWERED in [c.args["text"] for c in fake_slack.calls_to("response_url")]


@pytest.mark.parametrize("action", [WHO_LOG, WHO_PROMISE])
def test_a_which_one_click_from_outside_a_message_saves_nothing_and_breaks_nothing(
    bot, fake_slack, engine, sams, action, caplog
):
    answer = bot.slack.interact(block_action(f"{action}_0", "crafted"))  # no response_url
    bot.settle()

    assert answer.status == 200
    assert touchpoints(engine) == [] and promises(engine) == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
