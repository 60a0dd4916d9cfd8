"""Config: defaults, and one clear line naming the variable when one is missing or wrong."""

import pytest

from bot.config import DEFAULT_API_URL, DEFAULT_DATABASE_URL, ConfigError, load_config

COMPLETE = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "0123456789abcdef"}


def config_with(**changes: str):
    return load_config({**COMPLETE, **changes})


def refusal(env: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_two_slack_values_are_enough_and_everything_else_has_a_default():
    config = load_config(COMPLETE)

    assert config.database_url == DEFAULT_DATABASE_URL == "sqlite:///advisor.db"
    assert config.api_url == DEFAULT_API_URL
    assert config.port == 3000
    assert config.tick_seconds == 60
    assert (config.max_connections, config.idle_timeout, config.request_timeout) == (2000, 30, 10)
    assert not config.socket_mode


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
def test_a_missing_slack_value_is_named_with_where_to_find_it(name):
    env = {k: v for k, v in COMPLETE.items() if k != name}

    message = refusal(env)

    assert message.startswith(f"{name} is not set")
    assert "api.slack.com/apps" in message


def test_an_empty_value_counts_as_missing():
    assert refusal({**COMPLETE, "SLACK_BOT_TOKEN": "  "}).startswith("SLACK_BOT_TOKEN is not set")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-a-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("SLACK_SIGNING_SECRET", "has spaces in it"),
        ("DATABASE_URL", "mysql://root@localhost/advisor"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "postgresql+psycopg2://bot@db/advisor"),
        ("DATABASE_URL", "postgresql+asyncpg://bot@db/advisor"),
        ("SLACK_API_URL", "slack.com/api"),
        ("PORT", "http"),
        ("PORT", "70000"),
        ("PORT", "²"),
        ("ADVISOR_MAX_CONNECTIONS", "5"),
        ("ADVISOR_IDLE_TIMEOUT_SECONDS", "forever"),
        ("ADVISOR_REQUEST_TIMEOUT_SECONDS", "0"),
        ("ADVISOR_TICK_SECONDS", "0"),
        ("ADVISOR_TICK_SECONDS", "soon"),
        ("LOG_LEVEL", "chatty"),
    ],
)
def test_a_malformed_value_is_refused_with_the_variable_named(name, value):
    assert refusal({**COMPLETE, name: value}).startswith(name)


def test_a_token_of_the_wrong_kind_is_named_without_echoing_any_of_it():
    message = refusal({**COMPLETE, "SLACK_BOT_TOKEN": "xoxp-123-456-secret"})

    assert "should start with xoxb- (this is a user token)" in message
    assert "123" not in message


def test_socket_mode_needs_no_signing_secret():
    config = load_config({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1-A-2-b"})

    assert config.socket_mode
    assert config.app_token == "xapp-1-A-2-b"


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_a_plain_postgres_url_is_read_with_the_installed_driver(scheme):
    config = config_with(DATABASE_URL=f"{scheme}bot:secret@db:5432/advisor")

    assert config.database_url == "postgresql+psycopg://bot:secret@db:5432/advisor"


def test_the_api_url_gets_the_trailing_slash_the_web_client_needs():
    assert config_with(SLACK_API_URL="http://127.0.0.1:9999/api").api_url == (
        "http://127.0.0.1:9999/api/"
    )


KEY = "0" * 43 + "="  # a well-formed Fernet key (32 zero-ish bytes in URL-safe base64)
OAUTH = {
    "SLACK_CLIENT_ID": "111.222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "a-state-secret-long-enough",
    "ADVISOR_ENCRYPTION_KEY": KEY,
    "SLACK_SIGNING_SECRET": "0123456789abcdef",
}


def test_with_the_oauth_settings_no_bot_token_is_needed():
    config = load_config(OAUTH)

    assert config.bot_token is None
    assert config.oauth.client_id == "111.222" and config.oauth.encryption_keys == (KEY,)
    assert config.retention_days == 30


@pytest.mark.parametrize("name", ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"])
def test_one_oauth_setting_missing_is_named(name):
    env = {k: v for k, v in OAUTH.items() if k != name}

    assert refusal(env).startswith(f"{name} is not set")


def test_without_an_encryption_key_it_says_how_to_make_one():
    message = refusal({k: v for k, v in OAUTH.items() if k != "ADVISOR_ENCRYPTION_KEY"})

    assert message.startswith("ADVISOR_ENCRYPTION_KEY is not set")
    assert "Fernet.generate_key()" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADVISOR_ENCRYPTION_KEY", "not-a-key"),
        ("ADVISOR_ENCRYPTION_KEY", KEY + ",short"),
        ("SLACK_STATE_SECRET", "short"),
        ("SLACK_REDIRECT_URI", "ftp://example.com/slack/oauth_redirect"),
        ("ADVISOR_RETENTION_DAYS", "-1"),
        ("ADVISOR_RETENTION_DAYS", "forever"),
        ("SLACK_APP_TOKEN", "xapp-1-A-1-abc"),
    ],
)
def test_a_malformed_oauth_setting_is_named(name, value):
    assert name in refusal({**OAUTH, name: value})


def test_two_keys_rotate_the_encryption_and_retention_may_be_zero():
    config = load_config(
        {**OAUTH, "ADVISOR_ENCRYPTION_KEY": f"{KEY}, {'1' * 43}=", "ADVISOR_RETENTION_DAYS": "0"}
    )

    assert config.oauth.encryption_keys == (KEY, "1" * 43 + "=")
    assert config.retention_days == 0
