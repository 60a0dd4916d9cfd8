"""Text people type, end to end: Slack sends a slash command's text escaped and a modal's raw;
the bot stores what was typed and shows it exactly once, with links as links, and nothing a
user stored ever pings anyone or turns around what an advisor reads."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot.ids import PROMISE_MENU, PROMISE_UPDATE
from core.models import Advisor, Promise, Touchpoint
from tests.e2e.helpers import GRACE, advisors, enlist, home_text, latest_view, submit
from tests.payloads import block_action, direct_message, message_shortcut

pytestmark = pytest.mark.usefixtures("workspace", "views_round_trip")

EVIL = "Evil <!channel> <@U0BOB> \u202eR&D"  # typed into the add form: arrives raw
EVE = "U0EVE"  # a Slack member whose profile name tries the same
# A token Slack would turn into a ping: a special mention or user group, or a member other than
# the one the bot names on its own (the member, in an update it passes on; an advisor on Home).
PING = re.compile(r"<(![a-z][^<>]*|@U0BOB[^<>]*)>")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def say(bot, fake_slack, text: str) -> dict:
    answer = bot.slack.command(text, response_url=fake_slack.response_url())
    bot.settle()
    return answer.json() if answer.body else {}


def sent(fake_slack) -> str:
    """Every call the bot made to Slack (messages, updates, views, answers), as JSON."""
    return "\n".join(json.dumps(call.args, ensure_ascii=False) for call in fake_slack.calls)


def all_of(engine, table) -> list:
    with Session(engine) as session:
        return list(session.exec(select(table)))


def test_a_one_line_promise_with_an_ampersand_is_stored_as_typed_and_escaped_once(
    bot, fake_slack, engine, grace
):
    answer = say(bot, fake_slack, "promise <@U0GRACE> send R&D summary by tomorrow")

    assert "“send R&amp;D summary”" in answer["text"]  # Slack shows “send R&D summary”
    assert "&amp;amp;" not in answer["text"]
    [promise] = all_of(engine, Promise)
    assert promise.what == "send R&D summary"
    home = home_text(fake_slack)
    assert "send R&amp;D summary" in home and "&amp;amp;" not in home
    listed = say(bot, fake_slack, "promises")
    assert "send R&amp;D summary" in json.dumps(listed) and "&amp;amp;" not in json.dumps(listed)


def test_links_and_mentions_typed_in_a_note_show_as_slack_shows_them_without_pinging(
    bot, fake_slack, engine, grace
):
    say(bot, fake_slack, "log <@U0GRACE> sent <https://x.io/d?a=1&b=2|the deck> <@U0BOB> <!here>")

    [touchpoint] = all_of(engine, Touchpoint)
    assert touchpoint.note == "sent <https://x.io/d?a=1&b=2|the deck> <@U0BOB|u0bob> <!here>"
    home = json.loads(home_text(fake_slack))
    shown = json.dumps(home, ensure_ascii=False)
    assert '\\"sent <https://x.io/d?a=1&amp;b=2|the deck> @u0bob @here\\"' in shown
    assert not PING.search(sent(fake_slack))


def test_the_help_card_shows_its_usage_and_what_was_asked_as_typed(bot, fake_slack):
    card = say(bot, fake_slack, "R&D")

    assert card["text"].startswith("I don't know `/advisor r&amp;d`")
    assert "promise @someone &lt;what&gt; by &lt;when&gt;" in json.dumps(card)


def test_an_advisor_named_to_ping_everyone_never_pings_through_list_home_nudges_and_updates(
    bot, fake_slack, engine, nudging
):
    fake_slack.add_user(EVE, tz="Europe/Paris", real_name="Eve <!everyone> <@U0BOB>")
    enlist(bot, fake_slack, {"name": EVIL, "notes": EVIL, "gains": EVIL, "cadence": "7"})
    enlist(bot, fake_slack, {"member": EVE, "cadence": "7"})
    bot.settle()
    evil, eve = sorted(advisors(engine), key=lambda a: a.id)
    assert evil.name == EVIL  # stored as typed
    answers = [say(bot, fake_slack, "list"), say(bot, fake_slack, "list alumni")]
    for advisor in (evil, eve):  # a promise each, made in the form (raw text)
        say(bot, fake_slack, "promise")
        answers.append(
            submit(
                bot,
                latest_view(fake_slack, "views.open"),
                {"advisor": str(advisor.id), "what": EVIL, "due": "2026-12-04"},
            ).body
        )
        bot.settle()
    eves_promise = next(p for p in all_of(engine, Promise) if p.advisor_id == eve.id)
    bot.slack.interact(block_action(PROMISE_MENU, selected=f"{PROMISE_UPDATE}:{eves_promise.id}"))
    bot.settle()
    submit(bot, latest_view(fake_slack, "views.open"), {"update": f"Nearly {EVIL}"})
    bot.settle()
    answers.append(say(bot, fake_slack, "promises"))

    nudging.member()
    nudging.at(datetime(2026, 12, 1, 9, tzinfo=UTC))  # both are due, and their promises soon
    nudging.tick()

    to_eve = [
        c.args["text"]
        for c in fake_slack.calls_to("chat.postMessage")
        if c.args["channel"] == "D0EVE"
    ]
    assert to_eve and "Nearly Evil @channel @U0BOB R&amp;D" in to_eve[0]  # read as typed
    nudges = nudging.dms()
    assert nudges and "Evil @channel @U0BOB R&amp;D" in nudges[-1]["text"]  # the notification
    assert "Eve @everyone @U0BOB" in nudges[-1]["text"]
    everything = sent(fake_slack) + json.dumps(answers, ensure_ascii=False)
    assert not PING.search(everything), PING.search(everything)
    assert not BIDI.search(everything)
    assert "&amp;amp;" not in everything
    with Session(engine) as session:
        assert session.get(Advisor, eve.id).name == "Eve <!everyone> <@U0BOB>"


def test_a_message_logged_as_a_touchpoint_keeps_what_was_written(bot, fake_slack, engine, grace):
    written = "R&D <draft> for <@U0BOB>, see <https://x.io|the deck>"
    bot.slack.interact(
        message_shortcut(response_url=fake_slack.response_url(), author=GRACE, text=written)
    )
    bot.settle()

    modal = latest_view(fake_slack, "views.update")
    [note] = [b for b in modal["blocks"] if b.get("block_id") == "note"]
    assert note["element"]["initial_value"] == written  # in the box as written, not R&amp;D
    submit(bot, modal)
    bot.settle()
    [touchpoint] = all_of(engine, Touchpoint)
    assert touchpoint.note == written
    shown = home_text(fake_slack)
    assert "R&amp;D &lt;draft&gt; for @U0BOB, see <https://x.io|the deck>" in shown


def test_a_reply_in_a_nudges_thread_is_recorded_as_written(bot, fake_slack, engine, nudging):
    nudging.member()
    nudging.advisor("Grace Hopper", last_spoke_on=date(2026, 10, 20), cadence=30)
    nudging.tick()
    [message] = nudging.dms()

    reply = "Lunch: R&D <3 and <!channel> news"
    bot.slack.event(direct_message(reply, thread_ts=message["ts"]))
    bot.settle()

    [touchpoint] = all_of(engine, Touchpoint)
    assert touchpoint.note == reply
    assert not PING.search(sent(fake_slack))
