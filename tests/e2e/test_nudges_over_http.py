"""The nudge engine end to end: the scheduler's tick decides from the rows, the notifier sends
through the fake Slack over HTTP, on the member's days and hours, once."""

from datetime import UTC, date, datetime, timedelta

from core.models import DeliveryState, NudgeKind
from tests.e2e.nudging import text_of
from tests.fakes import Reply
from tests.payloads import ALICE

# The fake clock starts on Monday, November 23 2026, 09:00 UTC (10:00 in Paris).
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_an_advisor_whose_cadence_has_passed_gets_one_stay_in_touch_nudge_saying_why(nudging):
    nudging.member()
    nudging.advisor(
        "Grace Hopper", last_spoke_on=date(2026, 10, 20), cadence=30, gains="a sounding board"
    )

    nudging.tick()
    nudging.tick()

    [message] = nudging.dms()
    shown = text_of(message)
    assert "Stay in touch with *Grace Hopper*" in shown
    assert "Last touchpoint 34 days ago; you planned every month." in shown
    assert "What they gain from you: a sounding board" in shown
    assert [n.kind for n in nudging.nudges()] == [NudgeKind.TOUCH]
    [delivery] = nudging.deliveries()
    assert delivery.state == DeliveryState.SENT and delivery.ts == message["ts"]


def test_nothing_is_sent_outside_the_window_and_what_waited_goes_at_the_next_start(nudging):
    nudging.member(tz="America/New_York")  # Monday 04:00 in New York
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 1), cadence=30)

    nudging.at(MONDAY + timedelta(hours=4, minutes=59))  # 08:59 there
    assert nudging.dms() == []
    nudging.at(MONDAY + timedelta(hours=5))  # 09:00 there
    assert len(nudging.dms()) == 1


def test_weekends_wait_for_monday(nudging, clock):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 28), cadence=30)  # due Fri 27
    saturday = datetime(2026, 11, 28, 9, tzinfo=UTC)
    clock.advance(days=5)  # Saturday 10:00 in Paris
    nudging.tick()
    nudging.at(saturday + timedelta(days=1))
    assert nudging.dms() == []

    nudging.at(saturday + timedelta(days=2))
    assert len(nudging.dms()) == 1


def test_several_due_items_go_out_as_one_message(nudging):
    nudging.member()
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    nudging.advisor("Linus Torvalds", last_spoke_on=date(2026, 10, 21))
    nudging.promise(grace, "Send the deck", date(2026, 11, 24), firmness="try")
    nudging.clock.advance(days=1)

    nudging.tick()

    [message] = nudging.dms()
    shown = text_of(message)
    assert "Grace Hopper" in shown and "Linus Torvalds" in shown
    assert "“Send the deck” for *Grace Hopper*" in shown
    assert "Due today; you said “I'll try”." in shown
    assert {n.kind for n in nudging.nudges()} == {NudgeKind.TOUCH, NudgeKind.PROMISE_DUE}


def test_a_slack_outage_loses_nothing_and_the_nudge_goes_once_slack_is_back(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 1))
    fake_slack.script("chat.postMessage", *[Reply(503, "unavailable")] * 3)

    nudging.tick()
    assert nudging.dms() == []
    for _ in range(6):
        nudging.clock.advance(minutes=5)
        nudging.tick()

    assert len(nudging.dms()) == 1
    assert len(nudging.nudges()) == 1


def test_a_member_who_left_is_recorded_and_never_retried_and_holds_nobody_up(nudging, fake_slack):
    nudging.member()
    nudging.member(user="U0BOB")
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 1))
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 1), owner="U0BOB")
    fake_slack.add_user("U0BOB", tz="Europe/Paris")
    fake_slack.fail("conversations.open", "user_not_found")

    nudging.tick()
    for _ in range(3):
        nudging.clock.advance(days=1)
        nudging.tick()

    states = sorted(d.state for d in nudging.deliveries())
    assert states == [DeliveryState.FAILED, DeliveryState.SENT]
    assert len(fake_slack.calls_to("conversations.open")) == 2
    assert len(nudging.dms(ALICE)) + len(nudging.dms("U0BOB")) == 1
