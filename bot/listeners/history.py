"""An advisor's history: opened from Home or `/advisor list`, paged in place, and a touchpoint
logged by mistake deleted from it (the Home tab and the modal then show the dates that follow)."""

from datetime import datetime

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.ids import DELETE_TOUCHPOINT, HISTORY, HISTORY_NEWEST, HISTORY_OLDER, HISTORY_VIEW
from bot.listeners.common import advisor_id_from, publish_home, tell, transaction
from bot.views.elements import metadata
from bot.views.history import build_history_modal
from bot.views.notices import build_notice
from bot.views.text import day
from core import history
from core.db import row_id
from core.errors import NotOnBoard, NotYours
from core.history import Cursor, Deleted
from core.members import member_zone
from core.models import AdvisorStatus


def _history_view(context: BoltContext, advisor_id: int, cursor: Cursor | None, note="") -> dict:
    """The page of this member's advisor starting after `cursor`; NotOnBoard for anyone else's."""
    now = context["clock"].now()
    with transaction(context) as session:
        shown = history.page(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            advisor_id=advisor_id,
            older_than=cursor,
        )
        zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
        return build_history_modal(shown, now=now, zone=zone, started_at=cursor, note=note)


def handle_history_button(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    """ "History" on an advisor's line (Home, its menu, `/advisor list`): the newest page."""
    ack()
    try:
        view = _history_view(context, advisor_id_from(action), None)
    except NotOnBoard as problem:
        tell(body, client, context, "History", str(problem))
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _show_in_place(client: WebClient, body: dict, view_of) -> None:
    """Replace the open history modal with `view_of()`, or a notice when that fails; a click
    from anywhere but a modal (never where the bot puts these buttons) has nothing to replace."""
    view_id = (body.get("view") or {}).get("id")
    if not view_id:
        return
    try:
        view = view_of()
    except NotOnBoard as problem:
        view = build_notice("History", str(problem))
    client.views_update(view_id=view_id, view=view)


def handle_older(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    raw_id, _, raw_cursor = str(action.get("value") or "").partition(":")
    advisor_id = row_id(raw_id)
    cursor = Cursor.load(raw_cursor)  # unreadable: the newest page
    _show_in_place(client, body, lambda: _history_view(context, advisor_id, cursor))


def handle_newest(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext):
    ack()
    advisor_id = advisor_id_from(action)
    _show_in_place(client, body, lambda: _history_view(context, advisor_id, None))


def _deleted_note(deleted: Deleted, zone, now: datetime) -> str:
    today = now.astimezone(zone).date()
    said = f"Deleted the touchpoint of {day(deleted.at.astimezone(zone), today)}."
    advisor = deleted.advisor
    if not deleted.moved:
        return f"{said} Your last touchpoint and next due date stay as they were."
    said += f" Last touchpoint now {day(advisor.last_touch_at.astimezone(zone), today)}"
    if advisor.status == AdvisorStatus.ACTIVE and advisor.next_touch_due_at:
        said += (
            f"; next *stay in touch* due {day(advisor.next_touch_due_at.astimezone(zone), today)}"
        )
    return said + "."


def handle_delete_touchpoint(
    ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext
) -> None:
    """Delete a touchpoint of the member's (after Slack's confirm dialog); a second click or
    someone else's id changes nothing and says so in the modal."""
    ack()
    who = {"team_id": context.team_id, "owner_id": context.user_id}
    view = body.get("view") or {}
    shown_id = metadata(view, "advisor")
    advisor_id = shown_id if isinstance(shown_id, int) else 0
    raw = str(action.get("value") or "")
    try:
        with transaction(context) as session:
            deleted = history.delete_touchpoint(
                session,
                **who,
                touchpoint_id=row_id(raw),
                clock=context["clock"],
            )
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            note = _deleted_note(deleted, zone, context["clock"].now())
            advisor_id = deleted.advisor.id
    except (NotYours, NotOnBoard) as problem:
        deleted, note = None, str(problem)
    if view.get("callback_id") != HISTORY_VIEW:  # not from a history modal: say it plainly
        tell(body, client, context, "History", note)
    else:
        cursor = Cursor.load(metadata(view, "from") or "")
        _show_in_place(client, body, lambda: _history_view(context, advisor_id, cursor, note))
    if deleted is not None:
        publish_home(client, context)


def register(app: App) -> None:
    app.action(HISTORY)(handle_history_button)
    app.action(HISTORY_OLDER)(handle_older)
    app.action(HISTORY_NEWEST)(handle_newest)
    app.action(DELETE_TOUCHPOINT)(handle_delete_touchpoint)
