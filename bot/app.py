"""Builds the Bolt App: dependencies in the context, the listeners, one error handler."""

import hashlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import timedelta

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from sqlmodel import Session

from bot.deferred import SORRY, Deferring
from bot.delivery.sender import Sender
from bot.installs import InstalledAuthorize, Installs
from bot.listeners import register_all
from bot.views.notices import build_notice
from core.clock import Clock

log = logging.getLogger(__name__)


def build_app(
    *,
    client: WebClient,
    signing_secret: str,
    sessions: Callable[[], Session],
    clock: Clock,
    executor: Executor | None = None,
    sender: Sender | None = None,
    installs: Installs | None = None,
    oauth_flow: OAuthFlow | None = None,
    keep_for: timedelta = timedelta(days=30),
) -> App:
    """The whole bot as a Bolt App; calls auth.test once to learn who the bot is.

    Bolt acks in the thread that answers the request, at once (a view submission: within
    bot.deferred's budget); listeners run on `executor` after that, so no ack waits behind the
    database or Slack (bot/deferred.py). The caller shuts `executor` down to let them finish.
    A listener hands what it decided to post on its own (an update sent on) to `sender` at once;
    without one, the scheduler's tick sends it.
    With `installs` and `oauth_flow` (installed through OAuth in any number of workspaces),
    each request uses its workspace's token and no auth.test is called.
    """
    app = App(
        client=client,
        authorize=InstalledAuthorize(installs) if installs else None,
        oauth_flow=oauth_flow,
        signing_secret=signing_secret,
        process_before_response=True,
        # bot/server.py checks every request's signature on the bytes received, before Bolt
        # (and may spell the body so that Bolt reads it right: `for_bolt`); Socket Mode has none
        request_verification_enabled=False,
    )
    work = executor or ThreadPoolExecutor(max_workers=8, thread_name_prefix="listener")

    @app.middleware
    def provide_dependencies(
        context: BoltContext, request: BoltRequest, next: Callable[[], None]
    ) -> None:
        context["sessions"] = sessions
        context["clock"] = clock
        context["sender"] = sender
        context["installs"] = installs
        context["keep_for"] = keep_for  # how long an uninstalled workspace's data is kept
        context["request_key"] = request_key(request.raw_body)
        next()

    register_all(Deferring(app, work))
    app.error(handle_error)
    return app


def request_key(raw_body: str) -> str:
    """What identifies one request Slack signed: a digest of its exact body (which carries a
    trigger_id, action_ts or view hash of its own), so a replay of the same bytes has the same."""
    return hashlib.blake2b(raw_body.encode(), digest_size=12).hexdigest()


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
