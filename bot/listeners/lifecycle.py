"""Workspace events: the app uninstalled or its tokens revoked (said loudly in the log), and a
person's profile changed (their time zone decides when nudges and circle reminders reach
them; a deactivated account leaves its circles)."""

import logging

from slack_bolt import App, BoltContext

from bot.listeners.common import transaction
from core import circles
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
    """A person's time zone changed (their nudge window and circles' reminders follow), or
    their account was deactivated (they leave every circle)."""
    user = event.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return
    who = {"team_id": user.get("team_id") or body.get("team_id"), "user_id": user["id"]}
    now = context["clock"].now()
    tz = user.get("tz") if isinstance(user.get("tz"), str) else None
    with transaction(context) as session:
        if tz:
            zone_changed(session, **who, tz=tz, now=now)
        circles.person_changed(session, **who, tz=tz, gone=user.get("deleted") is True, now=now)


def register(app: App) -> None:
    app.event("user_change")(handle_user_change)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
