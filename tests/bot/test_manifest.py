"""manifest.yml: valid for Slack, and in step with what the bot listens for and calls."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.ids import COMMAND
from bot.oauth import BOT_SCOPES
from tests.reference import reference_file

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest.yml"
ENDPOINT = "/slack/events"
OAUTH_REDIRECT = "/slack/oauth_redirect"
SUBCOMMANDS = (
    "add",
    "list",
    "log",
    "promise",
    "promises",
    "goals",
    "review",
    "circle",
    "circles",
    "settings",
    "export",
    "import",
    "forget me",
    "help",
)

# The scopes Slack requires before it delivers each event (docs.slack.dev/events). Every event
# the manifest subscribes to must be listed here, so a new subscription makes one think of scopes.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
    "app_uninstalled": set(),
    "tokens_revoked": set(),
    "user_change": {"users:read"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "member_joined_channel": {"channels:read", "groups:read"},
    "member_left_channel": {"channels:read", "groups:read"},
    "channel_left": {"channels:read"},
    "group_left": {"groups:read"},
    "channel_archive": {"channels:read"},
    "group_archive": {"groups:read"},
    "channel_deleted": {"channels:read"},
    "group_deleted": {"groups:read"},
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    path = reference_file("manifest-schema", "manifest.schema.1.0.0.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def schema_errors(validator: Draft7Validator, manifest: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def bot_scopes(manifest: dict) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def bot_events(manifest: dict) -> set[str]:
    return set(manifest["settings"]["event_subscriptions"]["bot_events"])


def urls_in(value: object) -> Iterator[str]:
    """Every http(s) URL anywhere in the manifest, whatever the field is called."""
    if isinstance(value, dict):
        for item in value.values():
            yield from urls_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from urls_in(item)
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        yield value


def test_the_manifest_is_valid_against_slacks_manifest_schema(validator, manifest):
    assert schema_errors(validator, manifest) == []


def test_the_socket_mode_variant_the_readme_describes_is_valid_too(validator, manifest):
    socket_mode = copy.deepcopy(manifest)
    socket_mode["settings"]["socket_mode_enabled"] = True
    del socket_mode["features"]["slash_commands"][0]["url"]
    del socket_mode["settings"]["event_subscriptions"]["request_url"]
    for key in ("request_url", "message_menu_options_url"):
        del socket_mode["settings"]["interactivity"][key]
    del socket_mode["oauth_config"]["redirect_urls"]

    assert schema_errors(validator, socket_mode) == []
    assert list(urls_in(socket_mode)) == []


def without_the_commands_slash(manifest: dict) -> dict:
    broken = copy.deepcopy(manifest)
    broken["features"]["slash_commands"][0]["command"] = COMMAND.removeprefix("/")
    return broken


def with_an_unknown_top_level_key(manifest: dict) -> dict:
    broken = copy.deepcopy(manifest)
    broken["slash_commands"] = broken["features"]["slash_commands"]
    return broken


def with_a_shortcut_name_too_long_for_slack(manifest: dict) -> dict:
    broken = copy.deepcopy(manifest)
    broken["features"]["shortcuts"][0]["name"] = "Log this message as a touchpoint"
    return broken


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (without_the_commands_slash, "features/slash_commands/0/command"),
        (with_an_unknown_top_level_key, "(top)"),
        (with_a_shortcut_name_too_long_for_slack, "features/shortcuts/0/name"),
    ],
)
def test_the_schema_check_rejects_a_broken_manifest_where_it_is_broken(
    validator, manifest, break_it, where
):
    errors = schema_errors(validator, break_it(manifest))
    assert [error.split(":")[0] for error in errors] == [where], errors


def test_the_manifest_declares_the_advisor_command_and_the_log_as_touchpoint_shortcut(manifest):
    features = manifest["features"]
    (command,) = [c for c in features["slash_commands"] if c["command"] == COMMAND]
    assert command["should_escape"] is True, "mentions must arrive as <@U123|name> ids"
    assert command["usage_hint"].split(" | ") == list(SUBCOMMANDS)
    (shortcut,) = [s for s in features["shortcuts"] if s["callback_id"] == "log_as_touchpoint"]
    assert shortcut["type"] == "message"
    assert shortcut["name"] == "Log as touchpoint"
    assert shortcut["description"]


def test_the_app_home_has_the_board_tab_and_a_messages_tab_members_can_write_in(manifest):
    features = manifest["features"]
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    assert features["bot_user"] == {"display_name": "advisor-bot", "always_online": True}


def test_the_manifest_subscribes_to_the_events_the_bot_listens_for(manifest):
    listened_for = {
        "app_home_opened",
        "app_mention",
        "message.im",
        "app_uninstalled",
        "tokens_revoked",
        "user_change",
        "message.channels",
        "message.groups",
        "channel_left",
        "group_left",
        "channel_archive",
        "group_archive",
        "channel_deleted",
        "group_deleted",
        "member_left_channel",
    }
    assert listened_for <= bot_events(manifest)
    assert bot_events(manifest) <= set(EVENT_SCOPES), "add the new event's scopes to EVENT_SCOPES"


def test_the_manifest_asks_for_the_scopes_those_events_and_calls_need(manifest):
    calls_need = {
        "chat:write",  # chat.postMessage, chat.update, chat.postEphemeral
        "commands",  # /advisor and the message shortcut
        "im:write",  # conversations.open for nudge DMs
        "im:history",
        "users:read",  # users.info: time zones
        "channels:read",
        "groups:read",
        "files:write",
        "app_mentions:read",
        "channels:join",  # conversations.join: a circle in a public channel
        "mpim:write",  # conversations.open for learning partners' group DM
    }
    scopes = bot_scopes(manifest)
    assert calls_need <= scopes
    for event in bot_events(manifest):
        assert EVENT_SCOPES[event] <= scopes, f"{event} needs {EVENT_SCOPES[event] - scopes}"
    assert "chat:write.public" not in scopes, "the bot posts only where it was invited"
    assert len(manifest["oauth_config"]["scopes"]["bot"]) == len(scopes), "a scope is repeated"


def test_installs_ask_for_exactly_the_manifests_scopes_and_the_readme_says_why_each(manifest):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Scopes", 1)[1].split("\n### ", 1)[0]
    explained = {row.split("`")[1] for row in table.splitlines() if row.startswith("| `")}

    assert set(BOT_SCOPES) == bot_scopes(manifest) == explained
    assert manifest["oauth_config"]["redirect_urls"] == [f"https://YOUR-HOST{OAUTH_REDIRECT}"]


def test_every_request_url_points_at_the_bots_single_endpoint(manifest):
    request_urls = [
        *(command["url"] for command in manifest["features"]["slash_commands"]),
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    redirect_urls = manifest["oauth_config"].get("redirect_urls", [])
    assert all(url.endswith(ENDPOINT) for url in request_urls), request_urls
    assert all(url.endswith(OAUTH_REDIRECT) for url in redirect_urls), redirect_urls
    strays = [
        url for url in urls_in(manifest) if not url.endswith(ENDPOINT) and url not in redirect_urls
    ]
    assert strays == [], "every other URL Slack calls must be the single endpoint"
    assert manifest["settings"]["socket_mode_enabled"] is False, "URLs are for HTTP mode"


def test_the_manifest_speaks_of_advisors_never_of_developers():
    assert "developer" not in MANIFEST.read_text(encoding="utf-8").lower()
