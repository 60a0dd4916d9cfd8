"""The board end to end: the real app over HTTP, driven like Slack, against the fake Slack."""

import json
import logging
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.ids import (
    ADD_ADVISOR,
    ADVISOR_MENU,
    BRING_BACK,
    EASE_ASIDE,
    EDIT_ADVISOR,
    LOG_TOUCHPOINT,
    REMOVE_ADVISOR,
)
from core.models import AdvisorStatus, Touchpoint
from tests.e2e.helpers import (
    BOB,
    DEPLOYBOT,
    GONE,
    GRACE,
    advisors,
    enlist,
    home_text,
    latest_view,
    open_add_modal,
    snapshot,
    submit,
)
from tests.payloads import ALICE, block_action, message_shortcut

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")


# --- Enlisting


def test_add_with_a_mention_opens_the_modal_prefilled_and_enlisting_shows_on_home(
    bot, fake_slack, engine
):
    modal = open_add_modal(bot, fake_slack, "add <@U0GRACE|grace>")
    assert modal["blocks"][0]["element"]["initial_user"] == GRACE

    answer = submit(bot, modal, {"relationship": "senior"})
    bot.settle()

    assert answer.status == 200
    assert answer.json()["response_action"] == "update"
    confirmation = json.dumps(answer.json()["view"])
    assert "Grace Hopper" in confirmation and "first *stay in touch* is due around" in confirmation
    assert "Wednesday, December 23, 2026" in confirmation
    [grace] = advisors(engine)
    assert (grace.name, grace.tz, grace.cadence_days) == ("Grace Hopper", "America/New_York", 30)
    assert "<@U0GRACE>" in home_text(fake_slack)


def test_someone_outside_slack_is_enlisted_by_name_with_their_contact(bot, fake_slack, engine):
    enlist(
        bot,
        fake_slack,
        {
            "name": "Ada Lovelace",
            "contact": "ada@example.org",
            "inside": "outside",
            "cadence": "14",
        },
    )
    bot.settle()

    [ada] = advisors(engine)
    assert (ada.slack_user_id, ada.contact, ada.inside_org, ada.cadence_days) == (
        None,
        "ada@example.org",
        False,
        14,
    )
    assert "*Ada Lovelace*" in home_text(fake_slack)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({}, "name"),
        ({"member": ALICE}, "member"),
        ({"member": DEPLOYBOT}, "member"),
        ({"member": GONE}, "member"),
        ({"name": "Ada", "last_spoke": "2026-12-25"}, "last_spoke"),
        ({"name": "Ada", "cadence": "0"}, "cadence"),
        ({"name": "Ada", "cadence": "400"}, "cadence"),
        ({"name": "Ada", "cadence": "2.5"}, "cadence"),
        ({"name": "Ada", "gains": "x" * 3001}, "gains"),
        ({"name": "A" * 151}, "name"),
    ],
)
def test_a_bad_modal_is_answered_at_the_field_and_nothing_is_saved(
    bot, fake_slack, engine, answers, field
):
    answer = enlist(bot, fake_slack, answers)

    assert answer.json()["response_action"] == "errors"
    assert list(answer.json()["errors"]) == [field]
    assert advisors(engine) == []


def test_an_advisor_already_on_the_board_is_refused_at_the_member_field(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"member": GRACE})

    answer = enlist(bot, fake_slack, {"member": GRACE})

    assert answer.json()["errors"] == {"member": "Grace Hopper is already on your board."}
    assert len(advisors(engine)) == 1


# --- Touchpoints


def test_log_with_a_mention_records_a_touchpoint_now_and_moves_the_due_date(
    bot, fake_slack, engine, grace, clock
):
    clock.advance(days=5)

    answer = bot.slack.command(
        "log <@U0GRACE|grace> coffee about the reorg", response_url=fake_slack.response_url()
    )
    bot.settle()

    assert answer.json()["text"].startswith("Logged a touchpoint with Grace Hopper.")
    [updated] = advisors(engine)
    assert updated.next_touch_due_at == clock.now() + timedelta(days=14)
    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
    assert touchpoint.note == "coffee about the reorg"
    assert "coffee about the reorg" in home_text(fake_slack)


def test_log_finds_an_outside_advisor_by_a_forgiving_name(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"name": "Zoë Ångström"})
    enlist(bot, fake_slack, {"name": "Zoe Baker"})

    found = bot.slack.command("log zoe angstrom lunch", response_url=fake_slack.response_url())
    ambiguous = bot.slack.command("log zoe", response_url=fake_slack.response_url())
    unknown = bot.slack.command("log Margaret", response_url=fake_slack.response_url())

    assert found.json()["text"].startswith("Logged a touchpoint with Zoë Ångström.")
    assert ambiguous.json()["text"].startswith("“zoe” could be")
    assert (
        "*Zoë Ångström*" in ambiguous.json()["text"] and "*Zoe Baker*" in ambiguous.json()["text"]
    )
    assert "couldn't find “Margaret” on your board: *Zo" in unknown.json()["text"]


def test_the_home_button_opens_the_touchpoint_modal_and_it_records_the_details(
    bot, fake_slack, engine, grace
):
    bot.slack.interact(block_action(LOG_TOUCHPOINT, str(grace.id)))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    assert modal["blocks"][0]["element"]["initial_option"]["value"] == str(grace.id)

    answers = {
        "how": "call",
        "exchanged": ["advice", "introduction"],
        "given_by": "them",
        "note": "Intro to Ada",
    }
    answer = submit(bot, modal, answers)
    bot.settle()

    assert answer.json()["response_action"] == "update"
    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
    assert (touchpoint.how, touchpoint.exchanged, touchpoint.given_by) == (
        "call",
        ["advice", "introduction"],
        "them",
    )


def test_log_as_touchpoint_on_an_advisors_message_preselects_them_and_keeps_the_link(
    bot, fake_slack, engine, grace
):
    bot.slack.interact(message_shortcut(response_url=fake_slack.response_url(), author=GRACE))
    bot.settle()
    opened = latest_view(fake_slack, "views.open")  # at once, before the 3 s trigger expires
    modal = latest_view(fake_slack, "views.update")  # then with the message's link
    assert opened["blocks"][0]["element"]["initial_option"]["value"] == str(grace.id)
    assert "this message" in json.dumps(modal)

    submit(bot, modal)
    bot.settle()

    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
    assert (
        touchpoint.message_link
        == "https://fake-workspace.slack.com/archives/C0GENERAL/p1764000000000100"
    )
    assert (touchpoint.how, touchpoint.note) == ("message", "Thanks!")


# --- Ease aside, bring back, edit, remove


def test_easing_aside_and_bringing_back_from_the_alumni_list(bot, fake_slack, engine, grace):
    bot.slack.interact(block_action(EASE_ASIDE, str(grace.id)))
    bot.settle()
    assert advisors(engine)[0].status == AdvisorStatus.ALUMNI
    assert "Alumni: Grace Hopper" in home_text(fake_slack)

    listing = bot.slack.command("list alumni", response_url=fake_slack.response_url())
    assert "Bring back" in listing.body

    bot.slack.interact(
        block_action(BRING_BACK, str(grace.id), response_url=fake_slack.response_url("list"))
    )
    bot.settle()
    assert advisors(engine)[0].status == AdvisorStatus.ACTIVE
    assert (
        fake_slack.calls_to("response_url")[-1].args["text"]
        == "Grace Hopper is back on your board: the rhythm restarts today (see my Home tab)."
    )
    assert "<@U0GRACE>" in home_text(fake_slack)


def test_editing_through_the_menu_changes_the_cadence(bot, fake_slack, engine, grace):
    bot.slack.interact(block_action(ADVISOR_MENU, selected=f"{EDIT_ADVISOR}:{grace.id}"))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")

    answer = submit(bot, modal, {"cadence": "7"})
    bot.settle()

    assert answer.status == 200
    [edited] = advisors(engine)
    assert edited.cadence_days == 7
    assert edited.next_touch_due_at == edited.last_touch_at + timedelta(days=7)


def test_removing_deletes_the_advisor(bot, fake_slack, engine, grace):
    bot.slack.interact(block_action(REMOVE_ADVISOR, str(grace.id)))
    bot.settle()

    assert advisors(engine) == []
    assert "Add your first advisor" in home_text(fake_slack)


def test_the_list_command_shows_the_board(bot, fake_slack, grace):
    answer = bot.slack.command("list", response_url=fake_slack.response_url())

    assert answer.json()["response_type"] == "ephemeral"
    assert "<@U0GRACE>" in answer.body and "1 advisor" in answer.body


def test_an_empty_home_explains_the_board_and_offers_the_first_advisor(bot, fake_slack):
    from tests.payloads import app_home_opened

    bot.slack.event(app_home_opened())
    bot.settle()

    home = home_text(fake_slack)
    assert "personal board of advisors" in home and "Add your first advisor" in home
    bot.slack.interact(block_action(ADD_ADVISOR))
    bot.settle()
    assert latest_view(fake_slack, "views.open")["callback_id"] == "advisor_add"


# --- Privacy: ids in crafted payloads never reach another member's board


@pytest.mark.parametrize(
    "action", [LOG_TOUCHPOINT, EDIT_ADVISOR, EASE_ASIDE, BRING_BACK, REMOVE_ADVISOR]
)
def test_a_button_carrying_another_members_advisor_is_refused_and_changes_nothing(
    bot, fake_slack, engine, bobs_advisor, action
):
    before = snapshot(engine)

    bot.slack.interact(block_action(action, str(bobs_advisor.id)))
    bot.settle()

    assert snapshot(engine) == before
    notice = latest_view(fake_slack, "views.open")
    assert "not on your board" in json.dumps(notice)


def test_a_crafted_edit_of_another_members_advisor_is_refused(
    bot, fake_slack, engine, bobs_advisor, grace
):
    bot.slack.interact(block_action(EDIT_ADVISOR, str(grace.id)))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    before = snapshot(engine)

    crafted = json.dumps({"advisor_id": bobs_advisor.id})
    answer = submit(bot, modal, {"notes": "mine now"}, private_metadata=crafted)

    assert "not on your board" in json.dumps(answer.json())
    assert snapshot(engine) == before


def test_a_crafted_touchpoint_for_another_members_advisor_is_refused(
    bot, fake_slack, engine, bobs_advisor, grace
):
    bot.slack.interact(block_action(LOG_TOUCHPOINT, str(grace.id)))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    before = snapshot(engine)
    modal["blocks"][0]["element"]["options"].append(
        {"text": {"type": "plain_text", "text": "x"}, "value": str(bobs_advisor.id)}
    )

    answer = submit(bot, modal, {"advisor": str(bobs_advisor.id)})

    assert answer.json()["response_action"] == "errors" and "advisor" in answer.json()["errors"]
    assert snapshot(engine) == before


def test_a_crafted_bring_back_from_a_message_is_answered_there(
    bot, fake_slack, engine, bobs_advisor
):
    bot.slack.interact(
        block_action(BRING_BACK, str(bobs_advisor.id), response_url=fake_slack.response_url("x"))
    )
    bot.settle()

    assert "not on your board" in fake_slack.calls_to("response_url")[-1].args["text"]


def test_nobody_elses_advisors_appear_on_my_home_or_in_my_list(bot, fake_slack):
    enlist(bot, fake_slack, {"name": "Bobs Secret Mentor"}, user=BOB)
    enlist(bot, fake_slack, {"name": "Ada Lovelace"})
    bot.settle()

    listing = bot.slack.command("list", response_url=fake_slack.response_url())

    assert "Ada Lovelace" in home_text(fake_slack) and "Secret" not in home_text(fake_slack)
    assert "Ada Lovelace" in listing.body and "Secret" not in listing.body


def test_the_same_user_id_in_another_workspace_sees_an_empty_board(bot, fake_slack, grace):
    from tests.payloads import FORM, slash_command

    body = slash_command("list", response_url=fake_slack.response_url(), team="T0ELSEWHERE")
    answer = bot.slack.post(body, content_type=FORM)

    assert "Your board is empty" in answer.body and "U0GRACE" not in answer.body


def test_a_crafted_menu_choice_with_another_members_advisor_is_refused(
    bot, fake_slack, engine, bobs_advisor
):
    before = snapshot(engine)

    bot.slack.interact(block_action(ADVISOR_MENU, selected=f"{EASE_ASIDE}:{bobs_advisor.id}"))
    bot.settle()

    assert snapshot(engine) == before
    assert "not on your board" in json.dumps(latest_view(fake_slack, "views.open"))


def test_a_touchpoint_submitted_after_the_advisor_was_eased_aside_is_kept_for_the_alumnus(
    bot, fake_slack, engine, grace
):
    bot.slack.interact(block_action(LOG_TOUCHPOINT, str(grace.id)))
    bot.settle()
    modal = latest_view(fake_slack, "views.open")
    bot.slack.interact(block_action(EASE_ASIDE, str(grace.id)))
    bot.settle()

    answer = submit(bot, modal, {"note": "caught up anyway"})

    assert "(among your alumni)" in json.dumps(answer.json())


def test_a_touchpoint_dated_in_the_future_is_refused_at_the_date(bot, fake_slack, engine, grace):
    bot.slack.interact(block_action(LOG_TOUCHPOINT, str(grace.id)))
    bot.settle()

    answer = submit(bot, latest_view(fake_slack, "views.open"), {"date": "2026-12-01"})

    assert list(answer.json()["errors"]) == ["date"]


def test_a_member_slack_cannot_look_up_is_answered_at_the_member_field(bot, fake_slack, engine):
    modal = open_add_modal(bot, fake_slack)
    fake_slack.fail("users.info", "user_not_found")

    answer = submit(bot, modal, {"member": GRACE})

    assert list(answer.json()["errors"]) == ["member"]
    assert advisors(engine) == []


def test_an_unexpected_failure_in_a_modal_says_nothing_was_saved_instead_of_hanging(
    bot, fake_slack, engine, monkeypatch
):
    modal = open_add_modal(bot, fake_slack)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("core.board.enlist", broken)
    answer = submit(bot, modal, {"name": "Ada"})

    assert answer.status == 200
    assert answer.json()["response_action"] == "update"
    assert "nothing was saved" in json.dumps(answer.json())


def test_logging_with_someone_not_on_the_board_says_how_to_enlist_them(bot, fake_slack, grace):
    answer = bot.slack.command("log <@U0BOB|bob> lunch", response_url=fake_slack.response_url())

    assert (
        answer.json()["text"]
        == "<@U0BOB> is not on your board: `/advisor add <@U0BOB>` enlists them."
    )


def test_add_with_a_name_prefills_someone_outside_slack(bot, fake_slack):
    modal = open_add_modal(bot, fake_slack, "add Ada Lovelace")

    assert modal["blocks"][1]["element"]["initial_value"] == "Ada Lovelace"


def test_an_advisor_already_overdue_when_enlisted_is_told_so(bot, fake_slack):
    answer = enlist(bot, fake_slack, {"name": "Zed", "last_spoke": "2026-09-01"})

    text = json.dumps(answer.json())
    assert "At the usual rhythm (every 3 weeks)" in text
    assert (
        "a *stay in touch* was already due on Tuesday, September 22, 2026: reach out soon" in text
    )


def test_a_touchpoint_logged_by_command_shows_its_note_without_a_made_up_channel(
    bot, fake_slack, grace
):
    bot.slack.command("log <@U0GRACE> coffee", response_url=fake_slack.response_url())
    bot.settle()

    assert 'Last touchpoint Mon, Nov 23 (\\"coffee\\")' in home_text(fake_slack)


def test_the_shortcut_on_a_message_by_someone_not_on_the_board_says_so(bot, fake_slack, grace):
    bot.slack.interact(message_shortcut(response_url=fake_slack.response_url(), author=BOB))
    bot.settle()

    modal = latest_view(fake_slack, "views.update")
    assert "<@U0BOB> wrote this and is not on your board" in json.dumps(modal)
    assert "initial_option" not in json.dumps(modal["blocks"][1])


@pytest.mark.parametrize("note", ["went over the payload design", "payload=1&payload"])
def test_a_command_whose_text_says_payload_is_read_whole(bot, fake_slack, engine, grace, note):
    answer = bot.slack.command(
        f"log <@U0GRACE|grace> {note}", response_url=fake_slack.response_url()
    )
    bot.settle()

    assert answer.status == 200
    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
    assert touchpoint.note == note


def test_an_add_form_submitted_by_someone_the_bot_has_no_row_for_enlists_all_the_same(
    bot, fake_slack, engine, caplog
):
    modal = open_add_modal(bot, fake_slack)

    with caplog.at_level(logging.ERROR):
        submit(bot, modal, {"relationship": "peer", "member": GRACE}, user=BOB)
        bot.settle()

    assert [a.name for a in advisors(engine, owner=BOB)] == ["Grace Hopper"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
