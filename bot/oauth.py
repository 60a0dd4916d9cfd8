"""Installing the bot in a workspace from a link (Slack's OAuth v2 flow, run by Bolt):
GET /slack/install shows what the bot stores and an "Add to Slack" button; Slack sends the
person back to GET /slack/oauth_redirect, where the code is exchanged for the workspace's bot
token (saved encrypted, bot/installs.py). A state that does not match, an error from Slack or a
replayed redirect ends on a page that says what happened; nothing is stored then."""

import re
import time
from html import escape

from slack_bolt import BoltResponse
from slack_bolt.error import BoltError
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.exc import SQLAlchemyError

from bot.installs import Installs, SignedStates
from core.clock import Clock
from core.db import one_line

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

# Every scope the bot asks for; manifest.yml lists the same (a test keeps them equal), and the
# README's "Deploy" section says why each is needed.
BOT_SCOPES = (
    "chat:write",
    "commands",
    "im:write",
    "im:history",
    "users:read",
    "channels:read",
    "groups:read",
    "channels:join",
    "channels:history",
    "groups:history",
    "mpim:write",
    "mpim:history",
    "files:write",
    "files:read",
    "app_mentions:read",
)

FAILURES = {
    "access_denied": (
        "Advisor Bot was not installed",
        "You chose not to allow it, so nothing was installed and nothing was stored. "
        "You can start again whenever you like.",
    ),
    "invalid_browser": (
        "This install could not be matched to your browser",
        "For your safety an install has to finish in the browser it started in, within ten "
        "minutes, from the install page. Nothing was stored: start again from the install page.",
    ),
    "invalid_state": (
        "This install link has expired or was already used",
        "Nothing was stored. Start again from the install page; the link works once, for "
        "ten minutes.",
    ),
    "missing_code": (
        "Slack did not say whether you approved the install",
        "Nothing was stored. Start again from the install page.",
    ),
    "invalid_code": (
        "Slack did not accept this install",
        "The approval had expired or was already used. Nothing was stored: start again from "
        "the install page.",
    ),
    "storage_error": (
        "The install could not be saved",
        "Slack approved it, but the bot could not save it. Nothing is half-installed: start "
        "again from the install page in a minute, and tell whoever runs the bot if it happens "
        "again.",
    ),
}

_STYLE = (
    "body{font:16px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif;"
    "max-width:40em;margin:3em auto;padding:0 1em;color:#1d1c1d}"
    "a.button{display:inline-block;background:#4a154b;color:#fff;padding:.6em 1.2em;"
    "border-radius:6px;text-decoration:none;font-weight:600}"
    "li{margin:.3em 0}"
)


def page(title: str, body: str, *, status: int = 200, headers: dict | None = None) -> BoltResponse:
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return BoltResponse(
        status=status,
        body=html,
        headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})},
    )


def install_page_html(url: str, *, retention_days: int) -> str:
    """The install page: what the bot does, what it stores, and the button."""
    kept = (
        "at once"
        if retention_days == 0
        else f"{retention_days} day{'s' if retention_days != 1 else ''} after"
    )
    return page(
        "Add Advisor Bot to Slack",
        "<p>Advisor Bot helps each person keep up their personal board of advisors: it nudges "
        "them to stay in touch and to keep the promises they made, runs peer-coaching circles "
        "in team channels, and reviews the shape of their network.</p>"
        "<h2>What it stores</h2><ul>"
        "<li>For each person who uses it: the advisors they enlist (names, and Slack ids or "
        "emails), the touchpoints and promises they log, their goals and nudge settings.</li>"
        "<li>For circles: the channel, its members, and the challenges people share.</li>"
        "<li>The workspace's bot token, encrypted. It reads no messages except those sent to "
        "it and replies in circles' threads, which it only counts.</li></ul>"
        "<p>Each person's board is theirs alone: <code>/advisor export</code> gives them "
        "all of it, <code>/advisor forget me</code> deletes all of it. If the app is removed, "
        f"the workspace's data is deleted {kept} (unless it is installed again before "
        "then).</p>"
        f'<p><a class="button" href="{escape(url)}">Add to Slack</a></p>',
    ).body


class InstallFlow(OAuthFlow):
    """Bolt's OAuth flow with the bot's own install page. Bolt dates a token's expiry by the
    system's clock; the bot's clock (the one its tick refreshes tokens by) dates it here."""

    def __init__(self, *, retention_days: int, clock: Clock, installs: Installs, **kwargs):
        super().__init__(**kwargs)
        self.retention_days, self.clock, self.installs = retention_days, clock, installs

    def build_install_page_html(self, url: str, request) -> str:
        return install_page_html(url, retention_days=self.retention_days)

    def store_installation(self, request, installation: Installation) -> None:
        """Store the tokens and mark the workspace installed, both or neither; a database
        error ends on the page that says nothing was stored."""
        now = self.clock.now().timestamp()
        if installation.bot_token_expires_at is not None:
            lives = installation.bot_token_expires_at - time.time()
            installation.bot_token_expires_at = int(now + lives)
        installation.installed_at = now  # an uninstall deletes the installs made before it
        try:
            self.installs.save(installation)
        except SQLAlchemyError as error:
            raise BoltError(f"the install could not be stored: {one_line(error)}") from error


def install_flow(
    *,
    client: WebClient,
    installs: Installs,
    states: SignedStates,
    client_id: str,
    client_secret: str,
    redirect_uri: str | None,
    retention_days: int,
    clock: Clock,
) -> InstallFlow:
    def succeeded(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        team = escape(installation.team_name or "your workspace")
        link = (
            f"https://slack.com/app_redirect?app={escape(installation.app_id or '')}"
            f"&amp;team={escape(installation.team_id or '')}"
        )
        return page(
            "Advisor Bot is installed",
            f"<p>Advisor Bot is now part of <strong>{team}</strong>.</p>"
            "<p>Next: open Slack and type <code>/advisor add</code> to enlist your first "
            "advisor, or <code>/advisor help</code> to see everything it does. Your board is "
            "on the bot's Home tab.</p>"
            f'<p><a class="button" href="{link}">Open Advisor Bot in Slack</a></p>',
        )

    def failed(args: FailureArgs) -> BoltResponse:
        title, text = FAILURES.get(
            args.reason,
            (
                "Advisor Bot was not installed",
                "Nothing was stored: start again from the install page.",
            ),
        )
        if args.reason not in FAILURES and re.fullmatch(r"[a-z_]{1,40}", args.reason or ""):
            text = f"Slack said: {args.reason}. " + text  # a code of Slack's, never free text
        return page(
            title,
            f'<p>{escape(text)}</p><p><a href="{INSTALL_PATH}">Back to the install page</a></p>',
            status=400 if args.suggested_status_code >= 400 else 200,
        )

    settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installs.store,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=states.expiration_seconds,
        callback_options=CallbackOptions(success=succeeded, failure=failed),
    )
    return InstallFlow(
        client=client,
        settings=settings,
        retention_days=retention_days,
        clock=clock,
        installs=installs,
    )
