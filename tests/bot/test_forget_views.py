"""`/advisor forget me` and the export's lines as data: every table forget_member may report has
words, counts read as plurals, the button is red behind a red confirm dialog, and every message
is valid Block Kit within Slack's limits."""

from slack_sdk.models.blocks import Block

from bot.ids import FORGET_CANCEL, FORGET_ME
from bot.views.export import build_not_uploaded
from bot.views.forget import (
    OWN_NOTES,
    PARTS,
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


def said(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


def test_every_table_forgotten_is_said_in_the_members_words_or_folded_into_what_is():
    internal = set(DELETED) - set(WORDS) - PARTS

    assert internal == {"outbox", "wakeup", "schedule", "dmchannel"}
    assert not PARTS & set(WORDS)


def test_the_bots_own_rows_are_one_line_never_counted_in_its_own_words():
    counts = {"advisor": 2, "wakeup": 13, "outbox": 7, "schedule": 2, "dmchannel": 1}

    text = said(valid(build_forget_confirmation(counts)))

    assert "• 2 advisors (on your board or alumni)" in text
    assert f"• {OWN_NOTES}" in text
    for jargon in ("13", "7 ", "look at your nudges", "message I", "schedule", "the id of"):
        assert jargon not in text


def test_only_the_bots_own_rows_left_are_said_without_an_and():
    text = said(valid(build_forget_confirmation({"wakeup": 3, "dmchannel": 1})))

    assert "• my own notes about you (what I was to send you, and when)" in text
    assert "• and" not in text


def test_parts_of_what_is_listed_are_not_counted_apart():
    counts = {"promise": 2, "promiseevent": 9, "advisor": 1, "advisorgoal": 4, "reassessment": 1}
    counts["reassessmentanswer"] = 5

    text = said(valid(build_forget_confirmation(counts)))

    assert "• 2 promises, with their history" in text
    assert "• 1 reassessment of your board" in text
    assert "9" not in text and "4 " not in text and "5" not in text
    assert "my own notes" not in text


def test_what_stays_in_slack_is_said_and_who_can_delete_it_both_before_and_after():
    for message in (build_forget_confirmation({"advisor": 1}), build_forgotten({"advisor": 1})):
        text = said(valid(message))
        assert "our DM's messages and files (the exports and lists I sent you" in text
        assert "the CSVs you uploaded" in text
        assert "You can delete your own messages and files in Slack" in text
        assert "a workspace admin can delete mine" in text


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
