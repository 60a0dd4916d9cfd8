"""The reassessment DM's buttons: keep, how often, ease aside (one advisor at a time), enlist
someone missing, done. Each answer is recorded once (core/reassess.py), and the message moves on
in place: at the channel and ts stored when the bot posted it to this member, never where a
payload says."""

import logging
import re

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import REASSESS, REASSESS_CADENCE, REASSESS_DONE, REASSESS_ENLIST
from bot.listeners.board import open_add_modal
from bot.listeners.common import publish_home, tell, transaction
from bot.views.reassess import build_reassessment
from bot.views.text import said
from core import outbox, reassess
from core.db import row_id
from core.errors import Invalid, NotOnBoard, NotYours

log = logging.getLogger(__name__)
ANSWERS = re.compile(f"^{REASSESS}_({reassess.KEEP}|{reassess.EASE_ASIDE})$")


def _parts(action: dict) -> tuple[str, int, int]:
    """("keep" | "ease_aside" | days, reassessment id, advisor id) from a button or menu value;
    ids that are not numbers match nothing."""
    raw = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
    choice, _, rest = raw.partition(":")
    reassessment_id, _, advisor_id = rest.partition(":")
    return choice, row_id(reassessment_id), row_id(advisor_id)


def handle_answer(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    choice, reassessment_id, advisor_id = _parts(action)
    days = None
    if action.get("action_id") == REASSESS_CADENCE:
        choice, days = reassess.CADENCE, row_id(choice)
    try:
        with transaction(context) as session:
            changed = reassess.answer(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                reassessment_id=reassessment_id,
                advisor_id=advisor_id,
                choice=choice,
                cadence_days=days,
                clock=context["clock"],
            )
    except NotYours as problem:
        tell(body, client, context, "Nothing changed", said(problem))
        return
    except (Invalid, NotOnBoard) as problem:  # answered elsewhere meanwhile: show where it is
        tell(body, client, context, "Nothing changed", said(problem))
        changed = False
    refresh(client, context, body, reassessment_id)
    if changed:
        publish_home(client, context)


def handle_enlist(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    open_add_modal(client, context, body["trigger_id"])


def handle_done(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    reassessment_id = row_id(action.get("value"))
    try:
        with transaction(context) as session:
            reassess.finish(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                reassessment_id=reassessment_id,
                now=context["clock"].now(),
            )
    except NotYours as problem:
        tell(body, client, context, "Nothing changed", said(problem))
        return
    refresh(client, context, body, reassessment_id)


def refresh(client: WebClient, context: BoltContext, body: dict, reassessment_id: int) -> None:
    """Show the member's reassessment as it stands now, in its own message: at the place stored
    when it was posted (only a message the outbox posted to this member), else in the message
    clicked, through the click's response_url."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    with transaction(context) as session:
        now = context["clock"].now()
        step = reassess.shown(session, **who, reassessment_id=reassessment_id, now=now)
        channel, ts = step.reassessment.channel_id, step.reassessment.ts
        stored = bool(channel and ts) and outbox.stored_message(
            session, **who, channel=channel, ts=ts
        )
    message = build_reassessment(step, now)
    try:
        if stored:
            client.chat_update(channel=channel, ts=ts, **message)
        elif body.get("response_url"):
            context.respond(replace_original=True, **message)
    except SlackApiError as error:  # what was answered is saved; only the old message remains
        log.warning("Could not update reassessment %s: %s", reassessment_id, error)


def register(app: App) -> None:
    app.action(ANSWERS)(handle_answer)
    app.action(REASSESS_CADENCE)(handle_answer)
    app.action(REASSESS_ENLIST)(handle_enlist)
    app.action(REASSESS_DONE)(handle_done)
