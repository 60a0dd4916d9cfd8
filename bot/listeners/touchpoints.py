"""Logging touchpoints: `/advisor log`, the modal, the button on the board, the message shortcut."""

import re
from datetime import date

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import LOG_AS_TOUCHPOINT, LOG_TOUCHPOINT, LOG_TOUCHPOINT_VIEW, WHO_LOG
from bot.listeners.board import mentioned_user
from bot.listeners.common import (
    EMPTY_BOARD,
    Replayed,
    advisor_id_from,
    after_nudge,
    once,
    open_with_board,
    publish_home,
    tell,
    today,
    transaction,
)
from bot.views.first_use import reaches_note
from bot.views.notices import build_notice
from bot.views.text import escape, long_day, said
from bot.views.touchpoint_form import build_touchpoint_modal, message_link_of, read_touchpoint_form
from bot.views.typed import from_slack
from bot.views.who import (
    build_logged_for_alumnus,
    build_which_one,
    choice_value,
    fits,
    person_of,
    read_choice,
)
from core import board, first_use
from core.clock import moment_on
from core.errors import Invalid, NotOnBoard
from core.members import member_zone
from core.models import Advisor, AdvisorStatus, Medium
from core.touchpoints import log_touchpoint
from core.who import hold, logged_since, read_who

ALREADY_ANSWERED = "Already logged: you answered this question a moment ago. See my Home tab."
USAGE = "Usage: `/advisor log @someone [note]` or `/advisor log Their Name [note]`."
SELF = "That's you: a touchpoint is a contact with one of your advisors. " + USAGE


def open_log_modal(client: WebClient, context: BoltContext, trigger_id: str, **prefill) -> dict:
    """Open the touchpoint modal; returns what Slack answered (the view's id, for an update)."""

    def build(active: list, today: date) -> dict:
        return build_touchpoint_modal(board=active, today=today, **prefill)

    return open_with_board(client, context, trigger_id, build, "Log a touchpoint")


def _logged(session, context: BoltContext, advisor: Advisor, zone) -> str:
    if advisor.status == AdvisorStatus.ALUMNI:
        return f"Logged a touchpoint with {escape(advisor.name)} (among your alumni)."
    due_at, now = advisor.next_touch_due_at, context["clock"].now()
    reaches = first_use.nudge_reaches(
        session, team_id=context.team_id, user_id=context.user_id, due_at=due_at, now=now
    )
    due = long_day(due_at.astimezone(zone))
    note = reaches_note(due_at, reaches, now=now, zone=zone)
    return (
        f"Logged a touchpoint with {escape(advisor.name)}. "
        f"Next *stay in touch* due around {due}{note}."
    )


# --- /advisor log @someone [note]   or   /advisor log Grace Hopper [note]


def _names(advisors: list[Advisor]) -> str:
    return ", ".join(f"*{escape(a.name)}*" for a in advisors)


def _log_now(session, context: BoltContext, advisor: Advisor, note: str) -> dict:
    """Record the touchpoint; the answer says with whom (and offers to bring back an alumnus)."""
    once(session, context, "log")
    logged = log_touchpoint(
        session,
        team_id=context.team_id,
        owner_id=context.user_id,
        advisor_id=advisor.id,
        note=note,
        clock=context["clock"],
    )
    if logged.status == AdvisorStatus.ALUMNI:
        return build_logged_for_alumnus(logged.name, logged.id)
    zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
    return {"text": _logged(session, context, logged, zone)}


def _ask_who(context: BoltContext, text: str, readings: list) -> dict:
    """Several people fit (or only a near spelling): a button each, carrying their note."""
    typed = " ".join(text.split()[: min(r.words for r in readings)])
    asked_at = context["clock"].now()
    people = [person_of(r.item) for r in readings]
    values = [choice_value(r.item.id, asked_at, note=r.rest) for r in readings]
    if not fits(values):
        return {"text": f"Which one did you mean: {_names([r.item for r in readings])}? {USAGE}"}
    recordings = [f"I'll log a touchpoint now{_with_note(r.rest)}." for r in readings]
    return build_which_one(typed, people, values, action=WHO_LOG, recordings=recordings)


def _with_note(note: str) -> str:
    return f", with the note “{escape(note)}”" if note else ""


def _log_line(session, context: BoltContext, text: str) -> tuple[dict, bool]:
    """What `/advisor log <text>` answers, and whether it recorded a touchpoint."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    member = mentioned_user(text)
    if member and text.startswith("<@"):
        note = text.split(">", 1)[1].strip()
        if member == context.user_id:
            return {"text": SELF}, False
        advisor = board.find_member(session, **who, slack_user_id=member)
        if advisor is None:
            enlist = f"`/advisor add <@{member}>` enlists them"
            return {"text": f"<@{member}> is not on your board: {enlist}."}, False
        return _log_now(session, context, advisor, note), True
    readings = read_who(session, **who, text=text)
    if len(readings) == 1 and not readings[0].guess:
        return _log_now(session, context, readings[0].item, readings[0].rest), True
    if readings:
        return _ask_who(context, text, readings), False
    names = _names(board.advisors(session, **who))
    if not names:
        return {"text": EMPTY_BOARD}, False
    return {"text": f"I couldn't find “{escape(text[:60])}” on your board: {names}. {USAGE}"}, False


def handle_log_command(args: Args) -> None:
    context, command = args.context, args.command
    text = (command.get("text") or "").strip().split(maxsplit=1)[1:]
    if not text:
        args.ack()
        open_log_modal(args.client, context, command["trigger_id"])
        return
    try:
        with transaction(context) as session:
            answer, recorded = _log_line(session, context, text[0])
    except Invalid as problem:
        args.ack(response_type="ephemeral", text=f"{said(problem)} Nothing was saved.")
        return
    except Replayed as replayed:
        args.ack(response_type="ephemeral", text=str(replayed))
        return
    args.ack(response_type="ephemeral", **answer)
    if recorded:
        publish_home(args.client, context)


def handle_who_log(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    """A person picked in "which one?": the touchpoint is logged with them, once, and the
    question gives way to the answer."""
    ack()
    choice = read_choice(action)
    note = str(choice.fields.get("note", "")) if choice else ""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            if choice is None:
                raise NotOnBoard()
            advisor = hold(session, **who, advisor_id=choice.advisor_id)
            if logged_since(session, **who, note=note, since=choice.asked_at):
                answer = {"text": ALREADY_ANSWERED}
            else:
                answer = _log_now(session, context, advisor, note)
    except (NotOnBoard, Invalid) as problem:
        answer = {"text": f"{said(problem)} Nothing was saved."}
    except Replayed as replayed:
        answer = {"text": str(replayed)}
    if body.get("response_url"):  # the question, an ephemeral message, gives way to it
        context.respond(replace_original=True, response_type="ephemeral", **answer)
    publish_home(client, context)


# --- The board's "Log touchpoint" button, and the modal's submission


def handle_log_button(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    advisor_id = advisor_id_from(action)
    try:
        with transaction(context) as session:
            board.get_advisor(
                session, team_id=context.team_id, owner_id=context.user_id, advisor_id=advisor_id
            )
    except NotOnBoard as problem:
        tell(body, client, context, "Nothing changed", str(problem))
        return
    open_log_modal(client, context, body["trigger_id"], advisor_id=advisor_id)


def handle_log_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    try:
        form = read_touchpoint_form(view["state"]["values"])
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            now = context["clock"].now()
            once(session, context, "log")
            advisor = log_touchpoint(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=form.advisor_id or 0,
                at=moment_on(form.on, zone, now) if form.on else now,
                how=form.how,
                exchanged=form.exchanged,
                given_by=form.given_by,
                note=form.note,
                message_link=message_link_of(view),
                clock=context["clock"],
            )
            answer = _logged(session, context, advisor, zone)
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "note": str(problem)})
        return
    except NotOnBoard as problem:
        ack(response_action="errors", errors={"advisor": str(problem)})
        return
    except Replayed as replayed:
        ack(response_action="update", view=build_notice("Touchpoint logged", str(replayed)))
        return
    ack(response_action="update", view=build_notice("Touchpoint logged", answer))
    after_nudge(client, context, view, "logged", form.note[:120], ends=True)
    publish_home(client, context)


# --- "Log as touchpoint" on any message


def handle_log_as_touchpoint(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """Open the modal at once (the trigger expires in 3 s); then add the message's link."""
    ack()
    message = body.get("message") or {}
    author = message.get("user")
    with transaction(context) as session:
        advisor = author and board.find_member(
            session, team_id=context.team_id, owner_id=context.user_id, slack_user_id=author
        )
        advisor_id = advisor.id if advisor and advisor.status == AdvisorStatus.ACTIVE else None
    note = from_slack(message.get("text") or "")  # Slack's escaping undone: what was written
    prefill = {"advisor_id": advisor_id, "note": note, "how": Medium.MESSAGE}
    if author and advisor_id is None:
        prefill["warning"] = (
            f"<@{author}> wrote this and is not on your board: choose the advisor it was with, "
            "or `/advisor add` them first."
        )
    opened = open_log_modal(client, context, body["trigger_id"], **prefill)
    channel = (body.get("channel") or {}).get("id")
    if (
        not opened.get("view", {}).get("blocks")
        or not channel
        or opened["view"]["callback_id"] != LOG_TOUCHPOINT_VIEW
    ):
        return
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=message.get("ts", ""))[
            "permalink"
        ]
    except SlackApiError:
        return  # the link is a nicety: the touchpoint is worth logging without it
    with transaction(context) as session:
        active = board.advisors(session, team_id=context.team_id, owner_id=context.user_id)
    view = build_touchpoint_modal(board=active, today=today(context), message_link=link, **prefill)
    client.views_update(view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=view)


def register(app: App) -> None:
    app.action(LOG_TOUCHPOINT)(handle_log_button)
    app.view(LOG_TOUCHPOINT_VIEW)(handle_log_submission)
    app.message_shortcut(LOG_AS_TOUCHPOINT)(handle_log_as_touchpoint)
    app.action(re.compile(f"^{WHO_LOG}_\\d+$"))(handle_who_log)
