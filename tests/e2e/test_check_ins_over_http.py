"""A circle's check-in end to end, over HTTP against the fake Slack with a fake clock: posted once
at its local time (also across a DST change, also with two processes ticking), challenges
shared (also anonymously), edited and withdrawn, members away, the one reminder halfway only to
the silent inside their window, the summary in the thread with reply counts, follow-ups and
carry-over, learning partners over six check-ins, and every fault: the bot removed, the channel
archived or gone, downtime past a check-in's window."""

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.ids import (
    CIRCLE_JOIN,
    CIRCLE_REMINDERS_OFF,
    FOLLOW_UP_OUTCOME,
    PARTNERS_MET,
)
from core import check_ins
from core.models import (
    Advisor,
    ChallengeReply,
    CheckInState,
    Circle,
    CircleMember,
    CircleState,
    OutboxState,
    Pairing,
    Touchpoint,
)
from core.schedules import Rule
from tests.e2e.circling import (
    CHANNEL,
    Circling,
    buttons,
    make_circle,
    menu_value,
)
from tests.e2e.helpers import BOB, GRACE, latest_view, submit
from tests.e2e.nudging import text_of
from tests.e2e.test_circle_setup import command_in
from tests.payloads import ALICE, FORM, view_submission

DAN, EVE = "U0DAN", "U0EVE"
OPENS = datetime(2026, 11, 24, 9, tzinfo=UTC)  # Tuesday 10:00 in Paris
HALFWAY = OPENS + timedelta(days=1)
CLOSES = OPENS + timedelta(days=2)


@pytest.fixture
def people(fake_slack):
    for user, tz in ((ALICE, "Europe/Paris"), (BOB, "Europe/Paris"), (GRACE, "Europe/Paris")):
        fake_slack.add_user(user, tz=tz)
    for user in (DAN, EVE):
        fake_slack.add_user(user, tz="Europe/Paris")
    fake_slack.add_channel(CHANNEL, members=[ALICE, BOB, GRACE, DAN, EVE], bot_in=True)
    return fake_slack


@pytest.fixture
def circling(bot, people, engine):
    return Circling(bot, people, engine)


def test_a_check_in_is_posted_once_at_its_local_time_whoever_ticks(circling, nudging, clock):
    make_circle(nudging.engine, clock, [ALICE, BOB, GRACE])

    nudging.at(OPENS - timedelta(minutes=1))
    assert circling.top() == []
    clock.advance(minutes=1)
    nudging.ticker("a")()
    nudging.ticker("b")()

    [check_in] = circling.top()
    said = text_of(check_in)
    assert "Product leads" in said
    assert "What challenge are you facing right now?" in said
    assert set(buttons(check_in)) >= {"circle_share", "circle_away"}
    assert len(circling.outbox(check_ins.POST)) == 1


def test_a_monthly_check_in_keeps_its_local_time_across_a_dst_change(circling, nudging, clock):
    rule = Rule.weekly(
        {0}, minute=10 * 60, tz="America/New_York", starts_on=date(2027, 3, 1), every=1
    )
    make_circle(nudging.engine, clock, [ALICE, BOB], rule=rule, open_hours=24)

    before = datetime(2027, 3, 8, 15, tzinfo=UTC)  # Monday 10:00 EST
    after = datetime(2027, 3, 15, 14, tzinfo=UTC)  # Monday 10:00 EDT (clocks moved Mar 14)
    nudging.at(before - timedelta(seconds=1))
    assert circling.top() == []
    nudging.at(before)
    assert len(circling.top()) == 1
    nudging.at(after - timedelta(seconds=1))
    assert len(circling.check_ins()) == 1
    nudging.at(after)
    assert len(circling.check_ins()) == 2


def open_check_in(circling, nudging, clock, members=(ALICE, BOB, GRACE), **settings):
    circle = make_circle(nudging.engine, clock, list(members), **settings)
    nudging.at(OPENS)
    [check_in] = circling.check_ins()
    return circle, check_in


def test_a_shared_challenge_is_its_own_message_and_the_check_in_names_no_one(
    circling, nudging, clock
):
    _, check_in = open_check_in(circling, nudging, clock)

    circling.share(
        check_in,
        BOB,
        "Hiring my first *senior* <!here> engineer",
        tried="Referrals",
        help="Where to look",
    )

    [challenge] = circling.challenges()
    said = text_of(challenge)
    assert f"<@{BOB}>" in said
    assert "Hiring my first \\*senior\\*" in said or "Hiring my first *senior*" in said
    assert "<!here>" not in said
    assert "Referrals" in said and "Where to look" in said
    [row] = circling.challenge_rows()
    assert (row.channel_id, row.ts) == (CHANNEL, challenge["ts"])
    assert "1 challenge shared so far" in text_of(circling.top()[0])
    assert f"<@{GRACE}>" not in str(circling.top()) and f"<@{ALICE}>" not in str(circling.top())


def test_an_anonymous_challenge_never_shows_its_author_anywhere_in_the_channel(
    circling, nudging, clock
):
    _, check_in = open_check_in(circling, nudging, clock, anonymous=True)

    circling.share(check_in, BOB, "Burnt out", anonymous=["anonymous"])

    [challenge] = circling.challenges()
    assert BOB not in str(challenge)
    assert circling.challenge_rows()[0].anonymous is True


def test_anonymity_is_refused_where_the_circle_does_not_allow_it(circling, nudging, clock):
    _, check_in = open_check_in(circling, nudging, clock, anonymous=False)
    modal_before = len(circling.slack.calls_to("views.open"))

    circling.share(check_in, BOB, "Burnt out")

    modal = circling.slack.calls_to("views.open")[modal_before].args["view"]
    assert "anonymous" not in [b.get("block_id") for b in modal["blocks"]]
    assert circling.challenge_rows()[0].anonymous is False


def test_an_empty_challenge_is_refused_at_the_field_and_nothing_is_posted(circling, nudging, clock):
    _, check_in = open_check_in(circling, nudging, clock)

    answer = circling.share(check_in, BOB, "   ")

    assert answer.json()["response_action"] == "errors"
    assert "challenge" in answer.json()["errors"]
    assert circling.challenges() == [] and circling.challenge_rows() == []


def test_its_author_edits_and_withdraws_a_challenge_in_place_and_no_one_else_can(
    circling, nudging, clock
):
    _, check_in = open_check_in(circling, nudging, clock)
    circling.share(check_in, BOB, "Hiring is slow")
    [challenge] = circling.challenges()

    said = circling.choose(challenge, menu_value(challenge, "withdraw"), user=GRACE)
    assert "Only the person who shared" in said[0]["text"]
    circling.choose(challenge, menu_value(challenge, "edit"), user=BOB)
    modal = latest_view(circling.slack, "views.open")
    from tests.e2e.helpers import submit

    submit(circling.bot, modal, {"challenge": "Hiring is slow and costly"}, user=BOB)
    circling.bot.settle()
    [challenge] = circling.challenges()
    assert "Hiring is slow and costly" in text_of(challenge)

    circling.choose(challenge, menu_value(challenge, "withdraw"), user=BOB)

    [withdrawn] = circling.top()[1:]
    assert "withdrawn" in text_of(withdrawn)
    assert "Hiring" not in text_of(withdrawn)
    updates = [c.args["ts"] for c in circling.slack.calls_to("chat.update")]
    assert updates.count(withdrawn["ts"]) == 2  # the edit, then the withdrawal
    assert updates.count(check_in["ts"]) == 2  # its count: one shared, then none
    assert "No challenges shared yet" in text_of(circling.top()[0])
    assert len(circling.top()) == 2  # edited in place: no new message


def test_a_non_member_pressing_share_is_told_and_offered_to_join(circling, nudging, clock):
    _, check_in = open_check_in(circling, nudging, clock)
    opened = len(circling.slack.calls_to("views.open"))

    [said] = circling.share(check_in, DAN, "Hello")

    assert len(circling.slack.calls_to("views.open")) == opened
    assert said["response_type"] == "ephemeral"
    assert CIRCLE_JOIN in str(said["blocks"])


def test_the_reminder_reaches_only_the_silent_once_inside_their_window(
    circling, nudging, clock, fake_slack
):
    members = [ALICE, BOB, GRACE, DAN, EVE]
    circle = make_circle(
        nudging.engine,
        clock,
        members,
        tzs={DAN: "Pacific/Auckland", EVE: "America/Los_Angeles"},
    )
    nudging.at(OPENS)
    [check_in] = circling.check_ins()
    circling.share(check_in, ALICE, "Delegating")
    circling.away(check_in, BOB)
    with Session(nudging.engine) as session:  # Grace turned circle reminders off
        row = session.exec(select(CircleMember).where(CircleMember.user_id == GRACE)).one()
        row.reminders = False
        session.add(row)
        session.commit()

    nudging.at(HALFWAY - timedelta(minutes=1))
    assert circling.outbox(check_ins.REMINDER)[0].state == OutboxState.PENDING
    nudging.every_hour_until(CLOSES + timedelta(hours=1))

    sent = {r.target_user for r in circling.outbox(check_ins.REMINDER) if r.state == "sent"}
    # Halfway is Wednesday 09:00 UTC. Dan is in Auckland (22:00 there): his window opens at 9:00
    # (20:00 UTC). Eve is in Los Angeles (01:00): hers opens at 09:00 (17:00 UTC). The hourly
    # ticks of this test come at minute 59.
    assert sent == {DAN, EVE}
    [for_dan] = fake_slack.posted("D" + DAN[1:])
    assert "Product leads" in text_of(for_dan)
    assert set(buttons(for_dan)) >= {"circle_share", "circle_away", CIRCLE_REMINDERS_OFF}
    by_user = {r.target_user: r for r in circling.outbox(check_ins.REMINDER)}
    assert by_user[DAN].sent_at == datetime(2026, 11, 25, 20, 59, tzinfo=UTC)
    assert by_user[EVE].sent_at == datetime(2026, 11, 25, 17, 59, tzinfo=UTC)
    assert {by_user[u].state for u in (ALICE, BOB, GRACE)} == {OutboxState.SKIPPED}
    assert circle.id


def test_turning_reminders_off_from_the_reminder_stops_them_for_that_circle(
    circling, nudging, clock, fake_slack
):
    make_circle(nudging.engine, clock, [ALICE, BOB])
    nudging.at(OPENS)
    nudging.at(HALFWAY)
    [reminder] = fake_slack.posted("D" + BOB[1:])

    said = circling.click(
        reminder,
        CIRCLE_REMINDERS_OFF,
        buttons(reminder)[CIRCLE_REMINDERS_OFF],
        user=BOB,
        channel="D" + BOB[1:],
    )

    assert said[0]["replace_original"] is True
    with Session(nudging.engine) as session:
        assert (
            session.exec(select(CircleMember).where(CircleMember.user_id == BOB)).one().reminders
            is False
        )
    nudging.at(OPENS + timedelta(days=7, hours=1))
    nudging.at(HALFWAY + timedelta(days=7))
    assert len(fake_slack.posted("D" + BOB[1:])) == 1


def test_the_summary_goes_in_the_thread_with_reply_counts_and_the_check_in_closes_in_place(
    circling, nudging, clock
):
    _, check_in = open_check_in(circling, nudging, clock, members=(ALICE, BOB, GRACE, DAN))
    circling.share(check_in, ALICE, "Delegating more")
    circling.share(check_in, BOB, "Saying no", anonymous=["anonymous"])
    first, _anonymous = circling.challenges()
    circling.reply(first["ts"], BOB)
    circling.reply(first["ts"], GRACE)
    deleted = circling.reply(first["ts"], GRACE, "oops")
    circling.bot.slack.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": CHANNEL,
            "channel_type": "channel",
            "deleted_ts": deleted,
            "ts": circling.slack._next_ts(),
            "previous_message": {"ts": deleted, "thread_ts": first["ts"], "user": GRACE},
        }
    )
    circling.bot.settle()
    circling.reply(first["ts"], ALICE, "thanks all")  # the author's own reply is not counted

    nudging.at(CLOSES)

    [summary] = circling.thread(check_in["ts"])
    said = text_of(summary)
    assert "2 replies" in said
    assert "no replies" in said.lower()
    assert f"<@{BOB}>" in said and f"<@{GRACE}>" in said  # thanked for replying
    assert f"<@{DAN}>" not in said  # never named: he did not share
    [closed] = circling.top()[:1]
    assert "closed" in text_of(closed).lower()
    assert "circle_share" not in buttons(closed)
    assert circling.check_in_rows()[0].state == CheckInState.CLOSED
    assert len([m for m in circling.top()]) == 3  # the check-in and two challenges: no new post


def test_a_reply_from_someone_on_the_authors_board_is_a_touchpoint_they_gave_once(
    circling, nudging, clock
):
    nudging.member(ALICE)
    advisor = nudging.advisor("Bob Ross", last_spoke_on=date(2026, 11, 1), slack_user_id=BOB)
    _, check_in = open_check_in(circling, nudging, clock)
    circling.share(check_in, ALICE, "Delegating more")
    [challenge] = circling.challenges()

    circling.reply(challenge["ts"], BOB)
    circling.reply(challenge["ts"], BOB, "and another idea")
    circling.reply(challenge["ts"], GRACE)

    with Session(nudging.engine) as session:
        touchpoints = session.exec(select(Touchpoint)).all()
        assert [(t.advisor_id, t.given_by) for t in touchpoints] == [(advisor.id, "them")]
        assert session.get(Advisor, advisor.id).last_touch_at is not None


def test_the_follow_up_comes_before_the_next_check_in_once_and_more_help_carries_over(
    circling, nudging, clock, fake_slack
):
    _, check_in = open_check_in(circling, nudging, clock)
    circling.share(check_in, BOB, "Saying no to my manager")
    nudging.at(CLOSES)

    next_check_in = OPENS + timedelta(days=7)
    nudging.every_hour_until(next_check_in - timedelta(hours=1))
    [follow_up] = fake_slack.posted("D" + BOB[1:])[-1:]
    assert "How did it go" in text_of(follow_up)
    assert "Saying no to my manager" in text_of(follow_up)
    more = next(v for v in button_values_of(follow_up) if v.startswith("more_help:"))
    solved = more.replace("more_help", "solved")
    for value, action in ((more, "more_help"), (solved, "solved")):
        action_id = f"{FOLLOW_UP_OUTCOME}_{action}"
        circling.click(follow_up, action_id, value, user=BOB, channel="D0BOB")
    assert circling.challenge_rows()[0].outcome == "more_help"  # the first answer stands

    nudging.at(next_check_in)
    second = circling.check_ins()[-1]
    assert "Saying no to my manager" in text_of(second)
    follow_ups = circling.outbox(check_ins.FOLLOW_UP)
    assert len(follow_ups) == 1 and follow_ups[0].state == OutboxState.SENT


def test_learning_partners_over_six_check_ins_with_an_odd_count_never_repeat_or_leave_anyone_out(
    circling, nudging, clock, fake_slack
):
    members = [ALICE, BOB, GRACE, DAN, EVE]
    make_circle(nudging.engine, clock, members, partners=True)

    for week in range(6):
        opens = OPENS + timedelta(days=7 * week)
        nudging.at(opens)
        nudging.at(opens + timedelta(days=2))

    with Session(nudging.engine) as session:
        rows = session.exec(select(Pairing).order_by(Pairing.id)).all()
    by_check_in: dict[int, list[list[str]]] = {}
    for row in rows:
        by_check_in.setdefault(row.check_in_id, []).append(row.members.split(","))
    assert len(by_check_in) == 6
    rounds = []
    for groups in by_check_in.values():
        assert sorted(u for g in groups for u in g) == sorted(members)  # nobody left out
        assert sorted(len(g) for g in groups) == [2, 3]  # one trio
        rounds.append({frozenset((a, b)) for g in groups for a in g for b in g if a < b})
    # Five people make 10 pairs; a pair and a trio cover 4 a check-in, so one repeat is forced
    # at some check-ins (core/pairing.py): every pair has met within each three check-ins.
    assert len(set().union(*rounds[:3])) == 10
    assert len(set().union(*rounds[3:])) == 10
    intros = circling.outbox(check_ins.PARTNERS)
    assert len(intros) == len(rows) and all(r.state == OutboxState.SENT for r in intros)
    asked = circling.outbox(check_ins.MET)
    assert len(asked) == 5 * 2  # weeks 2-6 each ask last week's pair and trio
    [question] = [m for m in fake_slack.posted(asked[0].channel_id) if PARTNERS_MET in str(m)][:1]
    value = next(v for v in button_values_of(question) if v.startswith("yes:"))
    pair_member = question_members(asked[0])[0]
    channel = asked[0].channel_id
    circling.click(question, f"{PARTNERS_MET}_yes", value, user=pair_member, channel=channel)
    with Session(nudging.engine) as session:
        assert session.get(Pairing, int(value.split(":")[1])).met is True


def button_values_of(message: dict) -> list[str]:
    return [
        e.get("value", "")
        for b in message.get("blocks", [])
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("type") == "button"
    ]


def question_members(row) -> list[str]:
    return row.payload["group"]


# --- faults


@pytest.mark.parametrize("error", ["not_in_channel", "is_archived", "channel_not_found"])
def test_a_channel_that_refuses_the_check_in_pauses_the_circle_and_tells_its_owner_once(
    circling, nudging, clock, fake_slack, error
):
    make_circle(nudging.engine, clock, [ALICE, BOB])
    fake_slack.fail("chat.postMessage", error, times=1)

    nudging.at(OPENS)
    nudging.at(OPENS + timedelta(days=7))

    [row] = circling.outbox(check_ins.POST)
    assert (row.state, row.last_error) == (OutboxState.REFUSED, error)
    with Session(nudging.engine) as session:
        circle = session.exec(select(Circle)).one()
        assert circle.state == CircleState.PAUSED
    [told] = fake_slack.posted("D" + ALICE[1:])
    assert "paused" in text_of(told).lower()
    assert "/advisor circle" in text_of(told)


@pytest.mark.parametrize(
    "event_type",
    ["channel_left", "group_left", "channel_archive", "group_archive", "channel_deleted"],
)
def test_the_bot_removed_or_the_channel_archived_pauses_the_circle_with_one_dm(
    circling, nudging, clock, fake_slack, event_type
):
    make_circle(nudging.engine, clock, [ALICE, BOB])

    for _ in range(2):  # Slack may send it twice
        circling.bot.slack.event({"type": event_type, "channel": CHANNEL, "actor_id": BOB})
        circling.bot.settle()
    nudging.at(OPENS)

    assert circling.top() == []
    assert len(fake_slack.posted("D" + ALICE[1:])) == 1


def test_a_member_leaving_the_channel_leaves_the_circle(circling, nudging, clock):
    circle = make_circle(nudging.engine, clock, [ALICE, BOB, GRACE])

    circling.bot.slack.event(
        {"type": "member_left_channel", "channel": CHANNEL, "user": GRACE, "channel_type": "C"}
    )
    circling.bot.settle()

    with Session(nudging.engine) as session:
        assert check_ins.circles.member_ids(session, circle_id=circle.id) == [ALICE, BOB]


def test_after_downtime_inside_the_window_the_check_in_is_posted_once(circling, nudging, clock):
    make_circle(nudging.engine, clock, [ALICE, BOB])

    nudging.at(OPENS + timedelta(hours=20))
    nudging.ticker("other")()

    assert len(circling.check_ins()) == 1


def test_after_downtime_past_the_window_the_check_in_is_skipped_and_the_owner_told(
    circling, nudging, clock, fake_slack
):
    make_circle(nudging.engine, clock, [ALICE, BOB])

    nudging.at(CLOSES + timedelta(hours=1))
    nudging.ticker("other")()

    assert circling.top() == []
    [told] = fake_slack.posted("D" + ALICE[1:])
    assert "skipped" in text_of(told).lower()
    assert circling.check_in_rows()[0].state == CheckInState.MISSED


def test_two_processes_ticking_through_a_whole_check_in_post_each_message_once(
    circling, nudging, clock, fake_slack
):
    make_circle(nudging.engine, clock, [ALICE, BOB, GRACE, DAN], partners=True)
    tickers = [nudging.ticker("a"), nudging.ticker("b")]

    def both_at(when):
        clock.advance(seconds=(when - clock.now()).total_seconds())
        for ticker in tickers:
            ticker()

    both_at(OPENS)
    [check_in] = circling.check_ins()
    circling.share(check_in, ALICE, "Delegating more")
    both_at(HALFWAY)
    both_at(CLOSES)
    both_at(OPENS + timedelta(days=6))  # the follow-up, a day before the next check-in
    both_at(OPENS + timedelta(days=7))  # the next check-in asks last time's partners

    posts = fake_slack.calls_to("chat.postMessage")
    rows = [_metadata(c.args)["event_payload"]["outbox"] for c in posts]
    assert len(rows) == len(set(rows))  # no decision posted twice
    assert len(circling.check_ins()) == 2
    assert len(circling.thread(check_in["ts"])) == 1  # one summary
    updates = [c.args for c in fake_slack.calls_to("chat.update")]
    assert len(updates) == 2  # the check-in's count after Alice shared, then closed: once each
    assert "1 challenge shared" in updates[0]["text"] + str(updates[0]["blocks"])
    for purpose in (check_ins.REMINDER, check_ins.FOLLOW_UP, check_ins.PARTNERS, check_ins.MET):
        rows = [r for r in circling.outbox(purpose) if r.not_before <= clock.now()]
        assert rows and all(r.state in (OutboxState.SENT, OutboxState.SKIPPED) for r in rows)
    reminded = [r for r in circling.outbox(check_ins.REMINDER) if r.state == OutboxState.SENT]
    assert {r.target_user for r in reminded} == {BOB, GRACE, DAN}


# --- what the review found


def test_a_summary_the_channel_refuses_still_closes_the_check_in_and_its_dms_still_come(
    circling, nudging, clock, fake_slack
):
    _, check_in = open_check_in(circling, nudging, clock, partners=True)
    circling.share(check_in, BOB, "Saying no")
    fake_slack.remove_bot(CHANNEL)  # removed while the check-in was open

    nudging.at(CLOSES)
    nudging.tick()

    [summary] = circling.outbox(check_ins.SUMMARY)
    assert (summary.state, summary.last_error) == (OutboxState.REFUSED, "not_in_channel")
    assert circling.check_in_rows()[0].state == CheckInState.CLOSED
    assert circling.outbox(check_ins.PARTNERS)  # partners and follow-ups go by DM
    assert circling.outbox(check_ins.FOLLOW_UP)
    told = [m for m in fake_slack.posted("D" + ALICE[1:]) if "paused" in text_of(m).lower()]
    assert len(told) == 1


def test_a_share_form_sent_twice_by_a_proxy_shares_once_and_says_so(circling, nudging, clock):
    _, check_in = open_check_in(circling, nudging, clock)
    circling.click(check_in, "circle_share", buttons(check_in)["circle_share"], user=BOB)
    modal = latest_view(circling.slack, "views.open")
    body = view_submission(modal, {"challenge": "Hiring"}, user=BOB)
    first = circling.bot.slack.post(body, content_type=FORM)
    circling.bot.settle()
    again = circling.bot.slack.post(body, content_type=FORM)
    circling.bot.settle()

    assert first.body == ""
    assert "Already done" in again.body
    assert len(circling.challenge_rows()) == 1 and len(circling.challenges()) == 1


def test_sharing_into_a_paused_circles_open_check_in_is_refused_at_the_field(
    circling, nudging, clock
):
    circle, check_in = open_check_in(circling, nudging, clock)
    with Session(nudging.engine) as session:
        check_ins.circles.pause(
            session, circle=session.get(Circle, circle.id), by=ALICE, now=clock.now()
        )
        session.commit()

    [said] = circling.share(check_in, BOB, "Hiring")  # told at the button: no form opens

    assert "paused or archived" in said["text"]
    assert circling.challenge_rows() == []


def test_a_check_in_held_back_past_its_window_is_skipped_and_the_owner_told(
    circling, nudging, clock, fake_slack
):
    make_circle(nudging.engine, clock, [ALICE, BOB], open_hours=1)
    fake_slack.rate_limit("chat.postMessage", retry_after=3600)

    nudging.at(OPENS)
    nudging.at(OPENS + timedelta(hours=1, minutes=1))
    nudging.tick()

    assert circling.top() == []
    assert circling.check_in_rows()[0].state == CheckInState.MISSED
    [told] = fake_slack.posted("D" + ALICE[1:])
    assert "skipped" in text_of(told).lower()


def test_a_check_in_posted_late_reminds_halfway_through_what_is_left_of_it(
    circling, nudging, clock
):
    make_circle(nudging.engine, clock, [ALICE, BOB])

    nudging.at(OPENS + timedelta(hours=24))  # back after a day's downtime: a day left

    [reminder] = circling.outbox(check_ins.REMINDER)[1:]
    assert reminder.not_before == OPENS + timedelta(hours=36)


def test_circle_reminders_turned_off_can_be_turned_back_on_from_the_same_message(
    circling, nudging, clock, fake_slack
):
    make_circle(nudging.engine, clock, [ALICE, BOB])
    nudging.at(OPENS)
    nudging.at(HALFWAY)
    [reminder] = fake_slack.posted("D0BOB")
    [off] = circling.click(
        reminder, CIRCLE_REMINDERS_OFF, buttons(reminder)[CIRCLE_REMINDERS_OFF], user=BOB
    )

    replaced = {**off, "ts": reminder["ts"]}  # the reminder, as the answer replaced it
    [on] = circling.click(
        replaced, "circle_reminders_on", buttons(off)["circle_reminders_on"], user=BOB
    )

    assert "on again" in on["text"]
    with Session(nudging.engine) as session:
        bob = session.exec(select(CircleMember).where(CircleMember.user_id == BOB)).one()
        assert bob.reminders is True


def test_a_deactivated_member_leaves_the_circle_and_a_new_time_zone_moves_their_window(
    circling, nudging, clock
):
    circle = make_circle(nudging.engine, clock, [ALICE, BOB, GRACE])

    circling.bot.slack.event({"type": "user_change", "user": {"id": GRACE, "deleted": True}})
    circling.bot.slack.event({"type": "user_change", "user": {"id": BOB, "tz": "Asia/Tokyo"}})
    circling.bot.settle()

    with Session(nudging.engine) as session:
        rows = check_ins.circles.members(session, circle_id=circle.id)
        assert {r.user_id: r.tz for r in rows} == {ALICE: "Europe/Paris", BOB: "Asia/Tokyo"}


def test_the_reminder_keeps_to_a_members_own_nudge_window(circling, nudging, clock, fake_slack):
    nudging.member(BOB, tz="Europe/Paris", nudge_start=15 * 60, nudge_end=16 * 60)
    make_circle(nudging.engine, clock, [ALICE, BOB])

    nudging.at(OPENS)
    nudging.every_hour_until(HALFWAY + timedelta(hours=6))

    [row] = [r for r in circling.outbox(check_ins.REMINDER) if r.target_user == BOB]
    assert row.sent_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 15:00 in Paris


def test_adding_a_peer_who_helped_opens_the_enlist_form_as_a_peer_inside_who_counsels(
    circling, nudging, clock
):
    _, check_in = open_check_in(circling, nudging, clock)
    circling.share(check_in, ALICE, "Delegating")
    [challenge] = circling.challenges()
    circling.reply(challenge["ts"], GRACE)

    circling.choose(challenge, menu_value(challenge, "enlist"), user=ALICE)

    modal = latest_view(circling.slack, "views.open")
    fields = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert fields["member"]["initial_user"] == GRACE
    assert fields["relationship"]["initial_option"]["value"] == "peer"
    assert fields["inside"]["initial_option"]["value"] == "inside"
    assert [o["value"] for o in fields["support"]["initial_options"]] == ["counsel"]


def test_a_monthly_circles_follow_up_comes_fourteen_days_after_its_check_in(
    circling, nudging, clock, fake_slack
):
    rule = Rule.monthly(
        minute=10 * 60, tz="Europe/Paris", starts_on=date(2026, 11, 1), nth=4, weekday=1
    )
    make_circle(nudging.engine, clock, [ALICE, BOB], rule=rule)
    nudging.at(OPENS)  # the 4th Tuesday of November
    circling.share(circling.check_ins()[0], BOB, "Saying no")
    nudging.at(CLOSES)

    nudging.at(OPENS + timedelta(days=14) - timedelta(minutes=1))
    assert circling.outbox(check_ins.FOLLOW_UP)[0].state == OutboxState.PENDING
    nudging.at(OPENS + timedelta(days=14))
    assert circling.outbox(check_ins.FOLLOW_UP)[0].state == OutboxState.SENT


@pytest.mark.parametrize(
    "error", ["restricted_action", "posting_to_channel_denied", "ekm_access_denied"]
)
def test_a_channel_that_forbids_the_bots_posts_pauses_the_circle_too(
    circling, nudging, clock, fake_slack, error
):
    make_circle(nudging.engine, clock, [ALICE, BOB])
    fake_slack.fail("chat.postMessage", error)

    nudging.at(OPENS)

    with Session(nudging.engine) as session:
        assert session.exec(select(Circle)).one().state == CircleState.PAUSED
    assert len(fake_slack.posted("D" + ALICE[1:])) == 1


def test_more_circles_than_one_batch_meeting_at_the_same_minute_are_all_posted_in_one_tick(
    circling, nudging, clock, fake_slack
):
    many = check_ins.circles.schedules.BATCH + 50
    for n in range(many):
        make_circle(nudging.engine, clock, [ALICE, BOB], channel=f"C0MANY{n:04d}")

    nudging.at(OPENS)

    posted = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")]
    assert len(posted) == len(set(posted)) == many


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "message_changed"},
        {"subtype": "bot_message", "bot_id": "B0OTHER"},
        {"subtype": "channel_join"},
        {"channel_type": None},  # an older payload without it: counted by the channel's id
        {"subtype": "thread_broadcast"},  # also sent to the channel: still a reply
    ],
)
def test_only_peoples_replies_count_whatever_else_the_thread_carries(
    circling, nudging, clock, caplog, extra
):
    _, check_in = open_check_in(circling, nudging, clock)
    circling.share(check_in, BOB, "Hiring")
    [challenge] = circling.challenges()
    event = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": GRACE,
        "text": "an idea",
        "ts": circling.slack._next_ts(),
        "thread_ts": challenge["ts"],
    }
    event = {k: v for k, v in (event | extra).items() if v is not None}

    assert circling.bot.slack.event(event).status == 200
    circling.bot.settle()

    counted = len(circling.rows(ChallengeReply))
    people = extra.get("subtype") in (None, "thread_broadcast")
    assert counted == (1 if people else 0)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _metadata(args: dict) -> dict:
    found = args["metadata"]
    return json.loads(found) if isinstance(found, str) else found


# --- what trying it as a new team found


def test_saying_away_after_sharing_is_refused_and_keeps_the_learning_partner(
    circling, nudging, clock
):
    _, check_in = open_check_in(circling, nudging, clock, partners=True)
    circling.share(check_in, BOB, "Hiring")

    [said] = circling.away(check_in, BOB)

    assert "You've shared a challenge this time, so you're in" in said["text"]
    nudging.at(CLOSES)
    with Session(nudging.engine) as session:
        paired = [p.members for p in session.exec(select(Pairing))]
    assert any(BOB in members for members in paired)


def test_a_challenge_back_for_more_help_is_in_the_next_summary_with_its_new_replies(
    circling, nudging, clock, fake_slack
):
    _, check_in = open_check_in(circling, nudging, clock)
    circling.share(check_in, BOB, "Saying no to my manager")
    [challenge] = circling.challenges()
    circling.reply(challenge["ts"], GRACE)  # during the first check-in
    nudging.at(CLOSES)
    with Session(nudging.engine) as session:
        row = session.exec(select(check_ins.Challenge)).one()
        check_ins.set_outcome(
            session,
            team_id=row.team_id,
            challenge_id=row.id,
            author_id=BOB,
            outcome="more_help",
            now=clock.now(),
        )
        session.commit()

    nudging.at(OPENS + timedelta(days=7))
    circling.reply(challenge["ts"], ALICE)  # during the second
    nudging.at(CLOSES + timedelta(days=7))

    second = circling.check_ins()[-1]
    [summary] = circling.thread(second["ts"])
    said = text_of(summary)
    assert "(back for more help): “Saying no to my manager”" in said
    assert "1 reply" in said  # Alice's, not Grace's from last time
    assert f"Thanks to <@{ALICE}> for replying." in said


def test_sharing_from_the_reminder_replaces_it_with_where_the_challenge_is(
    circling, nudging, clock, fake_slack
):
    make_circle(nudging.engine, clock, [ALICE, BOB])
    nudging.at(OPENS)
    nudging.at(HALFWAY)
    [reminder] = fake_slack.posted("D0BOB")

    circling.click(
        reminder, "circle_share", buttons(reminder)["circle_share"], user=BOB, channel="D0BOB"
    )
    modal = latest_view(fake_slack, "views.open")
    submit(circling.bot, modal, {"challenge": "Hiring"}, user=BOB)
    circling.bot.settle()

    [replaced] = fake_slack.posted("D0BOB")
    assert "Shared in <#C0CIRCLE>" in replaced["text"]
    assert fake_slack.calls_to("chat.postEphemeral") == []


def test_sharing_from_the_check_in_says_so_to_the_sharer_alone(circling, nudging, clock):
    _, check_in = open_check_in(circling, nudging, clock)

    circling.share(check_in, BOB, "Hiring")

    [note] = circling.slack.calls_to("chat.postEphemeral")
    assert (note.args["channel"], note.args["user"]) == (CHANNEL, BOB)
    assert "Shared in <#C0CIRCLE>" in note.args["text"]


def test_circle_commands_do_not_send_the_boards_welcome(circling, nudging, clock, fake_slack):
    make_circle(nudging.engine, clock, [ALICE, BOB])

    circling.bot.slack.command("circles", response_url=fake_slack.response_url(), user=BOB)
    circling.bot.settle()

    assert fake_slack.posted("D0BOB") == []


def test_the_circles_card_says_when_a_check_in_is_open_now(circling, nudging, clock, fake_slack):
    open_check_in(circling, nudging, clock)

    card = command_in(circling.bot, fake_slack, "circle", channel=CHANNEL, user=BOB).json()

    assert "*Open now* until <!date^" in json.dumps(card)
