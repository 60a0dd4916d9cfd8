"""The "which one?" question and the alumni offers as Block Kit data: valid, within Slack's
limits, and button values that come back only as what the bot put in them."""

import json
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import BRING_BACK, WHO_LOG
from bot.views.who import (
    MAX_PEOPLE,
    VALUE_LIMIT,
    Person,
    build_among_alumni,
    build_among_alumni_modal,
    build_bring_back_first,
    build_logged_for_alumnus,
    build_which_one,
    choice_value,
    fits,
    read_choice,
)

ASKED = datetime(2026, 11, 23, 14, tzinfo=UTC)


def valid(message: dict) -> dict:
    for block in message["blocks"]:
        assert Block.parse(block).to_dict() == block
    return message


def question(count: int, name: str = "Sam", note: str = "lunch") -> dict:
    people = [Person(n, f"{name} {n}", alumni=n % 2 == 1) for n in range(1, count + 1)]
    values = [choice_value(p.advisor_id, ASKED, note=note) for p in people]
    return build_which_one(
        "Sam", people, values, action=WHO_LOG, recordings=["I'll log it."] * count
    )


def test_one_button_per_person_each_with_its_own_action_id_and_the_alumni_marked():
    message = valid(question(3))

    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions["elements"]] == ["who_log_0", "who_log_1", "who_log_2"]
    assert [e["text"]["text"] for e in actions["elements"]] == [
        "Sam 1 (alumni)",
        "Sam 2",
        "Sam 3 (alumni)",
    ]
    assert message["text"] == (
        "“Sam” could be *Sam 1* (among your alumni), *Sam 2* or *Sam 3* (among your alumni). "
        "Which one?"
    )


def test_more_people_than_buttons_fit_are_counted_and_asked_to_be_typed():
    message = valid(question(MAX_PEOPLE + 2))

    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert len(actions["elements"]) == MAX_PEOPLE
    assert "(or 2 more: type more of the name)" in message["text"]


def test_each_persons_own_note_is_shown_when_they_differ():
    people = [Person(1, "Sam Patel", False), Person(2, "Sam Lee", True)]
    values = [choice_value(1, ASKED, note="lunch"), choice_value(2, ASKED, note="Pat lunch")]
    message = build_which_one(
        "Sam", people, values, action=WHO_LOG, recordings=["“lunch”", "“Pat lunch”"]
    )

    assert "• *Sam Patel*: “lunch”\n• *Sam Lee* (among your alumni): “Pat lunch”" in json.dumps(
        message, ensure_ascii=False
    ).replace("\\n", "\n")


def test_a_name_with_markup_is_shown_as_typed_in_the_question_and_the_button():
    people = [Person(1, "Evil <!channel> *bold*", False)]
    message = valid(
        build_which_one("Evil", people, [choice_value(1, ASKED)], action=WHO_LOG, recordings=["x"])
    )

    assert "<!channel>" not in message["text"]
    assert "<!channel>" not in message["blocks"][0]["text"]["text"]


def test_the_alumni_offers_carry_the_bring_back_action_with_the_advisor_id():
    for message in (build_logged_for_alumnus("Sam Lee", 7), build_among_alumni("Sam Lee", 7)):
        [button] = valid(message)["blocks"][1]["elements"]
        assert (button["action_id"], button["value"]) == (BRING_BACK, "7")
    offer = build_bring_back_first("Sam Lee", choice_value(7, ASKED, what="x"), "The promise.")
    assert valid(offer)["blocks"][1]["elements"][0]["text"]["text"] == "Bring back and record"
    modal = build_among_alumni_modal("Sam Lee", 7)
    assert View(**modal).to_dict() == modal
    assert modal["blocks"][-1]["elements"][0]["action_id"] == BRING_BACK


def test_a_button_value_reads_back_as_it_was_made():
    value = choice_value(
        42, ASKED, what="send “slides”", firmness="try", due="2026-11-27", back=True
    )

    choice = read_choice({"value": value})

    assert (choice.advisor_id, choice.asked_at) == (42, ASKED)
    assert choice.fields == {
        "what": "send “slides”",
        "firmness": "try",
        "due": "2026-11-27",
        "back": True,
    }


@pytest.mark.parametrize(
    "value",
    [
        "",
        "42",
        "not json",
        "[1, 2]",
        '{"advisor": "42", "asked": "2026-11-23T14:00:00+00:00"}',
        '{"advisor": true, "asked": "2026-11-23T14:00:00+00:00"}',
        '{"advisor": 42, "asked": "2026-11-23T14:00:00"}',
        '{"advisor": 42, "asked": "yesterday"}',
        '{"advisor": 42}',
        '{"advisor": 42, "asked": "2026-11-23T14:00:00+00:00", "note": {"a": 1}}',
    ],
)
def test_a_value_that_is_not_ours_reads_as_nothing(value):
    assert read_choice({"value": value}) is None


def test_a_very_long_note_does_not_fit_in_a_button():
    assert fits([choice_value(1, ASKED, note="x" * 1900)])
    assert not fits([choice_value(1, ASKED, note="x" * VALUE_LIMIT)])
