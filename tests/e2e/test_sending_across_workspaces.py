"""The sender across workspaces, against the fake Slack over HTTP: rows are taken as their
workspace gets room for them (a batch's takes never hold every workspace's next post up), and
due rows are fetched whenever a workspace has done all it held, so a workspace waiting out a
Retry-After never keeps another's rows waiting for the end of a batch; what a purpose makes of
a post is still sent at once, and rows ready at the same moment go in the order they came."""

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, func, select

from bot.delivery.pacing import Pacing
from bot.delivery.purposes import Purpose, Ready, registry
from bot.delivery.sender import Sender, client_for_sending
from bot.scheduler import Ticker
from core import outbox
from core.db import session_factory
from core.models import Outbox, OutboxState
from core.outbox import Target
from tests.e2e.nudging import add_due_member
from tests.fakes import BOT_TOKEN, TEAM_ID

OTHER_TEAM, OTHER_TOKEN = "T0OTHER", "xoxb-other-workspace"
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)


def due_members(engine, fake_slack, clock, members: list[tuple[str, str]]) -> None:
    """(team, user) members, each with one advisor due, planned in this order (their rows come
    due in it)."""
    with Session(engine) as session:
        for team_id, user in members:
            add_due_member(session, user, now=MONDAY, team_id=team_id)
        session.commit()
    ticker = Ticker(session_factory(engine), clock, sender=None)
    for team_id, user in members:
        fake_slack.add_user(user, tz="UTC", team_id=team_id)
        assert ticker.plan(team_id, user), "a nudge row for each"


def sender(engine, fake_slack, clock, sleeps: list, per_second: float) -> Sender:
    fake_slack.add_workspace(OTHER_TEAM, OTHER_TOKEN)
    clients = {
        TEAM_ID: client_for_sending(BOT_TOKEN, fake_slack.api_url),
        OTHER_TEAM: client_for_sending(OTHER_TOKEN, fake_slack.api_url),
    }
    return Sender(
        clients.get,
        session_factory(engine),
        clock,
        process="p",
        pacing=Pacing(per_second),
        sleep=sleeps.append,
    )


def states(engine) -> dict[str, int]:
    with Session(engine) as session:
        query = select(Outbox.state, func.count()).group_by(Outbox.state)
        return {str(state): n for state, n in session.exec(query)}


def test_rows_are_taken_as_their_workspace_has_room_not_a_whole_batch_before_the_first_post(
    engine, fake_slack, clock
):
    due_members(engine, fake_slack, clock, [(TEAM_ID, f"U0MEMBER{n}") for n in range(10)])
    sending = sender(engine, fake_slack, clock, [], per_second=2)  # 2 a second: 3 in hand
    taken_at_first_post = []
    post = fake_slack._chat_postMessage

    def counting(args):
        if not taken_at_first_post:
            taken_at_first_post.append(states(engine).get(OutboxState.SENDING.value, 0))
        return post(args)

    fake_slack._chat_postMessage = counting
    sending.send_due()

    assert taken_at_first_post[0] <= 3, "the others were still waiting, not taken"
    assert states(engine) == {OutboxState.SENT.value: 10}


def test_a_workspace_waiting_out_a_retry_after_does_not_keep_anothers_next_rows_waiting(
    engine, fake_slack, clock, monkeypatch
):
    monkeypatch.setattr(outbox, "BATCH", 3)  # A's two rows and B's first, then B's other two
    members = [(TEAM_ID, "U0A1"), (TEAM_ID, "U0A2")] + [(OTHER_TEAM, f"U0B{n}") for n in (1, 2, 3)]
    due_members(engine, fake_slack, clock, members)
    sleeps: list[float] = []
    sending = sender(engine, fake_slack, clock, sleeps, per_second=1000)
    fake_slack.rate_limit("chat.postMessage", retry_after=20)  # A's first post: wait 20 s

    sending.send_due()

    posts = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")]
    assert posts == ["D0A1", "D0B1", "D0B2", "D0B3", "D0A1", "D0A2"], (
        "B's next rows went while A waited, not after"
    )
    assert states(engine) == {OutboxState.SENT.value: 5}
    assert max(sleeps) == pytest.approx(20, abs=0.5), "A's wait, once"


def test_a_tick_fetches_no_more_than_its_batches_and_the_rest_waits_for_the_next(
    engine, fake_slack, clock, monkeypatch
):
    monkeypatch.setattr(outbox, "BATCH", 2)
    monkeypatch.setattr("bot.delivery.sender.MAX_ROUNDS", 2)
    due_members(engine, fake_slack, clock, [(TEAM_ID, f"U0MEMBER{n}") for n in range(6)])
    sending = sender(engine, fake_slack, clock, [], per_second=1000)

    assert sending.send_due() == 4
    assert states(engine) == {OutboxState.SENT.value: 4, OutboxState.PENDING.value: 2}
    assert sending.send_due() == 2
    assert states(engine) == {OutboxState.SENT.value: 6}


def test_what_a_purpose_makes_of_a_post_goes_at_once_and_rows_go_in_the_order_they_came(
    engine, fake_slack, clock
):
    def prepare(session, *, row, now):
        return Ready({"text": row.payload["text"]})

    def posted(session, *, row, now) -> list[int]:
        if row.payload["text"].startswith("Reply"):
            return []
        made = outbox.enqueue(
            session,
            team_id=TEAM_ID,
            purpose="chain",
            key=f"reply:{row.id}",
            target=Target.conversation(f"C0REPLY{row.id}"),
            payload={"text": f"Reply to {row.payload['text']}"},
            now=now,
        )
        return [made]

    with Session(engine) as session:
        for n in range(10):
            outbox.enqueue(
                session,
                team_id=TEAM_ID,
                purpose="chain",
                key=f"post:{n}",
                target=Target.conversation(f"C0POST{n}"),
                payload={"text": f"Post {n}"},
                now=clock.now(),
            )
        session.commit()
    sending = sender(engine, fake_slack, clock, [], per_second=2)  # 3 rows in hand
    sending.purposes = {**registry(), "chain": Purpose("chain", prepare, posted=posted)}

    sending.send_due()

    said = [c.args["text"] for c in fake_slack.calls_to("chat.postMessage")]
    assert len(said) == 20
    assert said.index("Reply to Post 0") < said.index("Post 5"), "not behind the other posts"
    posts, replies = (
        [text.removeprefix("Reply to ") for text in said if text.startswith(kind)]
        for kind in ("Post", "Reply")
    )
    assert posts == replies == [f"Post {n}" for n in range(10)], "in the order they came"


def test_one_workspaces_old_backlog_does_not_fill_the_run_before_anothers_row(
    engine, fake_slack, clock, monkeypatch
):
    monkeypatch.setattr(outbox, "BATCH", 5)
    backlog = [(TEAM_ID, f"U0A{n:02d}") for n in range(12)]  # due before B's one row
    due_members(engine, fake_slack, clock, [*backlog, (OTHER_TEAM, "U0B1")])
    sending = sender(engine, fake_slack, clock, [], per_second=1)

    sending.send_due()

    posts = [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")]
    assert posts.index("D0B1") <= 2, "B's row went among A's first, not after A's backlog"
    assert states(engine) == {OutboxState.SENT.value: 13}


def test_a_row_released_for_a_long_retry_after_is_sent_later_in_the_same_tick(
    engine, fake_slack, clock
):
    members = [(TEAM_ID, "U0A1")] + [(OTHER_TEAM, f"U0B{n:02d}") for n in range(60)]
    due_members(engine, fake_slack, clock, members)
    sleeps: list[float] = []
    sending = sender(engine, fake_slack, clock, sleeps, per_second=1)
    sending.sleep = lambda seconds: (sleeps.append(seconds), clock.advance(seconds=seconds))
    sending.pacing._monotonic = lambda: clock.now().timestamp()  # its clock moves with the test's
    fake_slack.rate_limit("chat.postMessage", retry_after=40)  # A's post: over MAX_WAIT

    sending.send_due()

    assert states(engine) == {OutboxState.SENT.value: 61}, "A's row too, once its wait was over"


def test_rows_planned_one_by_one_during_the_tick_cost_no_due_query_each(
    engine, fake_slack, clock, monkeypatch
):
    with Session(engine) as session:
        for n in range(12):
            add_due_member(session, f"U0MEMBER{n}", now=MONDAY)
            fake_slack.add_user(f"U0MEMBER{n}", tz="UTC")
        session.commit()
    queries = []
    due = outbox.due
    monkeypatch.setattr(outbox, "due", lambda *a, **k: queries.append(k) or due(*a, **k))
    sending = sender(engine, fake_slack, clock, [], per_second=1000)

    Ticker(session_factory(engine), clock, sending)()  # one member planned, sent, the next...

    assert states(engine) == {OutboxState.SENT.value: 12}
    assert len(queries) <= 3, "the first fetch found every due row: no more asked for each post"
