"""Workspace events: the app uninstalled or its bot token revoked (everything stops there, its
tokens go and its data after the grace period: bot/installs.py), and a person's profile
changed (their time zone decides when nudges and circle reminders reach them; a deactivated
account leaves its circles)."""

import logging
from datetime import UTC, datetime

from slack_bolt import App, BoltContext

from bot.listeners.common import transaction
from core import circles, workspaces
from core.members import zone_changed

log = logging.getLogger(__name__)


def handle_app_uninstalled(body: dict, context: BoltContext) -> None:
    """The app was removed from a workspace: every send to it stops now, its tokens are
    deleted, and its data is deleted after the grace period unless it is installed again."""
    team_id = body.get("team_id")
    if not isinstance(team_id, str):
        return
    installs = context.get("installs")
    if installs is not None:
        installs.removed(team_id, why="the app was uninstalled", at=_sent_at(body))
        return
    with transaction(context) as session:  # one workspace, its token in the environment
        goes = workspaces.uninstalled(
            session, team_id=team_id, now=context["clock"].now(), keep_for=context["keep_for"]
        )
    log.warning(
        "advisor-bot was uninstalled from workspace %s: nothing is sent there any more, and "
        "its data will be deleted at %s; to keep it, install the app again and restart the bot "
        "with the new SLACK_BOT_TOKEN before then",
        team_id,
        goes.isoformat(timespec="minutes"),
    )


def handle_tokens_revoked(event: dict, body: dict, context: BoltContext) -> None:
    """Slack says tokens were revoked: only when Slack confirms the bot's own no longer works
    is anything stopped (a user's token, or the bot's still working, changes nothing)."""
    tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
    team_id = body.get("team_id")
    log.warning(
        "Slack revoked tokens in workspace %s (bot users: %s, users: %s)",
        team_id,
        ", ".join(map(str, tokens.get("bot") or [])) or "none",
        ", ".join(map(str, tokens.get("oauth") or [])) or "none",
    )
    installs = context.get("installs")
    if installs is not None and isinstance(team_id, str) and tokens.get("bot"):
        installs.check_revocation(team_id, at=_sent_at(body))


def _sent_at(body: dict) -> datetime | None:
    """When Slack sent the event (a retry comes later with the same time): an uninstall
    older than the workspace's latest install changes nothing."""
    sent = body.get("event_time")
    if isinstance(sent, int) and not isinstance(sent, bool) and 0 < sent < 2**33:
        return datetime.fromtimestamp(sent, UTC)
    return None


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
