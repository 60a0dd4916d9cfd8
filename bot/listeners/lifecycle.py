"""The app being uninstalled or its tokens revoked: say so loudly in the log."""

import logging

from slack_bolt import App

log = logging.getLogger(__name__)


def handle_app_uninstalled(body: dict) -> None:
    log.warning(
        "advisor-bot was uninstalled from workspace %s; its Slack calls will fail until it is "
        "installed again",
        body.get("team_id"),
    )


def handle_tokens_revoked(event: dict, body: dict) -> None:
    tokens = event.get("tokens") or {}
    log.warning(
        "Slack revoked tokens in workspace %s (bot users: %s, users: %s)",
        body.get("team_id"),
        ", ".join(tokens.get("bot") or []) or "none",
        ", ".join(tokens.get("oauth") or []) or "none",
    )


def register(app: App) -> None:
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
