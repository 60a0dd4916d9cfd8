"""`/advisor export`: the member's whole record as a JSON file and their board's advisors as a
CSV, uploaded to their DM through the outbox (core/export.py reads, bot/delivery/export.py
uploads); the command is answered at once. Someone the bot has not met is remembered first, in
the time zone Slack has for them (their record and the files' day are counted there), and their
welcome goes to the DM ahead of the files."""

from slack_bolt import Args

from bot.listeners.common import Replayed, once, send_now, transaction
from bot.views.export import ON_ITS_WAY
from core import export, first_use
from core.members import is_member, remember_member


def handle_export_command(args: Args) -> None:
    context = args.context
    who = {"team_id": context.team_id, "user_id": context.user_id}
    with transaction(context) as session:
        known = is_member(session, **who)
    profile = None if known else args.client.users_info(user=context.user_id)["user"]
    welcome = None
    try:
        with transaction(context) as session:
            once(session, context, "export")
            if profile is not None:
                member = remember_member(
                    session, **who, tz=profile.get("tz") or "UTC", clock=context["clock"]
                )
                welcome = first_use.welcome(session, member=member, now=context["clock"].now())
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
    if welcome is not None:
        send_now(context, [welcome])  # sent before the files are taken: it comes first
    send_now(context, made)
