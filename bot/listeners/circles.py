"""A circle's check-in, as members act on it: sharing a challenge (and editing or withdrawing
it), saying "I'm away this time", turning reminders off, answering a follow-up or "did you
meet?", adding a peer who helped to their board; and what the channel tells the bot: replies in
challenges' threads, people leaving, the bot removed, the channel archived. Everything the bot
posts on its own goes through the outbox (core/check_ins.py decides, bot/delivery/circles.py
renders); answers to a click go to the person who clicked."""

import json
import logging
import re

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.ids import (
    AWAY,
    CHALLENGE_EDIT,
    CHALLENGE_ENLIST,
    CHALLENGE_MENU,
    CHALLENGE_WITHDRAW,
    CIRCLE_REMINDERS_OFF,
    CIRCLE_REMINDERS_ON,
    CIRCLE_SHARE_VIEW,
    FOLLOW_UP_OUTCOME,
    PARTNERS_MET,
    SHARE_CHALLENGE,
)
from bot.listeners.common import REPLAYED, Replayed, once, send_now, today, transaction
from bot.views.advisor_form import build_advisor_modal
from bot.views.circles import (
    away_noted,
    build_follow_up_answered,
    build_met_answered,
    build_not_in_circle,
    build_reminders_off,
    build_reminders_on,
    build_share_modal,
    read_share_form,
    shared_here,
    thread_link,
)
from bot.views.notices import build_notice
from core import check_ins, circles, outbox
from core.check_ins import NotInCircle
from core.db import row_id
from core.errors import Invalid, NotYours
from core.models import Advisor, Challenge, Circle, RelationshipKind, Support

log = logging.getLogger(__name__)

ONLY_AUTHOR = "Only the person who shared this challenge can do that."


def _say(context: BoltContext, text: str = "", **message) -> None:
    """An answer only the person who clicked sees, where they clicked."""
    context.respond(response_type="ephemeral", replace_original=False, text=text, **message)


def _value(action: dict) -> tuple[str, int | None]:
    """A button's "<choice>:<id>" (or a bare id): the choice and the id, as the database can
    hold it (None for anything else)."""
    choice, _, raw = str(
        action.get("value") or action.get("selected_option", {}).get("value") or ""
    ).rpartition(":")
    return choice, row_id(raw)


# --- the check-in's buttons


def handle_share_button(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    _, check_in_id = _value(action)
    now = context["clock"].now()
    with transaction(context) as session:
        try:
            check_in = check_ins.open_check_in(
                session, team_id=context.team_id, check_in_id=check_in_id, now=now
            )
            circle = session.get(Circle, check_in.circle_id)
            if not circles.is_member(session, circle_id=circle.id, user_id=context.user_id):
                raise NotInCircle(circle)
        except NotInCircle as not_in:
            answer = build_not_in_circle(not_in.circle)
        except Invalid as problem:
            answer = {"text": str(problem)}
        else:
            answer = None
            view = build_share_modal(
                check_in_id=check_in.id, circle_name=circle.name, anonymous_allowed=circle.anonymous
            )
            view["private_metadata"] = json.dumps(
                {"check_in": check_in.id, "from": _clicked_in(body)}
            )
    if answer is not None:
        _say(context, **answer)
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_away_button(ack: Ack, action: dict, context: BoltContext) -> None:
    ack()
    _, check_in_id = _value(action)
    with transaction(context) as session:
        try:
            new = check_ins.away(
                session,
                team_id=context.team_id,
                check_in_id=check_in_id,
                user_id=context.user_id,
                now=context["clock"].now(),
            )
            circle = check_ins.circle_of_check_in(session, check_in_id)
            answer = {"text": away_noted(circle, new=new)}
        except NotInCircle as not_in:
            answer = build_not_in_circle(not_in.circle)
        except Invalid as problem:
            answer = {"text": str(problem)}
    _say(context, **answer)


def handle_share_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    """A challenge shared (posted as its own message at once), or an edit of one (its message
    updated in place)."""
    metadata = _metadata(view)
    form = read_share_form(view["state"]["values"])
    now = context["clock"].now()
    try:
        with transaction(context) as session:
            once(session, context, "c_share")  # keys hold 40 characters
            if "challenge" in metadata:
                made = check_ins.edit(
                    session,
                    team_id=context.team_id,
                    challenge_id=row_id(str(metadata["challenge"])),
                    author_id=context.user_id,
                    text=form["text"],
                    tried=form["tried"],
                    help_wanted=form["help_wanted"],
                    now=now,
                )
            else:
                challenge, made = check_ins.share(
                    session,
                    team_id=context.team_id,
                    check_in_id=row_id(str(metadata.get("check_in"))),
                    author_id=context.user_id,
                    now=now,
                    **form,
                )
                shared_id = challenge.id
    except Replayed:
        ack(response_action="update", view=build_notice("Circle", REPLAYED))
        return
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "challenge": str(problem)})
        return
    except (NotInCircle, NotYours) as refused:
        ack(response_action="errors", errors={"challenge": str(refused)})
        return
    ack()
    send_now(context, made)
    if "challenge" not in metadata:
        _tell_where_shared(client, context, shared_id, metadata.get("from"))


def _tell_where_shared(client: WebClient, context: BoltContext, challenge_id: int, came_from):
    """The person who shared hears where their challenge is: the reminder they shared from is
    replaced by it (only if it is a message the bot posted to them), else a note only they see
    in the circle's channel."""
    with transaction(context) as session:
        challenge = session.get(Challenge, challenge_id)
        circle = session.get(Circle, challenge.circle_id)
        answer = shared_here(circle, thread_link(challenge.channel_id, challenge.ts))
        channel, ts = came_from if _pair_of_ids(came_from) else (None, None)
        ours = channel is not None and outbox.stored_message(
            session, team_id=context.team_id, owner_id=context.user_id, channel=channel, ts=ts
        )
        circle_channel = circle.channel_id
    if ours:
        client.chat_update(channel=channel, ts=ts, **answer)
    else:
        client.chat_postEphemeral(channel=circle_channel, user=context.user_id, **answer)


def _pair_of_ids(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _clicked_in(body: dict) -> list[str] | None:
    """The message a button was clicked in (channel and ts), if it is a DM's: the reminder the
    challenge may be shared from."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if isinstance(channel, str) and channel.startswith("D") and isinstance(ts, str):
        return [channel, ts]
    return None


def _metadata(view: dict) -> dict:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


# --- a challenge's menu: edit, withdraw, add someone who helped


def handle_challenge_menu(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    choice, challenge_id = _value(action)
    who = {"team_id": context.team_id, "author_id": context.user_id}
    try:
        with transaction(context) as session:
            challenge = check_ins.own_challenge(session, **who, challenge_id=challenge_id)
            circle = session.get(Circle, challenge.circle_id)
            if choice == CHALLENGE_WITHDRAW:
                made = check_ins.withdraw(
                    session, **who, challenge_id=challenge_id, now=context["clock"].now()
                )
            elif choice == CHALLENGE_EDIT:
                view = build_share_modal(
                    check_in_id=None,
                    circle_name=circle.name,
                    anonymous_allowed=False,
                    existing=check_ins.as_shared(challenge),
                    challenge_id=challenge.id,
                )
            elif choice == CHALLENGE_ENLIST:
                helper = check_ins.helper_to_enlist(session, challenge)
    except NotYours:
        _say(context, ONLY_AUTHOR)
        return
    if choice == CHALLENGE_WITHDRAW:
        send_now(context, made)
        _say(context, "Withdrawn: its message now says so, and it won't be followed up.")
    elif choice == CHALLENGE_EDIT:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    elif choice == CHALLENGE_ENLIST:
        peer = Advisor(
            team_id=context.team_id,
            owner_id=context.user_id,
            name="",
            relationship=RelationshipKind.PEER,
            inside_org=True,
            support=[Support.COUNSEL],
        )
        modal = build_advisor_modal(today=today(context), prefill_member=helper, prefill=peer)
        client.views_open(trigger_id=body["trigger_id"], view=modal)


# --- DMs: reminders off, follow-ups, "did you meet?"


def handle_reminders(ack: Ack, action: dict, context: BoltContext) -> None:
    """Circle reminders off (from a reminder), or back on (from the answer to that)."""
    ack()
    _, circle_id = _value(action)
    on = action.get("action_id") == CIRCLE_REMINDERS_ON
    with transaction(context) as session:
        circle = circles.get(session, team_id=context.team_id, circle_id=circle_id)
        done = circle is not None and circles.set_reminders(
            session, circle_id=circle.id, team_id=context.team_id, user_id=context.user_id, on=on
        )
        answer = (build_reminders_on if on else build_reminders_off)(circle) if done else None
    if answer is None:
        _say(context, "You're not in that circle (any more), so there is nothing to change.")
        return
    context.respond(replace_original=True, **answer)


def handle_follow_up_outcome(ack: Ack, action: dict, context: BoltContext) -> None:
    ack()
    outcome, challenge_id = _value(action)
    try:
        with transaction(context) as session:
            challenge = check_ins.set_outcome(
                session,
                team_id=context.team_id,
                challenge_id=challenge_id,
                author_id=context.user_id,
                outcome=outcome,
                now=context["clock"].now(),
            )
            answer = build_follow_up_answered(challenge, session.get(Circle, challenge.circle_id))
    except (Invalid, NotYours) as problem:
        _say(context, str(problem))
        return
    context.respond(replace_original=True, **answer)


def handle_partners_met(ack: Ack, action: dict, context: BoltContext) -> None:
    ack()
    answer, pairing_id = _value(action)
    try:
        with transaction(context) as session:
            check_ins.partners_met(
                session,
                team_id=context.team_id,
                pairing_id=pairing_id,
                user_id=context.user_id,
                met=answer == "yes",
            )
    except NotYours as problem:
        _say(context, str(problem))
        return
    context.respond(replace_original=True, **build_met_answered(answer == "yes"))


# --- what the channel tells the bot


def is_channel_message(event: dict) -> bool:
    """A message in a channel (public or private), not a DM: a circle may be listening. Without
    a channel_type (older payloads), a channel's id says it (C…, G…; a DM's is D…)."""
    kind = event.get("channel_type")
    if kind is None:
        return str(event.get("channel") or "")[:1] in ("C", "G")
    return kind in ("channel", "group")


def handle_channel_message(event: dict, body: dict, context: BoltContext) -> None:
    """A reply in a challenge's thread is counted (and may be a touchpoint); a deleted one no
    longer counts. The bot's own posts and edits change nothing."""
    team_id = body.get("team_id") or context.team_id
    now = context["clock"].now()
    if event.get("subtype") == "message_deleted":
        previous = event.get("previous_message") or {}
        if previous.get("thread_ts") and event.get("deleted_ts"):
            with transaction(context) as session:
                check_ins.reply_deleted(
                    session,
                    team_id=team_id,
                    channel_id=event.get("channel", ""),
                    ts=event["deleted_ts"],
                )
        return
    if event.get("subtype") not in (None, "thread_broadcast", "file_share") or event.get("bot_id"):
        return
    thread_ts, ts, user = event.get("thread_ts"), event.get("ts"), event.get("user")
    if not (thread_ts and ts and user) or thread_ts == ts:
        return
    with transaction(context) as session:
        check_ins.reply(
            session,
            team_id=team_id,
            channel_id=str(event.get("channel") or ""),
            thread_ts=str(thread_ts),
            user_id=str(user),
            ts=str(ts),
            now=now,
        )


def handle_channel_fault(event: dict, body: dict, context: BoltContext) -> None:
    """The bot was removed, or the channel archived or deleted: its circle pauses, its owner
    is told once."""
    channel = event.get("channel")
    channel_id = channel.get("id") if isinstance(channel, dict) else channel
    if not isinstance(channel_id, str) or not channel_id:
        return
    with transaction(context) as session:
        made = circles.pause_for_fault(
            session,
            team_id=body.get("team_id") or context.team_id,
            channel_id=channel_id,
            fault=str(event.get("type")),
            now=context["clock"].now(),
        )
    if made:
        log.warning("Circle in %s paused: %s", channel_id, event.get("type"))
    send_now(context, made)


def handle_member_left(event: dict, body: dict, context: BoltContext) -> None:
    """Someone left the channel: they leave its circle."""
    if not isinstance(event.get("channel"), str) or not isinstance(event.get("user"), str):
        return
    with transaction(context) as session:
        circles.left_channel(
            session,
            team_id=body.get("team_id") or context.team_id,  # event.team: the leaver's own
            channel_id=event["channel"],
            user_id=event["user"],
            now=context["clock"].now(),
        )


FAULT_EVENTS = (
    "channel_left",
    "group_left",
    "channel_archive",
    "group_archive",
    "channel_deleted",
    "group_deleted",
)


def register(app: App) -> None:
    app.action(SHARE_CHALLENGE)(handle_share_button)
    app.action(AWAY)(handle_away_button)
    app.view(CIRCLE_SHARE_VIEW)(handle_share_submission)
    app.action(CHALLENGE_MENU)(handle_challenge_menu)
    app.action(CIRCLE_REMINDERS_OFF)(handle_reminders)
    app.action(CIRCLE_REMINDERS_ON)(handle_reminders)
    app.action(re.compile(f"^{FOLLOW_UP_OUTCOME}_"))(handle_follow_up_outcome)
    app.action(re.compile(f"^{PARTNERS_MET}_"))(handle_partners_met)
    app.event("message", matchers=[is_channel_message])(handle_channel_message)
    for fault in FAULT_EVENTS:
        app.event(fault)(handle_channel_fault)
    app.event("member_left_channel")(handle_member_left)
