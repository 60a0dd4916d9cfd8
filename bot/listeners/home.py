"""The App Home tab, published whenever a member opens it."""

from slack_bolt import App
from slack_sdk import WebClient

from bot.listeners.commands import AVAILABLE
from bot.views.help import build_welcome_home


def handle_home_opened(event: dict, client: WebClient) -> None:
    if event.get("tab", "home") != "home":
        return
    client.views_publish(user_id=event["user"], view=build_welcome_home(AVAILABLE))


def register(app: App) -> None:
    app.event("app_home_opened")(handle_home_opened)
