"""HTTP mode: Slack's requests at POST /slack/events and GET /healthz, served by waitress."""

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict

import waitress
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request.internals import parse_body

from core import outbox

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
MAX_SIGNATURE_AGE_SECONDS = 5 * 60


def _answer(status: int, payload: dict | str) -> WsgiHttpResponse:
    if isinstance(payload, str):
        return WsgiHttpResponse(status, {"content-type": ["text/plain; charset=utf-8"]}, payload)
    return WsgiHttpResponse(status, {"content-type": ["application/json"]}, json.dumps(payload))


# The envelope fields Bolt reads before any listener runs, and the types Slack sends them as.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "event": (dict,),
    "view": (dict,),
    "container": (dict,),
    "message": (dict,),
    "state": (dict,),
    "user": (dict, str),
    "team": (dict, str, type(None)),
    "channel": (dict, str, type(None)),
    "enterprise": (dict, str, type(None)),
}
_LISTS_OF_OBJECTS = ("authorizations", "actions")


def _is_payload(body: str, content_type: str | None) -> bool:
    """True when the body parses the way Bolt parses it, into an object shaped like Slack's."""
    if content_type != "application/json" and not body.startswith("{") and "payload" not in body:
        return True  # plain form fields (a slash command): Bolt reads them as strings, never fails
    try:
        payload = parse_body(body, content_type)
    except ValueError:
        return False
    if not isinstance(payload, dict):
        return False
    fields_ok = all(
        isinstance(payload[name], types) for name, types in _FIELD_TYPES.items() if name in payload
    )
    lists_ok = all(
        isinstance(payload[name], list) and all(isinstance(item, dict) for item in payload[name])
        for name in _LISTS_OF_OBJECTS
        if name in payload
    )
    return fields_ok and lists_ok


class _RefusalLog:
    """Warns about refused signatures at most once a minute, so a flood cannot fill the log."""

    EVERY_SECONDS = 60.0

    def __init__(self):
        self._lock = threading.Lock()
        self._count = 0
        self._last = -self.EVERY_SECONDS

    def note(self) -> None:
        with self._lock:
            self._count += 1
            now = time.monotonic()
            if now - self._last < self.EVERY_SECONDS:
                return
            count, self._count, self._last = self._count, 0, now
        log.warning(
            "refused %d request(s) with a missing, wrong or stale Slack signature; if Slack sent "
            "them, check SLACK_SIGNING_SECRET (Basic Information > Signing Secret) and this "
            "machine's clock",
            count,
        )


class SlackFront:
    """The WSGI application: checks size, signature and shape, then hands the request to Bolt."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        database_answers: Callable[[], bool],
        outbox_health: Callable[[], dict] | None = None,
    ):
        self._app = app
        self._secret = signing_secret.encode()
        self._database_answers = database_answers
        self._outbox_health = outbox_health
        self._refusals = _RefusalLog()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        response = self.respond(WsgiHttpRequest(environ))
        start_response(response.status, response.get_headers())
        return response.get_body()

    def respond(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        if request.path == EVENTS_PATH:
            if request.method != "POST":
                return _answer(405, "Slack requests are POSTed here.")
            return self._slack(request)
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return self._health()
        return _answer(404, "Not found.")

    def _health(self) -> WsgiHttpResponse:
        if not self._database_answers():
            return _answer(503, {"status": "unavailable", "database": "unreachable"})
        report: dict = {"status": "ok", "database": "ok"}
        if self._outbox_health is not None:
            try:
                report["outbox"] = self._outbox_health()
            except Exception:  # the counts are for an operator; the bot is up all the same
                log.warning("Could not count the outbox for /healthz", exc_info=True)
                report["outbox"] = "unknown"
        return _answer(200, report)

    def _signed(self, raw: bytes, headers: dict) -> bool:
        """Slack's v0 scheme on the exact bytes received: HMAC-SHA256 of `v0:<stamp>:<body>`."""
        stamp = headers.get("x-slack-request-timestamp") or ""
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > MAX_SIGNATURE_AGE_SECONDS:
            return False
        base = b"v0:" + stamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, headers.get("x-slack-signature") or "")

    def _slack(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        length = request.environ.get("CONTENT_LENGTH") or "0"
        if not length.isdigit():
            return _answer(400, "Content-Length is not a number.")
        if int(length) > MAX_BODY_BYTES:
            return _answer(413, "Request body too large.")
        raw = request.environ["wsgi.input"].read(int(length))
        headers = request.get_headers()
        if not self._signed(raw, headers):
            self._refusals.note()
            return _answer(401, "Invalid or stale Slack signature.")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _answer(400, "The body is not UTF-8.")
        if not _is_payload(body, headers.get("content-type")):
            return _answer(400, "The body is not a Slack payload.")
        try:
            bolt = self._app.dispatch(
                BoltRequest(body=body, query=request.query_string, headers=headers)
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            # Bolt reads fields before any listener runs; a signed body of a shape Slack never
            # sends makes it raise there. That is bad input, not a fault of ours.
            log.warning("Bolt could not read a signed request body", exc_info=True)
            return _answer(400, "The body is not a Slack payload this app can read.")
        return WsgiHttpResponse(bolt.status, bolt.headers, bolt.body)


def make_server(front: SlackFront, *, host: str, port: int, threads: int = 8):
    """A waitress server; `server.run()` blocks until SIGINT/SIGTERM ends it (port 0: any free)."""
    return waitress.create_server(
        front,
        max_request_body_size=MAX_BODY_BYTES,
        host=host,
        port=port,
        threads=threads,
        ident="advisor-bot",
        clear_untrusted_proxy_headers=True,
    )


def outbox_health(sessions: Callable, clock) -> dict:
    """What /healthz shows of the outbox: rows failed for good (all time, and in the last day),
    rows overdue (due 15 minutes ago and still not sent), workspaces whose token is refused."""
    with sessions() as session:
        return asdict(outbox.health(session, now=clock.now()))
