"""`/advisor forget me` end to end, over HTTP against the fake Slack: the member first sees what
would be deleted, behind a red button with Slack's confirm dialog, and nothing is deleted until
they click it; then every row of theirs is gone, they are told what went, and another member's
rows (even those naming them) are all there. Anything but `forget me` answers with the usage;
a crafted value deletes only the clicker's own rows; a second click, a replay or Cancel is
harmless; someone the bot never met gets no record made by asking."""

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, SQLModel, select

from bot.ids import FORGET_CANCEL, FORGET_ME
from core.forget import what_forget_deletes
from core.models import Advisor, Challenge, Circle, Member, Promise, Touchpoint
from tests.core.member_rows import still_holding
from tests.e2e.circling import CHANNEL, Circling, make_circle
from tests.e2e.helpers import BOB, GRACE, enlist, home_text
from tests.e2e.nudging import text_of
from tests.fakes import sign
from tests.payloads import ALICE, FORM, TEAM_ID, block_action

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")
NEWCOMER = "U0NEWCOMER"


def say(bot, fake_slack, text: str, user: str = ALICE) -> dict:
    answer = bot.slack.command(text, response_url=fake_slack.response_url(), user=user)
    bot.settle()
    return answer.json()


def click(bot, fake_slack, action: str, value: str = "me", user: str = ALICE) -> dict:
    url = fake_slack.response_url(f"confirm-{user}")
    bot.slack.interact(block_action(action, value, user=user, response_url=url))
    bot.settle()
    return fake_slack.calls_to("response_url")[-1].args


def boards(bot, fake_slack):
    """Alice: two advisors, a touchpoint, a promise. Bob: Grace, and Alice as his advisor."""
    enlist(bot, fake_slack, {"member": GRACE, "cadence": "14"})
    enlist(bot, fake_slack, {"name": "Ada Lovelace", "contact": "ada@example.com"})
    bot.settle()
    say(bot, fake_slack, f"log <@{GRACE}> coffee")
    say(bot, fake_slack, f"promise <@{GRACE}> send the deck by tomorrow")
    enlist(bot, fake_slack, {"member": GRACE}, user=BOB)
    enlist(bot, fake_slack, {"member": ALICE}, user=BOB)
    bot.settle()
    say(bot, fake_slack, f"log <@{ALICE}> lunch", user=BOB)


def rows_of(engine, user: str) -> dict[str, int]:
    with Session(engine) as session:
        return {
            "advisors": len(session.exec(select(Advisor).where(Advisor.owner_id == user)).all()),
            "touchpoints": len(
                session.exec(select(Touchpoint).where(Touchpoint.owner_id == user)).all()
            ),
            "promises": len(session.exec(select(Promise).where(Promise.owner_id == user)).all()),
            "members": len(session.exec(select(Member).where(Member.user_id == user)).all()),
        }


def bobs(engine) -> dict[str, list[dict]]:
    """Every row whose owner or person is Bob, by table."""
    found = {}
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            for column in ("owner_id", "user_id", "author_id"):
                if column in table.c:
                    query = table.select().where(table.c[column] == BOB)
                    found[table.name] = [dict(row._mapping) for row in session.execute(query)]
    return found


ALICES = {"advisors": 2, "touchpoints": 1, "promises": 1, "members": 1}
BOBS = {"advisors": 2, "touchpoints": 1, "promises": 0, "members": 1}
NONE = {"advisors": 0, "touchpoints": 0, "promises": 0, "members": 0}


def test_forget_me_says_what_would_be_deleted_and_deletes_nothing_yet(bot, fake_slack, engine):
    boards(bot, fake_slack)

    answer = say(bot, fake_slack, "forget me")

    shown = json.dumps(answer, ensure_ascii=False)
    assert "Delete everything I keep about you?" in answer["text"]
    for line in ("2 advisors", "1 touchpoint", "1 promise, with its history", "your settings"):
        assert line in shown
    [actions] = [b for b in answer["blocks"] if b["type"] == "actions"]
    delete, cancel = actions["elements"]
    assert (delete["action_id"], delete["style"]) == (FORGET_ME, "danger")
    assert delete["confirm"]["style"] == "danger"
    assert delete["confirm"]["confirm"]["text"] == "Delete everything"
    assert cancel["action_id"] == FORGET_CANCEL
    assert rows_of(engine, ALICE) == ALICES


def test_the_bots_own_rows_are_not_counted_and_what_stays_in_slack_is_said(bot, fake_slack, engine):
    boards(bot, fake_slack)
    say(bot, fake_slack, "export")  # two files in the DM

    answer = say(bot, fake_slack, "forget me")

    [text] = [b["text"]["text"] for b in answer["blocks"] if b["type"] == "section"]
    with Session(engine) as session:
        counted = what_forget_deletes(session, team_id=TEAM_ID, user_id=ALICE)
    assert counted["wakeup"] and counted["outbox"] >= 3  # the welcome and the export's files
    assert "• and my own notes about you (what I was to send you, and when)" in text
    for jargon in ("nudges again", "messages I sent you", "the id of our DM", "schedule"):
        assert jargon not in text
    assert "the exports and lists I sent you, the CSVs you uploaded" in text
    assert "You can delete your own messages and files in Slack" in text


def test_delete_everything_deletes_every_row_of_theirs_and_says_what(bot, fake_slack, engine):
    boards(bot, fake_slack)
    bot.slack.event({"type": "app_home_opened", "user": ALICE, "tab": "home"})
    bot.settle()
    assert "Ada Lovelace" in home_text(fake_slack)
    say(bot, fake_slack, "forget me")
    bobs_before = bobs(engine)

    answered = click(bot, fake_slack, FORGET_ME)

    assert answered["replace_original"] is True
    assert answered["text"].startswith("*Done: I deleted everything I kept about you.*")
    assert "2 advisors" in answered["text"] and "1 touchpoint" in answered["text"]
    assert rows_of(engine, ALICE) == NONE
    assert rows_of(engine, BOB) == BOBS
    with Session(engine) as session:
        assert still_holding(session, ALICE, TEAM_ID) == []
    assert bobs(engine) == bobs_before
    assert "Ada Lovelace" not in home_text(fake_slack)  # Home no longer shows the board


def test_another_members_advisor_who_is_them_stays_on_that_board(bot, fake_slack, engine):
    boards(bot, fake_slack)

    click(bot, fake_slack, FORGET_ME)

    with Session(engine) as session:
        [kept] = session.exec(select(Advisor).where(Advisor.slack_user_id == ALICE)).all()
        assert kept.owner_id == BOB
        touch = session.exec(select(Touchpoint).where(Touchpoint.owner_id == BOB)).one()
        assert touch.advisor_id == kept.id


@pytest.mark.parametrize("text", ["forget", "forget everything", "forget me now", "FORGET bob"])
def test_anything_but_forget_me_answers_with_the_usage(bot, fake_slack, engine, text):
    boards(bot, fake_slack)

    answer = say(bot, fake_slack, text)

    assert "type `/advisor forget me`" in answer["text"]
    assert "Nothing was deleted." in answer["text"]
    assert rows_of(engine, ALICE) == ALICES


def test_forget_me_in_capitals_is_understood(bot, fake_slack):
    boards(bot, fake_slack)

    assert "Delete everything" in say(bot, fake_slack, "Forget ME")["text"]


@pytest.mark.parametrize("value", [ALICE, f"{ALICE},{BOB}", "", "all", '{"user": "U0ALICE"}'])
def test_a_crafted_value_deletes_only_the_clickers_own_rows(bot, fake_slack, engine, value):
    boards(bot, fake_slack)

    click(bot, fake_slack, FORGET_ME, value=value, user=BOB)

    assert rows_of(engine, BOB) == NONE
    assert rows_of(engine, ALICE) == ALICES


def test_a_second_click_deletes_nothing_more_and_says_so(bot, fake_slack, engine):
    boards(bot, fake_slack)
    click(bot, fake_slack, FORGET_ME)

    again = click(bot, fake_slack, FORGET_ME)

    assert again["text"] == (
        "There was nothing left to delete: everything I kept about you is gone already."
    )
    assert rows_of(engine, BOB) == BOBS


def test_a_replayed_click_is_answered_as_done_and_changes_nothing(bot, fake_slack, engine):
    boards(bot, fake_slack)
    url = fake_slack.response_url("confirm")
    body = block_action(FORGET_ME, "me", response_url=url)
    headers = sign(body)
    bot.slack.post(body, content_type=FORM, headers=headers)
    bot.settle()
    enlist(bot, fake_slack, {"name": "New Start"})  # they use the bot again
    bot.settle()

    bot.slack.post(body, content_type=FORM, headers=headers)
    bot.settle()

    assert fake_slack.calls_to("response_url")[-1].args["text"].startswith("Already done")
    assert rows_of(engine, ALICE)["advisors"] == 1


def test_cancel_deletes_nothing(bot, fake_slack, engine):
    boards(bot, fake_slack)
    say(bot, fake_slack, "forget me")

    answered = click(bot, fake_slack, FORGET_CANCEL)

    assert answered["text"] == "Nothing was deleted."
    assert answered["replace_original"] is True
    assert rows_of(engine, ALICE) == ALICES


def test_someone_never_met_is_told_nothing_is_kept_and_no_record_is_made(bot, fake_slack, engine):
    fake_slack.add_user(NEWCOMER, tz="Europe/Paris", real_name="New Comer")

    answer = say(bot, fake_slack, "forget me", user=NEWCOMER)

    assert (
        answer["text"] == "I keep nothing about you in this workspace: there is nothing to delete."
    )
    assert "blocks" not in answer or all(b["type"] != "actions" for b in answer["blocks"])
    assert rows_of(engine, NEWCOMER) == NONE
    assert not [c for c in fake_slack.calls_to("conversations.open") if c.args["users"] == NEWCOMER]


def test_a_circle_they_set_up_goes_on_with_its_next_person_and_their_challenge_is_blanked(
    bot, fake_slack, engine, nudging, clock
):
    fake_slack.add_channel(CHANNEL, members=[ALICE, BOB, GRACE], bot_in=True)
    circling = Circling(bot, fake_slack, engine)
    make_circle(engine, clock, [ALICE, BOB, GRACE])
    nudging.at(datetime(2026, 11, 24, 9, tzinfo=UTC))  # its check-in opens
    [check_in] = circling.check_ins()
    circling.share(check_in, ALICE, "My manager & I disagree on scope")
    circling.share(check_in, BOB, "Hiring is slow")
    mine, bobs_challenge = circling.challenges()
    assert "disagree on scope" in text_of(mine)

    say(bot, fake_slack, "forget me")
    click(bot, fake_slack, FORGET_ME)
    nudging.tick()

    with Session(engine) as session:
        circle = session.exec(select(Circle)).one()
        assert (circle.owner_id, circle.state) == (BOB, "active")
        assert [c.author_id for c in session.exec(select(Challenge))] == [BOB]
    shown = {m["ts"]: m for m in fake_slack.posted(CHANNEL)}
    assert "disagree on scope" not in json.dumps(shown[mine["ts"]])
    assert "removed at its author's request" in text_of(shown[mine["ts"]])
    assert "Hiring is slow" in text_of(shown[bobs_challenge["ts"]])
