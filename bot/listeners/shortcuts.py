"""The "Log as touchpoint" message shortcut; until touchpoints land it says they are coming."""

from slack_bolt import Ack, App, Respond

from bot.ids import LOG_AS_TOUCHPOINT

NOT_YET = (
    "Logging a message as a touchpoint is coming soon. For now, `/advisor help` shows what "
    "I can do."
)


def handle_log_as_touchpoint(ack: Ack, respond: Respond) -> None:
    ack()
    respond(response_type="ephemeral", text=NOT_YET)


def register(app: App) -> None:
    app.message_shortcut(LOG_AS_TOUCHPOINT)(handle_log_as_touchpoint)
