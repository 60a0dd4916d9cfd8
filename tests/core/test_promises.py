"""Promises in core: made, updated, renegotiated, done or dropped; history kept; word counted."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core import board, forwarding, promises
from core.board import Details, Person
from core.errors import Invalid, NotYours
from core.members import remember_member
from core.models import Outbox, Promise, PromiseChange, PromiseStatus, Touchpoint
from tests.core.test_board import ALICE, BOB, PARIS, TEAM

DEC_3 = date(2026, 12, 3)


@pytest.fixture
def grace(session, clock):
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    advisor = board.enlist(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        person=Person(name="Grace Hopper", slack_user_id="U0GRACE"),
        details=Details(),
        last_spoke_on=clock.now().astimezone(PARIS).date(),
        zone=PARIS,
        clock=clock,
    )
    session.commit()
    return advisor


def promise(session, clock, grace, **fields):
    values = {"what": "Send the draft", "due_on": DEC_3, "firmness": "promise"} | fields
    return promises.make_promise(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        advisor_id=grace.id,
        zone=PARIS,
        clock=clock,
        **values,
    )


def mine(promise_id):
    return {"team_id": TEAM, "owner_id": ALICE, "promise_id": promise_id}


def test_a_promise_is_due_when_its_day_is_over_where_the_member_is(session, clock, grace):
    made = promise(session, clock, grace)

    assert made.status == PromiseStatus.OPEN
    assert made.due_at == datetime(2026, 12, 3, 23, tzinfo=UTC)  # midnight in Paris
    assert [e.change for e in promises.history(session, **mine(made.id))] == [PromiseChange.MADE]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"what": "   "}, "what"),
        ({"what": "x" * 501}, "what"),
        ({"firmness": "maybe"}, "firmness"),
        ({"due_on": date(2026, 11, 22)}, "due"),
        ({"due_on": date(9999, 12, 31)}, "due"),  # a crafted button or picker: no overflow
        ({"due_on": date(2037, 1, 1)}, "due"),
    ],
)
def test_a_bad_promise_is_refused_at_its_field_and_nothing_is_saved(
    session, clock, grace, fields, field
):
    with pytest.raises(Invalid) as caught:
        promise(session, clock, grace, **fields)

    assert caught.value.field == field
    assert promises.open_promises(session, team_id=TEAM, owner_id=ALICE) == []


def test_renegotiating_keeps_the_old_date_in_the_history_and_counts_it(session, clock, grace):
    made = promise(session, clock, grace)

    promises.renegotiate(
        session, **mine(made.id), new_due_on=date(2026, 12, 10), zone=PARIS, clock=clock
    )

    assert (made.due_on, made.original_due_on, made.renegotiations) == (
        date(2026, 12, 10),
        DEC_3,
        1,
    )
    [_, moved] = promises.history(session, **mine(made.id))
    assert (moved.old_due_on, moved.new_due_on) == (DEC_3, date(2026, 12, 10))


def test_an_update_is_kept_and_becomes_a_touchpoint_once_the_advisor_has_it(session, clock, grace):
    made = promise(session, clock, grace)
    clock.advance(days=2)

    delivered = promises.post_update(session, **mine(made.id), text="Outline done", clock=clock)
    promises.post_update(session, **mine(made.id), text="Just for me", clock=clock)
    row_id = forwarding.send_on(
        session, team_id=TEAM, owner_id=ALICE, event_id=delivered.id, now=clock.now()
    )
    assert session.exec(select(Touchpoint)).all() == [], "decided, not yet posted"
    forwarding.forwarded(session, row=session.get(Outbox, row_id), now=clock.now())

    [touchpoint] = session.exec(select(Touchpoint)).all()
    assert touchpoint.note == "Progress update on “Send the draft”: Outline done"
    assert grace.last_touch_at == clock.now()
    assert made.last_update_at == clock.now()
    assert [e.sent_to_advisor for e in promises.history(session, **mine(made.id))] == [
        False,
        True,
        False,
    ]


def test_done_and_dropped_close_the_promise_and_nothing_more_can_change_it(session, clock, grace):
    kept, given_up = (
        promise(session, clock, grace),
        promise(session, clock, grace, what="Intro to Ada"),
    )

    promises.mark_done(session, **mine(kept.id), clock=clock)
    promises.drop(session, **mine(given_up.id), told_them=True, clock=clock)

    assert (kept.status, given_up.status) == (PromiseStatus.DONE, PromiseStatus.DROPPED)
    assert promises.history(session, **mine(given_up.id))[-1].told_them is True
    with pytest.raises(Invalid, match="already done"):
        promises.mark_done(session, **mine(kept.id), clock=clock)


@pytest.mark.parametrize(
    "act",
    [
        lambda s, c, pid: promises.mark_done(
            s, team_id=TEAM, owner_id=BOB, promise_id=pid, clock=c
        ),
        lambda s, c, pid: promises.drop(
            s, team_id=TEAM, owner_id=BOB, promise_id=pid, told_them=False, clock=c
        ),
        lambda s, c, pid: promises.post_update(
            s, team_id=TEAM, owner_id=BOB, promise_id=pid, text="x", clock=c
        ),
        lambda s, c, pid: promises.renegotiate(
            s,
            team_id="T0OTHER",
            owner_id=ALICE,
            promise_id=pid,
            new_due_on=DEC_3,
            zone=PARIS,
            clock=c,
        ),
    ],
)
def test_nobody_else_can_touch_a_members_promise(session, clock, grace, act):
    made = promise(session, clock, grace)

    with pytest.raises(NotYours):
        act(session, clock, made.id)

    assert (
        made.status == PromiseStatus.OPEN and len(promises.history(session, **mine(made.id))) == 1
    )


def test_keeping_count_tells_kept_renegotiated_in_time_late_and_dropped(session, clock, grace):
    on_time = promise(session, clock, grace, what="a")
    moved_in_time = promise(session, clock, grace, what="b")
    late = promise(session, clock, grace, what="c", due_on=date(2026, 11, 24))
    dropped = promise(session, clock, grace, what="d")
    promise(session, clock, grace, what="e")
    promises.mark_done(session, **mine(on_time.id), clock=clock)
    promises.renegotiate(
        session, **mine(moved_in_time.id), new_due_on=date(2026, 12, 20), zone=PARIS, clock=clock
    )
    promises.drop(session, **mine(dropped.id), told_them=False, clock=clock)
    clock.advance(days=3)
    promises.mark_done(session, **mine(late.id), clock=clock)

    count = promises.keeping(session, team_id=TEAM, owner_id=ALICE, now=clock.now())

    assert count == promises.Keeping(
        kept_on_time=1, renegotiated_in_time=1, late=1, dropped=1, open=2
    )
    per_advisor = promises.keeping(
        session, team_id=TEAM, owner_id=ALICE, now=clock.now(), advisor_id=grace.id
    )
    assert per_advisor == count
    assert (
        promises.keeping(session, team_id=TEAM, owner_id=BOB, now=clock.now()) == promises.Keeping()
    )


def test_a_promise_still_open_after_its_day_counts_as_late(session, clock, grace):
    promise(session, clock, grace, due_on=date(2026, 11, 24))
    clock.advance(days=2)

    assert promises.keeping(session, team_id=TEAM, owner_id=ALICE, now=clock.now()).late == 1


def test_open_promises_come_soonest_first(session, clock, grace):
    promise(session, clock, grace, what="later", due_on=DEC_3 + timedelta(days=5))
    promise(session, clock, grace, what="sooner")

    assert [p.what for p in promises.open_promises(session, team_id=TEAM, owner_id=ALICE)] == [
        "sooner",
        "later",
    ]


def test_a_promise_moved_after_its_date_passed_counts_late_not_kept(session, clock, grace):
    made = promise(session, clock, grace, due_on=date(2026, 11, 25))
    clock.advance(days=5)
    promises.renegotiate(
        session, **mine(made.id), new_due_on=date(2026, 12, 4), zone=PARIS, clock=clock
    )
    promises.mark_done(session, **mine(made.id), clock=clock)

    count = promises.keeping(session, team_id=TEAM, owner_id=ALICE, now=clock.now())

    assert (count.kept_on_time, count.renegotiated_in_time, count.late) == (0, 0, 1)


def test_a_promise_moved_three_times_in_time_counts_once(session, clock, grace):
    made = promise(session, clock, grace)
    for day in (5, 6, 7):
        promises.renegotiate(
            session, **mine(made.id), new_due_on=date(2026, 12, day), zone=PARIS, clock=clock
        )

    assert (
        promises.keeping(
            session, team_id=TEAM, owner_id=ALICE, now=clock.now()
        ).renegotiated_in_time
        == 1
    )


def test_a_promise_closes_once_even_when_done_and_drop_race(session, clock, grace):
    made = promise(session, clock, grace)
    as_a_second_request_read_it = Promise(**made.model_dump())  # still open, in its own view
    promises.mark_done(session, **mine(made.id), clock=clock)

    with pytest.raises(Invalid, match="already closed"):
        promises._close(session, as_a_second_request_read_it, PromiseStatus.DROPPED, clock.now())
    assert made.status == PromiseStatus.DONE
