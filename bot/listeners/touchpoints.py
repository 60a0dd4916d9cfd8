"""Logging touchpoints: `/advisor log`, the modal, the button on the board, the message shortcut."""

from datetime import date

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import LOG_AS_TOUCHPOINT, LOG_TOUCHPOINT, LOG_TOUCHPOINT_VIEW
from bot.listeners.board import mentioned_user
from bot.listeners.common import (
    EMPTY_BOARD,
    advisor_id_from,
    after_nudge,
    open_with_board,
    publish_home,
    tell,
    today,
    transaction,
)
from bot.views.notices import build_notice
from bot.views.text import escape, long_day, said
from bot.views.touchpoint_form import build_touchpoint_modal, message_link_of, read_touchpoint_form
from core import board
from core.clock import moment_on
from core.errors import Invalid, NotOnBoard
from core.members import member_zone
from core.models import Advisor, AdvisorStatus, Medium
from core.touchpoints import log_touchpoint

USAGE = "Usage: `/advisor log @someone [note]` or `/advisor log Their Name [note]`."


def open_log_modal(client: WebClient, context: BoltContext, trigger_id: str, **prefill) -> dict:
    """Open the touchpoint modal; returns what Slack answered (the view's id, for an update)."""

    def build(active: list, today: date) -> dict:
        return build_touchpoint_modal(board=active, today=today, **prefill)

    return open_with_board(client, context, trigger_id, build, "Log a touchpoint")


def _logged(advisor: Advisor, zone) -> str:
    if advisor.status == AdvisorStatus.ALUMNI:
        return f"Logged a touchpoint with {escape(advisor.name)} (among your alumni)."
    due = long_day(advisor.next_touch_due_at.astimezone(zone))
    return (
        f"Logged a touchpoint with {escape(advisor.name)}. Next *stay in touch* due around {due}."
    )


# --- /advisor log @someone [note]   or   /advisor log Grace Hopper [note]


def _names(advisors: list[Advisor]) -> str:
    return ", ".join(f"*{escape(a.name)}*" for a in advisors)


def _who_and_note(session, context: BoltContext, text: str) -> tuple[list[Advisor], str, str]:
    """Who `text` names, the note after it, and what to say when that is not exactly one."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    member = mentioned_user(text)
    if member and text.startswith("<@"):
        note = text.split(">", 1)[1].strip()
        advisor = board.find_member(session, **who, slack_user_id=member)
        if advisor is None:
            return (
                [],
                note,
                f"<@{member}> is not on your board: `/advisor add <@{member}>` enlists them.",
            )
        return [advisor], note, ""
    found, note = board.find_in_text(session, **who, text=text)
    if len(found) > 1:
        return (
            found,
            note,
            f"Which one did you mean: {_names(found)}? Type a little more of the name.",
        )
    if not found:
        names = _names(board.advisors(session, **who))
        if not names:
            return [], note, EMPTY_BOARD
        return [], note, f"I couldn't find “{escape(text[:60])}” on your board: {names}. {USAGE}"
    return found, note, ""


def handle_log_command(args: Args) -> None:
    context, command = args.context, args.command
    text = (command.get("text") or "").strip().split(maxsplit=1)[1:]
    if not text:
        args.ack()
        open_log_modal(args.client, context, command["trigger_id"])
        return
    with transaction(context) as session:
        found, note, answer = _who_and_note(session, context, text[0])
        if len(found) == 1:
            try:
                advisor = log_touchpoint(
                    session,
                    team_id=context.team_id,
                    owner_id=context.user_id,
                    advisor_id=found[0].id,
                    note=note,
                    clock=context["clock"],
                )
            except Invalid as problem:
                args.ack(response_type="ephemeral", text=f"{said(problem)} Nothing was saved.")
                return
            answer = _logged(
                advisor, member_zone(session, team_id=context.team_id, user_id=context.user_id)
            )
    args.ack(response_type="ephemeral", text=answer)
    if len(found) == 1:
        publish_home(args.client, context)


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
            answer = _logged(advisor, zone)
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "note": str(problem)})
        return
    except NotOnBoard as problem:
        ack(response_action="errors", errors={"advisor": str(problem)})
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
    prefill = {"advisor_id": advisor_id, "note": message.get("text") or "", "how": Medium.MESSAGE}
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
