"""`/advisor forget me`: what would be deleted, with a red button behind Slack's confirm dialog;
only its click deletes, and only the clicking member's rows (core/forget.py), whatever its value
says. A second click or a replayed request deletes nothing more."""

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.ids import FORGET_CANCEL, FORGET_ME
from bot.listeners.common import Replayed, once, publish_home, transaction
from bot.views.forget import (
    USAGE,
    build_forget_cancelled,
    build_forget_confirmation,
    build_forgotten,
)
from bot.views.notices import build_notice
from core import forget


def handle_forget_command(args: Args) -> None:
    """`forget me` (those two words, nothing else) shows what would go; anything else, how."""
    words = args.command["text"].split()
    if [w.lower() for w in words] != ["forget", "me"]:
        args.ack(response_type="ephemeral", text=USAGE)
        return
    context = args.context
    with transaction(context) as session:
        counts = forget.what_forget_deletes(
            session, team_id=context.team_id, user_id=context.user_id
        )
    args.ack(response_type="ephemeral", **build_forget_confirmation(counts))


def _answer(body: dict, client: WebClient, context: BoltContext, message: dict) -> None:
    """In place of the confirmation; a small modal if the click came from elsewhere."""
    if body.get("response_url"):
        context.respond(response_type="ephemeral", replace_original=True, **message)
    elif body.get("trigger_id"):
        notice = build_notice("Forget me", message["text"])
        client.views_open(trigger_id=body["trigger_id"], view=notice)


def handle_forget_me(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    try:
        with transaction(context) as session:
            once(session, context, "forget")
            done = forget.forget_member(
                session,
                team_id=context.team_id,
                user_id=context.user_id,  # the person who clicked: never an id from the payload
                now=context["clock"].now(),
            )
    except Replayed as replayed:
        _answer(body, client, context, {"text": str(replayed)})
        return
    _answer(body, client, context, build_forgotten(done))
    publish_home(client, context)  # their Home tab no longer shows the board


def handle_forget_cancel(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    _answer(body, client, context, build_forget_cancelled())


def register(app: App) -> None:
    app.action(FORGET_ME)(handle_forget_me)
    app.action(FORGET_CANCEL)(handle_forget_cancel)
