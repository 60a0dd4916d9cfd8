"""The goals modal and the advisor modal's new fields as data: valid Block Kit within Slack's
limits, prefilled from what is stored, read back as plain values."""

import json
from datetime import UTC, date, datetime

import pytest
from slack_sdk.models.views import View

from bot.views.advisor_form import build_advisor_modal, read_advisor_form
from bot.views.goals import build_goals_modal, goals_saved, read_goals_form
from core.models import Advisor, Goal, GoalKind
from tests.payloads import state_of

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def a_goal(n: int, kind: str = GoalKind.TWO_YEARS, text: str | None = None) -> Goal:
    return Goal(
        id=n,
        team_id="T0TEST",
        owner_id="U0ALICE",
        kind=kind,
        text=text or f"Goal {n}",
        position=n,
        created_at=NOW,
    )


def an_advisor(**fields) -> Advisor:
    values = {
        "id": 7,
        "team_id": "T0TEST",
        "owner_id": "U0ALICE",
        "name": "Grace",
        "relationship": "peer",
        "cadence_days": 30,
        "created_at": NOW,
        "updated_at": NOW,
    } | fields
    return Advisor(**values)


def round_trips(view: dict) -> bool:
    return View(**view).to_dict() == view


def block(view: dict, block_id: str) -> dict | None:
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def labels(element: dict) -> list[str]:
    return [o["text"]["text"] for o in element["options"]]


# --- The goals modal


def test_the_goals_modal_has_the_five_fields_in_order_each_optional_one_per_line():
    modal = build_goals_modal({})

    inputs = [b for b in modal["blocks"] if b["type"] == "input"]
    assert [b["label"]["text"] for b in inputs] == [
        "Where I want to be in two years",
        "Where I want to be in five years",
        "My strengths",
        "Gaps to fill",
        "The balance I want",
    ]
    assert [b["block_id"] for b in inputs] == [
        "two_years",
        "five_years",
        "strength",
        "gap",
        "balance",
    ]
    assert all(b["optional"] and b["element"]["multiline"] for b in inputs)
    assert {b["hint"]["text"] for b in inputs} == {"One per line"}
    assert round_trips(modal) and modal["callback_id"] == "goals"


def test_the_goals_modal_is_prefilled_one_goal_a_line_and_ten_long_goals_fit():
    long = [a_goal(n, GoalKind.GAP, f"{n}" + "x" * 289) for n in range(10)]  # as typed: 3000
    stored = {
        GoalKind.TWO_YEARS: [a_goal(1, text="Lead a team"), a_goal(2, text="Ship <the> platform")],
        GoalKind.GAP: long,
    }

    modal = build_goals_modal(stored)

    assert block(modal, "two_years")["element"]["initial_value"] == (
        "Lead a team\nShip <the> platform"
    )
    assert block(modal, "gap")["element"]["initial_value"] == "\n".join(g.text for g in long)
    assert "initial_value" not in block(modal, "balance")["element"]
    assert round_trips(modal)


def test_the_goals_form_reads_back_each_fields_text_and_empty_fields_as_empty():
    modal = build_goals_modal({GoalKind.STRENGTH: [a_goal(1, GoalKind.STRENGTH, "Writing")]})

    written = read_goals_form(state_of(modal, {"two_years": "Lead\nShip"})["values"])

    assert written == {
        "two_years": "Lead\nShip",
        "five_years": "",
        "strength": "Writing",
        "gap": "",
        "balance": "",
    }


def test_saving_says_how_many_goals_and_where_advisors_are_linked():
    assert goals_saved([a_goal(1)]).startswith("Saved: 1 goal.")
    said = goals_saved([a_goal(1), a_goal(2)])
    assert said.startswith("Saved: 2 goals.") and "*Edit* form on my Home tab" in said
    assert "No goals saved" in goals_saved([])


# --- The advisor modal: where from, how close, goals


def test_a_new_advisor_is_asked_where_from_and_how_close_with_nothing_chosen():
    modal = build_advisor_modal(today=TODAY)

    origin, closeness = block(modal, "origin"), block(modal, "closeness")
    assert origin["label"]["text"] == "Where you know them from" and origin["optional"]
    assert labels(origin["element"]) == [
        "My current employer",
        "A former employer",
        "School or university",
        "A professional association",
        "Community",
        "Family",
        "Online",
    ]
    assert closeness["label"]["text"] == "How close are you" and closeness["optional"]
    assert labels(closeness["element"]) == ["Acquaintance", "Friendly", "Close", "Very close"]
    assert "initial_option" not in json.dumps([origin, closeness])
    assert block(modal, "goals") is None  # no goals yet: nothing to link
    assert round_trips(modal)


def test_the_support_choices_include_protection_and_acceptance_within_ten():
    support = block(build_advisor_modal(today=TODAY), "support")["element"]

    assert "Career: protection (shields me)" in labels(support)
    assert "Personal: acceptance and confirmation" in labels(support)
    assert len(support["options"]) <= 10


def test_an_advisor_enlisted_before_shows_where_from_as_not_known_yet():
    modal = build_advisor_modal(today=TODAY, advisor=an_advisor())

    origin = block(modal, "origin")["element"]
    assert origin["placeholder"]["text"] == "Not known yet" and "initial_option" not in origin
    assert "initial_option" not in block(modal, "closeness")["element"]


def test_the_edit_modal_shows_the_stored_origin_closeness_and_linked_goals():
    goals = [a_goal(1), a_goal(2, GoalKind.FIVE_YEARS), a_goal(3, GoalKind.GAP)]
    advisor = an_advisor(origin="association", closeness=3)

    modal = build_advisor_modal(today=TODAY, advisor=advisor, goals=goals, linked={1, 3})

    assert block(modal, "origin")["element"]["initial_option"]["value"] == "association"
    assert block(modal, "closeness")["element"]["initial_option"]["value"] == "3"
    element = block(modal, "goals")["element"]
    assert element["type"] == "checkboxes"
    assert labels(element) == ["In two years: Goal 1", "In five years: Goal 2", "Gap: Goal 3"]
    assert [o["value"] for o in element["initial_options"]] == ["1", "3"]
    ids = [b.get("block_id") for b in modal["blocks"]]
    assert ids.index("support") < ids.index("goals") < ids.index("gains")
    assert round_trips(modal)


@pytest.mark.parametrize("count", [11, 30])
def test_more_than_ten_goals_are_a_multi_select(count):
    goals = [a_goal(n, text=f"{n} " + "long goal " * 40) for n in range(1, count + 1)]

    modal = build_advisor_modal(today=TODAY, goals=goals, linked={2, 11})

    element = block(modal, "goals")["element"]
    assert element["type"] == "multi_static_select" and len(element["options"]) == count
    assert [o["value"] for o in element["initial_options"]] == ["2", "11"]
    assert all(len(text) <= 75 for text in labels(element))
    assert round_trips(modal)


def test_the_advisor_form_reads_back_origin_closeness_and_goals():
    goals = [a_goal(1), a_goal(2, GoalKind.GAP)]
    modal = build_advisor_modal(today=TODAY, goals=goals)
    answers = {"name": "Ada", "origin": "school", "closeness": "2", "goals": ["2"]}

    form = read_advisor_form(state_of(modal, answers)["values"])

    assert (form.origin, form.closeness, form.goal_ids) == ("school", 2, (2,))


def test_nothing_chosen_reads_as_not_known_and_no_goals_block_leaves_links_alone():
    modal = build_advisor_modal(today=TODAY)

    form = read_advisor_form(state_of(modal, {"name": "Ada"})["values"])

    assert (form.origin, form.closeness, form.goal_ids) == (None, None, None)


def test_crafted_values_read_as_ids_that_match_nothing_and_a_closeness_core_refuses():
    modal = build_advisor_modal(today=TODAY, goals=[a_goal(1)])
    answers = {"closeness": "very", "goals": ["x", "-1", "99999999999"]}

    form = read_advisor_form(state_of(modal, answers)["values"])

    assert form.closeness == 0 and form.goal_ids == (0, 0, 0)


def test_a_circles_suggested_peer_still_opens_prefilled_without_origin():
    peer = Advisor(
        team_id="T0TEST",
        owner_id="U0ALICE",
        name="",
        relationship="peer",
        inside_org=True,
        support=["counsel"],
    )

    modal = build_advisor_modal(today=TODAY, prefill_member="U0BOB", prefill=peer)

    assert block(modal, "relationship")["element"]["initial_option"]["value"] == "peer"
    assert [o["value"] for o in block(modal, "support")["element"]["initial_options"]] == [
        "counsel"
    ]
    assert "initial_option" not in block(modal, "origin")["element"]
    assert round_trips(modal)
