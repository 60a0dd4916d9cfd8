"""An advisor's history in core: touchpoints and promises newest first, a page at a time; and
deleting a touchpoint logged by mistake, after which the dates are as if it never was."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from core import board, history, promises
from core.board import Details, Person
from core.cadence import due_after
from core.errors import NotOnBoard, NotYours
from core.history import Cursor, delete_touchpoint
from core.members import remember_member
from core.models import AdvisorStatus, PromiseChange, Touchpoint, Wakeup
from core.touchpoints import log_touchpoint
from tests.core.test_board import ALICE, BOB, PARIS, TEAM


@pytest.fixture
def grace(session, clock):
    """Alice's advisor, enlisted today having last spoken to her five days ago (every 14 days)."""
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    advisor = board.enlist(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        person=Person(name="Grace Hopper"),
        details=Details(cadence_days=14),
        last_spoke_on=clock.now().astimezone(PARIS).date() - timedelta(days=5),
        zone=PARIS,
        clock=clock,
    )
    session.commit()
    return advisor


def log(session, clock, advisor, *, days_ago: float = 0, owner=ALICE, note=""):
    log_touchpoint(
        session,
        team_id=TEAM,
        owner_id=owner,
        advisor_id=advisor.id,
        clock=clock,
        at=clock.now() - timedelta(days=days_ago),
        note=note,
    )
    session.commit()
    return session.exec(select(Touchpoint).order_by(Touchpoint.id.desc())).first()


def promise(session, clock, advisor, what="Send the deck", days=10):
    made = promises.make_promise(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        advisor_id=advisor.id,
        what=what,
        due_on=clock.now().astimezone(PARIS).date() + timedelta(days=days),
        firmness="promise",
        zone=PARIS,
        clock=clock,
    )
    session.commit()
    return made


def page(session, advisor, owner=ALICE, **options):
    return history.page(session, team_id=TEAM, owner_id=owner, advisor_id=advisor.id, **options)


def delete(session, clock, touchpoint_id, owner=ALICE):
    deleted = delete_touchpoint(
        session, team_id=TEAM, owner_id=owner, touchpoint_id=touchpoint_id, clock=clock
    )
    session.commit()
    return deleted


def what_it_shows(shown) -> list[str]:
    return [
        f"touchpoint {e.touchpoint.note}" if e.touchpoint else f"promise {e.promise.what}"
        for e in shown.entries
    ]


# --- the history


def test_the_history_shows_touchpoints_and_promises_with_their_changes_newest_first(
    session, clock, grace
):
    log(session, clock, grace, note="coffee")
    clock.advance(days=1)
    made = promise(session, clock, grace, "Send the deck")
    clock.advance(days=1)
    promises.post_update(
        session, team_id=TEAM, owner_id=ALICE, promise_id=made.id, text="Draft done", clock=clock
    )
    clock.advance(days=1)
    promises.mark_done(session, team_id=TEAM, owner_id=ALICE, promise_id=made.id, clock=clock)
    clock.advance(days=1)
    log(session, clock, grace, note="call")

    shown = page(session, grace)

    assert what_it_shows(shown) == ["touchpoint call", "promise Send the deck", "touchpoint coffee"]
    changes = [(c.change, c.text) for c in shown.entries[1].changes]
    assert changes == [
        (PromiseChange.MADE, ""),
        (PromiseChange.UPDATE, "Draft done"),
        (PromiseChange.DONE, ""),
    ]
    assert shown.first and shown.older is None


@pytest.mark.parametrize("size", [1, 2, 3, 7, 20])
def test_paging_reaches_every_entry_once_in_order_even_at_the_same_moment(
    session, clock, grace, size
):
    for n in range(5):  # touchpoints and promises sharing moments, and two at the same moment
        log(session, clock, grace, note=f"t{n}a")
        log(session, clock, grace, note=f"t{n}b")
        promise(session, clock, grace, f"p{n}")
        clock.advance(hours=1)
    everything = page(session, grace, size=100)

    seen, cursor = [], None
    while True:
        shown = page(session, grace, older_than=cursor, size=size)
        assert len(shown.entries) <= size and shown.first == (cursor is None)
        seen += what_it_shows(shown)
        cursor = shown.older
        if cursor is None:
            break

    assert seen == what_it_shows(everything)
    assert len(seen) == 15 and seen[:3] == ["touchpoint t4b", "touchpoint t4a", "promise p4"]


def test_a_cursor_survives_its_trip_through_a_button_and_nonsense_is_refused():
    cursor = Cursor(datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC), "t", 42)

    assert Cursor.load(cursor.dump()) == cursor
    for bad in (
        "",
        "x1@2026-11-23T09:00:00+00:00",
        "t@2026-11-23T09:00:00+00:00",
        "t1@soon",
        "t1@2026-11-23T09:00:00",
        "t-1@2026-11-23T09:00:00+00:00",
        None,
    ):
        assert Cursor.load(bad) is None


def test_alumni_have_a_history_too(session, clock, grace):
    log(session, clock, grace, note="farewell lunch")
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=grace.id, clock=clock)

    assert what_it_shows(page(session, grace)) == ["touchpoint farewell lunch"]


def test_another_members_advisor_has_no_history_for_you(session, clock, grace):
    log(session, clock, grace, note="private")

    with pytest.raises(NotOnBoard):
        page(session, grace, owner=BOB)


# --- deleting a touchpoint


def test_deleting_the_latest_touchpoint_brings_back_the_one_before_and_its_due_date(
    session, clock, grace
):
    clock.advance(days=3)
    before = log(session, clock, grace, note="real")
    clock.advance(days=2)
    mistake = log(session, clock, grace, note="wrong person")
    assert grace.next_touch_due_at == due_after(mistake.at, 14)
    wakeups = len(session.exec(select(Wakeup)).all())

    deleted = delete(session, clock, mistake.id)

    assert deleted.moved and deleted.at == mistake.at
    assert grace.last_touch_at == before.at
    assert grace.next_touch_due_at == due_after(before.at, 14)
    assert grace.nudge_at == grace.next_touch_due_at  # recomputed the one way it always is
    assert len(session.exec(select(Wakeup)).all()) == wakeups + 1  # the tick plans Alice again
    assert session.get(Touchpoint, mistake.id) is None


def test_deleting_the_only_touchpoint_falls_back_to_the_last_contact_given_on_enlisting(
    session, clock, grace
):
    enlisted_last, enlisted_due = grace.last_touch_at, grace.next_touch_due_at
    clock.advance(days=2)
    mistake = log(session, clock, grace)

    delete(session, clock, mistake.id)

    assert (grace.last_touch_at, grace.next_touch_due_at) == (enlisted_last, enlisted_due)
    assert grace.nudge_at == enlisted_due


def test_deleting_an_older_touchpoint_moves_nothing(session, clock, grace):
    old = log(session, clock, grace, days_ago=1)
    clock.advance(days=1)
    latest = log(session, clock, grace)
    due = grace.next_touch_due_at

    deleted = delete(session, clock, old.id)

    assert not deleted.moved
    assert (grace.last_touch_at, grace.next_touch_due_at) == (latest.at, due)
    assert session.get(Touchpoint, latest.id) is not None


def test_deleting_one_of_two_touchpoints_at_the_same_moment_moves_nothing(session, clock, grace):
    first = log(session, clock, grace, note="a")
    log(session, clock, grace, note="b")
    due = grace.next_touch_due_at

    assert not delete(session, clock, first.id).moved
    assert grace.next_touch_due_at == due


def test_a_touchpoint_older_than_the_contact_given_on_enlisting_moves_nothing(
    session, clock, grace
):
    old = log(session, clock, grace, days_ago=30)
    due = grace.next_touch_due_at

    assert not delete(session, clock, old.id).moved
    assert grace.next_touch_due_at == due


def test_a_snooze_after_the_mistake_stands_when_it_is_deleted(session, clock, grace):
    clock.advance(days=1)
    mistake = log(session, clock, grace)
    board.snooze(session, team_id=TEAM, owner_id=ALICE, advisor_id=grace.id, days=7, clock=clock)
    snoozed = grace.next_touch_due_at

    delete(session, clock, mistake.id)

    assert grace.next_touch_due_at == snoozed
    assert grace.last_touch_at == grace.last_spoke_at


def test_an_alumnus_touchpoint_deleted_moves_their_last_touchpoint_and_no_due_date(
    session, clock, grace
):
    clock.advance(days=1)
    mistake = log(session, clock, grace)
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=grace.id, clock=clock)

    delete(session, clock, mistake.id)

    assert grace.status == AdvisorStatus.ALUMNI
    assert grace.last_touch_at == grace.last_spoke_at
    assert grace.next_touch_due_at is None and grace.nudge_at is None


def test_an_advisor_from_before_the_enlisting_contact_was_kept_falls_back_to_enlisting_day(
    session, clock, grace
):
    grace.last_spoke_at = None  # as the migration leaves one whose contact it could not read
    clock.advance(days=4)
    mistake = log(session, clock, grace)

    delete(session, clock, mistake.id)

    assert grace.last_touch_at == grace.created_at
    assert grace.next_touch_due_at == due_after(grace.created_at, 14)


def test_another_members_touchpoint_cannot_be_deleted_and_nothing_changes(session, clock, grace):
    clock.advance(days=1)
    touchpoint = log(session, clock, grace)
    due = grace.next_touch_due_at

    with pytest.raises(NotYours):
        delete(session, clock, touchpoint.id, owner=BOB)
    with pytest.raises(NotYours):
        delete_touchpoint(
            session, team_id="T0OTHER", owner_id=ALICE, touchpoint_id=touchpoint.id, clock=clock
        )
    session.rollback()

    assert session.get(Touchpoint, touchpoint.id) is not None
    assert grace.next_touch_due_at == due


def test_deleting_a_touchpoint_twice_says_it_is_gone_the_second_time(session, clock, grace):
    touchpoint = log(session, clock, grace)
    delete(session, clock, touchpoint.id)

    with pytest.raises(NotYours, match="touchpoint"):
        delete(session, clock, touchpoint.id)


def test_a_history_page_after_a_deletion_no_longer_shows_it(session, clock, grace):
    kept = log(session, clock, grace, note="kept")
    gone = log(session, clock, grace, note="gone")

    delete(session, clock, gone.id)

    assert [e.touchpoint.id for e in page(session, grace).entries] == [kept.id]


def test_a_promise_to_an_advisor_is_dated_by_when_it_was_made(session, clock, grace):
    made = promise(session, clock, grace, days=30)

    [entry] = page(session, grace).entries

    assert entry.at == made.created_at and entry.promise.due_on > date(2026, 12, 1)
