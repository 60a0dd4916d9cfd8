"""Mentions of the bot and direct messages to it that are not replies to a nudge: the help card."""

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.listeners.commands import AVAILABLE
from bot.listeners.common import own_place
from bot.listeners.nudges import answer_in_words, is_reply_worthy
from bot.views.help import build_help_message


def handle_mention(event: dict, client: WebClient) -> None:
    if event.get("bot_id") or not event.get("user"):
        return  # another bot or a workflow: nobody to show the card to
    client.chat_postEphemeral(
        channel=event["channel"],
        user=event["user"],
        thread_ts=event.get("thread_ts"),
        **build_help_message(AVAILABLE),
    )


def is_person_writing_to_bot(event: dict) -> bool:
    """A new message a person typed in the bot's DM (not an edit, a bot's post or a join)."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") is None
        and event.get("bot_id") is None
        and bool(event.get("user"))
    )


def handle_direct_message(event: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    """A reply to a nudge is recorded where it belongs; anything else gets the help card."""
    if not is_person_writing_to_bot(event):
        return
    if is_reply_worthy(event.get("text") or "") and answer_in_words(event, body, client, context):
        return
    here = own_place(client, context, event.get("channel"), event.get("thread_ts"))
    client.chat_postMessage(
        channel=here.channel, thread_ts=here.thread_ts, **build_help_message(AVAILABLE)
    )


def register(app: App) -> None:
    app.event("app_mention")(handle_mention)
    app.event("message")(handle_direct_message)
