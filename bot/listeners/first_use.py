"""The first ten minutes: "Send me a sample nudge" (in the welcome DM and the nudge settings),
and a sample's look-alike buttons, which say what a real one does. The welcome itself is sent
on a member's first use, from common.refresh_member."""

import re

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.ids import SAMPLE_ACTION, SEND_SAMPLE
from bot.listeners.common import send_now, tell, transaction
from bot.views.notices import build_notice
from core import first_use, outbox
from core.models import OutboxState

SENT = "Your sample nudge is in your direct messages with me. Real ones come in your hours."
AGAIN = "A sample went out a moment ago: it is in your direct messages with me."
SLOW = "Slack is slow right now: your sample nudge will be in your direct messages shortly."
REFUSED = "Slack would not let me send you a direct message, so no sample could go out."
INERT = (
    "This is only a sample. On a real nudge this button acts on the spot: it logs the "
    "touchpoint, snoozes the nudge or eases the advisor aside."
)


def _answer(state: str | None, made: bool) -> str:
    if not made:
        return AGAIN
    if state == OutboxState.SENT:
        return SENT
    return REFUSED if state in outbox.ENDED_BADLY else SLOW


def handle_send_sample(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    with transaction(context) as session:
        row_id = first_use.sample(
            session, team_id=context.team_id, user_id=context.user_id, now=context["clock"].now()
        )
    state = send_now(context, [row_id]).get(row_id) if row_id else None
    answer = _answer(state, row_id is not None)
    in_view = (body.get("view") or {}).get("type")
    notice = build_notice("Sample nudge", answer)
    if in_view == "modal":  # the nudge settings: say it there, on top
        client.views_push(trigger_id=body["trigger_id"], view=notice)
    elif in_view == "home":
        client.views_open(trigger_id=body["trigger_id"], view=notice)
    elif answer != SENT:  # in the DM, a sample that arrived speaks for itself
        tell(body, client, context, "Sample nudge", answer)


def handle_sample_button(ack: Ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    tell(body, client, context, "A sample", INERT)


def register(app: App) -> None:
    app.action(SEND_SAMPLE)(handle_send_sample)
    app.action(re.compile(rf"^{SAMPLE_ACTION}_\d+$"))(handle_sample_button)
