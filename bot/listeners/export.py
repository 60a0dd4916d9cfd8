"""`/advisor export`: the member's whole record as a JSON file and their board's advisors as a
CSV, uploaded to their DM through the outbox (core/export.py reads, bot/delivery/export.py
uploads); the command is answered at once."""

from slack_bolt import Args

from bot.listeners.common import Replayed, once, send_now, transaction
from bot.views.export import ON_ITS_WAY
from core import export


def handle_export_command(args: Args) -> None:
    context = args.context
    try:
        with transaction(context) as session:
            once(session, context, "export")
            made = export.send_export(
                session,
                team_id=context.team_id,
                owner_id=context.user_id,
                now=context["clock"].now(),
            )
    except Replayed as replayed:
        args.ack(response_type="ephemeral", text=str(replayed))
        return
    args.ack(response_type="ephemeral", text=ON_ITS_WAY)
    send_now(context, made)
