"""The nudge engine end to end: the scheduler's tick decides from the rows, the sender sends
through the fake Slack over HTTP, on the member's days and hours, once."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from core import promises
from core.models import NudgeKind, OutboxState
from tests.e2e.nudging import text_of
from tests.fakes import TEAM_ID, Reply
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
    assert "Bring something they value from you: a sounding board." in shown
    assert [n.kind for n in nudging.nudges()] == [NudgeKind.TOUCH]
    [delivery] = nudging.deliveries()
    assert delivery.state == OutboxState.SENT and delivery.ts == message["ts"]


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


def test_a_promise_made_today_is_not_nudged_today_even_when_its_lead_time_has_passed(nudging):
    nudging.member()
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 11, 20))
    nudging.promise(grace, "Send the deck", date(2026, 11, 24))  # "3 days before" is past

    nudging.tick()
    nudging.every_hour_until(MONDAY + timedelta(hours=14))
    assert nudging.dms() == []
    nudging.at(MONDAY + timedelta(days=1))
    assert "Due today; you said “I promise”." in text_of(nudging.dms()[0])


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
    assert states == [OutboxState.REFUSED, OutboxState.SENT]
    assert len(fake_slack.calls_to("conversations.open")) == 2
    assert len(nudging.dms(ALICE)) + len(nudging.dms("U0BOB")) == 1


def test_a_quiet_relationship_gets_one_escalation_half_a_cadence_later_then_silence(nudging):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24), cadence=30)  # due today

    for _ in range(60):
        nudging.tick()
        nudging.clock.advance(hours=8)

    kinds = [n.kind for n in nudging.nudges()]
    assert kinds == [NudgeKind.TOUCH, NudgeKind.TOUCH_OVERDUE]
    assert "Still quiet: last touchpoint 45 days ago" in text_of(nudging.dms()[1])


def test_a_touchpoint_ends_the_cycle_and_no_escalation_follows(nudging, engine):
    from sqlmodel import Session

    from core.touchpoints import log_touchpoint

    nudging.member()
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24), cadence=30)
    nudging.tick()
    with Session(engine) as session:
        log_touchpoint(
            session, team_id="T0TEST", owner_id=ALICE, advisor_id=grace.id, clock=nudging.clock
        )
        session.commit()
    for _ in range(25):
        nudging.clock.advance(days=1)
        nudging.tick()

    assert [n.kind for n in nudging.nudges()] == [NudgeKind.TOUCH]


def test_one_nudge_dm_a_day_what_becomes_due_later_waits_for_the_next_delivery(nudging):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))  # due today, 10:00
    nudging.advisor("Linus Torvalds", last_spoke_on=date(2026, 10, 25))  # due tomorrow

    nudging.tick()
    nudging.every_hour_until(MONDAY + timedelta(hours=7))
    assert len(nudging.dms()) == 1
    nudging.at(MONDAY + timedelta(days=1))

    first, second = nudging.dms()
    assert "Grace Hopper" in text_of(first) and "Linus" not in text_of(first)
    assert "Linus Torvalds" in text_of(second)


def test_a_member_who_wants_one_message_per_item_gets_them_separately(nudging):
    nudging.member(digest=False)
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    nudging.advisor("Linus Torvalds", last_spoke_on=date(2026, 10, 24))

    nudging.tick()

    assert sorted(len(text_of(m).split("Stay in touch with")) for m in nudging.dms()) == [2, 2]


def test_windows_follow_daylight_saving_time_in_the_members_zone(nudging):
    nudging.member()  # Paris: 09:00 is 08:00 UTC in winter, 07:00 UTC from March 28 2027
    nudging.at(datetime(2027, 3, 26, 7, tzinfo=UTC))  # Friday, 08:00 in Paris
    nudging.advisor("Grace Hopper", last_spoke_on=date(2027, 2, 24), cadence=30)  # due Mar 26

    nudging.at(datetime(2027, 3, 26, 7, 59, tzinfo=UTC))
    assert nudging.dms() == []
    nudging.at(datetime(2027, 3, 26, 8, tzinfo=UTC))
    assert len(nudging.dms()) == 1

    nudging.advisor("Ada Lovelace", last_spoke_on=date(2027, 2, 27), cadence=30)  # due Mar 29
    nudging.at(datetime(2027, 3, 29, 6, 59, tzinfo=UTC))
    assert len(nudging.dms()) == 1
    nudging.at(datetime(2027, 3, 29, 7, tzinfo=UTC))
    assert len(nudging.dms()) == 2


def test_a_429_storm_is_waited_out_as_slack_asks_and_nothing_is_lost(nudging, fake_slack):
    for n in range(5):
        user = f"U0MEMBER{n}"
        nudging.member(user=user)
        fake_slack.add_user(user, tz="Europe/Paris")
        nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24), owner=user)
    fake_slack.rate_limit("chat.postMessage", retry_after=7, times=12)

    nudging.tick()

    assert [len(nudging.dms(f"U0MEMBER{n}")) for n in range(5)] == [1] * 5
    assert sum(1 for s in nudging.sleeps if s >= 6.9) >= 12, "each Retry-After was waited out"


def test_a_member_whose_account_is_inactive_is_recorded_and_not_retried(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    fake_slack.fail("chat.postMessage", "account_inactive")

    nudging.tick()
    nudging.at(MONDAY + timedelta(days=1))
    nudging.at(MONDAY + timedelta(days=20))

    [delivery] = nudging.deliveries()
    assert delivery.state == OutboxState.REFUSED and delivery.last_error == "account_inactive"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_claim_whose_process_died_after_slack_took_the_message_is_not_sent_twice(
    nudging, fake_slack
):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    fake_slack.script("chat.postMessage", Reply(504, "gateway timeout"))
    nudging.tick()  # the fake kept nothing: make it look as if Slack had kept it all the same
    [delivery] = nudging.deliveries()
    assert delivery.state == OutboxState.PENDING and delivery.may_be_posted
    fake_slack.messages.setdefault(delivery.channel_id, []).append(
        {
            "type": "message",
            "ts": "1795424400.999999",
            "text": "a nudge",
            "metadata": {
                "event_type": "advisor_bot_outbox",
                "event_payload": {"outbox": delivery.id},
            },
        }
    )

    nudging.clock.advance(minutes=10)
    nudging.ticker(process="another-process")()

    [delivery] = nudging.deliveries()
    assert delivery.state == OutboxState.SENT and delivery.ts == "1795424400.999999"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1, "looked up, not posted again"


def test_a_member_who_moves_time_zone_gets_nudges_on_their_new_clock(bot, nudging, engine):
    from sqlmodel import Session

    from core.models import Advisor, Member
    from tests.payloads import event_callback

    nudging.member(tz="Europe/Paris")
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24), slack_user_id="U0ADA")
    user = {"id": ALICE, "team_id": "T0TEST", "tz": "America/Los_Angeles", "name": "alice"}
    body = event_callback({"type": "user_change", "user": user, "event_ts": "1.2"})
    assert bot.slack.post(body, content_type="application/json").status == 200
    ada = {"id": "U0ADA", "team_id": "T0TEST", "tz": "Asia/Tokyo", "name": "ada"}
    bot.slack.event({"type": "user_change", "user": ada, "event_ts": "1.3"})
    bot.settle()

    with Session(engine) as session:
        assert session.get(Member, 1).tz == "America/Los_Angeles"
        assert session.get(Advisor, grace.id).tz == "Asia/Tokyo"
    nudging.tick()  # 01:00 in Los Angeles
    assert nudging.dms() == []
    nudging.at(MONDAY + timedelta(hours=8))  # 09:00 there
    assert len(nudging.dms()) == 1


def test_a_long_list_of_due_items_is_split_so_every_message_stays_within_block_kit(nudging):
    nudging.member()
    for n in range(23):
        nudging.advisor(f"Advisor {n:02d}", last_spoke_on=date(2026, 10, 24))

    nudging.tick()

    messages = nudging.dms()
    assert [len(text_of(m).split("Stay in touch with")) - 1 for m in messages] == [10, 10, 3]
    assert all(len(m["blocks"]) <= 50 for m in messages)


def test_a_slow_send_keeps_its_claim_so_another_process_never_posts_it_too(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    fake_slack.rate_limit("chat.postMessage", retry_after=30, times=14)  # 7 minutes of 429s
    other = nudging.ticker(process="other-process")

    def wait_and_let_the_other_process_tick(seconds: float) -> None:
        nudging.clock.advance(seconds=seconds)
        other()

    ticker = nudging.ticker()
    ticker.sender.sleep = wait_and_let_the_other_process_tick
    ticker()

    assert len(nudging.dms()) == 1
    [delivery] = nudging.deliveries()
    assert delivery.state == OutboxState.SENT and delivery.claimed_by == "test-process"


def test_a_long_retry_after_is_left_to_a_later_tick_inside_the_members_window(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    fake_slack.rate_limit("chat.postMessage", retry_after=3600)

    nudging.tick()
    assert nudging.dms() == [] and not any(s >= 3600 for s in nudging.sleeps)
    nudging.at(MONDAY + timedelta(minutes=59))
    assert nudging.dms() == []
    nudging.at(MONDAY + timedelta(hours=1, minutes=1))
    assert len(nudging.dms()) == 1


def test_a_retry_that_falls_after_hours_waits_for_the_next_window(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    fake_slack.script("chat.postMessage", Reply(503, "unavailable"))
    nudging.at(MONDAY + timedelta(hours=6, minutes=58))  # claimed at 16:58 in Paris, not sent
    [delivery] = nudging.deliveries()
    assert delivery.state == OutboxState.PENDING, delivery.last_error

    nudging.every_hour_until(MONDAY + timedelta(hours=23))
    assert nudging.dms() == []
    nudging.at(MONDAY + timedelta(days=1))  # Tuesday 10:00 in Paris
    assert len(nudging.dms()) == 1


def test_a_member_outside_their_window_is_not_looked_at_again_until_it_opens(nudging, engine):
    from sqlmodel import Session

    from core.due_members import due_owners

    nudging.member(tz="America/New_York")  # Monday 04:00 there
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))

    nudging.tick()

    with Session(engine) as session:
        assert due_owners(session, now=MONDAY + timedelta(hours=4, minutes=59)) == []
        assert due_owners(session, now=MONDAY + timedelta(hours=5)) == [("T0TEST", ALICE)]


def test_a_member_who_asked_for_it_gets_a_monday_preview_of_the_week_ahead(nudging):
    nudging.member(monday_preview=True)
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 27))  # due Thursday
    nudging.advisor("Linus Torvalds", last_spoke_on=date(2026, 11, 20))  # not this week
    nudging.promise(grace, "Send the deck", date(2026, 11, 27))

    nudging.tick()
    nudging.at(MONDAY + timedelta(days=7))

    first, second = nudging.dms()
    assert first["text"] == "Your week ahead"
    assert "Stay in touch with *Grace Hopper* by Thu, Nov 26" in text_of(first)
    assert "“Send the deck” for *Grace Hopper*, due Fri, Nov 27" in text_of(first)
    assert "Linus" not in text_of(first)
    assert "Your week ahead" in text_of(second)


def test_a_member_with_nothing_due_before_tomorrow_is_not_looked_at_again_today(nudging, engine):
    from sqlmodel import Session

    from core.due_members import due_owners

    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 25))  # due tomorrow

    nudging.tick()

    with Session(engine) as session:
        assert due_owners(session, now=MONDAY + timedelta(hours=12)) == []
        assert due_owners(session, now=MONDAY + timedelta(hours=22)) == []  # 23:00 in Paris
    nudging.at(MONDAY + timedelta(days=1))
    assert len(nudging.dms()) == 1


def test_one_tick_works_through_due_members_batch_after_batch(nudging, fake_slack, monkeypatch):
    from core import due_members, outbox

    monkeypatch.setattr(due_members, "BATCH", 2)
    monkeypatch.setattr(outbox, "BATCH", 2)
    for n in range(5):
        user = f"U0MEMBER{n}"
        nudging.member(user=user)
        fake_slack.add_user(user, tz="Europe/Paris")
        nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24), owner=user)

    nudging.tick()

    assert [len(nudging.dms(f"U0MEMBER{n}")) for n in range(5)] == [1] * 5


def test_the_monday_preview_lists_only_what_is_ahead_and_shows_the_overdue_apart(nudging):
    nudging.member(monday_preview=True)
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 27))  # due Thursday
    linus = nudging.advisor("Linus Torvalds", last_spoke_on=date(2026, 9, 1))  # long overdue
    nudging.promise(grace, "Send the deck", date(2026, 11, 27))
    nudging.promise(linus, "Share the notes", date(2026, 11, 25))
    nudging.clock.advance(days=7)  # Monday, Nov 30: the notes were due last Wednesday

    nudging.tick()

    ahead, overdue = (block["text"]["text"] for block in nudging.dms()[0]["blocks"][:2])
    assert "Your week ahead" in ahead and "Linus" not in ahead and "Send the deck" not in ahead
    assert "Already overdue" in overdue
    assert "Stay in touch with *Linus Torvalds* was due" in overdue
    assert "“Share the notes” for *Linus Torvalds*, was due Wed, Nov 25" in overdue
    assert "“Send the deck” for *Grace Hopper*, was due Fri, Nov 27" in overdue


def test_a_first_nudge_for_a_long_quiet_advisor_never_says_still_quiet(nudging):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 8, 1), cadence=30)  # 114 days

    nudging.tick()

    [message] = nudging.dms()
    assert "Still quiet" not in text_of(message) and "alarm_clock" not in text_of(message)
    assert "Last touchpoint 114 days ago; you planned every month." in text_of(message)


def test_a_late_promise_gets_one_nudge_in_the_next_window_one_more_a_week_later_then_none(
    nudging,
):
    nudging.member()
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 11, 20))
    nudging.promise(grace, "Send the deck", date(2026, 11, 25))  # Wednesday

    for _ in range(3 * 30):  # a month, every 8 hours
        nudging.clock.advance(hours=8)
        nudging.tick()

    kinds = [n.kind for n in nudging.nudges() if n.kind != NudgeKind.TOUCH]
    assert kinds == [NudgeKind.PROMISE_DUE, NudgeKind.PROMISE_LATE, NudgeKind.PROMISE_LATE_AGAIN]
    late, again = (text_of(m) for m in nudging.dms()[1:3])
    assert ":hourglass: Late: “Send the deck” for *Grace Hopper*" in late
    assert "It was due Wed, Nov 25: done, renegotiate, or tell them where it stands" in late
    assert "Still open, a week late" in again
    thursday = datetime(2026, 11, 26, 9, tzinfo=UTC)  # 10:00 in Paris: the next window
    assert nudging.deliveries()[1].sent_at <= thursday + timedelta(hours=8)


def test_a_late_promise_kept_after_its_date_gets_no_more_late_nudges(nudging, engine):
    nudging.member()
    grace = nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 11, 20))
    made = nudging.promise(grace, "Send the deck", date(2026, 11, 25))
    nudging.at(datetime(2026, 11, 26, 9, tzinfo=UTC))  # the late nudge
    with Session(engine) as session:
        promises.mark_done(
            session, team_id=TEAM_ID, owner_id=ALICE, promise_id=made.id, clock=nudging.clock
        )
        session.commit()

    for _ in range(30):
        nudging.clock.advance(hours=8)
        nudging.tick()

    assert NudgeKind.PROMISE_LATE_AGAIN not in [n.kind for n in nudging.nudges()]
