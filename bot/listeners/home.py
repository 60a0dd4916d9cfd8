"""The App Home tab is the board: published when the member opens it; the compact layout's menu."""

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.ids import ADVISOR_MENU, EASE_ASIDE, EDIT_ADVISOR, HISTORY, LOG_TOUCHPOINT
from bot.listeners.board import handle_ease_aside, handle_edit_button
from bot.listeners.common import publish_home, refresh_member
from bot.listeners.history import handle_history_button
from bot.listeners.touchpoints import handle_log_button

MENU = {
    LOG_TOUCHPOINT: handle_log_button,
    EDIT_ADVISOR: handle_edit_button,
    EASE_ASIDE: handle_ease_aside,
    HISTORY: handle_history_button,
}


def handle_home_opened(event: dict, client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    refresh_member(client, context)
    publish_home(client, context)


def handle_advisor_menu(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    """A big board shows a menu per advisor instead of buttons; each choice acts like its button."""
    chosen = (action.get("selected_option") or {}).get("value", "")
    action_id, _, advisor_id = chosen.partition(":")
    handler = MENU.get(action_id)
    if handler is None:
        ack()
        return
    handler(ack, body, {"value": advisor_id}, client, context)


def register(app: App) -> None:
    app.event("app_home_opened")(handle_home_opened)
    app.action(ADVISOR_MENU)(handle_advisor_menu)
