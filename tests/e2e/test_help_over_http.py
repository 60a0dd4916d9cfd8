"""The real app over HTTP: /advisor help, mentions, DMs and App Home, against the fake Slack."""

from tests.payloads import ALICE, app_home_opened, app_mention, direct_message


def card_text(blocks: list[dict]) -> str:
    return "\n".join(b.get("text", {}).get("text", "") for b in blocks if b["type"] == "section")


def test_advisor_help_answers_with_an_ephemeral_usage_card(bot, fake_slack):
    answer = bot.slack.command("help", response_url=fake_slack.response_url())

    assert answer.status == 200
    card = answer.json()
    assert card["response_type"] == "ephemeral"
    assert "`/advisor help`" in card_text(card["blocks"])
    assert "`/advisor add [@someone]`" in card_text(card["blocks"])


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
