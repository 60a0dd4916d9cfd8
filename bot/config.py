"""Config from the environment, checked once at start-up (the run contract in DESIGN.md)."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///advisor.db"
DEFAULT_API_URL = "https://slack.com/api/"
_SLACK_APP_PAGE = "your app's page at https://api.slack.com/apps"


# Shown when a token of another kind is pasted in the wrong place (never any of its characters).
_TOKEN_KINDS = {
    "xoxb-": "a bot token",
    "xoxp-": "a user token",
    "xapp-": "an app-level token",
    "xoxe": "a refresh or configuration token",
}


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable and where to find it."""


@dataclass(frozen=True)
class Config:
    bot_token: str
    signing_secret: str
    app_token: str | None
    database_url: str
    api_url: str
    host: str
    port: int
    tick_seconds: float
    log_level: str
    send_per_minute: int = 180
    max_connections: int = 2_000
    idle_timeout: float = 30.0
    request_timeout: float = 10.0

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def load_config(env: Mapping[str, str]) -> Config:
    """Read and check every setting; raise ConfigError on the first one that is wrong."""
    app_token = _optional(env, "SLACK_APP_TOKEN")
    return Config(
        bot_token=_slack_token(
            env,
            "SLACK_BOT_TOKEN",
            "xoxb-",
            f"the Bot User OAuth Token on 'OAuth & Permissions' of {_SLACK_APP_PAGE}",
        ),
        signing_secret=_signing_secret(env, required=app_token is None),
        app_token=app_token
        and _slack_token(
            env,
            "SLACK_APP_TOKEN",
            "xapp-",
            "an App-Level Token with connections:write on 'Basic Information' of "
            + _SLACK_APP_PAGE,
        ),
        database_url=_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        api_url=_api_url(env.get("SLACK_API_URL") or DEFAULT_API_URL),
        host=_optional(env, "HOST") or "0.0.0.0",
        port=_integer(env, "PORT", default=3000, low=1, high=65535),
        tick_seconds=_seconds(env, "ADVISOR_TICK_SECONDS", default=60.0),
        log_level=_log_level(env.get("LOG_LEVEL") or "INFO"),
        # Nudge DMs a minute, workspace-wide: under Slack's limit for chat.postMessage.
        send_per_minute=_integer(env, "ADVISOR_SENDS_PER_MINUTE", default=180, low=1, high=6000),
        # HTTP mode: connections held open at once; one idle for ADVISOR_IDLE_TIMEOUT_SECONDS is
        # closed, and so is a request still arriving ADVISOR_REQUEST_TIMEOUT_SECONDS after it began
        max_connections=_integer(env, "ADVISOR_MAX_CONNECTIONS", default=2000, low=10, high=60000),
        idle_timeout=_seconds(env, "ADVISOR_IDLE_TIMEOUT_SECONDS", default=30.0),
        request_timeout=_seconds(env, "ADVISOR_REQUEST_TIMEOUT_SECONDS", default=10.0),
    )


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = (env.get(name) or "").strip()
    return value or None


def _slack_token(env: Mapping[str, str], name: str, prefix: str, where: str) -> str:
    value = _optional(env, name)
    if value is None:
        raise ConfigError(f"{name} is not set: copy {where} into .env.")
    if not value.startswith(prefix) or any(c.isspace() for c in value):
        kind = next((k for p, k in _TOKEN_KINDS.items() if value.startswith(p)), None)
        seen = f" (this is {kind})" if kind else ""
        raise ConfigError(f"{name} should start with {prefix}{seen}: copy {where} into .env.")
    return value


def _signing_secret(env: Mapping[str, str], *, required: bool) -> str:
    where = f"copy the Signing Secret on 'Basic Information' of {_SLACK_APP_PAGE} into .env."
    value = _optional(env, "SLACK_SIGNING_SECRET")
    if value is None:
        if required:
            raise ConfigError(f"SLACK_SIGNING_SECRET is not set (needed in HTTP mode): {where}")
        return ""
    if any(c.isspace() for c in value):
        raise ConfigError(f"SLACK_SIGNING_SECRET contains spaces: {where}")
    return value


def _database_url(value: str) -> str:
    for legacy in ("postgres://", "postgresql://"):
        if value.startswith(legacy):
            value = "postgresql+psycopg://" + value.removeprefix(legacy)
    try:
        url = make_url(value)
    except ArgumentError:
        url = None
    if url is None or url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigError(
            "DATABASE_URL should look like sqlite:///advisor.db or "
            "postgresql+psycopg://user:password@host:5432/dbname."
        )
    return value


def _api_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"SLACK_API_URL should be an http(s) URL such as {DEFAULT_API_URL} (or leave it unset)."
        )
    return value if value.endswith("/") else value + "/"


def _integer(env: Mapping[str, str], name: str, *, default: int, low: int, high: int) -> int:
    raw = _optional(env, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ConfigError(f"{name} should be a whole number from {low} to {high}, not {raw!r}.")
    return int(raw)


def _seconds(env: Mapping[str, str], name: str, *, default: float) -> float:
    raw = _optional(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 86_400:
        raise ConfigError(f"{name} should be a number of seconds from 0.1 to 86400, not {raw!r}.")
    return value


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"LOG_LEVEL should be DEBUG, INFO, WARNING or ERROR, not {value!r}.")
    return level
