"""Builds the Bolt App: dependencies in the context, the listeners, one error handler."""

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from sqlmodel import Session

from bot.delivery.sender import Sender
from bot.listeners import register_all
from bot.views.notices import build_notice
from core.clock import Clock

log = logging.getLogger(__name__)
SORRY = (
    "Something went wrong on my side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell whoever runs advisor-bot."
)


def build_app(
    *,
    client: WebClient,
    signing_secret: str,
    sessions: Callable[[], Session],
    clock: Clock,
    executor: Executor | None = None,
    sender: Sender | None = None,
) -> App:
    """The whole bot as a Bolt App; calls auth.test once to learn who the bot is.

    Listeners run on `executor` after Bolt has acked; the caller shuts it down to let them finish.
    A listener hands what it decided to post on its own (an update sent on) to `sender` at once;
    without one, the scheduler's tick sends it.
    """
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=False,
        listener_executor=executor,
    )

    @app.middleware
    def provide_dependencies(context: BoltContext, next: Callable[[], None]) -> None:
        context["sessions"] = sessions
        context["clock"] = clock
        context["sender"] = sender
        next()

    register_all(app)
    app.error(handle_error)
    return app


def handle_error(error: Exception, body: dict, response: BoltResponse | None, respond) -> None:
    """Everything a listener did not answer itself: log it, tell the person nothing was saved."""
    log.error(
        "Unhandled error for a %s request", body.get("type") or "slash command", exc_info=error
    )
    if response is not None and (body.get("command") or body.get("type") == "view_submission"):
        # Not acked yet: answer in place, instead of the 500 Bolt would send (a stuck modal).
        answer = {"response_type": "ephemeral", "text": SORRY}
        if body.get("type") == "view_submission":
            answer = {"response_action": "update", "view": build_notice("Nothing was saved", SORRY)}
        response.status = 200
        response.headers = {"content-type": ["application/json;charset=utf-8"]}
        response.body = json.dumps(answer)
    elif respond is not None and body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, text=SORRY)
