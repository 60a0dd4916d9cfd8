"""An advisor's history end to end: opened from Home and from `/advisor list`, paged in the
modal, a touchpoint deleted with the due date following on Home; another member's ids refused;
long lists paged with "Show more"; `/advisor list` with a word it does not know."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.ids import (
    DELETE_TOUCHPOINT,
    HISTORY,
    HISTORY_NEWEST,
    HISTORY_OLDER,
    LIST_MORE,
    PROMISES_MORE,
)
from core import board, promises
from core.board import Details, Person
from core.members import remember_member
from core.models import Advisor, Touchpoint
from core.touchpoints import log_touchpoint
from tests.e2e.helpers import BOB, advisors, home_text, latest_view
from tests.fakes import TEAM_ID
from tests.payloads import ALICE, block_action, modal_click

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
PARIS = ZoneInfo("Europe/Paris")


# --- driving it


def say(bot, fake_slack, text: str, user: str = ALICE) -> dict:
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    assert answer.status == 200
    return answer.json()


def open_history(bot, fake_slack, advisor_id, **where) -> dict:
    opened = len(fake_slack.calls_to("views.open"))
    bot.slack.interact(block_action(HISTORY, str(advisor_id), **where))
    bot.settle()
    assert len(fake_slack.calls_to("views.open")) == opened + 1
    return {**latest_view(fake_slack, "views.open"), "id": "V0HISTORY"}


def click_in(bot, fake_slack, view: dict, action_id: str, value: str, user=ALICE) -> dict:
    """Click a button in the open modal; returns the modal as the bot updated it."""
    updated = len(fake_slack.calls_to("views.update"))
    bot.slack.interact(modal_click(action_id, value, view=view, user=user))
    bot.settle()
    [update] = fake_slack.calls_to("views.update")[updated:]
    assert update.args["view_id"] == view["id"]
    return {**update.args["view"], "id": view["id"]}


def button(view: dict, action_id: str) -> dict:
    found = [b.get("accessory") or {} for b in view["blocks"]] + [
        e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    return next(e for e in found if e.get("action_id") == action_id)


def lines(view: dict) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"][1:]


def touchpoints_of(engine, advisor_id) -> list[Touchpoint]:
    with Session(engine) as session:
        return list(session.exec(select(Touchpoint).where(Touchpoint.advisor_id == advisor_id)))


def reload(engine, advisor_id) -> Advisor:
    with Session(engine) as session:
        return session.get(Advisor, advisor_id)


def logged(engine, clock, advisor, *, days_ago=0.0, note="", owner=ALICE) -> Touchpoint:
    with Session(engine) as session, session.begin():
        log_touchpoint(
            session,
            team_id=TEAM_ID,
            owner_id=owner,
            advisor_id=advisor.id,
            clock=clock,
            at=clock.now() - timedelta(days=days_ago),
            note=note,
        )
    return max(touchpoints_of(engine, advisor.id), key=lambda t: t.id)


# --- history from Home and from /advisor list


def test_history_opens_from_home_with_touchpoints_and_promises_newest_first(
    bot, fake_slack, engine, clock, grace
):
    clock.advance(days=1)
    say(bot, fake_slack, "log <@U0GRACE|grace> coffee about the reorg")
    clock.advance(hours=1)
    with Session(engine) as session, session.begin():
        promises.make_promise(
            session,
            team_id=TEAM_ID,
            owner_id=ALICE,
            advisor_id=grace.id,
            what="Send the deck",
            due_on=(clock.now() + timedelta(days=4)).date(),
            firmness="promise",
            zone=PARIS,
            clock=clock,
        )
    assert "advisor_history" in home_text(fake_slack)

    modal = open_history(bot, fake_slack, grace.id)

    assert modal["title"]["text"] == "History"
    assert "<@U0GRACE>" in modal["blocks"][0]["text"]["text"]
    shown = lines(modal)
    assert "Promised “Send the deck” (I promise) · *open*, due Sat, Nov 28" in shown[0]
    assert "Touchpoint" in shown[1] and "coffee about the reorg" in shown[1]
    assert button(modal, DELETE_TOUCHPOINT)["confirm"]["confirm"]["text"] == "Delete"


def test_history_opens_from_a_button_on_each_advisor_of_advisor_list(
    bot, fake_slack, engine, clock, grace
):
    logged(engine, clock, grace, note="lunch")

    listing = say(bot, fake_slack, "list")
    [history] = [b["accessory"] for b in listing["blocks"] if "accessory" in b]
    assert (history["action_id"], history["value"]) == (HISTORY, str(grace.id))

    modal = open_history(bot, fake_slack, grace.id, response_url=fake_slack.response_url())

    assert "lunch" in lines(modal)[0]


def test_alumni_have_a_history_from_advisor_list_alumni(bot, fake_slack, engine, clock, grace):
    logged(engine, clock, grace, note="farewell lunch")
    bot.slack.interact(block_action("ease_aside", str(grace.id)))
    bot.settle()

    listing = say(bot, fake_slack, "list alumni")
    assert f'"action_id": "{HISTORY}", "value": "{grace.id}"' in json.dumps(listing)
    modal = open_history(bot, fake_slack, grace.id, response_url=fake_slack.response_url())

    assert "among your alumni" in modal["blocks"][0]["text"]["text"]
    assert "farewell lunch" in lines(modal)[0]


def test_the_history_pages_in_the_modal_with_older_and_back_to_newest(
    bot, fake_slack, engine, clock, grace
):
    for n in range(45):
        logged(engine, clock, grace, days_ago=45 - n, note=f"note {n:02d}")

    modal, seen = open_history(bot, fake_slack, grace.id), []
    while True:
        seen += [line.split(">")[-1] for line in lines(modal) if "Touchpoint" in line]
        if not any(e.get("action_id") == HISTORY_OLDER for e in _all(modal)):
            break
        modal = click_in(
            bot, fake_slack, modal, HISTORY_OLDER, button(modal, HISTORY_OLDER)["value"]
        )

    assert seen == [f"note {n:02d}" for n in reversed(range(45))]
    assert "That's everything since you added" in json.dumps(modal)
    newest = click_in(
        bot, fake_slack, modal, HISTORY_NEWEST, button(modal, HISTORY_NEWEST)["value"]
    )
    assert "note 44" in lines(newest)[0]


def _all(view: dict) -> list[dict]:
    return [b.get("accessory") or {} for b in view["blocks"]] + [
        e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


# --- deleting a touchpoint


def test_deleting_a_touchpoint_moves_the_due_date_back_on_home_and_in_the_modal(
    bot, fake_slack, engine, clock, grace
):
    assert "(next Mon, Dec 7)" in home_text(fake_slack)  # enlisted today, every 14 days
    clock.advance(days=3)
    say(bot, fake_slack, "log <@U0GRACE|grace> lunch, wrong person")
    assert "(next Thu, Dec 10)" in home_text(fake_slack)
    [mistake] = touchpoints_of(engine, grace.id)
    modal = open_history(bot, fake_slack, grace.id)

    after = click_in(bot, fake_slack, modal, DELETE_TOUCHPOINT, str(mistake.id))

    assert touchpoints_of(engine, grace.id) == []
    note = json.dumps(after)
    assert "Deleted the touchpoint of Thu, Nov 26. Last touchpoint now Mon, Nov 23" in note
    assert "next *stay in touch* due Mon, Dec 7" in note
    assert not any(e.get("action_id") == DELETE_TOUCHPOINT for e in _all(after))
    assert "(next Mon, Dec 7)" in home_text(fake_slack)
    now = reload(engine, grace.id)
    assert now.next_touch_due_at == now.nudge_at == grace.next_touch_due_at


def test_deleting_an_older_touchpoint_leaves_the_due_date_and_says_so(
    bot, fake_slack, engine, clock, grace
):
    old = logged(engine, clock, grace, days_ago=3, note="old")
    clock.advance(days=1)
    logged(engine, clock, grace, note="new")
    due = reload(engine, grace.id).next_touch_due_at
    modal = open_history(bot, fake_slack, grace.id)

    after = click_in(bot, fake_slack, modal, DELETE_TOUCHPOINT, str(old.id))

    assert "stay as they were" in json.dumps(after)
    assert reload(engine, grace.id).next_touch_due_at == due
    assert [t.note for t in touchpoints_of(engine, grace.id)] == ["new"]


def test_a_second_click_on_delete_answers_calmly_and_changes_nothing(
    bot, fake_slack, engine, clock, grace
):
    mistake = logged(engine, clock, grace, note="twice")
    modal = open_history(bot, fake_slack, grace.id)
    click_in(bot, fake_slack, modal, DELETE_TOUCHPOINT, str(mistake.id))
    homes = len(fake_slack.calls_to("views.publish"))

    again = click_in(bot, fake_slack, modal, DELETE_TOUCHPOINT, str(mistake.id))

    assert "That touchpoint is not one of yours (any more), so nothing changed." in json.dumps(
        again
    )
    assert again["callback_id"] == "advisor_history_view"
    assert len(fake_slack.calls_to("views.publish")) == homes


def test_a_crafted_touchpoint_id_of_another_members_advisor_is_refused(
    bot, fake_slack, engine, clock, grace, bobs_advisor
):
    bobs = logged(engine, clock, bobs_advisor, owner=BOB, note="Bob's own")
    before = reload(engine, bobs_advisor.id)
    modal = open_history(bot, fake_slack, grace.id)

    refused = click_in(bot, fake_slack, modal, DELETE_TOUCHPOINT, str(bobs.id))
    bot.slack.interact(block_action(DELETE_TOUCHPOINT, str(bobs.id)))  # from no modal at all
    bot.settle()

    assert "not one of yours" in json.dumps(refused) and "Bob's own" not in json.dumps(refused)
    assert "not one of yours" in json.dumps(latest_view(fake_slack, "views.open"))
    assert [t.id for t in touchpoints_of(engine, bobs_advisor.id)] == [bobs.id]
    after = reload(engine, bobs_advisor.id)
    assert (after.last_touch_at, after.next_touch_due_at) == (
        before.last_touch_at,
        before.next_touch_due_at,
    )


def test_another_members_advisor_id_opens_no_history(
    bot, fake_slack, engine, clock, grace, bobs_advisor
):
    logged(engine, clock, bobs_advisor, owner=BOB, note="Bob's secret")

    bot.slack.interact(block_action(HISTORY, str(bobs_advisor.id)))
    bot.settle()
    told = json.dumps(latest_view(fake_slack, "views.open"))
    modal = open_history(bot, fake_slack, grace.id)
    older = click_in(bot, fake_slack, modal, HISTORY_OLDER, f"{bobs_advisor.id}:")
    newest = click_in(bot, fake_slack, modal, HISTORY_NEWEST, str(bobs_advisor.id))

    for answer in (told, json.dumps(older), json.dumps(newest)):
        assert "not on your board" in answer and "Bob's secret" not in answer


# --- long lists page with "Show more"


def _board_of(engine, clock, count: int) -> list[Advisor]:
    with Session(engine) as session, session.begin():
        remember_member(session, team_id=TEAM_ID, user_id=ALICE, tz="Europe/Paris", clock=clock)
        for n in range(count):
            board.enlist(
                session,
                team_id=TEAM_ID,
                owner_id=ALICE,
                person=Person(name=f"Person {n:02d}"),
                details=Details(cadence_days=10 + n),
                last_spoke_on=clock.now().date(),
                zone=PARIS,
                clock=clock,
            )
    return advisors(engine)


def follow_show_more(bot, fake_slack, first: dict, action_id: str) -> list[dict]:
    """Every page, clicking "Show more" on each; each replaces the message it was on."""
    pages = [first]
    while more := [
        e
        for b in pages[-1]["blocks"]
        if b.get("block_id") == "pages"
        for e in b["elements"]
        if e["text"]["text"].startswith("Show more")
    ]:
        for block in pages[-1]["blocks"]:  # Slack refuses a block with an action id twice
            ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
            assert len(ids) == len(set(ids))
        answered = len(fake_slack.calls_to("response_url"))
        url = fake_slack.response_url("list")
        assert more[0]["action_id"] == action_id
        bot.slack.interact(block_action(action_id, more[0]["value"], response_url=url))
        bot.settle()
        [reply] = fake_slack.calls_to("response_url")[answered:]
        assert reply.args["replace_original"] is True
        pages.append(reply.args)
        assert len(pages) < 10
    return pages


def test_advisor_list_pages_through_30_advisors_reaching_every_one(bot, fake_slack, engine, clock):
    everyone = _board_of(engine, clock, 30)

    pages = follow_show_more(bot, fake_slack, say(bot, fake_slack, "list"), LIST_MORE)

    listed = [b["accessory"]["value"] for p in pages for b in p["blocks"] if "accessory" in b]
    assert sorted(listed) == sorted(str(a.id) for a in everyone) and len(listed) == 30
    assert len(pages) == 2 and "showing 21 to 30 of 30" in json.dumps(pages[1])
    assert "more: the Home tab" not in json.dumps(pages)


def test_back_to_the_top_from_a_middle_page_shows_the_first_page(bot, fake_slack, engine, clock):
    _board_of(engine, clock, 45)
    pages = follow_show_more(bot, fake_slack, say(bot, fake_slack, "list"), LIST_MORE)
    [top] = [
        e for b in pages[1]["blocks"] if b.get("block_id") == "pages" for e in b["elements"]
        if e["text"]["text"] == "Back to the top"
    ]  # fmt: skip

    url = fake_slack.response_url("top")
    bot.slack.interact(block_action(top["action_id"], top["value"], response_url=url))
    bot.settle()

    assert len(pages) == 3 and top["action_id"] == f"{LIST_MORE}_top"
    assert "showing 1 to 20 of 45" in json.dumps(fake_slack.calls_to("response_url")[-1].args)


def test_show_more_is_read_again_for_whoever_clicks(bot, fake_slack, engine, clock):
    _board_of(engine, clock, 30)

    url = fake_slack.response_url("bob")
    bot.slack.interact(block_action(LIST_MORE, "active:20", response_url=url, user=BOB))
    bot.settle()

    [reply] = fake_slack.calls_to("response_url")
    assert "Person" not in json.dumps(reply.args) and "Your board is empty" in reply.args["text"]


def test_advisor_promises_pages_through_30_promises_reaching_every_one(
    bot, fake_slack, engine, clock, grace
):
    with Session(engine) as session, session.begin():
        for n in range(30):
            promises.make_promise(
                session,
                team_id=TEAM_ID,
                owner_id=ALICE,
                advisor_id=grace.id,
                what=f"Promise {n:02d}",
                due_on=(clock.now() + timedelta(days=1 + n)).date(),
                firmness="promise",
                zone=PARIS,
                clock=clock,
            )

    pages = follow_show_more(bot, fake_slack, say(bot, fake_slack, "promises"), PROMISES_MORE)

    shown = [
        b["text"]["text"].split("“")[1].split("”")[0]
        for p in pages
        for b in p["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("To ")
    ]
    assert shown == [f"Promise {n:02d}" for n in range(30)]
    assert "And 10 more" not in json.dumps(pages)


# --- /advisor list with a word it does not know


@pytest.mark.parametrize("text", ["list foo", "list alumni please", "list board"])
def test_an_unknown_word_after_list_shows_the_usage(bot, fake_slack, grace, text):
    answer = say(bot, fake_slack, text)

    assert answer["text"] == (
        "`/advisor list` shows your board, `/advisor list alumni` the advisors you eased aside."
    )
    assert answer["response_type"] == "ephemeral" and "blocks" not in answer


def test_list_alumni_is_understood_in_any_case(bot, fake_slack, grace):
    for text in ("list ALUMNI", "list  Alumni "):
        assert say(bot, fake_slack, text)["text"].startswith("You have no alumni")
