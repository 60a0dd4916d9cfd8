"""Logging touchpoints: `/advisor log`, the modal, the button on the board, the message shortcut."""

from datetime import datetime, time

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ids import LOG_AS_TOUCHPOINT, LOG_TOUCHPOINT, LOG_TOUCHPOINT_VIEW
from bot.listeners.board import mentioned_user
from bot.listeners.common import publish_home, remember, tell, transaction
from bot.views.notices import build_notice
from bot.views.text import escape, long_day
from bot.views.touchpoint_form import (
    build_touchpoint_modal,
    message_link_of,
    read_touchpoint_form,
)
from core import board
from core.errors import Invalid, NotOnBoard
from core.members import member_zone
from core.models import Advisor, Channel
from core.touchpoints import log_touchpoint

MAX_NAME_WORDS = 4


def open_log_modal(client: WebClient, context: BoltContext, trigger_id: str, **prefill) -> None:
    today = remember(client, context)
    with transaction(context) as session:
        active = board.advisors(session, team_id=context.team_id, owner_id=context.user_id)
    if not active:
        empty = "Your board is empty: `/advisor add` enlists your first advisor."
        client.views_open(trigger_id=trigger_id, view=build_notice("Log a touchpoint", empty))
        return
    view = build_touchpoint_modal(board=active, today=today, **prefill)
    client.views_open(trigger_id=trigger_id, view=view)


def _logged(advisor: Advisor, zone) -> str:
    due = long_day(advisor.next_touch_due_at.astimezone(zone))
    return f"Logged a touchpoint with {escape(advisor.name)}. Next *stay in touch* around {due}."


# --- /advisor log @someone [note]   or   /advisor log Grace Hopper [note]


def who_and_note(session, context: BoltContext, text: str) -> tuple[list[Advisor], str]:
    """The advisors the start of `text` names, and the rest as the note. A mention names a Slack
    member; otherwise the longest run of leading words that names someone on the board wins."""
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    member = mentioned_user(text)
    if member and text.startswith("<@"):
        note = text.split(">", 1)[1].strip()
        return [a for a in board.advisors(session, **who) if a.slack_user_id == member], note
    words = text.split()
    for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
        found = board.find(session, **who, text=" ".join(words[:size]))
        if found:
            return found, " ".join(words[size:])
    return [], text


def _names(advisors: list[Advisor]) -> str:
    return ", ".join(f"*{escape(a.name)}*" for a in advisors)


def handle_log_command(args: Args) -> None:
    context, command = args.context, args.command
    text = (command.get("text") or "").strip().split(maxsplit=1)[1:]
    if not text:
        args.ack()
        open_log_modal(args.client, context, command["trigger_id"])
        return
    with transaction(context) as session:
        found, note = who_and_note(session, context, text[0])
        if len(found) == 1:
            try:
                log_touchpoint(
                    session,
                    team_id=context.team_id,
                    owner_id=context.user_id,
                    advisor_id=found[0].id,
                    note=note,
                    clock=context["clock"],
                )
            except Invalid as problem:
                args.ack(response_type="ephemeral", text=f"{problem} Nothing was saved.")
                return
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            answer = _logged(found[0], zone)
        elif found:
            answer = f"Which one did you mean: {_names(found)}? Type a little more of the name."
        else:
            board_names = _names(
                board.advisors(session, team_id=context.team_id, owner_id=context.user_id)
            )
            on_board = f" Your board: {board_names}." if board_names else " Your board is empty."
            answer = (
                f"I couldn't find “{escape(text[0][:60])}” on your board.{on_board} "
                "Usage: `/advisor log @someone [note]` or `/advisor log Their Name [note]`."
            )
    args.ack(response_type="ephemeral", text=answer)
    if len(found) == 1:
        publish_home(args.client, context)


# --- The board's "Log touchpoint" button, and the modal's submission


def handle_log_button(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    advisor_id = int(action["value"]) if str(action.get("value", "")).isdigit() else 0
    try:
        with transaction(context) as session:
            board.get_advisor(
                session, team_id=context.team_id, owner_id=context.user_id, advisor_id=advisor_id
            )
    except NotOnBoard as problem:
        tell(body, client, context, "Nothing changed", str(problem))
        return
    open_log_modal(client, context, body["trigger_id"], advisor_id=advisor_id)


def _moment(on, zone, now) -> datetime:
    """Now if it happened today, else that day at noon where the member is."""
    if on is None or on == now.astimezone(zone).date():
        return now
    return datetime.combine(on, time(12), tzinfo=zone)


def handle_log_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    try:
        form = read_touchpoint_form(view["state"]["values"])
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            touchpoint = log_touchpoint(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=form.advisor_id or 0,
                at=_moment(form.on, zone, context["clock"].now()),
                how=form.how,
                exchanged=form.exchanged,
                given_by=form.given_by,
                note=form.note,
                message_link=message_link_of(view),
                clock=context["clock"],
            )
            advisor = board.get_advisor(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=touchpoint.advisor_id,
            )
            answer = _logged(advisor, zone)
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "note": str(problem)})
        return
    except NotOnBoard as problem:
        ack(response_action="errors", errors={"advisor": str(problem)})
        return
    ack(response_action="update", view=build_notice("Touchpoint logged", answer))
    publish_home(client, context)


# --- "Log as touchpoint" on any message


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None  # the link is a nicety: the touchpoint is worth logging without it


def handle_log_as_touchpoint(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    message = body.get("message") or {}
    author = message.get("user")
    with transaction(context) as session:
        by_author = [
            a
            for a in board.advisors(session, team_id=context.team_id, owner_id=context.user_id)
            if author and a.slack_user_id == author
        ]
    open_log_modal(
        client,
        context,
        body["trigger_id"],
        advisor_id=by_author[0].id if by_author else None,
        note=message.get("text") or "",
        how=Channel.MESSAGE,
        message_link=_permalink(
            client, (body.get("channel") or {}).get("id", ""), message.get("ts", "")
        ),
    )


def register(app: App) -> None:
    app.action(LOG_TOUCHPOINT)(handle_log_button)
    app.view(LOG_TOUCHPOINT_VIEW)(handle_log_submission)
    app.message_shortcut(LOG_AS_TOUCHPOINT)(handle_log_as_touchpoint)
