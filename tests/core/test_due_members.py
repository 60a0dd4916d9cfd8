"""Finding due work: a member is looked at when their earliest nudge's day comes and their window
opens (look_at, set by planning), or at once when something of theirs changed (a wakeup); a
wakeup that comes in while they are being planned is never lost; nobody else is read."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.recurrence import next_after
from core import board, due_members, nudge_plan
from core.board import Details, Person
from core.members import remember_member
from core.models import Advisor, Member, Wakeup

TEAM, ALICE = "T0TEST", "U0ALICE"
PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2026, 11, 23, 9, tzinfo=UTC)  # 10:00 in Paris


def member(session, clock, **settings) -> Member:
    alice = remember_member(session, team_id=TEAM, user_id=ALICE, tz="Europe/Paris", clock=clock)
    alice.last_seen_at = None
    for name, value in settings.items():
        setattr(alice, name, value)
    session.add(alice)
    session.commit()
    return alice


def enlist(session, clock, last_spoke_on: date, name="Grace Hopper") -> None:
    board.enlist(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        person=Person(name=name),
        details=Details(cadence_days=30),
        last_spoke_on=last_spoke_on,
        zone=PARIS,
        clock=clock,
    )
    session.commit()


def plan(session, now: datetime) -> nudge_plan.Plan:
    """What the tick does for Alice, short of sending."""
    seen = due_members.wakeups(session, team_id=TEAM, owner_id=ALICE)
    found = nudge_plan.plan(session, team_id=TEAM, owner_id=ALICE, now=now, next_after=next_after)
    if found.items:
        nudge_plan.claim(session, plan=found, now=now)
    nudge_plan.look_again(session, member=found.member, now=now)
    due_members.answered(session, wakeup_ids=seen)
    session.commit()
    return found


def test_a_change_to_the_board_wakes_the_member_and_planning_answers_it(session, clock):
    member(session, clock)
    assert due_members.due_owners(session, now=clock.now()) == [(TEAM, ALICE)], "new: look"
    plan(session, clock.now())
    assert due_members.due_owners(session, now=clock.now()) == []

    enlist(session, clock, last_spoke_on=date(2026, 11, 20))  # due December 20

    assert due_members.due_owners(session, now=clock.now()) == [(TEAM, ALICE)]
    plan(session, clock.now())
    assert due_members.due_owners(session, now=clock.now()) == []


def test_a_member_is_looked_at_when_their_earliest_nudge_day_comes_and_their_window_opens(
    session, clock
):
    alice = member(session, clock)
    enlist(session, clock, last_spoke_on=date(2026, 11, 20))  # due Sunday December 20, 10:00

    plan(session, clock.now())

    session.refresh(alice)
    assert alice.look_at == datetime(2026, 12, 21, 8, tzinfo=UTC)  # Monday 09:00 in Paris
    assert due_members.due_owners(session, now=alice.look_at - timedelta(seconds=1)) == []
    assert due_members.due_owners(session, now=alice.look_at) == [(TEAM, ALICE)]


def test_a_member_with_nothing_to_nudge_is_not_looked_at_until_something_changes(session, clock):
    alice = member(session, clock)

    plan(session, clock.now())

    session.refresh(alice)
    assert alice.look_at is None
    assert due_members.due_owners(session, now=clock.now() + timedelta(days=400)) == []


def test_after_todays_delivery_the_next_look_is_tomorrow_at_the_earliest(session, clock):
    alice = member(session, clock)
    enlist(session, clock, last_spoke_on=date(2026, 10, 20))  # overdue
    assert len(plan(session, clock.now()).items) == 1

    clock.advance(hours=1)
    enlist(session, clock, last_spoke_on=date(2026, 10, 21), name="Ada Lovelace")  # overdue too
    found = plan(session, clock.now())

    assert found.items == [] and found.why_not.startswith("today's delivery is out")
    session.refresh(alice)
    assert alice.look_at == datetime(2026, 11, 24, 8, tzinfo=UTC)  # Tuesday 09:00 in Paris


def test_a_wakeup_that_comes_in_while_the_member_is_planned_is_not_lost(session, clock):
    member(session, clock)
    seen = due_members.wakeups(session, team_id=TEAM, owner_id=ALICE)
    found = nudge_plan.plan(
        session, team_id=TEAM, owner_id=ALICE, now=clock.now(), next_after=next_after
    )
    enlist(session, clock, last_spoke_on=date(2026, 10, 20))  # meanwhile, from a request
    nudge_plan.look_again(session, member=found.member, now=clock.now())
    due_members.answered(session, wakeup_ids=seen)
    session.commit()

    assert due_members.due_owners(session, now=clock.now()) == [(TEAM, ALICE)]
    assert len(session.exec(select(Wakeup)).all()) == 1


def test_a_monday_preview_member_is_looked_at_on_mondays_only(session, clock):
    alice = member(session, clock, monday_preview=True)

    found = plan(session, clock.now())  # Monday 10:00 in Paris

    assert [item.kind for item in found.items] == ["preview"]
    session.refresh(alice)
    assert alice.look_at == datetime(2026, 11, 30, 8, tzinfo=UTC)  # next Monday, 09:00
    for day in range(1, 7):
        assert due_members.due_owners(session, now=MONDAY + timedelta(days=day)) == []


def test_a_wakeup_that_commits_late_with_a_smaller_id_is_not_lost(engine, clock, monkeypatch):
    """Postgres hands out ids in insert order but shows rows in commit order: planning answers
    the wakeups it read, by id, never "everything up to the newest"."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: two requests cannot interleave so")
    with Session(engine, expire_on_commit=False) as session:
        member(session, clock)
        enlist(session, clock, last_spoke_on=date(2026, 11, 22))  # due in a month
        plan(session, clock.now())
    slow = Session(engine, expire_on_commit=False)  # a request moves Grace to due now...
    slow.begin()
    grace = slow.exec(select(Advisor)).one()
    board.set_due(slow, grace, clock.now() - timedelta(days=1), now=clock.now())
    slow.flush()  # ...its wakeup has an id, not yet committed
    with Session(engine) as quick:  # another request of Alice's commits a later wakeup
        remember_member(quick, team_id=TEAM, user_id=ALICE, tz="Europe/Paris", clock=clock)
        quick.exec(select(Member)).one().last_seen_at = None
        quick.commit()
    answered = due_members.answered

    def slow_commits_first(session, **ids):
        slow.commit()
        answered(session, **ids)

    monkeypatch.setattr(due_members, "answered", slow_commits_first)
    with Session(engine, expire_on_commit=False) as session:
        plan(session, clock.now())
    slow.close()

    with Session(engine) as session:
        assert due_members.due_owners(session, now=clock.now()) == [(TEAM, ALICE)]


def test_a_preview_asked_for_outside_the_window_comes_on_the_next_monday(session, clock):
    alice = member(session, clock)
    clock.advance(hours=10)  # Monday 20:00 in Paris: her window is closed
    alice.monday_preview = True  # as saving her settings does (it wakes her)
    session.add(alice)
    session.commit()

    plan(session, clock.now())

    session.refresh(alice)
    assert alice.look_at == datetime(2026, 11, 24, 8, tzinfo=UTC), "her next window: planned"
    plan(session, alice.look_at)  # Tuesday: the schedule is made, for Monday
    session.refresh(alice)
    assert alice.look_at == datetime(2026, 11, 30, 8, tzinfo=UTC)
    found = plan(session, alice.look_at)
    assert [item.kind for item in found.items] == ["preview"]
