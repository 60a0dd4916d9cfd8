"""The outbox in core, without Slack: a decision is claimed once by its key, one process at a
time holds a row, a lease that runs out is anyone's, failures are counted and capped, and a
workspace on hold or with a refused token is left alone."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core import outbox, workspaces
from core.models import Outbox, OutboxState
from core.outbox import LEASE, MAX_ATTEMPTS, Target

TEAM, OTHER_TEAM = "T0TEST", "T0OTHER"


def fresh(session, row_id: int) -> Outbox:
    """The row as stored now (the session may hold an older copy)."""
    session.expire_all()
    return session.get(Outbox, row_id)


def decide(session, clock, key="nudge-1", team=TEAM, **more) -> int | None:
    values = {"target": Target.dm("U0ALICE"), "owner_id": "U0ALICE"} | more
    row_id = outbox.enqueue(
        session, team_id=team, purpose="nudge", key=key, now=clock.now(), **values
    )
    session.commit()
    return row_id


def test_a_decision_is_claimed_once_whoever_takes_it_again(session, clock):
    first = decide(session, clock)
    again = decide(session, clock)
    elsewhere = decide(session, clock, team=OTHER_TEAM)

    assert first is not None and again is None and elsewhere not in (None, first)
    assert len(session.exec(select(Outbox)).all()) == 2


def test_a_row_is_due_from_its_not_before_and_most_overdue_first(session, clock):
    later = decide(session, clock, key="later", not_before=clock.now() + timedelta(hours=1))
    first = decide(session, clock, key="first", not_before=clock.now() - timedelta(hours=1))
    now = decide(session, clock, key="now")

    assert [d.id for d in outbox.due(session, now=clock.now())] == [first, now]
    assert [d.lane for d in outbox.due(session, now=clock.now())] == ["@U0ALICE"] * 2
    clock.advance(hours=1)
    assert [d.id for d in outbox.due(session, now=clock.now())] == [first, now, later]


def test_one_process_at_a_time_holds_a_row_until_its_lease_runs_out(session, clock):
    row_id = decide(session, clock)

    mine = outbox.take(session, row_id=row_id, process="a", now=clock.now())
    theirs = outbox.take(session, row_id=row_id, process="b", now=clock.now())
    row = outbox.read(session, row_id=row_id)
    assert mine and not theirs and (row.state, row.claimed_by) == (OutboxState.SENDING, "a")
    assert outbox.due(session, now=clock.now()) == []

    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert outbox.renew(session, row_id=row_id, process="a", now=clock.now())
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert not outbox.take(session, row_id=row_id, process="b", now=clock.now()), "renewed"

    clock.advance(seconds=2)
    assert outbox.take(session, row_id=row_id, process="b", now=clock.now())
    assert outbox.read(session, row_id=row_id).claimed_by == "b"
    assert not outbox.renew(session, row_id=row_id, process="a", now=clock.now()), "lost"
    assert not outbox.posted(
        session, row_id=row_id, process="a", channel_id="D1", ts="1.1", now=clock.now()
    )
    assert outbox.posted(
        session, row_id=row_id, process="b", channel_id="D1", ts="1.1", now=clock.now()
    )


def test_a_sent_row_is_never_due_again(session, clock):
    row_id = decide(session, clock)
    outbox.take(session, row_id=row_id, process="a", now=clock.now())
    outbox.posted(session, row_id=row_id, process="a", channel_id="D1", ts="1.1", now=clock.now())
    session.commit()

    clock.advance(days=1)
    assert outbox.due(session, now=clock.now()) == []
    assert not outbox.take(session, row_id=row_id, process="b", now=clock.now())
    row = fresh(session, row_id)
    assert (row.state, row.channel_id, row.ts, row.next_try_at) == ("sent", "D1", "1.1", None)


def test_failed_attempts_back_off_and_end_as_failed_after_the_cap(session, clock):
    row_id = decide(session, clock)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        assert outbox.take(session, row_id=row_id, process="a", now=clock.now())
        state = outbox.failed_attempt(
            session, row_id=row_id, process="a", now=clock.now(), error="Slack answered fatal_error"
        ).state
        session.commit()
        row = fresh(session, row_id)
        if state == OutboxState.PENDING:
            waits.append(row.next_try_at - clock.now())
            assert not outbox.take(session, row_id=row_id, process="a", now=clock.now())
            clock.advance(seconds=(row.next_try_at - clock.now()).total_seconds())

    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 16, 30, 30][: MAX_ATTEMPTS - 1]
    assert (row.state, row.attempts, row.next_try_at) == ("failed", MAX_ATTEMPTS, None)
    assert row.last_error == "Slack answered fatal_error"


def test_waiting_for_a_window_or_for_slack_is_not_a_failed_attempt(session, clock):
    row_id = decide(session, clock)
    for _ in range(MAX_ATTEMPTS + 2):
        outbox.take(session, row_id=row_id, process="a", now=clock.now())
        later = clock.now() + timedelta(hours=1)
        outbox.release(session, row_id=row_id, process="a", at=later, why="outside the window")
        clock.advance(hours=1)

    row = fresh(session, row_id)
    assert (row.state, row.attempts) == ("pending", 0)


def test_a_post_whose_answer_was_lost_is_remembered_until_slack_says_otherwise(session, clock):
    row_id = decide(session, clock)
    outbox.take(session, row_id=row_id, process="a", now=clock.now())
    outbox.renew(session, row_id=row_id, process="a", now=clock.now(), posting=True)
    outbox.failed_attempt(session, row_id=row_id, process="a", now=clock.now(), error="timed out")
    session.commit()
    assert fresh(session, row_id).may_be_posted

    clock.advance(minutes=2)
    outbox.take(session, row_id=row_id, process="b", now=clock.now())
    outbox.not_posted(session, row_id=row_id, process="b")
    session.commit()
    assert not fresh(session, row_id).may_be_posted


def test_a_workspace_on_hold_or_with_a_refused_token_is_left_alone(session, clock):
    held, refused, fine = (
        decide(session, clock, key=k, team=k) for k in ("T0HELD", "T0DEAD", TEAM)
    )
    workspaces.hold(
        session, team_id="T0HELD", until=clock.now() + timedelta(minutes=5), now=clock.now()
    )
    workspaces.token_refused(session, team_id="T0DEAD", error="token_revoked", now=clock.now())
    session.commit()

    assert [d.id for d in outbox.due(session, now=clock.now())] == [fine]
    assert not outbox.take(session, row_id=held, process="a", now=clock.now())
    assert not outbox.take(session, row_id=refused, process="a", now=clock.now())
    assert outbox.health(session, now=clock.now()).paused_workspaces == ["T0DEAD"]

    clock.advance(minutes=6)
    assert [d.id for d in outbox.due(session, now=clock.now())] == [held, fine]
    assert workspaces.to_check(session, now=clock.now()) == ["T0DEAD"]
    workspaces.token_works(session, team_id="T0DEAD", now=clock.now())
    assert [d.id for d in outbox.due(session, now=clock.now())] == [held, refused, fine]


def test_a_refused_token_is_checked_again_every_few_minutes_ten_at_most(session, clock):
    workspaces.token_refused(session, team_id=TEAM, error="invalid_auth", now=clock.now())
    waits = []
    for _ in range(6):
        at = workspaces.still_refused(session, team_id=TEAM, now=clock.now())
        waits.append((at - clock.now()).total_seconds() / 60)

    assert waits == [4, 8, 10, 10, 10, 10]  # every few minutes, ten at most


def test_a_failed_row_can_be_given_another_series_of_attempts(session, clock):
    row_id = decide(session, clock)
    outbox.take(session, row_id=row_id, process="a", now=clock.now())
    outbox.give_up(session, row_id=row_id, process="a", error="user_not_found", now=clock.now())
    assert outbox.due(session, now=clock.now()) == []

    assert outbox.rearm(session, row_id=row_id, now=clock.now())
    assert [d.id for d in outbox.due(session, now=clock.now())] == [row_id]
    assert not outbox.rearm(session, row_id=row_id, now=clock.now()), "only a failed one"


def test_health_counts_failed_and_overdue_rows(session, clock):
    stuck = decide(session, clock, key="stuck")
    gone = decide(session, clock, key="gone")
    outbox.take(session, row_id=gone, process="a", now=clock.now())
    outbox.give_up(session, row_id=gone, process="a", error="user_not_found", now=clock.now())
    session.commit()

    clock.advance(minutes=20)
    health = outbox.health(session, now=clock.now())
    assert (health.failed, health.failed_last_day, health.overdue) == (1, 1, 1)
    clock.advance(days=2)
    assert outbox.health(session, now=clock.now()).failed_last_day == 0
    assert stuck


@pytest.mark.parametrize(
    "target", [Target.conversation("C0CIRCLE"), Target.conversation("C0CIRCLE", "1.2")]
)
def test_a_row_for_a_channel_or_a_thread_paces_in_that_channel(session, clock, target):
    row_id = decide(session, clock, target=target, owner_id=None)

    [due] = outbox.due(session, now=clock.now())
    row = session.get(Outbox, row_id)
    assert due.lane == "C0CIRCLE" and (row.channel_id, row.thread_ts) == (
        target.channel,
        target.thread_ts,
    )


def test_a_process_that_lost_its_lease_changes_nothing_when_it_fails(session, clock):
    row_id = decide(session, clock)
    outbox.take(session, row_id=row_id, process="a", now=clock.now())
    clock.advance(seconds=LEASE.total_seconds() + 1)  # a stalls; b takes it over
    assert outbox.take(session, row_id=row_id, process="b", now=clock.now())

    said = outbox.failed_attempt(session, row_id=row_id, process="a", now=clock.now(), error="e")
    gave_up = outbox.give_up(session, row_id=row_id, process="a", error="e", now=clock.now())

    assert (said, gave_up) == (None, False)
    row = fresh(session, row_id)
    assert (row.state, row.claimed_by, row.attempts) == (OutboxState.SENDING, "b", 0)
