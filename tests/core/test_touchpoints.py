"""Touchpoints in core: each one moves the advisor's next due date; bad input saves nothing."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core import board
from core.board import Details, Person
from core.errors import Invalid, NotOnBoard
from core.members import remember_member
from core.models import Touchpoint
from core.touchpoints import latest_touchpoints, log_touchpoint
from tests.core.test_board import ALICE, BOB, PARIS, TEAM


@pytest.fixture
def grace(session, clock):
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    advisor = board.enlist(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        person=Person(name="Grace Hopper"),
        details=Details(cadence_days=14),
        last_spoke_on=clock.now().astimezone(PARIS).date(),
        zone=PARIS,
        clock=clock,
    )
    session.commit()
    return advisor


def log(session, clock, advisor_id, owner=ALICE, **fields):
    return log_touchpoint(
        session, team_id=TEAM, owner_id=owner, advisor_id=advisor_id, clock=clock, **fields
    )


def test_a_touchpoint_now_moves_the_next_due_date_one_cadence_ahead(session, clock, grace):
    clock.advance(days=10)

    log(session, clock, grace.id, how="coffee", exchanged=["advice"], note="Talked promotions")

    assert grace.last_touch_at == clock.now()
    assert grace.next_touch_due_at == clock.now() + timedelta(days=14)


def test_a_touchpoint_older_than_the_last_contact_is_kept_but_moves_nothing(session, clock, grace):
    clock.advance(days=3)
    due = grace.next_touch_due_at

    log(session, clock, grace.id, at=clock.now() - timedelta(days=20))

    assert grace.next_touch_due_at == due
    assert len(session.exec(select(Touchpoint)).all()) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"how": "telepathy"}, "how"),
        ({"exchanged": ["gossip"]}, "exchanged"),
        ({"given_by": "nobody"}, "given_by"),
        ({"note": "x" * 3001}, "note"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    session, clock, grace, fields, field
):
    with pytest.raises(Invalid) as caught:
        log(session, clock, grace.id, **fields)

    assert caught.value.field == field
    assert session.exec(select(Touchpoint)).all() == []


def test_a_touchpoint_in_the_future_is_refused(session, clock, grace):
    with pytest.raises(Invalid) as caught:
        log(session, clock, grace.id, at=clock.now() + timedelta(hours=1))

    assert caught.value.field == "date"


def test_nobody_can_log_a_touchpoint_with_another_members_advisor(session, clock, grace):
    with pytest.raises(NotOnBoard):
        log(session, clock, grace.id, owner=BOB)

    assert session.exec(select(Touchpoint)).all() == []


def test_the_latest_touchpoint_of_each_advisor_comes_in_one_query(session, clock, grace):
    log(session, clock, grace.id, at=clock.now() - timedelta(days=2), note="older")
    log(session, clock, grace.id, note="newest")

    latest = latest_touchpoints(session, team_id=TEAM, owner_id=ALICE, advisor_ids=[grace.id])

    assert latest[grace.id].note == "newest"
    assert latest_touchpoints(session, team_id=TEAM, owner_id=BOB, advisor_ids=[grace.id]) == {}
