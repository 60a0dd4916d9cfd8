"""The delivery engine end to end, against the fake Slack over HTTP: one bad row never stops
the rest; each workspace is paced, held and stopped on its own; a Retry-After of any size is
honoured; a lost post is looked up before it is posted again, and a failed look-up is retried,
never given up at once; channels and threads are targets too; a purpose plugs in; a file is
shared instead of a post, looked for by its title after a lost answer."""

import contextlib
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.delivery.pacing import OPEN, POST, READ, Pacing, retry_after
from bot.delivery.purposes import Nothing, Purpose, Ready, Upload, registry
from bot.delivery.sender import Sender, client_for_sending
from bot.recurrence import next_after
from bot.scheduler import Ticker
from core import outbox, schedules
from core.db import session_factory
from core.models import Member, Outbox, OutboxState, Touchpoint
from core.outbox import MAX_ATTEMPTS, Target
from core.schedules import Rule
from tests.e2e.nudging import add_due_member, text_of
from tests.fakes import BOT_TOKEN, TEAM_ID, Reply
from tests.payloads import ALICE

BOB = "U0BOB"
OTHER_TEAM, OTHER_TOKEN = "T0OTHER", "xoxb-other-workspace"
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def rows(engine, purpose: str | None = None) -> list[Outbox]:
    with Session(engine) as session:
        query = select(Outbox).order_by(Outbox.id)
        if purpose:
            query = query.where(Outbox.purpose == purpose)
        return list(session.exec(query))


def sql(engine, statement: str, **values) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement), values)


def alice_and_bob_due(nudging) -> None:
    for user in (ALICE, BOB):
        nudging.member(user=user)
        nudging.slack.add_user(user, tz="Europe/Paris")
        nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), owner=user)


# --- one bad row never stops the rest


def test_a_promise_with_a_value_core_does_not_know_stops_neither_the_tick_nor_anyone_else(
    nudging, engine, caplog
):
    alice_and_bob_due(nudging)
    grace = nudging.advisor("Ada Lovelace", last_spoke_on=date(2026, 11, 20))
    broken = nudging.promise(grace, "Send the deck", date(2026, 11, 24))
    sql(
        engine,
        "UPDATE promise SET firmness = 'maybe', nudge_at = created_at WHERE id = :id",
        id=broken.id,
    )

    with caplog.at_level(logging.ERROR):
        nudging.tick()

    assert len(nudging.dms(BOB)) == 1, "Bob's nudge came"
    [alices] = nudging.dms(ALICE)
    assert "Grace Hopper" in text_of(alices), "and Alice's others too"
    assert f"Cannot decide the nudge of promise {broken.id}" in caplog.text
    with Session(engine) as session:
        shelved = session.exec(text("SELECT nudge_at FROM promise")).one()[0]
    assert shelved is not None, "looked at again later, not every tick"


def test_a_member_whose_row_core_cannot_read_is_set_aside_and_the_others_are_served(
    nudging, engine, caplog
):
    alice_and_bob_due(nudging)
    nudging.member(user="U0CAROL", tz="America/New_York")  # outside her window now
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), owner="U0CAROL")
    sql(engine, "UPDATE member SET nudge_start = 2000 WHERE user_id = 'U0CAROL'")  # 33:20

    with caplog.at_level(logging.ERROR):
        nudging.tick()

    assert [len(nudging.dms(u)) for u in (ALICE, BOB)] == [1, 1]
    assert "Planning nudges for U0CAROL in T0TEST failed" in caplog.text
    with Session(engine) as session:
        carol = session.exec(select(Member).where(Member.user_id == "U0CAROL")).one()
    assert carol.look_at == MONDAY + timedelta(hours=1), "set aside for an hour"


def test_a_message_that_cannot_be_rendered_is_retried_then_failed_and_holds_nobody_up(
    nudging, engine, caplog
):
    alice_and_bob_due(nudging)
    sql(
        engine,
        "UPDATE advisor SET support = '5', gains = '', notes = '' WHERE owner_id = :o",
        o=ALICE,
    )

    with caplog.at_level(logging.ERROR):
        nudging.tick()
        for _ in range(12):
            nudging.clock.advance(minutes=31)
            nudging.tick()

    assert (len(nudging.dms(ALICE)), len(nudging.dms(BOB))) == (0, 1)
    [alices, _] = sorted(nudging.deliveries(), key=lambda r: r.owner_id)
    assert (alices.state, alices.attempts) == (OutboxState.FAILED, MAX_ATTEMPTS)
    assert f"Outbox row {alices.id} failed at take" in caplog.text


def test_a_nudge_whose_advisor_was_removed_between_plan_and_send_is_skipped(nudging, engine):
    alice_and_bob_due(nudging)
    ticker = nudging.ticker()
    ticker.plan(TEAM_ID, ALICE)
    sql(engine, "DELETE FROM advisor WHERE owner_id = :o", o=ALICE)

    ticker()

    [alices] = [r for r in nudging.deliveries() if r.owner_id == ALICE]
    assert alices.state == OutboxState.SKIPPED and nudging.dms(ALICE) == []
    assert len(nudging.dms(BOB)) == 1


# --- workspaces on their own


@pytest.fixture
def two_workspaces(nudging, engine, fake_slack):
    """Alice's workspace and another, each with due members and its own token."""
    fake_slack.add_workspace(OTHER_TEAM, OTHER_TOKEN)
    with Session(engine) as session:
        for n in range(3):
            add_due_member(session, f"U0HERE{n}", now=MONDAY)
            add_due_member(session, f"U0THERE{n}", now=MONDAY, team_id=OTHER_TEAM)
        session.commit()
    for n in range(3):
        fake_slack.add_user(f"U0HERE{n}", tz="UTC")
        fake_slack.add_user(f"U0THERE{n}", tz="UTC", team_id=OTHER_TEAM)
    clients = {
        TEAM_ID: client_for_sending(BOT_TOKEN, fake_slack.api_url),
        OTHER_TEAM: client_for_sending(OTHER_TOKEN, fake_slack.api_url),
    }
    sender = Sender(
        clients.get,
        session_factory(engine),
        nudging.clock,
        process="p",
        pacing=Pacing(1000),
        sleep=nudging.sleeps.append,
    )
    return Ticker(session_factory(engine), nudging.clock, sender)


def sent_to(fake_slack, prefix: str) -> int:
    return sum(len(fake_slack.posted("D" + f"{prefix}{n}"[1:])) for n in range(3))


def test_a_revoked_token_stops_its_own_workspace_only_and_sending_resumes_once_it_works(
    two_workspaces, fake_slack, nudging, engine
):
    fake_slack.revoke(OTHER_TOKEN)

    two_workspaces()

    assert (sent_to(fake_slack, "U0HERE"), sent_to(fake_slack, "U0THERE")) == (3, 0)
    there = [r for r in rows(engine) if r.team_id == OTHER_TEAM]
    assert [(r.state, r.attempts) for r in there] == [(OutboxState.PENDING, 0)] * 3
    other_posts = [
        c for c in fake_slack.calls_to("chat.postMessage") if OTHER_TOKEN in str(c.headers)
    ]
    assert len(other_posts) <= 1, "one try, then the workspace stops"

    nudging.clock.advance(minutes=30)
    two_workspaces()
    assert sent_to(fake_slack, "U0THERE") == 0, "still refused: nothing tried for good"

    fake_slack.restore(OTHER_TOKEN)
    nudging.clock.advance(hours=1)
    two_workspaces()
    assert sent_to(fake_slack, "U0THERE") == 3
    assert {r.state for r in rows(engine)} == {OutboxState.SENT}


def test_a_workspace_drawing_429s_waits_alone_while_the_other_goes_on_at_its_pace(
    two_workspaces, fake_slack, nudging, engine
):
    fake_slack.limit_posting(cap=1, window=120, team_id=OTHER_TEAM)  # then 429s for 2 minutes

    two_workspaces()

    assert (sent_to(fake_slack, "U0HERE"), sent_to(fake_slack, "U0THERE")) == (3, 1)
    assert fake_slack.limited_by_team == {OTHER_TEAM: 1}, "one 429, then it is left alone"
    assert max(nudging.sleeps, default=0) < 1, "nobody waited out the other's Retry-After"
    held = [r for r in rows(engine) if r.team_id == OTHER_TEAM and r.state == "pending"]
    assert len(held) == 2


@pytest.mark.parametrize("asked", ["inf", "1e12", "nan", "-5", "soon", "3600"])
def test_any_retry_after_is_honoured_in_its_own_workspace_and_draws_no_second_429(
    two_workspaces, fake_slack, nudging, engine, asked
):
    fake_slack.limit_posting(cap=1, window=10_000, team_id=OTHER_TEAM, retry_after=asked)

    two_workspaces()  # one post there, then 429s asking for `asked`

    assert (sent_to(fake_slack, "U0HERE"), sent_to(fake_slack, "U0THERE")) == (3, 1)
    assert fake_slack.limited_by_team.get(OTHER_TEAM, 0) <= 1 or asked in ("nan", "-5", "soon")
    waiting = [r for r in rows(engine) if r.team_id == OTHER_TEAM and r.state == "pending"]
    seconds = retry_after({"Retry-After": asked})
    assert all(r.next_try_at <= MONDAY + timedelta(hours=1) for r in waiting)
    if seconds > 30:  # a long wait: every process leaves the workspace alone until then
        assert len(waiting) == 2 and fake_slack.limited_by_team[OTHER_TEAM] == 1
        nudging.clock.advance(seconds=seconds - 1)
        two_workspaces()
        assert fake_slack.limited_by_team[OTHER_TEAM] == 1


def test_retry_after_values_are_clamped_and_never_overflow():
    assert retry_after({"Retry-After": "inf"}) == 3600
    assert retry_after({"retry-after": ["1e12"]}) == 3600
    assert retry_after({"Retry-After": "nan"}) == 1
    assert retry_after({"Retry-After": "-5"}) == 0
    assert retry_after({"Retry-After": "tomorrow"}) == 1
    assert retry_after({}) == 1
    assert retry_after({"Retry-After": "7"}) == 7


def test_a_hold_in_one_workspace_or_on_one_method_does_not_slow_another():
    now = [100.0]
    pacing = Pacing(10, monotonic=lambda: now[0])
    pacing.hold("T0A", POST, 20)

    assert pacing.free_at("T0A", POST, "D1") == 120.0
    assert pacing.free_at("T0A", OPEN) == 0.0, "opening a DM is another budget"
    assert pacing.free_at("T0B", POST, "D1") == 0.0
    pacing.book("T0B", POST, 100.0, "D1")
    assert pacing.free_at("T0B", POST, "D2") == pytest.approx(100.103)
    assert pacing.free_at("T0B", POST, "D1") == pytest.approx(101.03), "one a second per DM"
    assert pacing.rate("T0A") < pacing.rate("T0B") == 10, "a 429 slows its workspace down"
    pacing.book("T0B", READ, 100.0)
    assert pacing.free_at("T0B", READ) == pytest.approx(100 + 1.03 * 60 / 50), "tier 3"


# --- a lost post: looked up, and a failed look-up retried


def test_lost_answers_and_refused_look_ups_lose_no_nudge_and_double_none(nudging, fake_slack):
    users = [f"U0MEMBER{n:02d}" for n in range(30)]
    for user in users:
        nudging.member(user=user)
        fake_slack.add_user(user, tz="Europe/Paris")
        nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), owner=user)
    fake_slack.script("chat.postMessage", *[Reply(504, "gateway timeout")] * 30)
    fake_slack.script(
        "conversations.history",
        *[Reply(200, {"ok": False, "error": "missing_scope"})] * 20,
        *[Reply(503, "unavailable")] * 10,
    )

    nudging.tick()
    for _ in range(4):
        nudging.clock.advance(minutes=5)
        nudging.tick()

    assert [len(nudging.dms(u)) for u in users] == [1] * 30
    assert {r.state for r in nudging.deliveries()} == {OutboxState.SENT}
    assert len(fake_slack.calls_to("conversations.history")) >= 30


def test_a_look_up_that_keeps_failing_ends_as_failed_only_after_the_attempts_cap(
    nudging, fake_slack
):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    fake_slack.script("chat.postMessage", Reply(504, "gateway timeout"))
    fake_slack.fail("conversations.history", "missing_scope", times=100)

    nudging.tick()
    states = []
    for _ in range(MAX_ATTEMPTS):
        nudging.clock.advance(minutes=31)
        nudging.tick()
        states.append(nudging.deliveries()[0].state)

    assert states[:-2] == [OutboxState.PENDING] * (MAX_ATTEMPTS - 2)
    assert states[-1] == OutboxState.FAILED
    assert len(fake_slack.calls_to("chat.postMessage")) == 1, "never posted blind"


# --- progress updates sent on: the touchpoint comes with the post, once


def update_to_send_on(nudging, fake_slack, engine) -> tuple:
    """Alice's progress update on her promise to Grace, and its row in the outbox."""
    from core import forwarding, promises

    nudging.member()
    fake_slack.add_user("U0GRACE", tz="America/New_York", real_name="Grace Hopper")
    grace = nudging.advisor(
        "Grace Hopper", last_spoke_on=date(2026, 11, 20), slack_user_id="U0GRACE"
    )
    deck = nudging.promise(grace, "Send the deck", date(2026, 11, 27))
    with Session(engine, expire_on_commit=False) as session:
        who = {"team_id": TEAM_ID, "owner_id": ALICE}
        update = promises.post_update(
            session, **who, promise_id=deck.id, text="Half done", clock=nudging.clock
        )
        row_id = forwarding.send_on(session, **who, event_id=update.id, now=nudging.clock.now())
        session.commit()
    return update, row_id


def test_an_update_whose_post_answer_was_lost_counts_once_when_found_after_a_crash(
    fake_slack, nudging, engine
):
    _, row_id = update_to_send_on(nudging, fake_slack, engine)
    original = fake_slack._chat_postMessage

    def taken_then_lost(args):  # Slack keeps the post; its answer never comes back
        original(args)
        raise ConnectionResetError("the answer never came")

    fake_slack._chat_postMessage = taken_then_lost
    assert nudging.sender().send_now([row_id]) == {row_id: OutboxState.PENDING}
    fake_slack._chat_postMessage = original

    with Session(engine) as session:
        assert session.exec(select(Touchpoint)).all() == [], "not counted before it is known"
    nudging.clock.advance(minutes=10)
    nudging.ticker(process="restarted")()

    assert len(fake_slack.posted("D0GRACE")) == 1, "found, not posted again"
    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
        assert touchpoint.note.startswith("Progress update on “Send the deck”")
        assert session.get(Outbox, row_id).state == OutboxState.SENT


# --- channels, threads, and a purpose that plugs in


class CheckIns:
    """A purpose made for this test: a weekly post in a channel, a reply in its thread, and
    word to the owner when the channel is gone (as circles will)."""

    def __init__(self):
        self.failures: list[tuple[str, bool]] = []

    def scheduled(self, session, *, schedule, occurrence, now) -> list[int]:
        made = outbox.enqueue(
            session,
            team_id=schedule.team_id,
            purpose="checkin",
            key=f"{schedule.id}:{occurrence.isoformat()}",
            target=Target.conversation(schedule.key),
            payload={"text": f"Check-in {occurrence:%b %d}"},
            now=now,
        )
        return [made]

    @staticmethod
    def prepare(session, *, row, now):
        if row.payload.get("gone"):
            return Nothing("called off")
        return Ready({"text": row.payload["text"]})

    def failed(self, session, *, row, error, gone, now) -> list[int]:
        self.failures.append((error, gone))
        told = outbox.enqueue(
            session,
            team_id=row.team_id,
            purpose="checkin",
            key=f"owner:{row.id}",
            target=Target.dm(ALICE),
            payload={"text": f"Your circle is paused: {error}"},
            now=now,
        )
        return [told]

    def purpose(self) -> Purpose:
        return Purpose("checkin", self.prepare, failed=self.failed, scheduled=self.scheduled)


@pytest.fixture
def circles(nudging, engine):
    check_ins = CheckIns()

    def ticker(process: str = "p") -> Ticker:
        sender = nudging.sender(process)
        sender.purposes = {**registry(), "checkin": check_ins.purpose()}
        return Ticker(session_factory(engine), nudging.clock, sender)

    with Session(engine) as session:
        schedules.keep(
            session,
            team_id=TEAM_ID,
            purpose="checkin",
            key="C0CIRCLE",
            rule=Rule.weekly({1}, minute=10 * 60, tz="Europe/Paris", starts_on=date(2026, 1, 6)),
            next_after=next_after,
            now=nudging.clock.now(),
        )
        session.commit()
    check_ins.ticker = ticker
    return check_ins


def test_a_scheduled_purpose_posts_in_its_channel_once_per_occurrence_whoever_ticks(
    circles, nudging, fake_slack
):
    tuesday = datetime(2026, 11, 24, 9, tzinfo=UTC)  # 10:00 in Paris
    nudging.clock.advance(seconds=(tuesday - MONDAY).total_seconds() - 1)
    circles.ticker()()
    assert fake_slack.posted("C0CIRCLE") == []

    nudging.clock.advance(seconds=1)
    circles.ticker("a")()
    circles.ticker("b")()

    [post] = fake_slack.posted("C0CIRCLE")
    assert post["text"] == "Check-in Nov 24"
    assert post["metadata"]["event_payload"]["outbox"] == rows(nudging.engine, "checkin")[0].id


def test_a_thread_reply_whose_answer_was_lost_is_found_in_the_thread_not_posted_twice(
    nudging, fake_slack, engine
):
    parent = fake_slack._chat_postMessage({"channel": "C0CIRCLE", "text": "Check-in"})["ts"]
    with Session(engine) as session:
        row_id = outbox.enqueue(
            session,
            team_id=TEAM_ID,
            purpose="checkin",
            key="summary",
            target=Target.conversation("C0CIRCLE", parent),
            payload={"text": "Summary"},
            now=nudging.clock.now(),
        )
        session.commit()
    fake_slack.script("chat.postMessage", Reply(504, "gateway timeout"))
    sender = nudging.sender()
    sender.purposes = {**registry(), "checkin": CheckIns().purpose()}

    sender.send_now([row_id])
    [reply] = [m for m in fake_slack.messages["C0CIRCLE"] if m.get("thread_ts") == parent] or [None]
    assert reply is None  # the 504 kept nothing: make it look as if Slack had kept it
    fake_slack.messages["C0CIRCLE"].append(
        {
            "type": "message",
            "ts": "1795424400.000777",
            "thread_ts": parent,
            "text": "Summary",
            "metadata": {"event_type": "advisor_bot_outbox", "event_payload": {"outbox": row_id}},
        }
    )
    nudging.clock.advance(minutes=5)
    sender.send_due()

    assert [c.args["ts"] for c in fake_slack.calls_to("conversations.replies")] == [parent]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert rows(engine, "checkin")[0].ts == "1795424400.000777"


def test_a_channel_that_is_gone_fails_for_good_and_its_purpose_tells_the_owner(
    circles, nudging, fake_slack
):
    fake_slack.fail("chat.postMessage", "is_archived")
    nudging.clock.advance(days=1)

    circles.ticker()()

    assert circles.failures == [("is_archived", True)]
    [check_in, told] = rows(nudging.engine, "checkin")
    assert (check_in.state, check_in.last_error) == (OutboxState.REFUSED, "is_archived")
    assert told.state == OutboxState.SENT
    assert fake_slack.posted("D0ALICE")[0]["text"] == "Your circle is paused: is_archived"


def test_a_row_whose_purpose_nobody_renders_fails_and_is_logged(nudging, engine, caplog):
    with Session(engine) as session:
        row_id = outbox.enqueue(
            session,
            team_id=TEAM_ID,
            purpose="vanished",
            key="1",
            target=Target.dm(ALICE),
            now=nudging.clock.now(),
        )
        session.commit()

    with caplog.at_level(logging.ERROR):
        nudging.sender().send_due()

    assert rows(engine)[0].state == OutboxState.FAILED
    assert f"Outbox row {row_id} has a purpose nobody renders" in caplog.text


# --- what the review found


def lost_post(nudging, fake_slack) -> Outbox:
    """Alice's nudge went out, but its answer was lost (Slack kept the message)."""
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 24))
    fake_slack.script("chat.postMessage", Reply(504, "gateway timeout"))
    nudging.tick()
    [row] = nudging.deliveries()
    assert row.state == OutboxState.PENDING and row.may_be_posted
    fake_slack.messages.setdefault(row.channel_id, []).append(
        {
            "type": "message",
            "ts": f"{MONDAY.timestamp():.0f}.999999",
            "text": "a nudge",
            "metadata": {"event_type": "advisor_bot_outbox", "event_payload": {"outbox": row.id}},
        }
    )
    return row


@pytest.mark.parametrize("wait", [5, 60])
def test_a_429_on_the_look_up_never_makes_the_next_attempt_post_blind(nudging, fake_slack, wait):
    lost_post(nudging, fake_slack)
    fake_slack.rate_limit("conversations.history", retry_after=wait)
    dying = nudging.sender("dies")

    def killed(seconds):  # the process dies while it waits out the Retry-After
        raise SystemExit("killed")

    dying.sleep = killed
    nudging.clock.advance(minutes=10)
    with contextlib.suppress(SystemExit):
        dying.send_due()
    assert nudging.deliveries()[0].may_be_posted, "a 429 on the look-up says nothing of the post"

    nudging.clock.advance(minutes=6)
    nudging.ticker("another")()

    assert len(nudging.dms()) == 1
    assert nudging.deliveries()[0].state == OutboxState.SENT


def test_a_workspace_with_no_client_for_a_moment_keeps_what_it_knew_of_a_lost_post(
    nudging, fake_slack, engine
):
    lost_post(nudging, fake_slack)
    nudging.clock.advance(minutes=10)
    sender = nudging.sender("p2")
    clients, sender.clients = sender.clients, lambda team_id: None
    sender.send_due()
    assert nudging.deliveries()[0].may_be_posted

    sender.clients = clients
    with Session(engine) as session:
        from core import workspaces

        workspaces.token_works(session, team_id=TEAM_ID, now=nudging.clock.now())
        session.commit()
    sender.send_due()

    assert len(nudging.dms()) == 1


def test_a_look_up_that_cannot_see_far_enough_back_tries_again_later_and_never_posts_blind(
    nudging, fake_slack
):
    row = lost_post(nudging, fake_slack)
    for n in range(1000):  # the conversation went on after the lost post
        fake_slack.messages[row.channel_id].append(
            {"type": "message", "ts": f"{MONDAY.timestamp():.0f}.{n:06d}", "text": f"chat {n}"}
        )
    nudging.clock.advance(minutes=10)

    nudging.tick()

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    [row] = nudging.deliveries()
    assert (row.state, row.attempts, row.may_be_posted) == (OutboxState.PENDING, 2, True)


def test_an_update_whose_touchpoint_could_not_be_recorded_is_recorded_on_the_next_attempt(
    fake_slack, nudging, engine, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from core import forwarding
    from core.models import PromiseEvent

    update, row_id = update_to_send_on(nudging, fake_slack, engine)
    log_touchpoint, calls = forwarding.log_touchpoint, []

    def locked_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT INTO touchpoint", {}, Exception("database is locked"))
        return log_touchpoint(*args, **kwargs)

    monkeypatch.setattr(forwarding, "log_touchpoint", locked_once)

    assert nudging.sender().send_now([row_id]) == {row_id: OutboxState.PENDING}, "not said sent"
    nudging.clock.advance(minutes=10)
    nudging.tick()

    assert len(fake_slack.posted("D0GRACE")) == 1, "found, not posted again"
    with Session(engine) as session:
        assert len(session.exec(select(Touchpoint)).all()) == 1
        assert session.get(PromiseEvent, update.id).sent_to_advisor
        assert session.get(Outbox, row_id).state == OutboxState.SENT


def test_an_outbox_row_that_cannot_be_read_is_counted_and_fails_after_its_attempts(
    nudging, engine, caplog
):
    alice_and_bob_due(nudging)
    ticker = nudging.ticker()
    ticker.plan(TEAM_ID, ALICE)
    if engine.dialect.name != "sqlite":
        pytest.skip("Postgres does not store a JSON column that is not JSON")
    sql(engine, "UPDATE outbox SET payload = 'not json' WHERE owner_id = :o", o=ALICE)

    with caplog.at_level(logging.ERROR):
        for _ in range(12):
            ticker()
            nudging.clock.advance(minutes=31)

    assert len(nudging.dms(BOB)) == 1
    with engine.connect() as connection:
        state, attempts = connection.execute(
            text("SELECT state, attempts FROM outbox WHERE owner_id = :o"), {"o": ALICE}
        ).one()
    assert (state, attempts) == (OutboxState.FAILED, MAX_ATTEMPTS)


def test_a_dm_known_from_before_that_slack_refuses_is_opened_afresh_once(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    fake_slack.fail("chat.postMessage", "channel_not_found")

    nudging.tick()

    assert len(nudging.dms()) == 1
    assert len(fake_slack.calls_to("conversations.open")) == 2


def test_one_advisor_that_cannot_be_read_holds_back_none_of_the_members_other_nudges(
    nudging, engine, caplog
):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    ada = nudging.advisor("Ada Lovelace", last_spoke_on=date(2026, 10, 21))
    if engine.dialect.name != "sqlite":
        pytest.skip("Postgres does not store a JSON column that is not JSON")
    sql(engine, "UPDATE advisor SET support = 'not json' WHERE id = :id", id=ada.id)

    with caplog.at_level(logging.ERROR):
        nudging.tick()

    [message] = nudging.dms()
    assert "Grace Hopper" in text_of(message)
    assert f"Cannot decide the nudge of advisor {ada.id}" in caplog.text


def test_a_nudge_slack_refused_goes_out_once_the_member_uses_the_bot_again(nudging, fake_slack):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20))
    fake_slack.fail("conversations.open", "user_disabled")
    nudging.tick()
    assert nudging.dms() == [] and nudging.deliveries()[0].state == OutboxState.REFUSED

    nudging.clock.advance(days=1)
    nudging.member()  # back: they use the bot (remember_member, as every request does)
    nudging.tick()

    [message] = nudging.dms()
    assert "Grace Hopper" in text_of(message)
    assert nudging.deliveries()[0].state == OutboxState.SENT


def test_a_process_starting_with_a_working_token_resumes_sending_at_its_first_tick(
    two_workspaces, fake_slack, nudging, engine
):
    fake_slack.revoke(OTHER_TOKEN)
    two_workspaces()
    fake_slack.restore(OTHER_TOKEN)  # fixed, and the bot restarted at once

    sender = Sender(
        two_workspaces.sender.clients,
        session_factory(engine),
        nudging.clock,
        process="restarted",
        pacing=Pacing(1000),
        sleep=nudging.sleeps.append,
    )
    Ticker(session_factory(engine), nudging.clock, sender)()  # at once, not minutes later

    assert sent_to(fake_slack, "U0THERE") == 3


def test_a_stopping_process_ends_its_tick_after_the_call_in_flight_and_leaves_the_rest(
    nudging, fake_slack, engine
):
    users = [f"U0MEMBER{n}" for n in range(4)]
    for user in users:
        nudging.member(user=user, digest=False)
        fake_slack.add_user(user, tz="Europe/Paris")
        for name in ("Grace Hopper", "Ada Lovelace"):
            nudging.advisor(name, last_spoke_on=date(2026, 10, 20), owner=user)
    ticker = nudging.ticker()
    ticker.sender.sleep = lambda seconds: ticker.sender.stop()  # SIGTERM, while it waits

    ticker()

    posted = len(fake_slack.calls_to("chat.postMessage"))
    assert 0 < posted < 8, "stopped part-way"
    left = [r for r in rows(engine) if r.state != OutboxState.SENT]
    assert left and all(r.state == OutboxState.PENDING for r in left), "nothing held, nothing lost"
    nudging.tick()  # the next process
    assert [len(nudging.dms(u)) for u in users] == [2] * 4


class Replaces:
    """A purpose made for this test: replace a message in place, or post to a group DM."""

    @staticmethod
    def prepare(session, *, row, now):
        return Ready({"text": row.payload["text"]}, replace=row.payload.get("replace"))

    def sender(self, nudging):
        sender = nudging.sender()
        sender.purposes = {**registry(), "edit": Purpose("edit", self.prepare)}
        return sender


def enqueue_edit(engine, now, key: str, target: Target, **payload) -> int:
    with Session(engine) as session:
        row_id = outbox.enqueue(
            session,
            team_id=TEAM_ID,
            purpose="edit",
            key=key,
            target=target,
            payload=payload,
            now=now,
        )
        session.commit()
    return row_id


def test_a_message_is_replaced_in_place_once_even_when_its_answer_was_lost(
    nudging, fake_slack, engine
):
    ts = fake_slack._chat_postMessage({"channel": "C0CIRCLE", "text": "Check-in: open"})["ts"]
    row_id = enqueue_edit(
        engine,
        nudging.clock.now(),
        "closed",
        Target.conversation("C0CIRCLE"),
        text="Closed",
        replace=ts,
    )
    fake_slack.script("chat.update", Reply(504, "gateway timeout"))
    sender = Replaces().sender(nudging)

    sender.send_now([row_id])
    nudging.clock.advance(minutes=5)
    sender.send_due()

    assert [m["text"] for m in fake_slack.posted("C0CIRCLE")] == ["Closed"]
    assert len(fake_slack.calls_to("chat.update")) == 2  # tried again; never looked up or posted
    assert fake_slack.calls_to("conversations.history") == []
    assert fake_slack.calls_to("chat.postMessage") == []
    assert rows(engine, "edit")[0].ts == ts


def test_a_group_dm_is_opened_for_its_people_when_sent_and_not_kept_as_anyones_dm(
    nudging, fake_slack, engine
):
    people = [BOB, ALICE]
    for user in people:
        fake_slack.add_user(user)
    row_id = enqueue_edit(
        engine, nudging.clock.now(), "intro", Target.group_dm(people), text="Hi both"
    )

    Replaces().sender(nudging).send_now([row_id])

    [opened] = fake_slack.calls_to("conversations.open")
    assert opened.args["users"] == f"{ALICE},{BOB}"
    [row] = rows(engine, "edit")
    assert (row.state, row.channel_id) == (
        OutboxState.SENT,
        fake_slack.calls_to("chat.postMessage")[0].args["channel"],
    )
    with Session(engine) as session:
        assert outbox.dm_channel(session, team_id=TEAM_ID, user_id=ALICE) in (None, "D0ALICE")


def test_a_replacement_is_rendered_again_right_before_it_is_sent(nudging, fake_slack, engine):
    ts = fake_slack._chat_postMessage({"channel": "C0CIRCLE", "text": "Check-in: open"})["ts"]
    states = iter(["Open: 1 shared", "Closed"])  # changed by another process in between

    def prepare(session, *, row, now):
        return Ready({"text": next(states)}, replace=ts)

    row_id = enqueue_edit(engine, nudging.clock.now(), "count", Target.conversation("C0CIRCLE"))
    sender = nudging.sender()
    sender.purposes = {**registry(), "edit": Purpose("edit", prepare)}

    sender.send_now([row_id])

    assert [m["text"] for m in fake_slack.posted("C0CIRCLE")] == ["Closed"]


# --- a file shared instead of a post


PICTURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # bytes no text encoding would keep


class Uploads:
    """A purpose made for this test: share a picture in the member's DM; should Slack refuse
    it, send its text on its own (as the review does)."""

    def __init__(self):
        self.failures: list[tuple[str, bool]] = []

    @staticmethod
    def prepare(session, *, row, now):
        if row.payload.get("text_only"):
            return Ready({"text": row.payload["text"]})
        picture = Upload(
            filename=f"board-{row.id}.png",
            content=PICTURE,
            title="Your board, Nov 23",
            alt_text="A picture of Alice's board: Alice at the centre and 7 advisors around.",
            comment="Here is your board.",
        )
        return Ready({"text": "Here is your board."}, upload=picture)

    def failed(self, session, *, row, error, gone, now) -> list[int]:
        self.failures.append((error, gone))
        return [enqueue_picture(session, now, key=f"text:{row.id}", text_only=True)]

    def sender(self, nudging) -> Sender:
        sender = nudging.sender()
        sender.purposes = {
            **registry(),
            "picture": Purpose("picture", self.prepare, failed=self.failed),
        }
        return sender


def enqueue_picture(session, now, *, key: str = "review", **payload) -> int:
    return outbox.enqueue(
        session,
        team_id=TEAM_ID,
        purpose="picture",
        key=key,
        target=Target.dm(ALICE),
        payload={"text": "Your review, without its picture.", **payload},
        now=now,
    )


def a_picture_to_send(engine, nudging) -> int:
    with Session(engine) as session:
        row_id = enqueue_picture(session, nudging.clock.now())
        session.commit()
    return row_id


def test_an_upload_reaches_the_dm_with_its_bytes_title_and_alt_text(nudging, fake_slack, engine):
    row_id = a_picture_to_send(engine, nudging)

    assert Uploads().sender(nudging).send_now([row_id]) == {row_id: OutboxState.SENT}

    [upload] = fake_slack.uploads()
    assert upload["content"] == PICTURE
    assert (upload["channel"], upload["filename"], upload["title"]) == (
        "D0ALICE",
        f"board-{row_id}.png",
        "Your board, Nov 23",
    )
    assert upload["alt_txt"].startswith("A picture of Alice's board")
    [shared] = fake_slack.posted("D0ALICE")
    assert shared["text"] == "Here is your board."
    assert [f["title"] for f in shared["files"]] == ["Your board, Nov 23"]
    assert fake_slack.calls_to("chat.postMessage") == [], "the file instead of a post"
    [row] = rows(engine, "picture")
    assert (row.channel_id, row.ts) == ("D0ALICE", upload["file_id"])


@pytest.mark.parametrize("step", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_a_refused_upload_runs_its_purposes_failed_which_still_sends_the_text(
    nudging, fake_slack, engine, step
):
    row_id = a_picture_to_send(engine, nudging)
    fake_slack.fail(step, "file_uploads_disabled")
    uploads = Uploads()

    uploads.sender(nudging).send_now([row_id])

    assert uploads.failures == [("file_uploads_disabled", False)]
    [picture, text] = rows(engine, "picture")
    assert (picture.state, picture.last_error) == (OutboxState.FAILED, "file_uploads_disabled")
    assert text.state == OutboxState.SENT
    assert [m["text"] for m in fake_slack.posted("D0ALICE")] == [
        "Your review, without its picture."
    ]
    assert fake_slack.uploads() == []


def test_an_upload_whose_answer_was_lost_is_found_by_its_title_and_not_uploaded_twice(
    nudging, fake_slack, engine
):
    row_id = a_picture_to_send(engine, nudging)
    original = fake_slack._files_completeUploadExternal

    def shared_then_lost(args):  # Slack shares the file; its answer never comes back
        original(args)
        raise ConnectionResetError("the answer never came")

    fake_slack._files_completeUploadExternal = shared_then_lost
    sender = Uploads().sender(nudging)
    assert sender.send_now([row_id]) == {row_id: OutboxState.PENDING}
    fake_slack._files_completeUploadExternal = original
    nudging.clock.advance(minutes=5)
    sender.send_due()

    assert len(fake_slack.uploads()) == 1 and len(fake_slack.posted("D0ALICE")) == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1, "looked for, found"
    [row] = rows(engine, "picture")
    assert (row.state, row.ts) == (OutboxState.SENT, fake_slack.posted("D0ALICE")[0]["ts"])


def test_bytes_that_did_not_reach_slack_are_uploaded_again_after_a_look_finds_nothing(
    nudging, fake_slack, engine
):
    row_id = a_picture_to_send(engine, nudging)
    fake_slack.script("upload", Reply(500, "upload failed"))
    sender = Uploads().sender(nudging)

    sender.send_now([row_id])
    nudging.clock.advance(minutes=5)
    sender.send_due()

    [upload] = fake_slack.uploads()
    assert upload["content"] == PICTURE
    assert len(fake_slack.calls_to("upload")) == 2
    assert len(fake_slack.calls_to("conversations.history")) == 1, "not blind: looked first"
    assert rows(engine, "picture")[0].state == OutboxState.SENT
