"""`/advisor settings` and the Home tab's "Nudge settings" button: when and how nudges reach
the member."""

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.ids import OPEN_SETTINGS, SETTINGS_VIEW
from bot.listeners.common import publish_home, refresh_around, transaction
from bot.views.notices import build_notice
from bot.views.nudge_settings import build_settings_modal, read_settings_form, settings_saved
from core.errors import Invalid
from core.members import member_zone
from core.nudge_settings import current_choices, save_settings


def _settings_modal(context: BoltContext) -> tuple[str, dict]:
    """The member's time zone as last heard from Slack, and their settings in a modal."""
    who = {"team_id": context.team_id, "user_id": context.user_id}
    with transaction(context) as session:
        zone = member_zone(session, **who)
        choices = current_choices(session, **who)
    today = context["clock"].now().astimezone(zone).date()
    return zone.key, build_settings_modal(choices, zone_name=zone.key, today=today)


def open_settings_modal(client: WebClient, context: BoltContext, trigger_id: str) -> None:
    """Open the modal at once (the trigger expires in 3 s); should Slack then give the member
    another time zone than the one shown, show that one."""
    opened: dict = {}

    def show() -> None:
        opened["zone"], view = _settings_modal(context)
        opened.update(client.views_open(trigger_id=trigger_id, view=view).data)

    refresh_around(client, context, show)
    zone_name, view = _settings_modal(context)
    if zone_name != opened["zone"]:
        client.views_update(
            view_id=opened["view"]["id"], hash=opened["view"].get("hash"), view=view
        )


def handle_settings_command(args: Args) -> None:
    args.ack()
    open_settings_modal(args.client, args.context, args.command["trigger_id"])


def handle_settings_button(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    open_settings_modal(client, context, body["trigger_id"])


def handle_settings_submission(
    ack: Ack, view: dict, client: WebClient, context: BoltContext
) -> None:
    try:
        choices = read_settings_form(view["state"]["values"])
        with transaction(context) as session:
            zone = member_zone(session, team_id=context.team_id, user_id=context.user_id)
            member = save_settings(
                session,
                team_id=context.team_id,
                user_id=context.user_id,
                choices=choices,
                zone_name=zone.key,
                clock=context["clock"],
            )
            saved = settings_saved(member, context["clock"].now())
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "days": str(problem)})
        return
    ack(response_action="update", view=build_notice("Nudge settings saved", saved))
    publish_home(client, context)


def register(app: App) -> None:
    app.action(OPEN_SETTINGS)(handle_settings_button)
    app.view(SETTINGS_VIEW)(handle_settings_submission)
