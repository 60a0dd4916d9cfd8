"""Nudge settings end to end: /advisor settings and the Home button open the member's settings,
saving changes their row alone, bad input is answered at the field."""

import json

import pytest
from sqlmodel import Session, select

from bot.ids import OPEN_SETTINGS
from core.models import Member
from tests.e2e.helpers import BOB, home_text, latest_view, submit
from tests.payloads import ALICE, block_action

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
CHANGES = {
    "days": ["0", "2"],
    "start": "08:30",
    "end": "12:00",
    "pause": "2026-12-07",
    "delivery": "each",
    "once": [],
    "preview": ["preview"],
}


def open_settings(bot, fake_slack, user: str = ALICE) -> dict:
    answer = bot.slack.command("settings", response_url=fake_slack.response_url(), user=user)
    assert answer.status == 200
    bot.settle()
    return latest_view(fake_slack, "views.open")


def member(engine, user: str = ALICE) -> Member | None:
    with Session(engine) as session:
        return session.exec(select(Member).where(Member.user_id == user)).first()


def test_settings_open_with_the_defaults_and_saving_says_what_was_saved(bot, fake_slack, engine):
    modal = open_settings(bot, fake_slack)
    assert "*Europe/Paris*" in json.dumps(modal)

    answer = submit(bot, modal, CHANGES)
    bot.settle()

    notice = answer.json()
    assert notice["response_action"] == "update"
    assert notice["view"]["blocks"][0]["text"]["text"] == (
        "Nudges reach you Mon, Wed 08:30 to 12:00 (Europe/Paris), one message per item, "
        "whenever something falls due. On Mondays you also get a preview of the week ahead. "
        "Paused until Monday, December 7, 2026: they start again Wednesday, December 9 at 08:30."
    )
    saved = member(engine)
    assert (saved.nudge_days, saved.nudge_start, saved.nudge_end, str(saved.paused_until)) == (
        "02",
        510,
        720,
        "2026-12-07",
    )
    assert (saved.digest, saved.one_a_day, saved.monday_preview) == (False, False, True)
    assert "Nudge settings" in home_text(fake_slack)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"days": []}, "days"),
        ({"start": "17:00", "end": "09:00"}, "end"),
        ({"end": "09:30"}, "end"),
        ({"pause": "2026-11-20"}, "pause"),
        ({"days": ["4"], "preview": ["preview"]}, "preview"),
    ],
)
def test_bad_settings_are_answered_at_the_field_and_nothing_is_saved(
    bot, fake_slack, engine, answers, field
):
    modal = open_settings(bot, fake_slack)
    before = member(engine).model_dump()

    answer = submit(bot, modal, answers)

    assert answer.json()["response_action"] == "errors"
    assert list(answer.json()["errors"]) == [field]
    assert member(engine).model_dump() == before


def test_reopening_shows_what_was_saved_and_resume_now_ends_the_pause(bot, fake_slack, engine):
    submit(bot, open_settings(bot, fake_slack), CHANGES)
    bot.settle()

    reopened = open_settings(bot, fake_slack)
    blocks = {b.get("block_id"): b for b in reopened["blocks"]}
    assert blocks["pause"]["element"]["initial_date"] == "2026-12-07"
    assert blocks["start"]["element"]["initial_time"] == "08:30"
    answer = submit(bot, reopened, {"resume": ["resume"]})

    assert member(engine).paused_until is None
    assert "Paused" not in json.dumps(answer.json())
    assert member(engine).nudge_days == "02"


def test_the_home_button_opens_the_same_settings(bot, fake_slack, engine):
    bot.slack.interact(block_action(OPEN_SETTINGS))
    bot.settle()

    modal = latest_view(fake_slack, "views.open")
    assert modal["callback_id"] == "nudge_settings"
    assert member(engine).tz == "Europe/Paris"  # a new member: Slack was asked first


def test_a_time_zone_changed_in_slack_replaces_the_one_shown(bot, fake_slack, engine):
    open_settings(bot, fake_slack)
    fake_slack.users[ALICE]["tz"] = "America/Los_Angeles"

    shown = open_settings(bot, fake_slack)

    [update] = fake_slack.calls_to("views.update")
    assert "*Europe/Paris*" in json.dumps(shown)
    assert "*America/Los_Angeles*" in json.dumps(update.args["view"])
    answer = submit(bot, update.args["view"], {})
    assert "(America/Los_Angeles)" in json.dumps(answer.json())


def test_one_members_settings_leave_everyone_elses_alone(bot, fake_slack, engine):
    open_settings(bot, fake_slack)
    alices = member(engine).model_dump()

    submit(bot, open_settings(bot, fake_slack, user=BOB), CHANGES, user=BOB)
    bot.settle()

    assert member(engine).model_dump() == alices
    assert (member(engine, BOB).nudge_days, member(engine, BOB).tz) == ("02", "Asia/Tokyo")
