"""`/advisor review` and the Home tab's "Review my network": the review of the member's board
(core/review.py judges, core/reviewing.py reads), answered at once as text only they see, with
the picture of their network uploaded to their DM through the outbox (from Home, both go there)."""

from slack_bolt import Ack, App, Args, BoltContext
from slack_sdk import WebClient

from bot.ids import OPEN_REVIEW
from bot.listeners.common import send_now, tell, transaction
from bot.views.review import build_review
from core import reviewing

ON_ITS_WAY = (
    "Your review (with a picture of your network, once it has advisors) is on its way to your "
    "DM with me."
)


def handle_review_command(args: Args) -> None:
    context = args.context
    now = context["clock"].now()
    with transaction(context) as session:
        review = reviewing.review_of(
            session, team_id=context.team_id, owner_id=context.user_id, now=now
        )
        message = build_review(review)
        made = reviewing.send_review(
            session, team_id=context.team_id, owner_id=context.user_id, now=now, with_text=False
        )
    args.ack(response_type="ephemeral", **message)
    send_now(context, made)


def handle_open_review(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    with transaction(context) as session:
        made = reviewing.send_review(
            session,
            team_id=context.team_id,
            owner_id=context.user_id,
            now=context["clock"].now(),
            with_text=True,
        )
    tell(body, client, context, "Review", ON_ITS_WAY)
    send_now(context, made)


def register(app: App) -> None:
    app.action(OPEN_REVIEW)(handle_open_review)
