"""`/advisor goals` and the "Goals" button: the member's goals in a modal, opened at once, and
saving it."""

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.ids import GOALS_VIEW, OPEN_GOALS
from bot.listeners.common import greet_newcomer, publish_home, refresh_around, transaction
from bot.views.goals import build_goals_modal, goals_saved, read_goals_form
from bot.views.notices import build_notice
from core.errors import Invalid
from core.goals import goals_by_kind, save_goals


def open_goals_modal(client: WebClient, context: BoltContext, trigger_id: str) -> None:
    """The modal first (the trigger expires in 3 s), prefilled with what the member wrote."""

    def show() -> None:
        with transaction(context) as session:
            goals = goals_by_kind(session, team_id=context.team_id, owner_id=context.user_id)
        client.views_open(trigger_id=trigger_id, view=build_goals_modal(goals))

    refresh_around(client, context, show)


def handle_goals_command(args: Args) -> None:
    args.ack()
    open_goals_modal(args.client, args.context, args.command["trigger_id"])


def handle_goals_button(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    open_goals_modal(client, context, body["trigger_id"])


def handle_goals_submission(ack: Ack, view: dict, client: WebClient, context: BoltContext) -> None:
    greet_newcomer(client, context)  # a form kept open across a reinstall: their row may be gone
    try:
        written = read_goals_form(view["state"]["values"])
        with transaction(context) as session:
            saved = save_goals(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                written=written,
                clock=context["clock"],
            )
            said = goals_saved(saved)
    except Invalid as problem:
        ack(response_action="errors", errors={problem.field or "two_years": str(problem)})
        return
    ack(response_action="update", view=build_notice("Goals saved", said))
    publish_home(client, context)


def register(app: App) -> None:
    app.action(OPEN_GOALS)(handle_goals_button)
    app.view(GOALS_VIEW)(handle_goals_submission)
