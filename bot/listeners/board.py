"""Enlisting, editing, easing aside, bringing back and removing advisors; `/advisor list`."""

import re

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.ids import (
    ADD_ADVISOR,
    ADD_ADVISOR_VIEW,
    BRING_BACK,
    EASE_ASIDE,
    EDIT_ADVISOR,
    EDIT_ADVISOR_VIEW,
    LIST_MORE,
    REMOVE_ADVISOR,
)
from bot.listeners.common import (
    advisor_id_from,
    entries,
    greet_newcomer,
    publish_home,
    refresh_around,
    tell,
    today,
    transaction,
)
from bot.slack_client import before_ack
from bot.views.advisor_form import (
    AdvisorForm,
    advisor_id_of,
    build_advisor_modal,
    read_advisor_form,
)
from bot.views.board import build_board_message
from bot.views.first_use import reaches_note
from bot.views.notices import build_notice
from bot.views.text import escape, long_day
from bot.views.who import build_among_alumni, build_among_alumni_modal
from core import board, first_use, goals
from core.board import Details, Person
from core.cadence import describe_days
from core.db import row_id
from core.errors import AmongAlumni, Invalid, NotOnBoard
from core.members import member_zone
from core.models import Advisor, AdvisorStatus
from core.who import enlisted

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def mentioned_user(text: str) -> str | None:
    """The first Slack member mentioned in a command's text (`<@U123|name>`)."""
    found = MENTION.search(text)
    return found.group(1) if found else None


# --- /advisor add [@someone | a name], the "Add an advisor" button, and the modal they open


def open_add_modal(
    client: WebClient, context: BoltContext, trigger_id: str, text: str = ""
) -> None:
    member = mentioned_user(text)
    name = "" if member else text.strip()

    def show() -> None:
        with transaction(context) as session:
            linkable = goals.linkable_goals(
                session, team_id=context.team_id, owner_id=context.user_id
            )
        view = build_advisor_modal(
            today=today(context), prefill_member=member, prefill_name=name, goals=linkable
        )
        client.views_open(trigger_id=trigger_id, view=view)

    refresh_around(client, context, show)


def handle_add_command(args: Args) -> None:
    text = (args.command.get("text") or "").strip().split(maxsplit=1)[1:]
    typed = text[0] if text else ""
    refusal = _refused_at_once(args.context, typed)
    if refusal:
        args.ack(response_type="ephemeral", **refusal)
        return
    args.ack()
    open_add_modal(args.client, args.context, args.command["trigger_id"], typed)


def _refused_at_once(context: BoltContext, typed: str) -> dict | None:
    """Yourself, or someone already on the board or among alumni: said before any form opens."""
    member = mentioned_user(typed)
    if member == context.user_id:
        return {"text": "You can't be your own advisor: `/advisor add @someone` enlists another."}
    if not member and not typed:
        return None
    with transaction(context) as session:
        existing = enlisted(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            slack_user_id=member,
            name="" if member else typed,
        )
    if existing is None:
        return None
    if existing.status != AdvisorStatus.ACTIVE:
        return build_among_alumni(existing.name, existing.id)
    return {"text": f"*{escape(existing.name)}* is already on your board: see my Home tab."}


def handle_add_button(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    open_add_modal(client, context, body["trigger_id"])


def _looked_up(client: WebClient, user_id: str) -> Person:
    """A Slack member as an advisor; looked up so bots, leavers and time zones are known."""
    try:
        profile = before_ack(client).users_info(user=user_id)["user"]
    except (SlackApiError, SlackClientError, OSError):
        raise Invalid(
            "I couldn't check this member with Slack just now: try again.", field="member"
        ) from None
    name = (
        profile.get("real_name") or profile.get("profile", {}).get("real_name") or profile["name"]
    )
    if profile.get("deleted"):
        raise Invalid(f"{name} is no longer in this workspace.", field="member")
    is_bot = bool(profile.get("is_bot")) or user_id == "USLACKBOT"
    return Person(name=name, slack_user_id=user_id, tz=profile.get("tz"), is_bot=is_bot)


def _person(client: WebClient, form: AdvisorForm, current: Advisor | None = None) -> Person:
    """Who the form names. A member already recorded is not looked up again (they may have
    left Slack and still be an advisor)."""
    contact = form.contact or None
    if not form.member:
        return Person(name=form.name, contact=contact)
    if form.name.strip():
        raise Invalid(
            "You picked a Slack member: leave the name empty, or clear the member.", field="name"
        )
    if current is not None and current.slack_user_id == form.member:
        return Person(name=current.name, slack_user_id=form.member, contact=contact, tz=current.tz)
    found = _looked_up(client, form.member)
    return Person(
        name=found.name,
        slack_user_id=found.slack_user_id,
        contact=contact,
        tz=found.tz,
        is_bot=found.is_bot,
    )


def _details(form: AdvisorForm) -> Details:
    return Details(
        relationship=form.relationship,
        inside_org=form.inside_org,
        support=form.support,
        gains=form.gains,
        cadence_days=form.cadence_days,
        notes=form.notes,
        origin=form.origin,
        closeness=form.closeness,
    )


def _link_goals(session, context: BoltContext, advisor_id: int, form: AdvisorForm) -> None:
    """The goals chosen in the form (only the member's own count); none shown: links stay."""
    if form.goal_ids is not None:
        goals.set_advisor_goals(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            advisor_id=advisor_id,
            goal_ids=form.goal_ids,
        )


def _confirmation(session, context: BoltContext, advisor: Advisor, zone, *, chosen: bool) -> dict:
    rhythm = describe_days(advisor.cadence_days)
    why = f"You planned to be in touch {rhythm}" if chosen else f"At the usual rhythm ({rhythm})"
    due_at, now = advisor.next_touch_due_at, context["clock"].now()
    due = long_day(due_at.astimezone(zone))
    if due_at.astimezone(zone).date() == now.astimezone(zone).date():
        when = "your first *stay in touch* is due today: reach out soon, then log it"
    elif due_at <= now:
        when = f"a *stay in touch* was already due on {due}: reach out soon, then log it"
    else:
        reaches = first_use.nudge_reaches(
            session, team_id=context.team_id, user_id=context.user_id, due_at=due_at, now=now
        )
        note = reaches_note(due_at, reaches, now=now, zone=zone)
        when = f"your first *stay in touch* is due around *{due}*{note}"
    text = f"*{escape(advisor.name)}* is on your board. {why}, so {when}. See my Home tab."
    return build_notice("On your board", text)


def handle_add_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    greet_newcomer(client, context)  # a form kept open across a reinstall: their row may be gone
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
                last_spoke_on=form.last_spoke_on or context["clock"].now().astimezone(zone).date(),
                zone=zone,
                clock=context["clock"],
            )
            _link_goals(session, context, advisor.id, form)
            confirmation = _confirmation(
                session, context, advisor, zone, chosen=form.cadence_days is not None
            )
    except AmongAlumni as problem:
        offer = build_among_alumni_modal(problem.name, problem.advisor_id)
        ack(response_action="update", view=offer)
        return
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
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        with transaction(context) as session:
            advisor = board.get_advisor(session, **who, advisor_id=advisor_id_from(action))
            linkable = goals.linkable_goals(session, **who)
            linked = goals.linked_goal_ids(session, **who, advisor_id=advisor.id)
    except NotOnBoard as problem:
        tell(body, client, context, "Nothing changed", str(problem))
        return
    modal = build_advisor_modal(
        today=today(context), advisor=advisor, goals=linkable, linked=linked
    )
    client.views_open(trigger_id=body["trigger_id"], view=modal)


def handle_edit_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    try:
        form = read_advisor_form(view["state"]["values"])
        with transaction(context) as session:
            current = board.get_advisor(session, **who, advisor_id=advisor_id_of(view) or 0)
            person = _person(client, form, current)
            board.edit(
                session,
                **who,
                advisor_id=current.id,
                person=person,
                details=_details(form),
                clock=context["clock"],
            )
            _link_goals(session, context, current.id, form)
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
        who = {"team_id": context.team_id, "owner_id": context.user_id}
        try:
            with transaction(context) as session:
                name = change(session, who, advisor_id_from(action), context["clock"])
        except NotOnBoard as problem:
            tell(body, client, context, "Nothing changed", str(problem))
            return
        if body.get("response_url"):
            context.respond(
                response_type="ephemeral",
                replace_original=False,
                text=done.format(name=escape(name)),
            )
        elif (body.get("view") or {}).get("type") == "modal":  # "already among alumni" in a form
            notice = build_notice("Done", done.format(name=escape(name)))
            client.views_update(view_id=body["view"]["id"], view=notice)
        publish_home(client, context)

    return handle


def _ease_aside(session, who, advisor_id, clock) -> str:
    return board.ease_aside(session, **who, advisor_id=advisor_id, clock=clock).name


def _bring_back(session, who, advisor_id, clock) -> str:
    return board.bring_back(session, **who, advisor_id=advisor_id, clock=clock).name


def _remove(session, who, advisor_id, clock) -> str:
    return board.remove(session, **who, advisor_id=advisor_id)


handle_ease_aside = _act(
    _ease_aside, "{name} is among your alumni now: `/advisor list alumni` brings them back."
)
handle_bring_back = _act(
    _bring_back, "{name} is back on your board: the rhythm restarts today (see my Home tab)."
)
handle_remove = _act(_remove, "{name} is removed, with every touchpoint and promise.")


# --- /advisor list [alumni]


LIST_USAGE = (
    "`/advisor list` shows your board, `/advisor list alumni` the advisors you eased aside."
)
LIST_KINDS = {(): AdvisorStatus.ACTIVE, ("alumni",): AdvisorStatus.ALUMNI}


def _board_page(context: BoltContext, status: str, offset: int) -> dict:
    """A page of the member's board (or alumni) as a message, from `offset`."""
    with transaction(context) as session:
        rows = entries(session, team_id=context.team_id, owner_id=context.user_id, status=status)
        zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
    now, alumni = context["clock"].now(), status == AdvisorStatus.ALUMNI
    return build_board_message(rows, now=now, zone=zone, alumni=alumni, offset=offset)


def handle_list_command(args: Args) -> None:
    words = tuple((args.command.get("text") or "").lower().split()[1:])
    status = LIST_KINDS.get(words)
    if status is None:
        args.ack(response_type="ephemeral", text=LIST_USAGE)
        return
    args.ack(response_type="ephemeral", **_board_page(args.context, status, 0))


def handle_list_more(ack: Ack, body: dict, action: dict, context: BoltContext) -> None:
    """Show more: the next page in place of the message, read again for whoever clicked (a
    click without a message to replace, never where the bot puts it, does nothing)."""
    ack()
    if not body.get("response_url"):
        return
    kind, _, raw = str(action.get("value") or "").partition(":")
    status = AdvisorStatus.ALUMNI if kind == AdvisorStatus.ALUMNI else AdvisorStatus.ACTIVE
    offset = row_id(raw)  # a page's start: as bounded as an id
    page = _board_page(context, status, offset)
    context.respond(response_type="ephemeral", replace_original=True, **page)


def register(app: App) -> None:
    app.action(ADD_ADVISOR)(handle_add_button)
    app.view(ADD_ADVISOR_VIEW)(handle_add_submission)
    app.action(EDIT_ADVISOR)(handle_edit_button)
    app.view(EDIT_ADVISOR_VIEW)(handle_edit_submission)
    app.action(EASE_ASIDE)(handle_ease_aside)
    app.action(BRING_BACK)(handle_bring_back)
    app.action(REMOVE_ADVISOR)(handle_remove)
    app.action(re.compile(rf"^{LIST_MORE}(_top)?$"))(handle_list_more)
