"""Circles' setup modal, card and list as Block Kit data: a valid modal that reads back what it
shows, the note and split past twelve people, field errors landing on blocks that exist, the
schedule in words, and the card's buttons for its owner, a member and someone not in it."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.ids import (
    CIRCLE_ARCHIVE,
    CIRCLE_EDIT,
    CIRCLE_JOIN,
    CIRCLE_PAUSE,
    CIRCLE_RESUME,
    CIRCLE_SETUP_VIEW,
    CIRCLE_SKIP,
    CIRCLE_SPLIT,
)
from bot.views.circle_setup import (
    MEMBERS_KEPT,
    Card,
    Form,
    LastCheckIn,
    Listed,
    block_for,
    build_circle_card,
    build_circles_list,
    build_setup_modal,
    describe_rule,
    draft_of,
    form_of,
    new_draft,
    open_words,
    own_time,
    read_setup_form,
    settings_of,
    split,
)
from core.circles import Settings
from core.errors import Invalid
from core.models import Circle, CircleState
from core.schedules import LAST, Rule
from tests.payloads import state_of

STARTS = date(2026, 11, 23)
PEOPLE = tuple(f"U0P{n:02}" for n in range(15))
NEW = new_draft("team", PEOPLE[:5], "Europe/Paris")
WEEKLY = replace(
    NEW,
    freq="weekly",
    weekday=3,
    every=2,
    minute=9 * 60 + 30,
    tz="America/New_York",
    open_hours=24,
    facilitator="U0GRACE",
    anonymous=True,
    partners=True,
    reminders=False,
)


def a_circle(**fields) -> Circle:
    values = {
        "id": 7,
        "team_id": "T0TEST",
        "channel_id": "C0TEAM",
        "name": "Platform circle",
        "owner_id": "U0ALICE",
        "open_hours": 48,
    }
    return Circle(**{**values, **fields})


def answered(view: dict, answers: dict | None = None) -> dict:
    """The view as Slack sends it back after the person answered: every input's state
    (multi_users_select too, which tests.payloads.state_of leaves out)."""
    answers = answers or {}
    state = state_of(view, answers)
    for block in view["blocks"]:
        if block.get("element", {}).get("type") == "multi_users_select":
            chosen = answers.get(block["block_id"], block["element"].get("initial_users", []))
            state["values"][block["block_id"]] = {
                block["block_id"]: {"type": "multi_users_select", "selected_users": chosen}
            }
    return {**view, "state": state}


def inputs(view: dict) -> dict:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def buttons(message: dict) -> list[str]:
    return [
        element["action_id"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def words(message: dict) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


@pytest.mark.parametrize("draft", [NEW, WEEKLY])
def test_the_modal_is_valid_block_kit_and_reads_back_exactly_what_it_shows(draft):
    view = build_setup_modal(draft, Form(channel_id="C0TEAM"))

    assert View(**view).to_dict() == view
    assert read_setup_form(answered(view)) == draft
    assert read_setup_form(view) == draft  # a click may come without state: the initial values


def test_a_new_circle_is_named_after_its_channel_with_reminders_on_and_the_creators_zone():
    view = build_setup_modal(NEW, Form(channel_id="C0TEAM"))
    fields = inputs(view)

    assert fields["name"]["element"]["initial_value"] == "#team circle"
    assert fields["members"]["element"]["initial_users"] == list(PEOPLE[:5])
    assert fields["tz"]["element"]["initial_value"] == "Europe/Paris"
    assert fields["open_for"]["element"]["initial_option"]["value"] == "48"
    ticked = [o["value"] for o in fields["options"]["element"]["initial_options"]]
    assert ticked == ["reminders"]
    assert "initial_user" not in fields["facilitator"]["element"]
    assert fields["facilitator"]["optional"] is True
    assert view["callback_id"] == CIRCLE_SETUP_VIEW
    assert json.loads(view["private_metadata"]) == {
        "channel": "C0TEAM",
        "circle": None,
        "noted": False,
    }


def test_every_field_core_reports_on_lands_on_a_block_of_the_form():
    view = build_setup_modal(NEW, Form(channel_id="C0TEAM"))
    blocks = set(inputs(view))
    core_fields = ["name", "members", "freq", "every", "day", "nth", "weekday", "days", "time"]
    core_fields += ["tz", "open_for", "facilitator", "options", None, "something_else"]

    assert {block_for(view, f) for f in core_fields} <= blocks
    assert block_for(view, "day") == "nth"
    assert block_for(view, "days") == "weekday"


def test_the_form_reads_as_the_settings_core_checks():
    monthly = settings_of(replace(NEW, nth=2, weekday=1, minute=600), starts_on=STARTS)
    weekly = settings_of(WEEKLY, starts_on=STARTS)

    assert monthly == Settings(
        name="#team circle",
        members=PEOPLE[:5],
        rule=Rule.monthly(minute=600, tz="Europe/Paris", starts_on=STARTS, nth=2, weekday=1),
    )
    assert weekly.rule == Rule.weekly(
        {3}, minute=570, tz="America/New_York", starts_on=STARTS, every=2
    )
    assert (weekly.open_hours, weekly.facilitator_id) == (24, "U0GRACE")
    assert (weekly.anonymous, weekly.partners, weekly.reminders) == (True, True, False)


def test_a_circle_reads_back_into_its_edit_form_unchanged():
    circle = a_circle(open_hours=24, facilitator_id="U0GRACE", anonymous=True, partners=True)
    circle.reminders = False
    rule = Rule.weekly({3}, minute=570, tz="America/New_York", starts_on=STARTS, every=2)
    draft = replace(draft_of(circle, list(PEOPLE[:5]), rule), name="#team circle")

    assert draft == WEEKLY
    assert settings_of(draft, starts_on=STARTS).rule == rule
    view = build_setup_modal(draft, Form(channel_id="C0TEAM", circle_id=7))
    assert view["title"]["text"] == "Edit the circle"
    assert json.loads(view["private_metadata"])["circle"] == 7


def test_an_open_time_the_form_does_not_offer_is_kept_when_editing():
    draft = replace(NEW, open_hours=30)
    view = build_setup_modal(draft, Form(channel_id="C0TEAM"))

    assert read_setup_form(view).open_hours == 30
    assert "30 hours" in words(view)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"tz": "Mars/Olympus"}, "tz"),
        ({"tz": ""}, "tz"),
        ({"time": None}, "time"),
        ({"weekday": "9"}, "weekday"),
        ({"nth": "5"}, "nth"),
        ({"every": "99"}, "every"),
        ({"open_for": "x"}, "open_for"),
    ],
)
def test_a_value_that_cannot_be_read_is_refused_at_its_field(answers, field):
    view = build_setup_modal(NEW, Form(channel_id="C0TEAM"))

    with pytest.raises(Invalid) as refused:
        read_setup_form(answered(view, answers))

    assert refused.value.field == field
    assert read_setup_form(answered(view, answers), strict=False).members == PEOPLE[:5]


def test_past_twelve_people_the_note_offers_to_keep_the_first_twelve():
    draft = replace(NEW, members=PEOPLE)
    quiet = build_setup_modal(draft, Form(channel_id="C0TEAM"))
    noted = build_setup_modal(draft, Form(channel_id="C0TEAM", noted=True))

    assert CIRCLE_SPLIT not in buttons(quiet)
    assert buttons(noted) == [CIRCLE_SPLIT]
    assert "Circles work best with 10 to 12 people" in words(noted)
    assert "would have 15" in words(noted)
    assert View(**noted).to_dict() == noted
    assert json.loads(noted["private_metadata"])["noted"] is True


def test_the_split_keeps_the_first_twelve_in_a_new_block_and_lists_the_rest():
    kept, rest = split(replace(NEW, members=PEOPLE))
    form = Form(channel_id="C0TEAM", noted=True, rest=rest, members_block=MEMBERS_KEPT)
    view = build_setup_modal(kept, form)

    assert kept.members == PEOPLE[:12]
    assert rest == PEOPLE[12:]
    assert inputs(view)[MEMBERS_KEPT]["element"]["initial_users"] == list(PEOPLE[:12])
    assert "members" not in inputs(view)
    assert CIRCLE_SPLIT not in buttons(view)
    assert "<@U0P12>, <@U0P13>, <@U0P14>" in words(view)
    assert "another channel" in words(view)
    assert read_setup_form(answered(view)).members == PEOPLE[:12]
    assert block_for(view, "members") == MEMBERS_KEPT
    assert form_of(view).members_block == MEMBERS_KEPT


def test_metadata_that_came_back_changed_is_read_as_nothing():
    view = build_setup_modal(NEW, Form(channel_id="C0TEAM"))

    for crafted in ('{"channel": 5, "circle": "7", "noted": "yes"}', "[1]", "not json"):
        form = form_of({**view, "private_metadata": crafted})
        assert (form.channel_id, form.circle_id, form.noted) == ("", None, False)


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        (
            Rule.monthly(minute=600, tz="Europe/Paris", starts_on=STARTS, nth=2, weekday=1),
            "Monthly on the 2nd Tuesday at 10:00 Europe/Paris",
        ),
        (
            Rule.monthly(minute=540, tz="UTC", starts_on=STARTS, nth=LAST, weekday=4, every=3),
            "Every 3 months on the last Friday at 09:00 UTC",
        ),
        (
            Rule.monthly(minute=0, tz="UTC", starts_on=STARTS, month_day=22),
            "Monthly on the 22nd at 00:00 UTC",
        ),
        (
            Rule.weekly({3}, minute=570, tz="America/New_York", starts_on=STARTS, every=2),
            "Every 2 weeks on Thursday at 09:30 America/New_York",
        ),
        (
            Rule.weekly({0, 3}, minute=570, tz="Asia/Tokyo", starts_on=STARTS),
            "Every week on Monday and Thursday at 09:30 Asia/Tokyo",
        ),
    ],
)
def test_a_schedule_is_said_in_words(rule, said):
    assert describe_rule(rule) == said


def test_a_moment_is_shown_in_each_viewers_own_time_by_slacks_date_token():
    when = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)

    assert own_time(when) == (
        "<!date^1796720400^{date_long_pretty} at {time}|Tuesday, December 8, 2026 at 09:00 UTC>"
    )


@pytest.mark.parametrize(
    ("hours", "said"), [(1, "1 hour"), (12, "12 hours"), (48, "2 days"), (168, "1 week")]
)
def test_how_long_a_check_in_stays_open_is_said_in_words(hours, said):
    assert open_words(hours) == said


NEXT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
RULE = Rule.monthly(minute=600, tz="Europe/Paris", starts_on=STARTS, nth=2, weekday=1)


def a_card(circle: Circle | None = None, **fields) -> Card:
    values = {
        "circle": circle or a_circle(),
        "members": ["U0ALICE", "U0BOB"],
        "rule": RULE,
        "next_at": NEXT,
    }
    return Card(**{**values, **fields})


def test_the_card_shows_people_schedule_next_check_in_in_both_times_and_the_last_one():
    last = LastCheckIn(on=datetime(2026, 11, 10, 9, tzinfo=UTC), challenges=3, replies=7)
    card = build_circle_card(a_card(last=last, viewer_is_member=True))
    shown = words(card)

    assert "*Platform circle*, the circle of <#C0TEAM>" in shown
    assert "*2 people:* <@U0ALICE>, <@U0BOB>" in shown
    assert "Monthly on the 2nd Tuesday at 10:00 Europe/Paris" in shown
    assert "Tuesday, December 8, 2026 at 10:00 Europe/Paris (your time: <!date^1796720400^" in shown
    assert "*Last check-in,* Tuesday, November 10, 2026: 3 challenges shared, 7 replies." in shown
    assert buttons(card) == []
    for block in card["blocks"]:
        Block.parse(block).validate_json()


def test_its_owner_sees_edit_pause_skip_and_archive_behind_a_confirmation():
    card = build_circle_card(a_card(viewer_manages=True, viewer_is_member=True))
    archive = card["blocks"][-1]["elements"][-1]

    assert buttons(card) == [CIRCLE_EDIT, CIRCLE_PAUSE, CIRCLE_SKIP, CIRCLE_ARCHIVE]
    assert {e["value"] for e in card["blocks"][-1]["elements"]} == {"7"}
    assert archive["confirm"]["confirm"]["text"] == "Archive"
    assert "past check-ins and challenges are kept" in archive["confirm"]["text"]["text"]


def test_a_paused_circle_says_why_and_offers_its_owner_resume():
    circle = a_circle(state=CircleState.PAUSED, paused_why="I was removed from the channel")
    owner = build_circle_card(a_card(circle, next_at=None, viewer_manages=True))
    member = build_circle_card(a_card(circle, next_at=None, viewer_is_member=True))

    assert buttons(owner) == [CIRCLE_JOIN, CIRCLE_EDIT, CIRCLE_RESUME, CIRCLE_ARCHIVE]
    assert "*Paused*: I was removed from the channel. Resume starts" in words(owner)
    assert "until its owner or facilitator resumes it" in words(member)
    assert buttons(member) == []


def test_someone_not_in_the_circle_is_offered_a_way_in():
    card = build_circle_card(a_card())

    assert buttons(card) == [CIRCLE_JOIN]
    assert "none has closed yet" in words(card)


def test_what_a_click_did_is_said_above_the_card():
    card = build_circle_card(a_card(viewer_manages=True, notes=["Paused: no check-ins."]))

    assert card["blocks"][0]["text"]["text"] == "Paused: no check-ins."
    assert card["text"] == "Paused: no check-ins."


def test_a_name_someone_typed_is_shown_as_typed_and_never_pings():
    card = build_circle_card(a_card(a_circle(name="R&D <!channel>")))

    assert "*R&amp;D @channel*" in words(card)
    assert "<!channel>" not in words(card)


def test_the_circles_list_says_where_each_is_and_what_comes_next():
    paused = a_circle(id=8, name="Design", channel_id="C0DESIGN", state=CircleState.PAUSED)
    listed = build_circles_list(
        [Listed(a_circle(), NEXT, "Europe/Paris"), Listed(paused, None, "UTC")]
    )
    shown = words(listed)

    assert "*Platform circle* in <#C0TEAM>: next check-in Tuesday, December 8" in shown
    assert "*Design* in <#C0DESIGN>: paused" in shown
    assert listed["text"] == "You're in 2 circles."


def test_someone_in_no_circle_is_told_how_to_find_or_start_one():
    listed = build_circles_list([])

    assert "not in any circle" in listed["text"]
    assert "`/advisor circle`" in listed["text"]


def test_hundreds_of_circles_with_names_full_of_ampersands_stay_inside_slacks_limits():
    rows = [Listed(a_circle(id=n, name="&" * 80), NEXT, "Europe/Paris") for n in range(300)]

    message = build_circles_list(rows)

    assert len(message["blocks"]) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b.get("text"))
    assert "…and 75 more." in words(message)
