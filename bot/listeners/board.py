"""Enlisting, editing, easing aside, bringing back and removing advisors; `/advisor list`."""

import re

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.ids import (
    ADD_ADVISOR,
    ADD_ADVISOR_VIEW,
    BRING_BACK,
    EASE_ASIDE,
    EDIT_ADVISOR,
    EDIT_ADVISOR_VIEW,
    REMOVE_ADVISOR,
)
from bot.listeners.common import entries, publish_home, remember, tell, today, transaction
from bot.views.advisor_form import (
    AdvisorForm,
    advisor_id_of,
    build_advisor_modal,
    read_advisor_form,
)
from bot.views.board import build_board_message
from bot.views.notices import build_notice
from bot.views.text import long_day
from core import board
from core.board import Details, Person
from core.cadence import describe_days
from core.errors import Invalid, NotOnBoard
from core.members import member_zone
from core.models import AdvisorStatus

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned_user(text: str) -> str | None:
    """The first Slack member mentioned in a command's text (`<@U123|name>`)."""
    found = MENTION.search(text)
    return found.group(1) if found else None


# --- /advisor add, the "Add an advisor" button, and the modal they open


def open_add_modal(
    client: WebClient, context: BoltContext, trigger_id: str, member: str | None
) -> None:
    view = build_advisor_modal(today=remember(client, context), prefill_member=member)
    client.views_open(trigger_id=trigger_id, view=view)


def handle_add_command(args: Args) -> None:
    args.ack()
    command = args.command
    open_add_modal(
        args.client, args.context, command["trigger_id"], mentioned_user(command["text"])
    )


def handle_add_button(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    open_add_modal(client, context, body["trigger_id"], None)


def _person(client: WebClient, form: AdvisorForm) -> Person:
    """Who the form names; a Slack member is looked up so bots, leavers and time zones are known."""
    if not form.member:
        return Person(name=form.name, contact=form.contact or None)
    profile = client.users_info(user=form.member)["user"]
    name = (
        profile.get("real_name") or profile.get("profile", {}).get("real_name") or profile["name"]
    )
    if profile.get("deleted"):
        raise Invalid(f"{name} is no longer in this workspace.", field="member")
    is_bot = bool(profile.get("is_bot")) or form.member == "USLACKBOT"
    return Person(name=name, slack_user_id=form.member, tz=profile.get("tz"), is_bot=is_bot)


def _details(form: AdvisorForm) -> Details:
    return Details(
        relationship=form.relationship,
        inside_org=form.inside_org,
        support=form.support,
        gains=form.gains,
        cadence_days=form.cadence_days,
        notes=form.notes,
    )


def _confirmation(advisor, zone) -> dict:
    due = long_day(advisor.next_touch_due_at.astimezone(zone))
    text = (
        f"*{advisor.name}* is on your board. You planned to be in touch "
        f"{describe_days(advisor.cadence_days)}, so your first *stay in touch* nudge comes around "
        f"*{due}*. Your board is on my Home tab."
    )
    return build_notice("On your board", text)


def handle_add_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    try:
        form = read_advisor_form(view["state"]["values"])
        person = _person(client, form)
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            advisor = board.enlist(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                person=person,
                details=_details(form),
                last_spoke_on=form.last_spoke_on or today(context),
                zone=zone,
                clock=context["clock"],
            )
            confirmation = _confirmation(advisor, zone)
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "name": str(problem)})
        return
    ack(response_action="update", view=confirmation)
    publish_home(client, context)


# --- Edit


def handle_edit_button(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    ack()
    try:
        with transaction(context) as session:
            advisor = board.get_advisor(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=int(action["value"]),
            )
    except (NotOnBoard, ValueError):
        tell(body, client, context, "Nothing changed", str(NotOnBoard()))
        return
    view = build_advisor_modal(today=today(context), advisor=advisor)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def handle_edit_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    try:
        form = read_advisor_form(view["state"]["values"])
        with transaction(context) as session:
            board.edit(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                advisor_id=advisor_id_of(view) or 0,
                person=_person(client, form),
                details=_details(form),
                clock=context["clock"],
            )
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "name": str(problem)})
        return
    except NotOnBoard as problem:
        ack(response_action="update", view=build_notice("Nothing changed", str(problem)))
        return
    ack()
    publish_home(client, context)


# --- Ease aside, bring back, remove: one click each, then the board refreshes


def _act(change, done: str):
    def handle(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        ack()
        try:
            with transaction(context) as session:
                name = change(session, context, int(action.get("value") or 0))
        except (NotOnBoard, ValueError):
            tell(body, client, context, "Nothing changed", str(NotOnBoard()))
            return
        if body.get("response_url"):
            context.respond(
                response_type="ephemeral", replace_original=False, text=done.format(name=name)
            )
        publish_home(client, context)

    return handle


def _ease_aside(session, context, advisor_id) -> str:
    who = {"team_id": context.team_id, "owner_id": context.user_id, "advisor_id": advisor_id}
    return board.ease_aside(session, **who, clock=context["clock"]).name


def _bring_back(session, context, advisor_id) -> str:
    who = {"team_id": context.team_id, "owner_id": context.user_id, "advisor_id": advisor_id}
    return board.bring_back(session, **who, clock=context["clock"]).name


def _remove(session, context, advisor_id) -> str:
    return board.remove(
        session, team_id=context.team_id, owner_id=context.user_id, advisor_id=advisor_id
    )


handle_ease_aside = _act(
    _ease_aside, "{name} is among your alumni now: `/advisor list alumni` to bring them back."
)
handle_bring_back = _act(_bring_back, "{name} is back on your board.")
handle_remove = _act(_remove, "{name} is removed from your board.")


# --- /advisor list [alumni]


def handle_list_command(args: Args) -> None:
    context = args.context
    wants_alumni = "alumni" in (args.command.get("text") or "").lower().split()[1:]
    status = AdvisorStatus.ALUMNI if wants_alumni else AdvisorStatus.ACTIVE
    with transaction(context) as session:
        rows = entries(session, team_id=context.team_id, owner_id=context.user_id, status=status)
        zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
    message = build_board_message(rows, now=context["clock"].now(), zone=zone, alumni=wants_alumni)
    args.ack(response_type="ephemeral", **message)


def register(app: App) -> None:
    app.action(ADD_ADVISOR)(handle_add_button)
    app.view(ADD_ADVISOR_VIEW)(handle_add_submission)
    app.action(EDIT_ADVISOR)(handle_edit_button)
    app.view(EDIT_ADVISOR_VIEW)(handle_edit_submission)
    app.action(EASE_ASIDE)(handle_ease_aside)
    app.action(BRING_BACK)(handle_bring_back)
    app.action(REMOVE_ADVISOR)(handle_remove)
