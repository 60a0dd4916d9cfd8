"""Goals in core: the lists a member writes, kept across edits, and the advisors linked to them."""

from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from core import board, goals
from core.board import Details, Person
from core.errors import Invalid, NotOnBoard
from core.members import remember_member
from core.models import AdvisorGoal, Goal

PARIS = ZoneInfo("Europe/Paris")
ALICE, BOB, TEAM = "U0ALICE", "U0BOB", "T0TEST"
ALICES = {"team_id": TEAM, "owner_id": ALICE}
BOBS = {"team_id": TEAM, "owner_id": BOB}


@pytest.fixture
def members(session, clock):
    for user in (ALICE, BOB):
        remember_member(session, team_id=TEAM, user_id=user, tz="Europe/Paris", clock=clock)
    session.commit()


def enlist(session, clock, name: str, owner: str = ALICE, **details):
    return board.enlist(
        session,
        team_id=TEAM,
        owner_id=owner,
        person=Person(name=name),
        details=Details(**details),
        last_spoke_on=clock.now().astimezone(PARIS).date(),
        zone=PARIS,
        clock=clock,
    )


def save(session, clock, who=ALICES, **written):
    return goals.save_goals(session, **who, written=written, clock=clock)


def texts(session, who=ALICES) -> dict[str, list[str]]:
    grouped = goals.goals_by_kind(session, **who)
    return {kind: [goal.text for goal in rows] for kind, rows in grouped.items() if rows}


def ids_by_text(session, who=ALICES) -> dict[str, int]:
    grouped = goals.goals_by_kind(session, **who)
    return {goal.text: goal.id for rows in grouped.values() for goal in rows}


def refusal(call, *args, **kwargs) -> Invalid:
    with pytest.raises(Invalid) as caught:
        call(*args, **kwargs)
    return caught.value


def test_each_line_is_a_goal_and_blank_lines_spaces_and_repeats_are_dropped(
    session, clock, members
):
    save(
        session,
        clock,
        two_years="Lead a team\n\n   \n  Speak at a   conference  \nLead a team",
        gap="Public speaking\r\nBudgets",
    )

    assert texts(session) == {
        "two_years": ["Lead a team", "Speak at a conference"],
        "gap": ["Public speaking", "Budgets"],
    }


def test_goals_are_read_back_grouped_by_kind_in_order_with_every_kind_present(
    session, clock, members
):
    save(session, clock, balance="Home by six", strength="Writing\nListening")

    grouped = goals.goals_by_kind(session, **ALICES)

    assert list(grouped) == ["two_years", "five_years", "strength", "gap", "balance"]
    assert [g.text for g in grouped["strength"]] == ["Writing", "Listening"]
    assert [g.position for g in grouped["strength"]] == [0, 1]
    assert grouped["two_years"] == []


def test_an_edit_keeps_the_rows_of_unchanged_lines_and_their_order_follows_the_text(
    session, clock, members
):
    save(session, clock, two_years="Lead a team\nShip the platform", gap="Budgets")
    before = ids_by_text(session)

    clock.advance(days=3)
    save(session, clock, two_years="Mentor two juniors\nLead a team", gap="Budgets")

    after = ids_by_text(session)
    assert after["Lead a team"] == before["Lead a team"]
    assert after["Budgets"] == before["Budgets"]
    assert "Ship the platform" not in after
    assert texts(session)["two_years"] == ["Mentor two juniors", "Lead a team"]


def test_the_same_text_under_another_kind_is_another_goal(session, clock, members):
    save(session, clock, two_years="Lead a team")
    before = ids_by_text(session)["Lead a team"]

    save(session, clock, five_years="Lead a team")

    [goal] = session.exec(select(Goal).where(Goal.owner_id == ALICE)).all()
    assert (goal.kind, goal.id != before) == ("five_years", True)


def test_links_to_advisors_survive_an_edit_and_go_with_a_removed_line(session, clock, members):
    grace = enlist(session, clock, "Grace")
    save(session, clock, two_years="Lead a team\nShip the platform", gap="Budgets")
    ids = ids_by_text(session)
    goals.set_advisor_goals(
        session, **ALICES, advisor_id=grace.id, goal_ids=[ids["Lead a team"], ids["Budgets"]]
    )
    session.commit()

    save(session, clock, two_years="Ship the platform\nLead a team", gap="")
    session.commit()

    linked = goals.advisor_goals(session, **ALICES, advisor_id=grace.id)
    assert [g.text for g in linked] == ["Lead a team"]
    assert session.exec(select(AdvisorGoal)).all() == [
        AdvisorGoal(advisor_id=grace.id, goal_id=ids["Lead a team"])
    ]


@pytest.mark.parametrize(
    ("written", "field", "says"),
    [
        ({"two_years": "x" * 301}, "two_years", "Keep each line under 300 characters (line 1"),
        ({"gap": "ok\n" + "y" * 400}, "gap", "(line 2 has 400)"),
        ({"strength": "\n".join(f"s{n}" for n in range(11))}, "strength", "At most 10 here"),
        ({"balance": "Home\x00by six"}, "balance", "control character (U+0000)"),
        ({"five_years": "Lead\x1b"}, "five_years", "control character (U+001B)"),
    ],
)
def test_a_bad_list_is_refused_at_its_field_and_nothing_changes(
    session, clock, members, written, field, says
):
    save(session, clock, two_years="Lead a team")
    session.commit()

    problem = refusal(save, session, clock, **{"gap": "Budgets", **written})

    assert problem.field == field and says in str(problem)
    session.rollback()
    assert texts(session) == {"two_years": ["Lead a team"]}


def test_ten_lines_of_three_hundred_characters_are_fine(session, clock, members):
    lines = [f"{n}" + "z" * 299 for n in range(10)]

    save(session, clock, gap="\n".join(lines))

    assert texts(session)["gap"] == lines


def test_a_kind_left_out_is_emptied_and_unknown_kinds_are_ignored(session, clock, members):
    save(session, clock, two_years="Lead a team", strength="Writing")

    goals.save_goals(session, **ALICES, written={"strength": "Writing", "nope": "x"}, clock=clock)

    assert texts(session) == {"strength": ["Writing"]}


def test_one_members_goals_are_not_anothers(session, clock, members):
    save(session, clock, two_years="Lead a team")
    save(session, clock, who=BOBS, two_years="Run a marathon")

    save(session, clock, two_years="")

    assert texts(session) == {}
    assert texts(session, BOBS) == {"two_years": ["Run a marathon"]}


def test_an_advisor_is_linked_to_exactly_the_goals_chosen_and_a_second_choice_replaces_it(
    session, clock, members
):
    grace = enlist(session, clock, "Grace")
    save(session, clock, two_years="Lead a team", five_years="Be a CTO", gap="Budgets")
    ids = ids_by_text(session)

    first = goals.set_advisor_goals(
        session, **ALICES, advisor_id=grace.id, goal_ids=[ids["Be a CTO"], ids["Lead a team"]]
    )
    second = goals.set_advisor_goals(
        session, **ALICES, advisor_id=grace.id, goal_ids=[ids["Budgets"], ids["Lead a team"]]
    )

    assert first == sorted([ids["Be a CTO"], ids["Lead a team"]])
    assert second == sorted([ids["Budgets"], ids["Lead a team"]])
    assert goals.linked_goal_ids(session, **ALICES, advisor_id=grace.id) == set(second)
    assert [g.text for g in goals.advisor_goals(session, **ALICES, advisor_id=grace.id)] == [
        "Lead a team",
        "Budgets",
    ]


def test_another_members_goals_strengths_balance_and_unknown_ids_are_not_linked(
    session, clock, members
):
    grace = enlist(session, clock, "Grace")
    save(session, clock, two_years="Lead a team", strength="Writing", balance="Home by six")
    save(session, clock, who=BOBS, two_years="Run a marathon")
    ids = ids_by_text(session) | ids_by_text(session, BOBS)

    linked = goals.set_advisor_goals(
        session,
        **ALICES,
        advisor_id=grace.id,
        goal_ids=[ids["Run a marathon"], ids["Writing"], ids["Home by six"], 0, 2**31 - 1],
    )

    assert linked == []
    assert session.exec(select(AdvisorGoal)).all() == []


def test_another_members_advisor_cannot_be_linked_and_nothing_changes(session, clock, members):
    bobs = enlist(session, clock, "Grace", owner=BOB)
    save(session, clock, two_years="Lead a team")
    goal_id = ids_by_text(session)["Lead a team"]

    with pytest.raises(NotOnBoard):
        goals.set_advisor_goals(session, **ALICES, advisor_id=bobs.id, goal_ids=[goal_id])

    assert session.exec(select(AdvisorGoal)).all() == []
    assert goals.advisor_goals(session, **BOBS, advisor_id=bobs.id) == []


def test_the_linkable_goals_are_two_years_five_years_and_gaps_in_that_order(
    session, clock, members
):
    save(
        session,
        clock,
        gap="Budgets",
        balance="Home by six",
        strength="Writing",
        five_years="Be a CTO",
        two_years="Lead a team",
    )

    linkable = goals.linkable_goals(session, **ALICES)

    assert [(g.kind, g.text) for g in linkable] == [
        ("two_years", "Lead a team"),
        ("five_years", "Be a CTO"),
        ("gap", "Budgets"),
    ]


def test_goals_no_advisor_on_the_board_helps_with_are_named_and_alumni_do_not_count(
    session, clock, members
):
    grace, ada = enlist(session, clock, "Grace"), enlist(session, clock, "Ada")
    save(session, clock, two_years="Lead a team", five_years="Be a CTO", gap="Budgets")
    ids = ids_by_text(session)
    goals.set_advisor_goals(session, **ALICES, advisor_id=grace.id, goal_ids=[ids["Lead a team"]])
    goals.set_advisor_goals(session, **ALICES, advisor_id=ada.id, goal_ids=[ids["Budgets"]])

    board.ease_aside(session, **ALICES, advisor_id=ada.id, clock=clock)

    assert [g.text for g in goals.unlinked_goals(session, **ALICES)] == ["Be a CTO", "Budgets"]
    assert goals.unlinked_goals(session, **BOBS) == []


def test_removing_an_advisor_removes_their_links_not_the_goals(session, clock, members):
    grace = enlist(session, clock, "Grace")
    save(session, clock, two_years="Lead a team")
    goal_id = ids_by_text(session)["Lead a team"]
    goals.set_advisor_goals(session, **ALICES, advisor_id=grace.id, goal_ids=[goal_id])
    session.commit()

    board.remove(session, **ALICES, advisor_id=grace.id)
    session.commit()

    assert session.exec(select(AdvisorGoal)).all() == []
    assert texts(session) == {"two_years": ["Lead a team"]}


def test_where_an_advisor_comes_from_and_how_close_are_saved_and_edited(session, clock, members):
    grace = enlist(session, clock, "Grace", origin="former_employer", closeness=3)
    assert (grace.origin, grace.closeness) == ("former_employer", 3)

    edited = board.edit(
        session,
        **ALICES,
        advisor_id=grace.id,
        person=Person(name="Grace"),
        details=Details(origin=None, closeness=4),
        clock=clock,
    )

    assert (edited.origin, edited.closeness) == (None, 4)


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"origin": "moon"}, "origin"),
        ({"origin": ""}, "origin"),
        ({"closeness": 0}, "closeness"),
        ({"closeness": 5}, "closeness"),
    ],
)
def test_an_unknown_origin_or_closeness_is_refused_at_its_field(
    session, clock, members, details, field
):
    assert refusal(enlist, session, clock, "Grace", **details).field == field
