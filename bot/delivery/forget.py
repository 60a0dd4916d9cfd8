"""After `/advisor forget me`: each challenge the member had shared, posted by the bot as its own
message in a circle's channel, is replaced in place by a line saying it was removed (the row
names the message, never the person). core/forget.py queues them."""

from datetime import datetime

from sqlmodel import Session

from bot.delivery.purposes import Nothing, Prepared, Purpose, Ready
from core.forget import REMOVED_POST
from core.models import Outbox

REMOVED = "_This challenge was removed at its author's request._"


def prepare_removed(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    ts = (row.payload or {}).get("ts")
    if not isinstance(ts, str) or not ts or not row.channel_id:
        return Nothing("no message to replace")
    message = {
        "text": "This challenge was removed at its author's request.",
        "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": REMOVED}]}],
    }
    return Ready(message, replace=ts)


PURPOSES = (Purpose(REMOVED_POST, prepare_removed),)
