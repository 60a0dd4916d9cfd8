"""Goals end to end: /advisor goals and the Goals button open the member's goals at once, saving
keeps the goals advisors are linked to, bad lists are answered at the field; the enlist and
edit modals record where an advisor comes from, how close, and the goals they help with."""

import json

import pytest
from sqlmodel import Session, select

from bot.ids import EDIT_ADVISOR, OPEN_GOALS
from core.models import AdvisorGoal, Goal
from tests.e2e.helpers import BOB, GRACE, advisors, enlist, latest_view, submit
from tests.payloads import ALICE, block_action

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
WRITTEN = {
    "two_years": "Lead a team\nShip the platform",
    "five_years": "Be a CTO",
    "strength": "Writing",
    "gap": "Budgets",
}


def open_goals(bot, fake_slack, user: str = ALICE) -> dict:
    answer = bot.slack.command("goals", response_url=fake_slack.response_url(), user=user)
    assert answer.status == 200
    bot.settle()
    return latest_view(fake_slack, "views.open")


def write_goals(bot, fake_slack, written: dict, user: str = ALICE):
    answer = submit(bot, open_goals(bot, fake_slack, user), written, user=user)
    bot.settle()
    return answer


def goals(engine, owner: str = ALICE) -> dict[str, int]:
    """The member's goals: text -> id."""
    with Session(engine) as session:
        rows = session.exec(select(Goal).where(Goal.owner_id == owner)).all()
        return {goal.text: goal.id for goal in rows}


def links(engine) -> set[tuple[int, int]]:
    with Session(engine) as session:
        return {(row.advisor_id, row.goal_id) for row in session.exec(select(AdvisorGoal))}


def block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def open_edit(bot, fake_slack, advisor_id: int) -> dict:
    bot.slack.interact(block_action(EDIT_ADVISOR, str(advisor_id)))
    bot.settle()
    return latest_view(fake_slack, "views.open")


# --- The goals modal


def test_goals_are_written_saved_and_shown_again_the_next_time(bot, fake_slack, engine):
    modal = open_goals(bot, fake_slack)
    assert modal["callback_id"] == "goals"
    assert "initial_value" not in json.dumps(modal)

    answer = submit(bot, modal, WRITTEN)
    bot.settle()

    notice = answer.json()
    assert notice["response_action"] == "update"
    text = notice["view"]["blocks"][0]["text"]["text"]
    assert text.startswith("Saved: 5 goals.") and "*Edit* form on my Home tab" in text
    assert set(goals(engine)) == {
        "Lead a team",
        "Ship the platform",
        "Be a CTO",
        "Writing",
        "Budgets",
    }
    again = open_goals(bot, fake_slack)
    assert block(again, "two_years")["element"]["initial_value"] == WRITTEN["two_years"]
    assert block(again, "gap")["element"]["initial_value"] == "Budgets"
    assert "initial_value" not in block(again, "balance")["element"]


def test_the_goals_modal_opens_before_anything_else_is_asked_of_slack(bot, fake_slack):
    open_goals(bot, fake_slack)  # the first time, the member is looked up first
    seen = len(fake_slack.calls)

    open_goals(bot, fake_slack)

    after = [call.method for call in fake_slack.calls[seen:]]
    assert after[0] == "views.open", after


def test_the_goals_button_opens_the_same_modal(bot, fake_slack, engine):
    write_goals(bot, fake_slack, {"gap": "Budgets"})

    bot.slack.interact(block_action(OPEN_GOALS, "", response_url=None))
    bot.settle()

    modal = latest_view(fake_slack, "views.open")
    assert modal["callback_id"] == "goals"
    assert block(modal, "gap")["element"]["initial_value"] == "Budgets"


@pytest.mark.parametrize(
    ("answers", "field", "says"),
    [
        ({"two_years": "x" * 301}, "two_years", "under 300 characters"),
        ({"gap": "\n".join(f"Gap {n}" for n in range(11))}, "gap", "At most 10 here"),
        ({"balance": "Home\x01by six"}, "balance", "control character (U+0001)"),
    ],
)
def test_a_bad_list_is_answered_at_its_field_and_nothing_is_saved(
    bot, fake_slack, engine, answers, field, says
):
    write_goals(bot, fake_slack, {"strength": "Writing"})

    answer = submit(bot, open_goals(bot, fake_slack), {"five_years": "Be a CTO", **answers})

    assert answer.json()["response_action"] == "errors"
    [(where, said)] = answer.json()["errors"].items()
    assert where == field and says in said
    assert set(goals(engine)) == {"Writing"}


def test_one_members_goals_are_theirs_alone(bot, fake_slack, engine):
    write_goals(bot, fake_slack, {"gap": "Budgets"})
    write_goals(bot, fake_slack, {"gap": "Running"}, user=BOB)

    write_goals(bot, fake_slack, {"gap": ""})

    assert goals(engine) == {}
    assert set(goals(engine, BOB)) == {"Running"}
    assert block(open_goals(bot, fake_slack, BOB), "gap")["element"]["initial_value"] == "Running"


# --- Advisors: where from, how close, the goals they help with


def test_an_advisor_is_enlisted_with_where_from_how_close_and_goals(bot, fake_slack, engine):
    write_goals(bot, fake_slack, WRITTEN)
    ids = goals(engine)

    answer = enlist(
        bot,
        fake_slack,
        {
            "member": GRACE,
            "origin": "former_employer",
            "closeness": "3",
            "support": ["protection", "acceptance"],
            "goals": [str(ids["Lead a team"]), str(ids["Budgets"])],
        },
    )
    bot.settle()

    assert answer.json()["response_action"] == "update"
    [grace] = advisors(engine)
    assert (grace.origin, grace.closeness, grace.support) == (
        "former_employer",
        3,
        ["protection", "acceptance"],
    )
    assert links(engine) == {(grace.id, ids["Lead a team"]), (grace.id, ids["Budgets"])}


def test_the_enlist_modal_offers_only_where_you_want_to_be_and_gaps(bot, fake_slack, engine):
    write_goals(bot, fake_slack, WRITTEN)

    bot.slack.command("add", response_url=fake_slack.response_url())
    bot.settle()

    options = block(latest_view(fake_slack, "views.open"), "goals")["element"]["options"]
    assert [o["text"]["text"] for o in options] == [
        "In two years: Lead a team",
        "In two years: Ship the platform",
        "In five years: Be a CTO",
        "Gap: Budgets",
    ]


def test_without_goals_the_enlist_modal_has_no_goals_field(bot, fake_slack, engine):
    bot.slack.command("add", response_url=fake_slack.response_url())
    bot.settle()

    modal = latest_view(fake_slack, "views.open")
    assert "goals" not in [b.get("block_id") for b in modal["blocks"]]


def test_editing_the_goals_keeps_the_links_of_unchanged_lines(bot, fake_slack, engine):
    write_goals(bot, fake_slack, WRITTEN)
    ids = goals(engine)
    enlist(
        bot, fake_slack, {"member": GRACE, "goals": [str(ids["Lead a team"]), str(ids["Budgets"])]}
    )
    bot.settle()
    [grace] = advisors(engine)

    write_goals(
        bot, fake_slack, {**WRITTEN, "two_years": "Mentor two juniors\nLead a team", "gap": ""}
    )

    assert links(engine) == {(grace.id, ids["Lead a team"])}
    assert goals(engine)["Lead a team"] == ids["Lead a team"]


def test_the_edit_modal_shows_and_changes_where_from_how_close_and_goals(bot, fake_slack, engine):
    write_goals(bot, fake_slack, WRITTEN)
    ids = goals(engine)
    enlist(
        bot,
        fake_slack,
        {"member": GRACE, "origin": "school", "closeness": "2", "goals": [str(ids["Be a CTO"])]},
    )
    bot.settle()
    [grace] = advisors(engine)

    modal = open_edit(bot, fake_slack, grace.id)
    assert block(modal, "origin")["element"]["initial_option"]["value"] == "school"
    assert block(modal, "closeness")["element"]["initial_option"]["value"] == "2"
    chosen = block(modal, "goals")["element"]["initial_options"]
    assert [o["value"] for o in chosen] == [str(ids["Be a CTO"])]

    answer = submit(
        bot,
        modal,
        {"origin": "association", "closeness": "4", "goals": [str(ids["Budgets"])]},
    )
    bot.settle()

    assert answer.status == 200 and "errors" not in answer.body
    [edited] = advisors(engine)
    assert (edited.origin, edited.closeness) == ("association", 4)
    assert links(engine) == {(grace.id, ids["Budgets"])}


def test_an_advisor_enlisted_before_shows_where_from_as_not_known_and_keeps_it(
    bot, fake_slack, engine, grace
):
    modal = open_edit(bot, fake_slack, grace.id)

    origin = block(modal, "origin")["element"]
    assert origin["placeholder"]["text"] == "Not known yet" and "initial_option" not in origin

    submit(bot, modal, {"notes": "Met at the offsite"})
    bot.settle()

    [edited] = advisors(engine)
    assert (edited.origin, edited.closeness, edited.notes) == (None, None, "Met at the offsite")


@pytest.mark.parametrize(
    ("answers", "field"),
    [({"origin": "the_moon"}, "origin"), ({"closeness": "9"}, "closeness")],
)
def test_a_crafted_origin_or_closeness_is_refused_at_its_field(
    bot, fake_slack, engine, answers, field
):
    answer = enlist(bot, fake_slack, {"member": GRACE, **answers})

    assert answer.json()["response_action"] == "errors"
    assert list(answer.json()["errors"]) == [field]
    assert advisors(engine) == []


def test_a_crafted_goal_of_another_member_links_nothing(bot, fake_slack, engine):
    write_goals(bot, fake_slack, {"gap": "Running"}, user=BOB)
    write_goals(bot, fake_slack, {"gap": "Budgets"})
    bobs_goal = goals(engine, BOB)["Running"]

    enlist(bot, fake_slack, {"member": GRACE, "goals": [str(bobs_goal), "x", "-3"]})
    bot.settle()
    [grace] = advisors(engine)
    assert links(engine) == set()

    modal = open_edit(bot, fake_slack, grace.id)
    answer = submit(bot, modal, {"goals": [str(bobs_goal), str(goals(engine)["Budgets"])]})
    bot.settle()

    assert answer.status == 200 and "errors" not in answer.body
    assert links(engine) == {(grace.id, goals(engine)["Budgets"])}
