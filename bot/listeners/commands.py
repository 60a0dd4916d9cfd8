"""`/advisor <subcommand>`: where every slash command lands and is routed."""

from collections.abc import Callable

from slack_bolt import App, Args

from bot.ids import COMMAND
from bot.listeners.board import handle_add_command, handle_list_command
from bot.listeners.circle_setup import handle_circle_command, handle_circles_command
from bot.listeners.common import greet_newcomer
from bot.listeners.export import handle_export_command
from bot.listeners.forget import handle_forget_command
from bot.listeners.goals import handle_goals_command
from bot.listeners.imports import handle_import_command
from bot.listeners.nudge_settings import handle_settings_command
from bot.listeners.promises import handle_promise_command, handle_promises_command
from bot.listeners.review import handle_review_command
from bot.listeners.touchpoints import handle_log_command
from bot.views.help import build_help_message
from bot.views.typed import from_slack
from core.errors import Invalid
from core.typed import check_typed


def handle_help(args: Args) -> None:
    args.ack(response_type="ephemeral", **build_help_message(AVAILABLE))


# The subcommands that are built; /advisor help marks every other one as coming soon.
ROUTES: dict[str, Callable[[Args], None]] = {
    "add": handle_add_command,
    "list": handle_list_command,
    "log": handle_log_command,
    "promise": handle_promise_command,
    "promises": handle_promises_command,
    "goals": handle_goals_command,
    "review": handle_review_command,
    "settings": handle_settings_command,
    "export": handle_export_command,
    "import": handle_import_command,
    "forget": handle_forget_command,
    "circle": handle_circle_command,
    "circles": handle_circles_command,
    "help": handle_help,
}
AVAILABLE = frozenset(ROUTES)
FOR_TEAMS = frozenset({"circle", "circles"})
NOT_GREETED = FOR_TEAMS | {"forget"}  # asking to be forgotten does not make a record of you


def subcommand_of(text: str) -> str:
    """The first word of the command's text, lower-cased; `help` when there is none."""
    words = text.split(maxsplit=1)
    return words[0].lower() if words else "help"


def handle_advisor_command(args: Args) -> None:
    # Slack escapes the text (`R&amp;D`); every subcommand reads what the person typed.
    args.command["text"] = from_slack(args.command.get("text") or "")
    name = subcommand_of(args.command["text"])
    route = ROUTES.get(name)
    try:  # a NUL cannot even be looked up on Postgres: refused before any subcommand reads it
        check_typed("text", args.command["text"])
    except Invalid as problem:
        args.ack(response_type="ephemeral", text=f"{problem} Nothing was saved.")
        return
    if route is None:
        args.ack(response_type="ephemeral", **build_help_message(AVAILABLE, asked=name))
        return
    route(args)
    if name not in NOT_GREETED:  # someone here for a team's circle is not greeted about a board
        greet_newcomer(args.client, args.context)


def usage_at_once(args: Args) -> dict | None:
    """`help` and an unknown subcommand need nothing slow: their usage card goes in the ack
    (bot/deferred.py); every other subcommand is answered through the response URL."""
    name = subcommand_of(from_slack(args.command.get("text") or ""))
    if ROUTES.get(name) is handle_help:
        return {"response_type": "ephemeral", **build_help_message(AVAILABLE)}
    if name not in ROUTES and name.isprintable():
        return {"response_type": "ephemeral", **build_help_message(AVAILABLE, asked=name)}
    return None


handle_advisor_command.at_once = usage_at_once


def register(app: App) -> None:
    app.command(COMMAND)(handle_advisor_command)
