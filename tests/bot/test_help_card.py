"""The usage card as data: complete, honest about what is built, valid Block Kit."""

from slack_sdk.models.blocks import Block

from bot.listeners.commands import AVAILABLE, subcommand_of
from bot.views.help import SUBCOMMANDS, build_help_message
from bot.views.text import escape


def sections(blocks: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def test_the_card_lists_every_subcommand():
    text = sections(build_help_message(AVAILABLE)["blocks"])

    for sub in SUBCOMMANDS:
        assert f"`/advisor {escape(sub.usage)}`" in text


def test_the_usage_shows_its_angle_brackets_instead_of_turning_them_into_links():
    text = sections(build_help_message(AVAILABLE)["blocks"])

    assert "`/advisor promise @someone &lt;what&gt; by &lt;when&gt;`" in text
    assert "<what>" not in text and "<when>" not in text


def test_subcommands_not_built_yet_are_marked_as_coming_soon():
    lines = sections(build_help_message(frozenset({"help"}))["blocks"]).splitlines()

    [help_line] = [line for line in lines if line.startswith("`/advisor help`")]
    [add_line] = [line for line in lines if line.startswith("`/advisor add")]
    assert "coming soon" not in help_line
    assert "coming soon" in add_line


def test_an_unknown_subcommand_is_named_back_safely():
    message = build_help_message(AVAILABLE, asked="<!channel>`<b>&`")

    assert message["text"].startswith("I don't know `/advisor @channel'&lt;b&gt;&amp;'`")
    assert "<!channel>" not in str(message)


def test_a_subcommand_not_built_yet_is_answered_as_coming_soon_not_unknown():
    message = build_help_message(frozenset({"help"}), asked="add")

    assert message["text"] == "`/advisor add` is coming soon. Here is what I can do now."


def test_a_very_long_unknown_subcommand_is_shortened_in_the_answer():
    message = build_help_message(AVAILABLE, asked="x" * 500)

    assert len(message["text"]) < 120


def test_the_card_is_valid_block_kit_that_round_trips_through_slack_sdk():
    for message in (build_help_message(AVAILABLE), build_help_message(AVAILABLE, asked="zap")):
        for block in message["blocks"]:
            assert Block.parse(block).to_dict() == block
        assert len(message["blocks"]) <= 50


def test_the_first_word_picks_the_subcommand_and_nothing_means_help():
    assert subcommand_of("") == "help"
    assert subcommand_of("   ") == "help"
    assert subcommand_of("ADD @ana  more words") == "add"
