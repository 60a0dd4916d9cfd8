"""The first ten minutes over HTTP: one welcome on a member's first use, Home saying when the
next nudge comes (or why it has not), and a sample nudge on request that counts for nothing."""

import json
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlencode

import pytest
from sqlmodel import Session, select

from bot.ids import SAMPLE_ACTION, SEND_SAMPLE
from core.models import Member, Nudge
from tests.e2e.helpers import GRACE, enlist, home_text, open_add_modal
from tests.e2e.nudging import is_welcome, text_of
from tests.payloads import ALICE, app_home_opened, block_action, message_click

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")


def welcomes(fake_slack, user: str = ALICE) -> list[dict]:
    return [m for m in fake_slack.posted("D" + user[1:]) if is_welcome(m)]


def member(engine) -> Member:
    with Session(engine) as session:
        return session.exec(select(Member).where(Member.user_id == ALICE)).one()


def in_settings(action_id: str) -> str:
    """A click on a button in the nudge settings modal."""
    body = json.loads(parse_qs(block_action(action_id))["payload"][0])
    body["view"] = {"id": "V0SETTINGS", "type": "modal", "callback_id": "nudge_settings"}
    body["container"] = {"type": "view", "view_id": "V0SETTINGS"}
    return urlencode({"payload": json.dumps(body)})


def test_a_first_command_brings_one_welcome_that_says_what_happens_next(bot, fake_slack):
    for text in ("help", "list", "promises"):
        bot.slack.command(text, response_url=fake_slack.response_url())
        bot.settle()
    open_add_modal(bot, fake_slack)

    [welcome] = welcomes(fake_slack)
    shown = text_of(welcome)
    assert "personal board of advisors" in shown and "/advisor add" in shown
    assert "weekdays 09:00 to 17:00, your time (Europe/Paris)" in shown
    buttons = [e["text"]["text"] for e in welcome["blocks"][-1]["elements"]]
    assert buttons == ["Add an advisor", "Nudge settings", "Send me a sample nudge"]


def test_opening_home_first_also_welcomes_once(bot, fake_slack):
    bot.slack.event(app_home_opened())
    bot.settle()
    bot.slack.event(app_home_opened())
    bot.settle()

    assert len(welcomes(fake_slack)) == 1


def test_home_says_the_next_nudge_waits_while_the_member_is_using_the_bot(bot, fake_slack):
    enlist(bot, fake_slack, {"member": GRACE, "last_spoke": "2026-10-01", "cadence": "30"})
    bot.settle()

    assert (
        "Next nudge: today at 10:10, about Grace Hopper (you were active in the last minutes)."
        in home_text(fake_slack)
    )


def test_home_says_the_next_nudge_waits_for_the_members_hours(bot, fake_slack, clock):
    enlist(bot, fake_slack, {"member": GRACE, "last_spoke": "2026-10-01", "cadence": "30"})
    bot.settle()
    clock.advance(hours=8)  # 18:00 in Paris

    bot.slack.event(app_home_opened())
    bot.settle()

    assert "Next nudge: tomorrow at 09:00, about Grace Hopper (outside your hours)." in home_text(
        fake_slack
    )


def test_home_says_when_a_nudge_not_yet_due_comes_and_a_pause_in_place(bot, fake_slack, engine):
    enlist(bot, fake_slack, {"member": GRACE, "last_spoke": "2026-11-20", "cadence": "14"})
    bot.settle()
    assert "Next nudge: Fri, Dec 4 at 09:00, about Grace Hopper." in home_text(fake_slack)

    with Session(engine) as session:
        row = session.exec(select(Member).where(Member.user_id == ALICE)).one()
        row.paused_until = member(engine).created_at.date() + timedelta(days=14)  # Mon, Dec 7
        session.add(row)
        session.commit()
    bot.slack.event(app_home_opened())
    bot.settle()

    assert (
        "Nudges are paused until Mon, Dec 7. Next nudge: Tue, Dec 8 at 09:00, about Grace Hopper."
        in home_text(fake_slack)
    )


def test_a_sample_nudge_comes_at_once_marked_and_counts_for_nothing(
    bot, fake_slack, engine, nudging
):
    enlist(bot, fake_slack, {"member": GRACE, "last_spoke": "2026-10-01", "cadence": "30"})
    bot.settle()

    bot.slack.interact(in_settings(SEND_SAMPLE))
    bot.slack.interact(in_settings(SEND_SAMPLE))  # a double click
    bot.settle()

    [sample] = nudging.dms()
    assert "A sample nudge" in text_of(sample) and "Stay in touch with *Grace Hopper*" in text_of(
        sample
    )
    assert "Last touchpoint 53 days ago; you planned every month." in text_of(sample)
    notices = sorted(json.dumps(c.args["view"]) for c in fake_slack.calls_to("views.push"))
    assert ["a moment ago" in n for n in notices] == [True, False]  # in whichever order
    assert "Your sample nudge is in your direct messages with me" in notices[1]
    assert nudging.nudges() == [] and member(engine).last_delivery_on is None

    nudging.at(nudging.clock.now() + timedelta(minutes=11))  # the real nudge still comes today
    assert len(nudging.nudges()) == 1 and len(nudging.dms()) == 2


def test_a_samples_buttons_only_say_what_a_real_one_would_do(bot, fake_slack, nudging, engine):
    enlist(bot, fake_slack, {"member": GRACE, "last_spoke": "2026-10-01", "cadence": "30"})
    bot.settle()
    bot.slack.interact(in_settings(SEND_SAMPLE))
    bot.settle()
    [sample] = nudging.dms()
    [action] = [b for b in sample["blocks"] if b["type"] == "actions"]

    bot.slack.interact(
        message_click(
            action["elements"][0]["action_id"],
            action["elements"][0].get("value", ""),
            message=sample,
            channel="D0ALICE",
            response_url=fake_slack.response_url("sample"),
        )
    )
    bot.settle()

    assert action["elements"][0]["action_id"].startswith(SAMPLE_ACTION)
    [answer] = fake_slack.calls_to("response_url")
    assert "only a sample" in answer.args["text"]
    with Session(engine) as session:
        assert session.exec(select(Nudge)).all() == []


def test_a_due_day_outside_the_members_days_says_when_the_nudge_really_comes(bot, fake_slack):
    answer = enlist(bot, fake_slack, {"member": GRACE, "cadence": "13"})  # due Sunday, Dec 6
    bot.settle()
    logged = bot.slack.command("log <@U0GRACE> coffee", response_url=fake_slack.response_url())

    notice = json.dumps(answer.json()["view"])
    assert "due around *Sunday, December 6, 2026* (your nudge comes Mon, Dec 7 at 09:00" in notice
    assert (
        "Next *stay in touch* due around Sunday, December 6, 2026 (your nudge comes "
        "Mon, Dec 7 at 09:00, in your hours)." in logged.json()["text"]
    )


def test_an_advisor_whose_first_stay_in_touch_falls_today_is_told_so(bot, fake_slack):
    answer = enlist(bot, fake_slack, {"member": GRACE, "last_spoke": "2026-11-09", "cadence": "14"})

    assert "your first *stay in touch* is due today" in json.dumps(answer.json()["view"])


def test_promises_with_a_word_after_it_shows_its_usage_instead_of_the_list(bot, fake_slack):
    answer = bot.slack.command("promises foo", response_url=fake_slack.response_url())

    assert answer.json()["text"].startswith("`/advisor promises` lists your open promises")
    assert "&lt;what&gt; by &lt;when&gt;" in answer.json()["text"]


def test_an_empty_board_says_why_no_nudge_is_on_the_way(bot, fake_slack):
    bot.slack.event(app_home_opened())
    bot.settle()

    assert "No nudge on the way: nothing falls due yet; add an advisor" in home_text(fake_slack)


def test_a_new_members_first_requests_arriving_together_make_one_member_and_one_welcome(
    bot, fake_slack, engine, caplog
):
    from concurrent.futures import ThreadPoolExecutor

    with caplog.at_level(logging.ERROR), ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda text: bot.slack.command(text, response_url=fake_slack.response_url()),
                ["help", "list", "promises", "help"],
            )
        )
        bot.settle()

    assert [a.status for a in answers] == [200] * 4
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    with Session(engine) as session:
        assert len(session.exec(select(Member)).all()) == 1
    assert len(welcomes(fake_slack)) == 1
