"""A button or menu the bot does not know (an old message's, or a crafted one): acked, and
nothing done. Registered last, so it only meets what no other listener takes; without it Bolt
answers 404 and logs nine lines quoting the id as sent."""

import logging
import re

from slack_bolt import Ack, App

log = logging.getLogger(__name__)


def handle_unknown_action(ack: Ack, action: dict) -> None:
    ack()
    log.debug("No listener for action %r: nothing done", str(action.get("action_id"))[:40])


def register(app: App) -> None:
    app.action(re.compile(r".*", re.DOTALL))(handle_unknown_action)
