"""Acting on a nudge DM: buttons act on the spot and the message shows what was done; words
typed in its thread are recorded where they belong; nobody acts on another member's nudges."""

import json
from datetime import date, timedelta

from sqlmodel import Session, select

from core.models import Advisor, AdvisorStatus, Nudge, Promise, PromiseEvent, Touchpoint
from tests.e2e.helpers import GRACE, latest_view, submit
from tests.e2e.nudging import text_of
from tests.payloads import (
    ALICE,
    JSON,
    direct_message,
    event_callback,
    message_click,
)

DM = "D" + ALICE[1:]


def nudged(nudging, *, promise_due: date | None = None):
    """Alice with Grace due a stay-in-touch nudge (and a promise, if given), nudged once."""
    nudging.member()
    nudging.slack.add_user(GRACE, tz="America/New_York", real_name="Grace Hopper")
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), slack_user_id=GRACE)
    if promise_due:  # nudged the day before ("I'll try"), not the day it was made
        nudging.promise(grace, "Send the deck", promise_due, firmness="try")
        nudging.clock.advance(days=(promise_due - date(2026, 11, 24)).days)
    nudging.tick()
    [message] = nudging.dms()
    return grace, message


def button(message: dict, action_id: str) -> dict:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} in the message")


def click(bot, fake_slack, message, action_id, *, user=ALICE, selected=None, value=None):
    element = button(message, action_id)
    answer = bot.slack.interact(
        message_click(
            action_id,
            element.get("value", "") if value is None else value,
            message=message,
            channel=DM,
            response_url=fake_slack.response_url(),
            user=user,
            selected=selected,
        )
    )
    assert answer.status == 200
    bot.settle()


def press(bot, fake_slack, message: dict, element: dict) -> None:
    """Press this button (one the bot posted in `message`) and wait for the bot to finish."""
    answer = bot.slack.interact(
        message_click(
            element["action_id"],
            element["value"],
            message=message,
            channel=DM,
            response_url=fake_slack.response_url(),
        )
    )
    assert answer.status == 200
    bot.settle()


def current(fake_slack, message) -> dict:
    return next(m for m in fake_slack.messages[DM] if m["ts"] == message["ts"])


def test_snoozing_ends_the_cycle_and_the_message_says_until_when(bot, fake_slack, nudging, engine):
    grace, message = nudged(nudging)
    snooze = button(message, "nudge_snooze")

    click(bot, fake_slack, message, "nudge_snooze", selected=snooze["options"][1]["value"])

    with Session(engine) as session:
        advisor = session.get(Advisor, grace.id)
        assert advisor.snoozed_until.date() == date(2026, 11, 30)
    shown = text_of(current(fake_slack, message))
    assert "Snoozed: until Mon, Nov 30" in shown
    assert "nudge_snooze" not in json.dumps(current(fake_slack, message)["blocks"])
    assert fake_slack.calls_to("views.publish"), "the Home tab shows the new date"
    nudging.clock.advance(days=6)
    nudging.tick()
    assert len(nudging.dms()) == 1
    nudging.clock.advance(days=1)
    nudging.tick()
    assert len(nudging.dms()) == 2, "due again once the snooze is over"


def test_logging_a_touchpoint_from_the_nudge_updates_the_message(bot, fake_slack, nudging, engine):
    grace, message = nudged(nudging)

    click(bot, fake_slack, message, "nudge_log")
    modal = latest_view(fake_slack, "views.open")
    submit(bot, modal, {"note": "Coffee, talked about the reorg"})
    bot.settle()

    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
        assert touchpoint.advisor_id == grace.id
    assert "Touchpoint logged: Coffee, talked about the reorg" in text_of(
        current(fake_slack, message)
    )


def test_marking_a_promise_done_from_the_nudge_closes_it(bot, fake_slack, nudging, engine):
    nudging.member()
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 11, 20))
    nudging.promise(grace, "Send the deck", date(2026, 11, 27))  # firm: nudged 3 days before
    nudging.tick()
    assert nudging.dms() == []
    nudging.clock.advance(days=1)
    nudging.tick()
    [message] = nudging.dms()
    assert "Due Fri, Nov 27; you said “I promise”." in text_of(message)

    click(bot, fake_slack, message, "nudge_done")

    with Session(engine) as session:
        assert session.exec(select(Promise)).one().status == "done"
    assert "Marked done" in text_of(current(fake_slack, message))


def test_easing_aside_from_the_nudge_moves_the_advisor_to_alumni(bot, fake_slack, nudging, engine):
    grace, message = nudged(nudging)

    click(bot, fake_slack, message, "nudge_ease_aside")

    with Session(engine) as session:
        assert session.get(Advisor, grace.id).status == AdvisorStatus.ALUMNI
    assert "Eased aside to alumni" in text_of(current(fake_slack, message))


def test_a_reply_in_the_thread_becomes_a_touchpoint_confirmed_in_the_thread(
    bot, fake_slack, nudging, engine
):
    _, message = nudged(nudging)

    event = direct_message("Had lunch, she'll intro me to Ada", thread_ts=message["ts"])
    assert bot.slack.event(event).status == 200
    bot.settle()

    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
        assert touchpoint.note == "Had lunch, she'll intro me to Ada"
    [confirmation] = [m for m in fake_slack.messages[DM] if m.get("thread_ts") == message["ts"]]
    assert confirmation["text"].startswith("Logged a touchpoint with Grace Hopper")
    assert "Touchpoint logged" in text_of(current(fake_slack, message))


def test_slack_retrying_a_reply_event_records_it_once(bot, fake_slack, nudging, engine):
    _, message = nudged(nudging)
    body = event_callback(direct_message("Called her", thread_ts=message["ts"]))

    for _ in range(2):
        assert bot.slack.post(body, content_type=JSON).status == 200
        bot.settle()

    with Session(engine) as session:
        assert len(session.exec(select(Touchpoint)).all()) == 1


def test_a_reply_to_a_grouped_nudge_asks_which_item_and_records_the_choice(
    bot, fake_slack, nudging, engine
):
    nudging.member()
    nudging.slack.add_user(GRACE, tz="America/New_York", real_name="Grace Hopper")
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), slack_user_id=GRACE)
    nudging.promise(grace, "Send the deck", date(2026, 11, 25), firmness="try")
    nudging.clock.advance(days=1)
    nudging.tick()
    [message] = nudging.dms()

    assert bot.slack.event(direct_message("Draft is half done", thread_ts=message["ts"])).status
    bot.settle()
    [question] = [m for m in fake_slack.messages[DM] if m.get("thread_ts") == message["ts"]]
    assert question["text"] == "Which reminder is this about?"
    pick = next(
        e for e in question["blocks"][1]["elements"] if e["text"]["text"].startswith("Update")
    )
    press(bot, fake_slack, question, pick)

    answered = next(m for m in fake_slack.messages[DM] if m["ts"] == question["ts"])
    assert answered["text"] == "Recorded under: Update for Grace Hopper: Send the deck"
    with Session(engine) as session:
        [update] = session.exec(select(PromiseEvent).where(PromiseEvent.change == "update")).all()
        assert update.text == "Draft is half done"
        assert session.exec(select(Touchpoint)).all() == []
    offer = [m for m in fake_slack.messages[DM] if m.get("thread_ts") == message["ts"]][-1]
    assert offer["text"] == "Saved as a progress update. Send it on to Grace Hopper?"
    forward = offer["blocks"][0]["accessory"]
    press(bot, fake_slack, offer, forward)
    with Session(engine) as session:
        assert session.get(PromiseEvent, update.id).sent_to_advisor is True
    assert any("Draft is half done" in m["text"] for m in fake_slack.messages["D0GRACE"])
    taken_up = current(fake_slack, offer)
    assert taken_up["text"] == "Saved as a progress update, and sent on."
    assert "nudge_forward" not in json.dumps(taken_up["blocks"]), "no button to press again"


def test_another_members_nudge_id_in_a_crafted_click_changes_nothing(
    bot, fake_slack, nudging, engine
):
    grace, message = nudged(nudging)
    fake_slack.add_user("U0MALLORY", tz="UTC")

    click(bot, fake_slack, message, "nudge_ease_aside", user="U0MALLORY")
    click(bot, fake_slack, message, "nudge_snooze", user="U0MALLORY", selected=f"{1}:14")

    with Session(engine) as session:
        advisor = session.get(Advisor, grace.id)
        assert advisor.status == AdvisorStatus.ACTIVE and advisor.snoozed_until is None
        assert session.exec(select(Nudge)).one().outcome is None
    answers = [c.args.get("text", "") for c in fake_slack.calls_to("response_url")]
    assert answers and all("That reminder is not one of yours" in text for text in answers)


def test_words_written_in_the_dm_after_nudges_are_recorded_only_once_the_member_says_where(
    bot, fake_slack, nudging, engine
):
    nudging.member(digest=False)
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    nudging.advisor("Linus Torvalds", last_spoke_on=date(2026, 10, 20))
    nudging.tick()
    assert len(nudging.dms()) == 2

    bot.slack.event(direct_message("Had coffee with Grace"))
    bot.settle()

    with Session(engine) as session:
        assert session.exec(select(Touchpoint)).all() == []
    question = fake_slack.posted(DM)[-1]
    assert question["text"] == "Which reminder is this about?"
    names = [e["text"]["text"] for e in question["blocks"][1]["elements"]]
    assert sorted(names) == ["Touchpoint: Grace Hopper", "Touchpoint: Linus Torvalds"]


def test_thanks_after_a_nudge_is_not_taken_for_an_answer(bot, fake_slack, nudging, engine):
    nudged(nudging)

    bot.slack.event(direct_message("Thanks!"))
    bot.settle()

    with Session(engine) as session:
        assert session.exec(select(Touchpoint)).all() == []
    assert fake_slack.posted(DM)[-1]["text"] == "Here is what I can do with your board of advisors."


def test_a_double_click_on_send_it_on_sends_the_update_once(bot, fake_slack, nudging, engine):
    _, message = nudged(nudging, promise_due=date(2026, 11, 25))
    bot.slack.event(direct_message("Deck drafted", thread_ts=message["ts"]))
    bot.settle()
    question = fake_slack.messages[DM][-1]
    pick = question["blocks"][1]["elements"][1]
    press(bot, fake_slack, question, pick)
    offer = fake_slack.messages[DM][-1]
    forward = offer["blocks"][0]["accessory"]

    for _ in range(2):  # both clicks arrive before either is handled
        bot.slack.interact(
            message_click(
                forward["action_id"],
                forward["value"],
                message=offer,
                channel=DM,
                response_url=fake_slack.response_url(),
            )
        )
    bot.settle()

    assert len([m for m in fake_slack.messages["D0GRACE"] if "Deck drafted" in m["text"]]) == 1


def test_a_member_setting_up_their_board_gets_one_nudge_once_they_are_done(
    bot, fake_slack, nudging, workspace
):
    from tests.e2e.helpers import BOB, enlist

    for who in (GRACE, BOB):  # both already overdue: last spoke in September
        enlist(bot, fake_slack, {"member": who, "last_spoke": "2026-09-30", "cadence": "30"})
        bot.settle()
        nudging.tick()
        nudging.clock.advance(minutes=2)
    assert nudging.dms() == []

    nudging.at(nudging.clock.now() + timedelta(minutes=9))

    [message] = nudging.dms()
    assert "Grace Hopper" in text_of(message) and "Bob Ross" in text_of(message)
