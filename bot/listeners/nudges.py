"""Acting on a nudge DM: its buttons (log, snooze, ease aside, post update, done, renegotiate)
and replies typed in its thread, each recorded once and shown in the message it came from."""

import json
import re
from datetime import timedelta

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import event_dedup
from bot.ids import (
    NUDGE_DONE,
    NUDGE_EASE,
    NUDGE_FORWARD,
    NUDGE_LOG,
    NUDGE_MOVE,
    NUDGE_PICK,
    NUDGE_SNOOZE,
    NUDGE_UPDATE,
)
from bot.listeners.common import (
    deliver_update,
    own_place,
    publish_home,
    refresh_nudge_message,
    replaceable,
    tell,
    transaction,
    with_nudge,
)
from bot.listeners.touchpoints import open_log_modal
from bot.views.nudges import (
    PICK_LIMIT,
    build_forward_offer,
    build_forward_sent,
    build_recorded_under,
    build_which_one,
    too_long_to_ask,
)
from bot.views.promises import build_renegotiate_modal, build_update_modal
from bot.views.text import day, escape, long_day, said, shorten
from bot.views.typed import from_slack
from core import board, nudges, promises
from core.db import row_id
from core.errors import Invalid, NotOnBoard, NotYours
from core.members import member_zone
from core.models import Medium
from core.nudge_contents import live_items
from core.touchpoints import log_touchpoint

DEALT_WITH = "That one is already dealt with; I've updated the message to show it."
REPLY_WINDOW = timedelta(hours=2)  # a DM this soon after a nudge is taken as an answer to it


def _nudge_id(action: dict) -> int:
    raw = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
    head = raw.partition(":")[0]
    return row_id(head)


def _live(body: dict, client: WebClient, context: BoltContext, nudge_id: int):
    """The member's nudge if it still calls for action; otherwise they are told, and None."""
    try:
        with transaction(context) as session:
            item = nudges.get_shown(
                session, team_id=context.team_id, owner_id=context.user_id, nudge_id=nudge_id
            )
    except NotYours as problem:
        tell(body, client, context, "Nothing changed", str(problem))
        return None
    if not item.live:
        tell(body, client, context, "Nothing changed", DEALT_WITH)
        refresh_nudge_message(client, context, item.nudge.outbox_id)
        return None
    return item


def _done(client: WebClient, context: BoltContext, item, outcome: str, text: str = "") -> None:
    with transaction(context) as session:
        nudges.record_outcome(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            nudge_id=item.nudge.id,
            outcome=outcome,
            text=text,
        )
    refresh_nudge_message(client, context, item.nudge.outbox_id)
    publish_home(client, context)


# --- buttons


def handle_log(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    item = _live(body, client, context, _nudge_id(action))
    if item is not None:
        open_log_modal(
            client, context, body["trigger_id"], advisor_id=item.advisor.id, nudge_id=item.nudge.id
        )


def handle_snooze(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    choice = (action.get("selected_option") or {}).get("value", "")
    days = choice.partition(":")[2]
    item = _live(body, client, context, _nudge_id(action))
    if item is None:
        return
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            advisor = board.snooze(
                session,
                **who,
                advisor_id=item.advisor.id,
                days=int(days) if days.isdigit() else 0,
                clock=context["clock"],
            )
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
    except (Invalid, NotOnBoard) as problem:
        tell(body, client, context, "Nothing changed", said(problem))
        return
    until, now = advisor.snoozed_until.astimezone(zone), context["clock"].now().astimezone(zone)
    _done(client, context, item, "snoozed", f"until {day(until, now)}")


def handle_ease(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    item = _live(body, client, context, _nudge_id(action))
    if item is None:
        return
    with transaction(context) as session:
        board.ease_aside(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            advisor_id=item.advisor.id,
            clock=context["clock"],
        )
    _done(client, context, item, "eased")


def handle_done(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    item = _live(body, client, context, _nudge_id(action))
    if item is None:
        return
    try:
        with transaction(context) as session:
            promises.mark_done(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                promise_id=item.promise.id,
                clock=context["clock"],
            )
    except Invalid as problem:  # closed by another click meanwhile
        tell(body, client, context, "Nothing changed", said(problem))
        return
    _done(client, context, item, "done")


def _open_form(build):
    def handle(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
        ack()
        item = _live(body, client, context, _nudge_id(action))
        if item is not None:
            view = with_nudge(build(item), item.nudge.id)
            client.views_open(trigger_id=body["trigger_id"], view=view)

    return handle


handle_update = _open_form(lambda item: build_update_modal(item.promise, item.advisor))
handle_move = _open_form(lambda item: build_renegotiate_modal(item.promise))


# --- answering in words


def is_reply_worthy(text: str) -> bool:
    """Greetings, thanks and calls for help are not an answer to a nudge."""
    said = text.strip().lower().strip("!?. ")
    return said not in {"", "help", "hi", "hello", "hey", "thanks", "thank you", "thx", "ok"}


def answer_in_words(event: dict, body: dict, client: WebClient, context: BoltContext) -> bool:
    """A DM that answers a nudge: in a nudge's thread it is recorded under the one item it can
    be about (or the bot asks which); written in the DM soon after nudges, the bot asks which
    item it is about. False when it answers no nudge (the caller shows the help card)."""
    text, threaded = from_slack(event.get("text") or ""), bool(event.get("thread_ts"))
    with transaction(context) as session:
        deliveries = _answered(session, event, context)
        if not deliveries:
            return False
        if not event_dedup.first_time(
            session, event_id=body.get("event_id", ""), now=context["clock"].now()
        ):
            return True  # Slack's retry of an event already handled
        live = [item for d in deliveries for item in live_items(session, message=d)]
    if not threaded and not live:
        return False
    here = deliveries[0]  # the member's own message of nudges, as stored: answered there
    say = _sayer(client, here.channel_id, here.ts if threaded else None)
    if not live:
        say(text="Everything in that reminder is already dealt with, so I didn't record this.")
    elif threaded and len(live) == 1:
        record_words(client, context, live[0].nudge.id, text, say)
    elif too_long_to_ask(live, text):
        say(
            text="Which reminder is this about? Reply in its thread, "
            f"in under {PICK_LIMIT} characters."
        )
    else:
        say(**build_which_one(live, text))
    return True


def _answered(session, event: dict, context: BoltContext) -> list:
    """The deliveries a DM may answer: the nudge whose thread it is in, or those sent in this
    DM in the last couple of hours."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    if event.get("thread_ts"):
        found = nudges.find_message(session, **who, channel=event["channel"], ts=event["thread_ts"])
        return [found] if found else []
    since = context["clock"].now() - REPLY_WINDOW
    return nudges.sent_since(session, **who, channel=event["channel"], since=since)


def _sayer(client: WebClient, channel: str, thread: str | None):
    def say(**message) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread, **message)

    return say


def record_words(client: WebClient, context: BoltContext, nudge_id: int, text: str, say):
    """A stay-in-touch item gets a touchpoint with the text as its note; a show-your-work item
    a progress update, with the offer to send it on."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            item = nudges.get_shown(session, **who, nudge_id=nudge_id)
            if not item.live or not nudges.take_answer(session, **who, nudge_id=nudge_id):
                raise Invalid(DEALT_WITH)
            if item.promise is None:
                advisor = log_touchpoint(
                    session,
                    **who,
                    advisor_id=item.advisor.id,
                    how=Medium.OTHER,
                    note=text,
                    clock=context["clock"],
                )
                zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
                next_due = long_day(advisor.next_touch_due_at.astimezone(zone))
                answer = {
                    "text": f"Logged a touchpoint with {escape(advisor.name)}, with your words as "
                    f"its note. Next stay in touch: {next_due}."
                }
                outcome, summary = "logged", shorten(text, 120)
            else:
                update = promises.post_update(
                    session, **who, promise_id=item.promise.id, text=text, clock=context["clock"]
                )
                answer = _saved_update(item, update.id)
                outcome, summary = "updated", shorten(text, 120)
            nudges.record_outcome(session, **who, nudge_id=nudge_id, outcome=outcome, text=summary)
    except (Invalid, NotYours, NotOnBoard) as problem:
        say(text=f"{said(problem)} Nothing was recorded.")
        return None
    say(**answer)
    refresh_nudge_message(client, context, item.nudge.outbox_id)
    publish_home(client, context)
    return item


def _saved_update(item, event_id: int) -> dict:
    if item.advisor.slack_user_id:
        return build_forward_offer(item.advisor.name, event_id)
    return {
        "text": f"Saved as a progress update on “{escape(item.promise.what)}”. "
        f"{escape(item.advisor.name)} isn't on Slack: send it to them yourself."
    }


def handle_pick(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    try:
        choice = json.loads(action.get("value") or "{}")
        nudge_id, text = row_id(choice["nudge"]), str(choice["text"])
    except (ValueError, KeyError, TypeError):
        return
    container = body.get("container") or {}
    channel = container.get("channel_id")
    here = own_place(client, context, channel, container.get("thread_ts"))
    item = record_words(
        client, context, nudge_id, text, _sayer(client, here.channel, here.thread_ts)
    )
    question = replaceable(context, here, channel, container.get("message_ts"))
    if item is not None and question:  # the question's buttons go: one answer, recorded once
        client.chat_update(channel=here.channel, ts=question, **build_recorded_under(item))


def handle_forward(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    value = str(action.get("value") or "")
    container = body.get("container") or {}
    channel = container.get("channel_id")
    here = own_place(client, context, channel, container.get("thread_ts"))
    answer, sent = deliver_update(context, row_id(value), reply_in=here)
    if answer:  # nothing when it failed for good: the outbox's word back says why, here
        _sayer(client, here.channel, here.thread_ts)(text=answer)
    offer = replaceable(context, here, channel, container.get("message_ts"))
    if sent and offer:  # the offer's button has done its work
        client.chat_update(channel=here.channel, ts=offer, **build_forward_sent())


def register(app: App) -> None:
    app.action(NUDGE_LOG)(handle_log)
    app.action(NUDGE_SNOOZE)(handle_snooze)
    app.action(NUDGE_EASE)(handle_ease)
    app.action(NUDGE_DONE)(handle_done)
    app.action(NUDGE_UPDATE)(handle_update)
    app.action(NUDGE_MOVE)(handle_move)
    app.action(re.compile(f"^{NUDGE_PICK}_\\d+$"))(handle_pick)
    app.action(NUDGE_FORWARD)(handle_forward)
