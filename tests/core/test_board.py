"""The board in core: enlisting, validation, editing, easing aside, bringing back, removing."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import board
from core.board import Details, Person
from core.cadence import Standing, standing
from core.errors import Invalid, NotOnBoard
from core.members import remember_member
from core.models import Advisor, AdvisorStatus, Touchpoint
from core.touchpoints import log_touchpoint
from core.who import read_who

PARIS = ZoneInfo("Europe/Paris")
ALICE, BOB, TEAM = "U0ALICE", "U0BOB", "T0TEST"
GRACE = Person(name="Grace Hopper", slack_user_id="U0GRACE", tz="America/New_York")


@pytest.fixture
def members(session, clock):
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    session.commit()


def enlist(session, clock, person=GRACE, owner=ALICE, **details):
    today = clock.now().astimezone(PARIS).date()
    return board.enlist(
        session,
        team_id=TEAM,
        owner_id=owner,
        person=person,
        details=Details(**details),
        last_spoke_on=today,
        zone=PARIS,
        clock=clock,
    )


def refusal(call, *args, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value


def test_enlisting_sets_the_first_stay_in_touch_one_cadence_after_the_last_contact(
    session, clock, members
):
    advisor = enlist(session, clock, relationship="senior")

    assert advisor.cadence_days == 30
    assert advisor.last_touch_at == clock.now()
    assert advisor.next_touch_due_at == clock.now() + timedelta(days=30)


def test_a_chosen_cadence_wins_over_the_relationships_default(session, clock, members):
    assert enlist(session, clock, relationship="peer", cadence_days=14).cadence_days == 14
    assert enlist(session, clock, person=Person(name="Ada"), relationship="peer").cadence_days == 21


def test_a_past_last_contact_counts_from_that_day_at_noon_where_the_member_is(
    session, clock, members
):
    advisor = board.enlist(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        person=GRACE,
        details=Details(cadence_days=7),
        last_spoke_on=date(2026, 11, 20),
        zone=PARIS,
        clock=clock,
    )

    assert advisor.last_touch_at == datetime(2026, 11, 20, 12, tzinfo=PARIS)
    assert advisor.next_touch_due_at == datetime(2026, 11, 27, 12, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("person", "details", "field"),
    [
        (Person(name="  "), {}, "name"),
        (Person(name="Alice", slack_user_id=ALICE), {}, "member"),
        (Person(name="Deploy Bot", slack_user_id="U0BOT", is_bot=True), {}, "member"),
        (Person(name="x" * 151), {}, "name"),
        (Person(name="Ada", contact="x" * 301), {}, "contact"),
        (Person(name="Ada"), {"gains": "x" * 3001}, "gains"),
        (Person(name="Ada"), {"cadence_days": 0}, "cadence"),
        (Person(name="Ada"), {"cadence_days": 366}, "cadence"),
        (Person(name="Ada"), {"relationship": "boss"}, "relationship"),
        (Person(name="Ada"), {"support": ("money",)}, "support"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    session, clock, members, person, details, field
):
    problem = refusal(enlist, session, clock, person=person, **details)

    assert problem.field == field
    assert session.exec(select(Advisor)).all() == []


def test_a_last_contact_tomorrow_where_the_member_is_is_refused(session, clock, members):
    tomorrow = clock.now().astimezone(PARIS).date() + timedelta(days=1)

    problem = refusal(
        board.enlist,
        session,
        team_id=TEAM,
        owner_id=ALICE,
        person=GRACE,
        details=Details(),
        last_spoke_on=tomorrow,
        zone=PARIS,
        clock=clock,
    )

    assert problem.field == "last_spoke"


def test_someone_already_on_the_board_or_among_alumni_cannot_be_enlisted_twice(
    session, clock, members
):
    grace = enlist(session, clock)
    ada = enlist(session, clock, person=Person(name="Ada Lovelace"))
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=ada.id, clock=clock)

    assert refusal(enlist, session, clock).field == "member"
    assert "already on your board" in str(refusal(enlist, session, clock))
    again = refusal(enlist, session, clock, person=Person(name="ada  LOVELACE"))
    assert again.field == "name" and "among alumni" in str(again)
    assert grace.id is not None


def test_two_members_can_each_have_the_same_advisor(session, clock, members):
    enlist(session, clock, owner=ALICE)
    enlist(session, clock, owner=BOB)

    assert len(session.exec(select(Advisor)).all()) == 2


def test_easing_aside_moves_to_alumni_out_of_the_cadence_and_bringing_back_restarts_it(
    session, clock, members
):
    advisor = enlist(session, clock)
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock)

    assert advisor.status == AdvisorStatus.ALUMNI and advisor.next_touch_due_at is None
    assert board.advisors(session, team_id=TEAM, owner_id=ALICE) == []

    clock.advance(days=40)
    board.bring_back(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock)

    assert advisor.status == AdvisorStatus.ACTIVE
    assert advisor.next_touch_due_at == clock.now() + timedelta(days=advisor.cadence_days)


def test_removing_deletes_the_advisor_and_their_touchpoints(session, clock, members):
    advisor = enlist(session, clock)
    log_touchpoint(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock)
    session.commit()

    assert (
        board.remove(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id) == "Grace Hopper"
    )
    session.commit()

    assert session.exec(select(Advisor)).all() == []
    assert session.exec(select(Touchpoint)).all() == []


@pytest.mark.parametrize("action", [board.ease_aside, board.bring_back])
def test_nobody_can_act_on_another_members_advisor(session, clock, members, action):
    graces = enlist(session, clock, owner=BOB)

    with pytest.raises(NotOnBoard):
        action(session, team_id=TEAM, owner_id=ALICE, advisor_id=graces.id, clock=clock)
    with pytest.raises(NotOnBoard):
        board.remove(session, team_id=TEAM, owner_id=ALICE, advisor_id=graces.id)
    with pytest.raises(NotOnBoard):
        action(session, team_id="T0OTHER", owner_id=BOB, advisor_id=graces.id, clock=clock)
    assert graces.status == AdvisorStatus.ACTIVE


def test_editing_a_cadence_moves_the_next_due_date(session, clock, members):
    advisor = enlist(session, clock, cadence_days=30)

    board.edit(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        advisor_id=advisor.id,
        person=GRACE,
        details=Details(cadence_days=7, notes="Met at the conference"),
        clock=clock,
    )

    assert advisor.next_touch_due_at == clock.now() + timedelta(days=7)
    assert advisor.notes == "Met at the conference"


def test_the_board_is_sorted_most_urgent_first(session, clock, members):
    enlist(session, clock, person=Person(name="Quarterly"), cadence_days=90)
    enlist(session, clock, person=Person(name="Weekly"), cadence_days=7)
    enlist(session, clock, person=Person(name="Monthly"), cadence_days=30)

    names = [a.name for a in board.advisors(session, team_id=TEAM, owner_id=ALICE)]

    assert names == ["Weekly", "Monthly", "Quarterly"]


def test_a_relationship_stands_on_track_then_due_soon_then_due_today_then_overdue(clock):
    due = clock.now() + timedelta(days=30)

    assert standing(due, 30, clock.now(), UTC) == Standing.ON_TRACK
    assert standing(due, 30, due - timedelta(days=6), UTC) == Standing.DUE_SOON
    assert standing(due, 30, due, UTC) == Standing.DUE_TODAY
    assert standing(due, 30, due + timedelta(hours=1), UTC) == Standing.DUE_TODAY
    assert standing(due, 30, due + timedelta(days=1), UTC) == Standing.OVERDUE


def test_due_today_is_the_members_own_day_not_utcs(clock):
    tokyo = ZoneInfo("Asia/Tokyo")
    due = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # Wed, Dec 2, 05:00 in Tokyo
    late_in_utc = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)

    assert standing(due, 30, late_in_utc, UTC) == Standing.DUE_TODAY
    assert standing(due, 30, late_in_utc, tokyo) == Standing.DUE_TODAY
    assert standing(due, 30, due - timedelta(hours=16), tokyo) == Standing.DUE_SOON


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Grace Hopper", ["Grace Hopper"]),
        ("grace", ["Grace Hopper"]),
        ("GRÂCE hop", ["Grace Hopper"]),
        ("hopper", ["Grace Hopper"]),
        ("Grase Hoper", ["Grace Hopper"]),
        ("ada", ["Ada Lovelace", "Ada Yonath"]),
        ("nobody", []),
    ],
)
def test_names_are_matched_forgivingly(session, clock, members, typed, found):
    for name in ("Grace Hopper", "Ada Lovelace", "Ada Yonath"):
        enlist(session, clock, person=Person(name=name))

    readings = read_who(session, team_id=TEAM, owner_id=ALICE, text=typed)

    assert sorted(r.item.name for r in readings) == found


def test_bringing_back_someone_already_back_restarts_nothing(session, clock, members):
    advisor = enlist(session, clock)
    due = advisor.next_touch_due_at
    clock.advance(days=50)

    board.bring_back(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock)

    assert advisor.next_touch_due_at == due


def test_editing_notes_after_a_bring_back_keeps_the_restarted_rhythm(session, clock, members):
    advisor = enlist(session, clock, cadence_days=30)
    board.ease_aside(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock)
    clock.advance(days=200)
    board.bring_back(session, team_id=TEAM, owner_id=ALICE, advisor_id=advisor.id, clock=clock)
    due = advisor.next_touch_due_at

    board.edit(
        session,
        team_id=TEAM,
        owner_id=ALICE,
        advisor_id=advisor.id,
        person=GRACE,
        details=Details(cadence_days=30, notes="new note"),
        clock=clock,
    )

    assert advisor.next_touch_due_at == due
    assert standing(advisor.next_touch_due_at, 30, clock.now(), UTC) == Standing.ON_TRACK


def test_a_daily_rhythm_is_on_track_right_after_a_touchpoint(clock):
    assert standing(clock.now() + timedelta(days=1), 1, clock.now(), UTC) == Standing.ON_TRACK


def test_a_name_without_letters_or_digits_is_refused(session, clock, members):
    assert refusal(enlist, session, clock, person=Person(name="???")).field == "name"


@pytest.mark.parametrize(
    ("text", "who", "note"),
    [
        ("Sam a quick coffee", "Sam", "a quick coffee"),
        ("Sam Altman lunch", "Sam Altman", "lunch"),
        ("Ada lunch today", "Ada", "lunch today"),
        ("grace talked roadmap", "Grace Hopper", "talked roadmap"),
        ("Grase Hoper intro", "Grace Hopper", "intro"),
    ],
)
def test_the_first_words_name_the_advisor_and_the_rest_is_the_note(
    session, clock, members, text, who, note
):
    for name in ("Sam", "Sam Altman", "Ada", "Ada Lynch", "Grace Hopper"):
        enlist(session, clock, person=Person(name=name))

    readings = read_who(session, team_id=TEAM, owner_id=ALICE, text=text)

    assert [(r.item.name, r.rest) for r in readings] == [(who, note)]
