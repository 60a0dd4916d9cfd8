"""Config from the environment, checked once at start-up (the run contract in DESIGN.md)."""

import base64
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
class OAuth:
    """A multi-workspace install (Slack's OAuth flow) instead of one bot token."""

    client_id: str
    client_secret: str
    state_secret: str
    encryption_keys: tuple[str, ...]  # the first encrypts; every one decrypts (key rotation)
    redirect_uri: str | None = None


@dataclass(frozen=True)
class Config:
    bot_token: str | None  # None: installed through OAuth in any number of workspaces
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
    oauth: OAuth | None = None
    retention_days: int = 30

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def load_config(env: Mapping[str, str]) -> Config:
    """Read and check every setting; raise ConfigError on the first one that is wrong."""
    app_token = _optional(env, "SLACK_APP_TOKEN")
    oauth = _oauth(env)
    if oauth is not None and app_token is not None:
        raise ConfigError(
            "SLACK_APP_TOKEN is set along with SLACK_CLIENT_ID: installing in several "
            "workspaces needs HTTP mode (Slack sends people to /slack/oauth_redirect); unset "
            "SLACK_APP_TOKEN, or unset the SLACK_CLIENT_* settings for one workspace."
        )
    return Config(
        bot_token=None
        if oauth
        else _slack_token(
            env,
            "SLACK_BOT_TOKEN",
            "xoxb-",
            f"the Bot User OAuth Token on 'OAuth & Permissions' of {_SLACK_APP_PAGE}",
        ),
        oauth=oauth,
        retention_days=_integer(env, "ADVISOR_RETENTION_DAYS", default=30, low=0, high=3650),
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


_OAUTH = {
    "SLACK_CLIENT_ID": f"the Client ID on 'Basic Information' of {_SLACK_APP_PAGE}",
    "SLACK_CLIENT_SECRET": f"the Client Secret on 'Basic Information' of {_SLACK_APP_PAGE}",
    "SLACK_STATE_SECRET": "a long random string of your own (it signs the OAuth state), e.g. "
    "the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
}
_NEW_KEY = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def _oauth(env: Mapping[str, str]) -> OAuth | None:
    """The OAuth settings, when any of them is set (then all three are needed, and a key)."""
    values = {name: _optional(env, name) for name in _OAUTH}
    if not any(values.values()):
        return None
    for name, value in values.items():
        if value is None:
            raise ConfigError(
                f"{name} is not set (installing in several workspaces needs SLACK_CLIENT_ID, "
                f"SLACK_CLIENT_SECRET and SLACK_STATE_SECRET): copy {_OAUTH[name]} into .env."
            )
        if any(c.isspace() for c in value):
            raise ConfigError(f"{name} contains spaces: copy {_OAUTH[name]} into .env.")
    if len(values["SLACK_STATE_SECRET"]) < 16:
        raise ConfigError(
            "SLACK_STATE_SECRET is too short (16 characters at least): use "
            + _OAUTH["SLACK_STATE_SECRET"]
            + "."
        )
    redirect = _optional(env, "SLACK_REDIRECT_URI")
    if redirect is not None and urlsplit(redirect).scheme not in ("https", "http"):
        raise ConfigError(
            "SLACK_REDIRECT_URI should be the https URL of /slack/oauth_redirect listed under "
            f"'OAuth & Permissions' > Redirect URLs of {_SLACK_APP_PAGE} (or leave it unset)."
        )
    return OAuth(
        client_id=values["SLACK_CLIENT_ID"],
        client_secret=values["SLACK_CLIENT_SECRET"],
        state_secret=values["SLACK_STATE_SECRET"],
        encryption_keys=_encryption_keys(env),
        redirect_uri=redirect,
    )


def _encryption_keys(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = _optional(env, "ADVISOR_ENCRYPTION_KEY")
    if raw is None:
        raise ConfigError(
            "ADVISOR_ENCRYPTION_KEY is not set (the bot tokens of every workspace are stored "
            f"encrypted with it): make one with {_NEW_KEY} and put it in .env."
        )
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    for key in keys:
        try:
            ok = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32 and len(key) == 44
        except (ValueError, UnicodeEncodeError):
            ok = False
        if not ok:
            raise ConfigError(
                "ADVISOR_ENCRYPTION_KEY should be a Fernet key (44 characters of URL-safe base64; "
                f"to rotate, the new key, a comma, then the old ones): make one with {_NEW_KEY}."
            )
    return keys


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
