"""Nudge settings as Block Kit data: a valid modal that reads back what it shows, and plain words
for what was saved."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from slack_sdk.models.views import View

from bot.ids import OPEN_SETTINGS
from bot.views.board import Entry, build_home
from bot.views.nudge_settings import build_settings_modal, read_settings_form, settings_saved
from core.errors import Invalid
from core.models import Member
from core.nudge_settings import NudgeChoices
from tests.bot.test_board_views import PARIS, an_advisor
from tests.payloads import state_of

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 14, tzinfo=UTC)
PAUSED = NudgeChoices(
    days=frozenset({0, 2}),
    start=time(8, 30),
    end=time(12),
    paused_until=date(2026, 12, 7),
    digest=False,
    one_a_day=False,
    monday_preview=True,
)


DEFAULTS = NudgeChoices()


def modal(choices: NudgeChoices = DEFAULTS, today: date = TODAY) -> dict:
    return build_settings_modal(choices, zone_name="Europe/Paris", today=today)


def read_back(view: dict, answers: dict | None = None) -> NudgeChoices:
    return read_settings_form(state_of(view, answers or {})["values"])


def block_ids(view: dict) -> list[str]:
    return [b.get("block_id") for b in view["blocks"]]


def a_member(**fields) -> Member:
    return Member(team_id="T0TEST", user_id="U0ALICE", tz="Europe/Paris", **fields)


@pytest.mark.parametrize("choices", [NudgeChoices(), PAUSED])
def test_the_modal_is_valid_block_kit_and_reads_back_exactly_what_it_shows(choices):
    view = modal(choices)

    assert View(**view).to_dict() == view
    assert read_back(view) == choices


def test_the_modal_names_the_members_time_zone_and_has_a_field_for_each_choice():
    view = modal()

    assert "*Europe/Paris*" in view["blocks"][0]["text"]["text"]
    assert block_ids(view)[1:] == [
        "days",
        "start",
        "end",
        "pause",
        "delivery",
        "once",
        "preview",
        "reassess",
    ]
    assert [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]][:2] == [
        "Monday",
        "Tuesday",
    ]


def test_a_pause_in_place_can_be_ended_with_resume_now():
    view = modal(PAUSED)

    assert "resume" in block_ids(view)
    assert read_back(view, {"resume": ["resume"]}) == replace(PAUSED, paused_until=None)
    assert read_back(view, {"pause": None}).paused_until is None


def test_a_pause_already_over_is_not_shown_and_goes_away_on_save():
    view = modal(replace(PAUSED, paused_until=date(2026, 11, 20)))

    assert "resume" not in block_ids(view)
    assert "initial_date" not in json.dumps(view)
    assert read_back(view).paused_until is None


def test_unticked_boxes_and_the_other_radio_read_back_as_their_choices():
    choices = read_back(modal(), {"days": ["5", "6"], "once": [], "delivery": "each"})

    assert (choices.days, choices.one_a_day, choices.digest) == ({5, 6}, False, False)


@pytest.mark.parametrize("block_id", ["start", "end"])
def test_a_time_that_cannot_be_read_is_refused_at_its_field(block_id):
    with pytest.raises(Invalid) as caught:
        read_back(modal(), {block_id: "noonish"})

    assert caught.value.field == block_id


def test_the_saved_settings_are_said_in_plain_words():
    assert settings_saved(a_member(), NOW) == (
        "Nudges reach you weekdays 09:00 to 17:00 (Europe/Paris), all in one message, "
        "at most once a day."
    )


def test_a_pause_says_until_when_and_when_nudges_start_again():
    member = a_member(
        nudge_days="02",
        nudge_start=510,
        nudge_end=720,
        paused_until=date(2026, 12, 7),
        digest=False,
        one_a_day=False,
        monday_preview=True,
    )

    assert settings_saved(member, NOW) == (
        "Nudges reach you Mon, Wed 08:30 to 12:00 (Europe/Paris), one message per item, "
        "whenever something falls due. On Mondays you also get a preview of the week ahead. "
        "Paused until Monday, December 7, 2026: they start again Wednesday, December 9 at 08:30."
    )


@pytest.mark.parametrize("advisors", [0, 3, 150])
def test_home_offers_the_nudge_settings_within_its_100_blocks(advisors):
    home = build_home([Entry(an_advisor(n)) for n in range(advisors)], [], now=NOW, zone=PARIS)

    buttons = [
        element
        for block in home["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
    ]
    assert [b["text"]["text"] for b in buttons if b.get("action_id") == OPEN_SETTINGS] == [
        "Nudge settings"
    ]
    assert len(home["blocks"]) <= 100
    assert View(**home).to_dict() == home


@pytest.mark.parametrize("months", [3, 6, 12, 0])
def test_how_often_the_board_is_reassessed_reads_back_as_chosen(months):
    view = modal(replace(DEFAULTS, reassess_months=months))

    assert read_back(view).reassess_months == months
    assert read_back(modal(), {"reassess": str(months)}).reassess_months == months


def test_a_reassessment_interval_not_offered_is_refused_at_its_field():
    with pytest.raises(Invalid) as caught:
        read_back(modal(), {"reassess": "5"})

    assert caught.value.field == "reassess"


def test_the_reassessment_is_said_only_when_it_is_not_the_usual_three_months():
    assert settings_saved(a_member(reassess_months=6), NOW).endswith(
        "at most once a day. Your board is reassessed every 6 months."
    )
    assert settings_saved(a_member(reassess_months=0), NOW).endswith(
        "Your board is not reassessed: turn it back on here any time."
    )
