"""Workspace events: the app uninstalled or its tokens revoked (said loudly in the log), and a
person's profile changed (their time zone decides when nudges reach them)."""

import logging

from slack_bolt import App, BoltContext

from bot.listeners.common import transaction
from core.members import zone_changed

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


def handle_user_change(event: dict, body: dict, context: BoltContext) -> None:
    user = event.get("user") or {}
    if not user.get("id") or not user.get("tz"):
        return
    with transaction(context) as session:
        zone_changed(
            session,
            team_id=user.get("team_id") or body.get("team_id"),
            user_id=user["id"],
            tz=user["tz"],
            now=context["clock"].now(),
        )


def register(app: App) -> None:
    app.event("user_change")(handle_user_change)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
