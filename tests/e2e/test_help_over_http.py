"""The real app over HTTP: /advisor help, mentions, DMs and App Home, against the fake Slack."""

from pathlib import Path

import pytest
import yaml

from bot.listeners import commands
from bot.listeners.commands import ROUTES
from tests.fakes import BOT_ID, BOT_USER_ID, eventually
from tests.payloads import (
    ALICE,
    app_home_opened,
    app_mention,
    direct_message,
)


def card_text(blocks: list[dict]) -> str:
    return "\n".join(b.get("text", {}).get("text", "") for b in blocks if b["type"] == "section")


def test_advisor_help_answers_with_an_ephemeral_usage_card(bot, fake_slack):
    answer = bot.slack.command("help", response_url=fake_slack.response_url())

    assert answer.status == 200
    card = answer.json()
    assert card["response_type"] == "ephemeral"
    assert "`/advisor help`" in card_text(card["blocks"])
    assert "`/advisor add [@someone]`" in card_text(card["blocks"])


def test_a_subcommand_not_built_yet_says_it_is_coming_soon(bot, fake_slack, monkeypatch):
    monkeypatch.delitem(ROUTES, "settings")  # pretend it is not built yet
    monkeypatch.setattr(commands, "AVAILABLE", frozenset(ROUTES))

    answer = bot.slack.command("SETTINGS", response_url=fake_slack.response_url())

    assert answer.json()["text"] == "`/advisor settings` is coming soon. Here is what I can do now."


def test_an_unknown_subcommand_says_so_and_shows_the_card(bot, fake_slack):
    answer = bot.slack.command("zap", response_url=fake_slack.response_url())

    assert answer.json()["text"] == "I don't know `/advisor zap`. Here is what I can do."
    assert "`/advisor help`" in card_text(answer.json()["blocks"])


def test_a_mention_gets_the_help_card_as_an_ephemeral_message(bot, fake_slack):
    assert bot.slack.event(app_mention("<@U0ADVISORBOT> hi")).status == 200

    [call] = fake_slack.wait_for("chat.postEphemeral")
    assert call.args["user"] == ALICE
    assert call.args["channel"] == "C0GENERAL"
    assert "/advisor help" in card_text(call.args["blocks"])


def test_a_direct_message_gets_the_help_card_in_the_dm(bot, fake_slack):
    assert bot.slack.event(direct_message("what can you do?")).status == 200

    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.args["channel"] == "D0ALICE"
    assert "/advisor help" in card_text(call.args["blocks"])


def test_opening_app_home_publishes_the_welcome_view(bot, fake_slack):
    assert bot.slack.event(app_home_opened()).status == 200

    [call] = fake_slack.wait_for("views.publish")
    assert call.args["user_id"] == ALICE
    assert call.args["view"]["type"] == "home"


def test_the_bots_own_messages_edits_and_joins_in_the_dm_get_no_answer(bot, fake_slack):
    for ignored in (
        direct_message("a nudge", user=BOT_USER_ID, bot_id=BOT_ID),
        direct_message("edited", subtype="message_changed"),
        direct_message("", subtype="channel_join"),
    ):
        assert bot.slack.event(ignored).status == 200
    bot.slack.event(direct_message("hello"))
    bot.settle()

    assert [c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")] == ["D0ALICE"]


def test_mentions_by_bots_or_without_a_person_get_no_answer(bot, fake_slack):
    for ignored in (
        app_mention("<@U0ADVISORBOT> ping", bot_id="B0OTHER"),
        {k: v for k, v in app_mention("<@U0ADVISORBOT> from a workflow").items() if k != "user"},
    ):
        assert bot.slack.event(ignored).status == 200
    bot.settle()

    assert fake_slack.calls_to("chat.postEphemeral") == []


def test_advisor_alone_shows_the_card(bot, fake_slack):
    answer = bot.slack.command("", response_url=fake_slack.response_url())

    assert answer.json()["text"] == "Here is what I can do with your board of advisors."


def test_a_failure_before_a_command_is_answered_still_gets_a_polite_200(
    bot, fake_slack, monkeypatch, caplog
):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setitem(ROUTES, "help", broken)

    with caplog.at_level("ERROR"):
        answer = bot.slack.command("help", response_url=fake_slack.response_url())

    assert answer.status == 200
    assert answer.json()["text"].startswith("Something went wrong on my side and nothing was saved")
    assert "a bug" in caplog.text


def test_a_reply_rate_limited_by_slack_waits_as_asked_and_then_arrives(bot, fake_slack):
    fake_slack.rate_limit("chat.postMessage", retry_after=2)

    bot.slack.event(direct_message("hello"))

    fake_slack.wait_for("chat.postMessage", count=2)
    assert bot.sleeps == [2]


def test_a_slack_error_while_answering_is_logged_and_the_bot_keeps_serving(bot, fake_slack, caplog):
    fake_slack.fail("chat.postEphemeral", "channel_not_found")

    with caplog.at_level("ERROR"):
        bot.slack.event(app_mention("<@U0ADVISORBOT> help"))
        fake_slack.wait_for("chat.postEphemeral")
        eventually(lambda: "channel_not_found" in caplog.text)
        answer = bot.slack.command("help", response_url=fake_slack.response_url())

    assert answer.status == 200


MANIFEST = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())


@pytest.mark.parametrize("name", MANIFEST["settings"]["event_subscriptions"]["bot_events"])
def test_every_event_the_manifest_subscribes_to_is_acknowledged(bot, name):
    event = {"type": name.split(".")[0], "user": ALICE, "channel": "D0ALICE", "event_ts": "1.2"}

    assert bot.slack.event(event).status == 200
