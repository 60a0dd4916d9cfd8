"""The bot writes only where it posted: a click or a message carrying another member's
channel, message or thread (a crafted payload) never makes it update or post in their DM;
its answers go to the acting member's own DM, as stored, and threads only of their own nudges."""

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from bot.ids import NUDGE_FORWARD, NUDGE_PICK, NUDGE_SNOOZE
from core.models import Outbox, PromiseEvent, Touchpoint
from tests.e2e.helpers import GRACE
from tests.payloads import ALICE, direct_message, message_click

BOB, LINUS = "U0BOB", "U0LINUS"
ALICE_DM, BOB_DM = "D" + ALICE[1:], "D" + BOB[1:]


@pytest.fixture
def both_nudged(nudging, fake_slack):
    """Alice and Bob, each nudged in their own DM: Alice about Grace, Bob about Linus (with a
    promise due, so his nudge groups two items). Returns Alice's and Bob's nudge messages."""
    fake_slack.add_user(BOB, tz="Europe/Paris", real_name="Bob Stone")
    fake_slack.add_user(GRACE, real_name="Grace Hopper")
    fake_slack.add_user(LINUS, real_name="Linus Torvalds")
    nudging.member()
    nudging.member(BOB)
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), slack_user_id=GRACE)
    linus = nudging.advisor(
        "Linus Torvalds", last_spoke_on=date(2026, 10, 20), slack_user_id=LINUS, owner=BOB
    )
    nudging.promise(linus, "Send the deck", date(2026, 11, 25), firmness="try", owner=BOB)
    nudging.clock.advance(days=1)
    nudging.tick()
    [alices] = nudging.dms()
    [bobs] = nudging.dms(BOB)
    return alices, bobs


def alices_dm(fake_slack) -> list[dict]:
    return json.loads(json.dumps(fake_slack.messages.get(ALICE_DM, [])))


def writes_to(fake_slack, channel: str) -> list:
    return [
        c
        for method in ("chat.postMessage", "chat.update", "chat.postEphemeral")
        for c in fake_slack.calls_to(method)
        if c.args.get("channel") == channel
    ]


def crafted_click(bot, fake_slack, action_id, value, *, on: dict, thread_ts=None, user=BOB):
    """Bob's click, carrying Alice's channel and message (and thread) as its container."""
    message = {**on, **({"thread_ts": thread_ts} if thread_ts else {})}
    answer = bot.slack.interact(
        message_click(
            action_id,
            value,
            message=message,
            channel=ALICE_DM,
            response_url=fake_slack.response_url(),
            user=user,
        )
    )
    assert answer.status == 200
    bot.settle()


def bobs_nudge_ids(nudging) -> dict[str, int]:
    return {"touch" if n.kind.startswith("touch") else "promise": n.id for n in nudging.nudges(BOB)}


def test_a_pick_carrying_another_members_message_answers_only_in_the_members_own_dm(
    bot, fake_slack, nudging, engine, both_nudged
):
    alices, _ = both_nudged
    before, writes = alices_dm(fake_slack), len(writes_to(fake_slack, ALICE_DM))
    value = json.dumps({"nudge": bobs_nudge_ids(nudging)["touch"], "text": "Called Linus"})

    crafted_click(bot, fake_slack, f"{NUDGE_PICK}_1", value, on=alices, thread_ts=alices["ts"])

    assert alices_dm(fake_slack) == before, "nothing of Alice's is updated or posted to"
    assert len(writes_to(fake_slack, ALICE_DM)) == writes
    with Session(engine) as session:
        [touchpoint] = session.exec(select(Touchpoint)).all()
        assert touchpoint.owner_id == BOB and touchpoint.note == "Called Linus"
    told = fake_slack.posted(BOB_DM)[-1]
    assert told["text"].startswith("Logged a touchpoint with Linus Torvalds")


def test_a_click_on_send_it_on_carrying_another_members_message_answers_only_bob(
    bot, fake_slack, nudging, engine, both_nudged
):
    alices, _ = both_nudged
    value = json.dumps({"nudge": bobs_nudge_ids(nudging)["promise"], "text": "Deck drafted"})
    crafted_click(bot, fake_slack, f"{NUDGE_PICK}_1", value, on=alices, thread_ts=alices["ts"])
    with Session(engine) as session:
        [update] = session.exec(select(PromiseEvent).where(PromiseEvent.change == "update")).all()
    before, writes = alices_dm(fake_slack), len(writes_to(fake_slack, ALICE_DM))

    crafted_click(bot, fake_slack, NUDGE_FORWARD, str(update.id), on=alices, thread_ts=alices["ts"])

    assert alices_dm(fake_slack) == before
    assert len(writes_to(fake_slack, ALICE_DM)) == writes
    assert any("Deck drafted" in m["text"] for m in fake_slack.messages["D0LINUS"])
    assert fake_slack.posted(BOB_DM)[-1]["text"] == "Sent. It counts as a touchpoint too."
    with Session(engine) as session:
        forwarded = session.exec(select(Outbox).where(Outbox.purpose == "update")).one()
        assert forwarded.payload["reply_in"] == {"channel": BOB_DM, "thread_ts": None}


def test_a_nudge_button_carrying_another_members_message_updates_only_the_clickers_nudge(
    bot, fake_slack, nudging, both_nudged
):
    alices, bobs = both_nudged
    before = alices_dm(fake_slack)
    snooze = f"{bobs_nudge_ids(nudging)['touch']}:14"

    bot.slack.interact(
        message_click(
            NUDGE_SNOOZE,
            message=alices,
            channel=ALICE_DM,
            response_url=fake_slack.response_url(),
            user=BOB,
            selected=snooze,
        )
    )
    bot.settle()

    assert alices_dm(fake_slack) == before
    [updated] = [c for c in fake_slack.calls_to("chat.update")]
    assert (updated.args["channel"], updated.args["ts"]) == (BOB_DM, bobs["ts"])


@pytest.mark.parametrize("threaded", [True, False], ids=["in her thread", "in her DM"])
def test_words_sent_as_if_in_another_members_dm_are_answered_in_the_writers_own_dm(
    bot, fake_slack, nudging, engine, both_nudged, threaded
):
    alices, _ = both_nudged
    before, writes = alices_dm(fake_slack), len(writes_to(fake_slack, ALICE_DM))
    where = {"channel": ALICE_DM, **({"thread_ts": alices["ts"]} if threaded else {})}

    assert bot.slack.event(direct_message("Had coffee with Grace", user=BOB, **where)).status
    bot.settle()

    assert alices_dm(fake_slack) == before
    assert len(writes_to(fake_slack, ALICE_DM)) == writes
    with Session(engine) as session:
        assert session.exec(select(Touchpoint)).all() == []
    answer = fake_slack.posted(BOB_DM)[-1]
    assert answer["text"] == "Here is what I can do with your board of advisors."


def test_the_members_own_thread_and_question_still_get_the_answers(
    bot, fake_slack, nudging, engine, both_nudged
):
    _, bobs = both_nudged
    bot.slack.event(direct_message("Draft is half done", user=BOB, thread_ts=bobs["ts"]))
    bot.settle()
    [question] = [m for m in fake_slack.messages[BOB_DM] if m.get("thread_ts") == bobs["ts"]]
    pick = question["blocks"][1]["elements"][0]

    bot.slack.interact(
        message_click(
            pick["action_id"],
            pick["value"],
            message=question,
            channel=BOB_DM,
            response_url=fake_slack.response_url(),
            user=BOB,
        )
    )
    bot.settle()

    in_thread = [m for m in fake_slack.messages[BOB_DM] if m.get("thread_ts") == bobs["ts"]]
    assert in_thread[0]["text"].startswith("Recorded under:"), "the question itself replaced"
    assert len(in_thread) == 2, "the answer in Bob's nudge's thread"


def test_a_pick_naming_the_members_own_nudge_message_as_the_question_leaves_the_nudge_alone(
    bot, fake_slack, nudging, both_nudged
):
    _, bobs = both_nudged
    value = json.dumps({"nudge": bobs_nudge_ids(nudging)["touch"], "text": "Called Linus"})

    bot.slack.interact(
        message_click(
            f"{NUDGE_PICK}_1",
            value,
            message=bobs,
            channel=BOB_DM,
            response_url=fake_slack.response_url(),
            user=BOB,
        )
    )
    bot.settle()

    [updated] = fake_slack.calls_to("chat.update")  # the nudge refreshed from its row, once
    assert "Recorded under" not in json.dumps(updated.args)
