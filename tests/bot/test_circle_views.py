"""Circles' Block Kit as data: every message valid and inside Slack's limits, with a notification
`text`; what people typed (a circle's name, a challenge) shown as typed, exactly once, never a
ping; nobody named who did not share; anonymous challenges without their author."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import (
    AWAY,
    CHALLENGE_MENU,
    CIRCLE_JOIN,
    CIRCLE_REMINDERS_OFF,
    CIRCLE_REMINDERS_ON,
    CIRCLE_SHARE_VIEW,
    FOLLOW_UP_OUTCOME,
    PARTNERS_MET,
    SHARE_CHALLENGE,
)
from bot.views.circles import (
    _chunks,
    build_challenge,
    build_check_in,
    build_check_in_closed,
    build_follow_up,
    build_follow_up_answered,
    build_met_answered,
    build_met_question,
    build_missed,
    build_not_in_circle,
    build_partners,
    build_paused,
    build_reminder,
    build_reminders_off,
    build_reminders_on,
    build_share_modal,
    build_summary,
    read_share_form,
    slack_date,
)
from bot.views.typed import BIDI, escape
from core.check_ins import CheckInView, Shared, Summary
from core.models import Challenge, CheckIn, Circle
from tests.bot.test_text_shown_as_typed import (
    CHANNEL,
    LINK,
    SETTINGS,
    TYPED,
    texts,
    without_data,
)
from tests.payloads import state_of

NOW = datetime(2026, 11, 23, 14, tzinfo=UTC)
CLOSES = NOW + timedelta(hours=48)
ALICE, BOB, CAROL, DAN = "U0ALICE", "U0BOB", "U0CAROL", "U0DAN"
PEOPLE = {ALICE: "@alice", BOB: "@bob", CAROL: "@carol", DAN: "@dan"}  # the bot's own mentions
CHANNEL_ID = "C0CIRCLE"
DATE = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|([^<>|]+)>")
OWN = re.compile("|".join(f"<@{u}>" for u in PEOPLE))
PING = re.compile(r"<(![a-z][^<>]*|@[UW][A-Z0-9]+(\|[^<>]*)?)>")


def a_circle(**fields) -> Circle:
    values = {
        "id": 3,
        "team_id": "T0TEST",
        "channel_id": CHANNEL_ID,
        "name": "Team leads",
        "owner_id": ALICE,
        "created_at": NOW,
        "updated_at": NOW,
    } | fields
    return Circle(**values)


def a_check_in(**fields) -> CheckIn:
    values = {
        "id": 11,
        "circle_id": 3,
        "team_id": "T0TEST",
        "occurrence": NOW,
        "closes_at": CLOSES,
        "created_at": NOW,
    } | fields
    return CheckIn(**values)


def shared(n: int = 5, **fields) -> Shared:
    values = {
        "id": n,
        "author_id": ALICE,
        "text": "My team misses deadlines",
        "tried": "Weekly check-ins",
        "help_wanted": "How do you plan?",
        "withdrawn": False,
    } | fields
    return Shared(**values)


def a_challenge(**fields) -> Challenge:
    values = {
        "id": 5,
        "team_id": "T0TEST",
        "circle_id": 3,
        "check_in_id": 11,
        "author_id": ALICE,
        "text": "My team misses deadlines",
        "created_at": NOW,
        "updated_at": NOW,
    } | fields
    return Challenge(**values)


def as_shown(mrkdwn: str) -> str:
    """What Slack shows: date tokens as their time, links as their label, entities once."""
    shown = DATE.sub(lambda m: m.group(2), mrkdwn)
    shown = OWN.sub(lambda m: PEOPLE[m.group(0)[2:-1]], shown)
    shown = LINK.sub(lambda m: m.group(2) or m.group(1), shown)
    shown = CHANNEL.sub(lambda m: "#" + m.group(1), shown)
    return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_valid(payload: dict, *, view: bool = False) -> None:
    """Valid Block Kit inside Slack's limits; a message has its notification text."""
    if view:
        assert View(**payload).to_dict() == payload
        assert len(payload["title"]["text"]) <= 24
    else:
        assert payload["text"].strip()
        assert 0 < len(payload["blocks"]) <= 50
        for block in payload["blocks"]:
            assert Block.parse(block).to_dict() == block
            Block.parse(block).validate_json()
    block_ids = [b["block_id"] for b in payload["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        elements = block.get("elements", []) if block["type"] == "actions" else []
        actions = [e["action_id"] for e in elements]
        assert len(actions) == len(set(actions)), block  # Slack refuses a block repeating one
        for element in [*elements, block.get("accessory") or {}]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75


def assert_safe(payload: dict, *, view: bool = False) -> str:
    """Valid, no ping but the bot's own mentions, no markup Slack would read in typed text;
    returns every shown text as Slack shows it, joined."""
    assert_valid(payload, view=view)
    shown_only = without_data(without_prefill(payload))
    everything = json.dumps(shown_only, ensure_ascii=False)
    assert not PING.search(DATE.sub("", OWN.sub("", everything))), everything
    shown = []
    for kind, text in texts(payload):
        if kind == "mrkdwn":
            bare = CHANNEL.sub("", LINK.sub("", DATE.sub("", OWN.sub("", text))))
            assert "<" not in bare, text
            shown.append(as_shown(text))
        else:
            shown.append(text)
    joined = "\n".join(shown)
    for entity in ("&amp;", "&lt;", "&gt;"):
        assert entity not in joined, joined  # typed text never has ';': this is escaped twice
    return joined


def without_prefill(payload):
    """A modal's prefilled text is the stored text in an input box: never parsed, never shown
    as mrkdwn, so it is left out of what must not ping."""
    if isinstance(payload, dict):
        return {k: without_prefill(v) for k, v in payload.items() if k != "initial_value"}
    return [without_prefill(v) for v in payload] if isinstance(payload, list) else payload


def buttons(payload: dict) -> list[dict]:
    found = []
    for block in payload["blocks"]:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def labels(payload: dict) -> dict[str, tuple[str, str]]:
    return {b["text"]["text"]: (b["action_id"], b["value"]) for b in buttons(payload)}


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- the check-in


def test_slacks_date_token_shows_each_reader_their_own_time_with_a_utc_fallback():
    token = slack_date(CLOSES)

    assert token == (
        f"<!date^{int(CLOSES.timestamp())}^{{date_short_pretty}} at {{time}}"
        "|Wed, Nov 25, 2026 at 14:00 UTC>"
    )


def test_the_check_in_asks_for_a_challenge_says_when_it_closes_and_offers_two_buttons():
    view = CheckInView(check_in=a_check_in(), circle=a_circle(), shared=3)

    message = build_check_in(view)

    text = assert_safe(message)
    assert "*Team leads* check-in" in text and "What challenge are you facing right now?" in text
    assert f"<!date^{int(CLOSES.timestamp())}^" in json.dumps(message["blocks"])
    assert "Open until Wed, Nov 25, 2026 at 14:00 UTC · 3 challenges shared so far" in text
    assert labels(message) == {
        "Share a challenge": (SHARE_CHALLENGE, "11"),
        "I'm away this time": (AWAY, "11"),
    }
    assert buttons(message)[0]["style"] == "primary"
    assert (
        message["text"] == "Team leads check-in is open: what challenge are you facing right now?"
    )


@pytest.mark.parametrize(
    ("count", "said"),
    [(0, "No challenges shared yet"), (1, "1 challenge shared so far")],
)
def test_the_check_in_counts_challenges_shared_and_never_says_who(count, said):
    view = CheckInView(check_in=a_check_in(), circle=a_circle(), shared=count)

    message = build_check_in(view)

    assert said in assert_safe(message)
    assert "<@" not in json.dumps(message)


def test_being_away_is_explained_by_what_it_spares_in_this_circle():
    quiet = a_circle(reminders=False, partners=False)
    both = a_circle(reminders=True, partners=True)

    plain = assert_safe(build_check_in(CheckInView(check_in=a_check_in(), circle=quiet)))
    full = assert_safe(build_check_in(CheckInView(check_in=a_check_in(), circle=both)))

    assert "Away?" not in plain
    assert "Away? Say so: no reminder and no learning partner this time." in full


def test_challenges_carried_over_link_their_threads_and_name_only_authors_who_gave_their_name():
    carried = [
        shared(1, text="Hiring is slow", channel_id=CHANNEL_ID, ts="1700000000.000100"),
        shared(2, text="A quiet team", author_id=None),
        shared(3, text="Gone", withdrawn=True),
    ]
    view = CheckInView(check_in=a_check_in(), circle=a_circle(), carried=carried)

    for message in (build_check_in(view), build_check_in_closed(view)):
        text = assert_safe(message)
        assert "*Back for more help*" in text
        assert "“Hiring is slow” from @alice · see its thread" in text
        assert "• “A quiet team”\n" in text or text.endswith("• “A quiet team”")
        assert "Gone" not in text
        link = "<https://slack.com/archives/C0CIRCLE/p1700000000000100|see its thread>"
        assert link in json.dumps(message["blocks"])


def test_a_closed_check_in_counts_what_was_shared_points_to_the_summary_and_has_no_buttons():
    view = CheckInView(check_in=a_check_in(state="closed"), circle=a_circle(), shared=4)

    message = build_check_in_closed(view)

    text = assert_safe(message)
    assert "*Team leads* check-in" in text
    assert "*Closed* · 4 challenges shared · the summary is in the thread" in text
    assert not buttons(message)
    assert "summary is in the thread" in message["text"]


def test_a_closed_check_in_with_nothing_shared_says_so_kindly():
    view = CheckInView(check_in=a_check_in(state="closed"), circle=a_circle(), shared=0)

    assert "no challenges shared" in assert_safe(build_check_in_closed(view))


def test_many_challenges_carried_over_stay_inside_fifty_blocks():
    carried = [shared(n, text="x" * 400, channel_id=CHANNEL_ID, ts=f"17.{n}") for n in range(1000)]
    view = CheckInView(check_in=a_check_in(), circle=a_circle(), carried=carried)

    message = build_check_in(view)

    assert_valid(message)
    assert re.search(r"…and \d+ more$", message["blocks"][-3]["text"]["text"])
    assert message["blocks"][-2]["type"] == "actions"  # the buttons are never cut off


# --- a challenge


def test_a_challenge_names_its_author_shows_each_part_and_invites_replies_in_its_thread():
    message = build_challenge(shared(), a_circle())

    text = assert_safe(message)
    assert "@alice brings a challenge" in text
    assert "My team misses deadlines" in text
    assert "*What I've tried*\nWeekly check-ins" in text
    assert "*Help I'd like*\nHow do you plan?" in text
    assert "Team leads check-in · Reply in this thread with a strategy or a question" in text
    assert message["text"].startswith("<@U0ALICE> brings a challenge")


def test_an_anonymous_challenge_never_shows_who_shared_it():
    message = build_challenge(shared(author_id=None), a_circle())

    text = assert_safe(message)
    assert "A member brings a challenge (shared anonymously)" in text
    assert "<@" not in json.dumps(message)


def test_empty_parts_of_a_challenge_are_left_out():
    text = assert_safe(build_challenge(shared(tried="", help_wanted="  "), a_circle()))

    assert "What I've tried" not in text and "Help I'd like" not in text


def test_a_challenges_menu_offers_edit_withdraw_and_adding_a_helper_to_the_board():
    head = build_challenge(shared(7), a_circle())["blocks"][0]

    menu = head["accessory"]
    assert menu["type"] == "overflow" and menu["action_id"] == CHALLENGE_MENU
    assert [(o["text"]["text"], o["value"]) for o in menu["options"]] == [
        ("Edit", "edit:7"),
        ("Withdraw", "withdraw:7"),
        ("Add someone who helped to my board", "enlist:7"),
    ]


def test_a_withdrawn_challenge_keeps_none_of_its_text_and_no_menu():
    message = build_challenge(shared(withdrawn=True), a_circle())

    text = assert_safe(message)
    assert "This challenge was withdrawn by the person who shared it." in text
    assert "deadlines" not in json.dumps(message) and "Weekly" not in json.dumps(message)
    assert "overflow" not in json.dumps(message) and "<@" not in json.dumps(message)


def test_a_long_challenge_full_of_markup_is_shown_whole_over_several_sections():
    typed = "R&D <not a tag> " * 187 + "<@U123> end"  # 3,000 characters, longer once escaped

    alone = build_challenge(shared(text=typed, tried="", help_wanted=""), a_circle())
    every_part = build_challenge(shared(text=typed, tried=typed, help_wanted=typed), a_circle())

    assert_safe(alone)
    assert_safe(every_part)
    sections = [b["text"]["text"] for b in alone["blocks"] if b["type"] == "section"]
    assert len(sections) > 2
    assert as_shown("".join(sections[1:])) == typed.replace("<@U123>", "@U123")


@SETTINGS
@given(st.lists(TYPED, min_size=1, max_size=400).map(lambda ps: "".join(t for t, _ in ps)))
def test_typed_text_split_over_sections_reads_as_the_whole(typed):
    chunks = _chunks(typed, 300)

    assert "".join(chunks) == escape(typed)
    assert all(len(chunk) <= 300 for chunk in chunks)


# --- sharing


def test_the_share_modal_asks_for_the_challenge_what_was_tried_and_help_wanted():
    modal = build_share_modal(check_in_id=11, circle_name="Team leads", anonymous_allowed=True)

    assert_safe(modal, view=True)
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["challenge", "tried", "help", "anonymous"]
    assert not inputs["challenge"]["optional"] and inputs["challenge"]["element"]["multiline"]
    assert inputs["tried"]["optional"] and inputs["help"]["optional"]
    box = inputs["anonymous"]["element"]["options"][0]
    assert box["text"]["text"] == "Share without my name"
    assert modal["callback_id"] == CIRCLE_SHARE_VIEW
    assert json.loads(modal["private_metadata"]) == {"check_in": 11}


def test_no_anonymous_box_when_the_circle_does_not_allow_it():
    modal = build_share_modal(check_in_id=11, circle_name="Team leads", anonymous_allowed=False)

    assert "anonymous" not in [b.get("block_id") for b in modal["blocks"]]


def test_editing_prefills_the_challenge_and_keeps_its_id_without_the_anonymous_box():
    typed = shared(9, text="<!channel> & R&D", tried="", help_wanted="Ideas")

    modal = build_share_modal(
        check_in_id=None,
        circle_name="Team leads",
        anonymous_allowed=True,
        existing=typed,
        challenge_id=9,
    )

    assert_safe(modal, view=True)
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["challenge", "tried", "help"]
    assert inputs["challenge"]["initial_value"] == "<!channel> & R&D"  # raw, as typed
    assert "initial_value" not in inputs["tried"]
    assert inputs["help"]["initial_value"] == "Ideas"
    assert json.loads(modal["private_metadata"]) == {"challenge": 9}
    assert modal["title"]["text"] == "Edit your challenge"


def test_the_share_form_reads_back_what_was_typed_and_the_anonymous_choice():
    modal = build_share_modal(check_in_id=11, circle_name="Team leads", anonymous_allowed=True)
    answers = {"challenge": "<@U123> & co", "help": "Tips", "anonymous": ["anonymous"]}

    read = read_share_form(state_of(modal, answers)["values"])

    assert read == {"text": "<@U123> & co", "tried": "", "help_wanted": "Tips", "anonymous": True}
    assert read_share_form(state_of(modal, {"challenge": "x"})["values"])["anonymous"] is False


# --- the summary


def test_the_summary_lists_each_challenge_with_its_replies_and_thanks_those_who_replied():
    summary = Summary(
        check_in=a_check_in(),
        circle=a_circle(),
        challenges=[
            shared(1, text="Hiring\nis slow", replies=3, channel_id=CHANNEL_ID, ts="17.1"),
            shared(2, text="A quiet team", author_id=None, replies=1),
            shared(3, text="Delegating", author_id=BOB, replies=0),
        ],
        thanks=[CAROL, DAN],
    )

    message = build_summary(summary)

    text = assert_safe(message)
    assert "*Summary of the Team leads check-in*" in text
    assert "• @alice: “Hiring is slow” · 3 replies" in text
    assert "• Shared anonymously: “A quiet team” · 1 reply" in text
    assert "• @bob: “Delegating” · no replies yet — it's not too late" in text
    assert "Thanks to @carol and @dan for replying." in text
    assert "Those who shared will hear from me before the next check-in" in text
    assert "<https://slack.com/archives/C0CIRCLE/p171|3 replies>" in json.dumps(message)


def test_a_check_in_where_nobody_shared_closes_kindly_naming_nobody():
    summary = Summary(check_in=a_check_in(), circle=a_circle(), challenges=[], thanks=[])

    message = build_summary(summary)

    assert "No challenges this time. See you at the next check-in." in assert_safe(message)
    assert "<@" not in json.dumps(message) and "Thanks" not in json.dumps(message)


def test_a_summary_of_many_challenges_stays_inside_fifty_blocks():
    many = [shared(n, text="y" * 500, replies=n) for n in range(400)]
    summary = Summary(check_in=a_check_in(), circle=a_circle(), challenges=many, thanks=[BOB])

    message = build_summary(summary)

    assert_valid(message)
    assert "Thanks to" in message["blocks"][-2]["text"]["text"]


# --- DMs around a check-in


def test_the_reminder_says_where_and_until_when_and_offers_share_away_and_turning_off():
    check_in = a_check_in(channel_id=CHANNEL_ID, ts="17.5")

    message = build_reminder(a_circle(), check_in)

    text = assert_safe(message)
    assert (
        "The Team leads check-in in #C0CIRCLE is open until Wed, Nov 25, 2026 at 14:00 UTC: "
        "bring a challenge, or say you're away this time." in text
    )
    assert labels(message) == {
        "Share a challenge": (SHARE_CHALLENGE, "11"),
        "I'm away this time": (AWAY, "11"),
        "Turn off circle reminders": (CIRCLE_REMINDERS_OFF, "3"),
    }
    assert "only reminder" in text


def test_the_follow_up_asks_how_it_went_with_three_answers():
    message = build_follow_up(a_challenge(id=8), a_circle())

    text = assert_safe(message)
    assert "How did it go with “My team misses deadlines”? (from the Team leads check-in)" in text
    assert labels(message) == {
        "Solved": (f"{FOLLOW_UP_OUTCOME}_solved", "solved:8"),
        "Still working on it": (f"{FOLLOW_UP_OUTCOME}_working", "working:8"),
        "I'd like more help": (f"{FOLLOW_UP_OUTCOME}_more_help", "more_help:8"),
    }
    assert "brings it back at the next check-in" in text


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        ("solved", "Solved."),
        ("working", "Still working on it."),
        ("more_help", "It will be listed at the next check-in of the *Team leads* circle."),
    ],
)
def test_an_answered_follow_up_says_what_was_chosen_and_has_no_buttons(outcome, said):
    message = build_follow_up_answered(a_challenge(outcome=outcome), a_circle())

    text = assert_safe(message)
    assert said in text and "My team misses deadlines" in text
    assert not buttons(message)


def test_learning_partners_are_introduced_with_the_next_check_in_in_their_own_time():
    following = NOW + timedelta(days=28)

    pair = build_partners(a_circle(), [ALICE, BOB], following)
    trio = build_partners(a_circle(), [ALICE, BOB, CAROL], None)

    text = assert_safe(pair)
    assert "@alice and @bob: you're learning partners in *Team leads*" in text
    assert "meet one-to-one before the next check-in (Mon, Dec 21, 2026 at 14:00 UTC)" in text
    assert "@alice, @bob and @carol" in assert_safe(trio)
    assert "before the next check-in:" in assert_safe(trio)


def test_someone_alone_is_told_kindly_that_there_was_nobody_to_pair_them_with():
    message = build_partners(a_circle(), [ALICE], NOW + timedelta(days=28))

    text = assert_safe(message)
    assert "nobody to pair you with" in text and "away this time" in text
    assert "<@" not in json.dumps(message)


def test_partners_are_asked_whether_they_met_and_the_answer_replaces_the_question():
    message = build_met_question(a_circle(), [ALICE, BOB], pairing_id=4)

    text = assert_safe(message)
    assert "@alice and @bob" in text and "Did you meet?" in text
    assert labels(message) == {
        "Yes, we met": (f"{PARTNERS_MET}_yes", "yes:4"),
        "Not this time": (f"{PARTNERS_MET}_no", "no:4"),
    }
    assert "Glad you met" in assert_safe(build_met_answered(True))
    assert "new learning partners" in assert_safe(build_met_answered(False))


# --- word to the owner, and answers to one person


def test_the_owner_hears_of_a_check_in_skipped_while_the_bot_was_offline():
    text = assert_safe(build_missed(a_circle(), a_check_in(state="missed")))

    assert "*Team leads* check-in in #C0CIRCLE due Mon, Nov 23, 2026 at 14:00 UTC" in text
    assert "skipped" in text and "offline" in text and "next one comes as planned" in text


def test_a_paused_circle_tells_its_owner_why_and_how_to_resume():
    text = assert_safe(build_paused(a_circle(), "I was removed from the channel", "channel_left"))

    assert "circle *Team leads* in #C0CIRCLE is paused because I was removed" in text
    assert "`/invite @advisor-bot`" in text and "`/advisor circle`" in text
    assert "*Resume*" in text


@pytest.mark.parametrize(
    ("fault", "how"),
    [
        ("channel_deleted", "The channel is gone"),
        ("channel_archive", "unarchive the channel"),
        ("restricted_action", "ask its admins"),
    ],
)
def test_what_to_do_about_a_paused_circle_depends_on_what_happened_to_its_channel(fault, how):
    message = build_paused(a_circle(), "something", fault)

    assert how in assert_safe(message)
    assert message["blocks"][-1]["elements"][0]["action_id"] == "circle_archive"


def test_someone_outside_the_circle_is_offered_to_join_it():
    message = build_not_in_circle(a_circle())

    assert "You're not in *Team leads* yet." in assert_safe(message)
    assert labels(message) == {"Join the circle": (CIRCLE_JOIN, "3")}


def test_turning_reminders_off_offers_to_turn_them_back_on_and_back_off():
    off = build_reminders_off(a_circle())
    on = build_reminders_on(a_circle())

    assert "Circle reminders are off" in assert_safe(off)
    assert "Circle reminders are on again" in assert_safe(on)
    assert [e["action_id"] for e in off["blocks"][-1]["elements"]] == [CIRCLE_REMINDERS_ON]
    assert [e["action_id"] for e in on["blocks"][-1]["elements"]] == [CIRCLE_REMINDERS_OFF]


# --- what people typed, shown as typed


def every_message(name: str, typed: str) -> list[dict]:
    circle = a_circle(name=name)
    challenge = shared(text=typed, tried=typed, help_wanted=typed, channel_id="C1", ts="1.2")
    anonymous = shared(text=typed, author_id=None)
    view = CheckInView(check_in=a_check_in(), circle=circle, carried=[challenge, anonymous])
    summary = Summary(a_check_in(), circle, [challenge, anonymous], thanks=[BOB])
    db_challenge = a_challenge(text=typed, outcome="more_help")
    return [
        build_check_in(view),
        build_check_in_closed(view),
        build_challenge(challenge, circle),
        build_challenge(anonymous, circle),
        build_summary(summary),
        build_reminder(circle, a_check_in()),
        build_follow_up(db_challenge, circle),
        build_follow_up_answered(db_challenge, circle),
        build_partners(circle, [ALICE, BOB], NOW),
        build_partners(circle, [ALICE], None),
        build_met_question(circle, [ALICE, BOB, CAROL], pairing_id=1),
        build_missed(circle, a_check_in()),
        build_paused(circle, typed),
        build_not_in_circle(circle),
        build_reminders_off(circle),
    ]


@SETTINGS
@given(TYPED, TYPED)
def test_names_and_challenges_are_shown_as_typed_once_and_never_ping(name, typed):
    messages = every_message(name[0], typed[0])

    shown = [assert_safe(message) for message in messages]
    for text in shown[:2] + shown[4:]:
        assert f"{name[1]}" in text  # the circle's name, everywhere
    challenge = shown[2]
    assert typed[1] in challenge  # whole, as typed
    if len(typed[0]) <= 150:  # one line elsewhere, shortened past that (whole tokens only)
        assert f"“{one_line(typed[1])}”" in one_line(shown[0])
        assert f"“{one_line(typed[1])}”" in one_line(shown[4])
        assert one_line(typed[1]) in one_line(as_shown(messages[6]["text"]))
    modal = build_share_modal(
        check_in_id=1, circle_name=name[0], anonymous_allowed=True, existing=shared(text=typed[0])
    )
    assert f"*{name[1]}*" in assert_safe(modal, view=True)


def test_thanks_to_hundreds_of_people_who_replied_stay_inside_one_section():
    thanks = [f"U{n:010d}" for n in range(300)]
    summary = Summary(a_check_in(), a_circle(), [shared()], thanks=thanks)

    message = build_summary(summary)

    last = message["blocks"][-2]["text"]["text"]
    assert len(last) <= 3000 and last.endswith("and 240 more for replying.")


def test_a_direction_mark_at_either_end_of_a_challenge_leaves_no_space_inside_its_quotes():
    for typed in ("\u202e <", "idea \u200f"):
        shown = one_line(assert_safe(every_message("Circle", typed)[0]))

        assert f"“{one_line(BIDI.sub('', typed))}”" in shown
