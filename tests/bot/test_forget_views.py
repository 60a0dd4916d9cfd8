"""`/advisor forget me` and the export's lines as data: every table forget_member may report has
words, counts read as plurals, the button is red behind a red confirm dialog, and every message
is valid Block Kit within Slack's limits."""

from slack_sdk.models.blocks import Block

from bot.ids import FORGET_CANCEL, FORGET_ME
from bot.views.export import build_not_uploaded
from bot.views.forget import (
    WORDS,
    build_forget_cancelled,
    build_forget_confirmation,
    build_forgotten,
)
from core.forget import DELETED


def valid(message: dict) -> dict:
    for block in message["blocks"]:
        assert Block.parse(block).to_dict() == block
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if "text" in b)
    return message


def test_every_table_forgotten_has_words_for_the_member():
    assert set(DELETED) <= set(WORDS)


def test_the_confirmation_counts_in_words_with_a_red_button_and_cancel():
    message = valid(build_forget_confirmation({"advisor": 1, "touchpoint": 12, "member": 1}))

    said = message["blocks"][0]["text"]["text"]
    assert "• 1 advisor (on your board or among alumni)" in said
    assert "• 12 touchpoints" in said
    assert "• your settings" in said
    assert "Circles you set up" not in said
    delete, cancel = message["blocks"][1]["elements"]
    assert (delete["action_id"], delete["style"], delete["confirm"]["style"]) == (
        FORGET_ME,
        "danger",
        "danger",
    )
    assert cancel["action_id"] == FORGET_CANCEL and "style" not in cancel


def test_circles_are_said_to_stay_with_their_team():
    said = build_forget_confirmation({"circle": 2, "circlemember": 3})["blocks"][0]["text"]["text"]

    assert "• 3 circle memberships" in said
    assert "Circles you set up stay with their team" in said


def test_every_count_at_once_stays_within_slacks_limits():
    every = {table: 10**6 for table in (*WORDS, "circle", "pairing")}

    for message in (build_forget_confirmation(every), build_forgotten(every)):
        valid(message)


def test_nothing_kept_has_no_button_and_nothing_deleted_says_so():
    assert valid(build_forget_confirmation({}))["text"].startswith("I keep nothing about you")
    assert "nothing left to delete" in valid(build_forgotten({}))["text"]
    assert valid(build_forget_cancelled())["text"] == "Nothing was deleted."


def test_an_upload_refused_for_an_unknown_reason_names_slacks_word():
    message = valid(build_not_uploaded("some_new_error"))

    assert "Slack refused the upload (some_new_error)" in message["text"]
