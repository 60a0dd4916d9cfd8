"""HTTP mode: Slack's requests at POST /slack/events and GET /healthz, served by waitress."""

import hashlib
import hmac
import json
import logging
import resource
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from urllib.parse import parse_qsl

import waitress
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.oauth import OAuthFlow
from slack_bolt.request.internals import parse_body
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser

from bot import shapes
from bot.oauth import INSTALL_PATH, REDIRECT_PATH
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


def whole_number(raw: str | None, *, digits: int) -> int | None:
    """A header's number, strictly: 1 to `digits` ASCII digits; None for anything else (a sign,
    a space, '²' or another script's digits, which `str.isdigit` accepts and `int` may not)."""
    if not raw or len(raw) > digits or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def for_bolt(body: str) -> str:
    """The body as Bolt should read it. Bolt takes a form body with the word "payload" anywhere
    in it for an interaction (`payload=…`) and reads nothing else: a command whose text says
    "payload" would reach the bot empty. In a form body every letter stands for itself, so
    spelling that word's "a" as %61 reads the same, and Bolt then reads the whole form."""
    if body.startswith("{") or "payload" not in body:
        return body
    if any(key == "payload" for key, _ in parse_qsl(body, keep_blank_values=True)):
        return body
    return body.replace("payload", "p%61yload")


def _parsed(body: str, content_type: str | None) -> object:
    """The body as Bolt will parse it; None when it does not parse (or nests past the stack)."""
    try:
        return parse_body(body, content_type)
    except (ValueError, RecursionError):
        return None


# What each kind of refusal tells an operator (one line a minute per kind, with a count)
REFUSALS = {
    "signature": "with a missing, wrong or stale Slack signature; if Slack sent them, check "
    "SLACK_SIGNING_SECRET (Basic Information > Signing Secret) and this machine's clock",
    "size": "with a body over the size limit or an unreadable Content-Length",
    "shape": "signed but not shaped like a Slack payload this app reads",
}


class RefusalLog:
    """Warns about refused requests at most once a minute per kind, so a flood cannot fill the
    log; each line counts the requests of its kind refused since the last one."""

    EVERY_SECONDS = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._counts: dict[str, int] = dict.fromkeys(REFUSALS, 0)
        self._last: dict[str, float] = {}

    def note(self, kind: str, detail: str = "") -> None:
        with self._lock:
            self._counts[kind] += 1
            now = self._clock()
            last = self._last.get(kind)
            if last is not None and now - last < self.EVERY_SECONDS:
                return
            count, self._counts[kind], self._last[kind] = self._counts[kind], 0, now
        since = "" if last is None else f" in the last {now - last:.0f} s"
        latest = f" (latest: {detail})" if detail else ""
        log.warning("refused %d request(s)%s %s%s", count, since, REFUSALS[kind], latest)


class SlackFront:
    """The WSGI application: checks size, signature and shape, then hands the request to Bolt."""

    def __init__(
        self,
        app: App,
        *,
        signing_secret: str,
        database_answers: Callable[[], bool],
        outbox_health: Callable[[], dict] | None = None,
        oauth: OAuthFlow | None = None,
    ):
        self._app = app
        self._oauth = oauth
        self._secret = signing_secret.encode()
        self._database_answers = database_answers
        self._outbox_health = outbox_health
        self._refusals = RefusalLog()

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
        if self._oauth is not None and request.path in (INSTALL_PATH, REDIRECT_PATH):
            if request.method != "GET":
                return WsgiHttpResponse(
                    405,
                    {"content-type": ["text/plain; charset=utf-8"], "allow": ["GET"]},
                    "Open this page in a browser.",
                )
            return self._install(request)
        return _answer(404, "Not found.")

    def _install(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        """The install page, or Slack sending the person back after they approved it."""
        bolt = BoltRequest(body="", query=request.query_string, headers=request.get_headers())
        if request.path == INSTALL_PATH:
            answer = self._oauth.handle_installation(bolt)
        else:
            answer = self._oauth.handle_callback(bolt)
        headers = {**answer.headers, "cache-control": ["no-store"]}  # a state, a person's page
        return WsgiHttpResponse(answer.status, headers, answer.body)

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
        raw_stamp = headers.get("x-slack-request-timestamp")
        stamp = whole_number(raw_stamp, digits=12)
        if stamp is None or abs(time.time() - stamp) > MAX_SIGNATURE_AGE_SECONDS:
            return False
        base = b"v0:" + raw_stamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        given = headers.get("x-slack-signature") or ""
        # compare_digest raises on non-ASCII text: such a signature is simply wrong
        return given.isascii() and hmac.compare_digest(expected, given)

    def _slack(self, request: WsgiHttpRequest) -> WsgiHttpResponse:
        raw_length = request.environ.get("CONTENT_LENGTH") or "0"
        if not (raw_length.isascii() and raw_length.isdigit()):
            self._refusals.note("size", "Content-Length is not a number")
            return _answer(400, "Content-Length is not a number.")
        length = whole_number(raw_length, digits=len(str(MAX_BODY_BYTES)))  # None: too many
        if length is None or length > MAX_BODY_BYTES:
            self._refusals.note("size", f"Content-Length of {len(raw_length)} digits")
            return _answer(413, "Request body too large.")
        raw = request.environ["wsgi.input"].read(length)
        headers = request.get_headers()
        if not self._signed(raw, headers):
            self._refusals.note("signature")
            return _answer(401, "Invalid or stale Slack signature.")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._refusals.note("shape", "the body is not UTF-8")
            return _answer(400, "The body is not UTF-8.")
        body = for_bolt(body)
        wrong = shapes.problem(_parsed(body, headers.get("content-type")))
        if wrong:
            self._refusals.note("shape", wrong)
            return _answer(400, f"The body is not a Slack payload this app reads: {wrong}.")
        try:
            bolt = self._app.dispatch(
                BoltRequest(body=body, query=request.query_string, headers=headers)
            )
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
            # Bolt reads fields before any listener runs; should a shape slip past the check
            # above, it is bad input all the same: one line, not a traceback and a 500.
            self._refusals.note("shape", f"Bolt could not read it: {type(error).__name__}")
            return _answer(400, "The body is not a Slack payload this app can read.")
        return WsgiHttpResponse(bolt.status, bolt.headers, bolt.body)


@dataclass(frozen=True)
class Limits:
    """How many connections the server holds and how long it waits for them: a connection idle
    longer than `idle_seconds`, or a request still arriving `request_seconds` after its first
    byte (a client sending a byte now and then), is closed."""

    connections: int = 2_000
    idle_seconds: float = 30.0
    request_seconds: float = 10.0


def make_server(
    front: SlackFront, *, host: str, port: int, threads: int = 8, limits: Limits = Limits()
):
    """A waitress server; `server.run()` blocks until SIGINT/SIGTERM ends it (port 0: any free)."""
    _room_for(limits.connections)
    server = waitress.create_server(
        front,
        max_request_body_size=MAX_BODY_BYTES,
        host=host,
        port=port,
        threads=threads,
        ident="advisor-bot",
        clear_untrusted_proxy_headers=True,
        connection_limit=limits.connections,
        channel_timeout=limits.idle_seconds,
        # how often idle connections are looked for: a fraction of the time they may idle
        cleanup_interval=max(0.5, min(limits.idle_seconds / 4, 10.0)),
        backlog=min(limits.connections, 4096),
        asyncore_use_poll=True,  # select() cannot watch a socket numbered 1024 or more
    )
    server.channel_class = _slow_requests_closed(limits.request_seconds)
    _once_a_minute(logging.getLogger("waitress.queue"))
    return server


class _OnceAMinute(logging.Filter):
    """Lets one record a minute through (its message saying how many were held back since):
    waitress warns of its task queue's depth on every request queued in a burst."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self._every, self._clock = every, clock
        self._last: float | None = None
        self._held = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self._every:
                self._held += 1
                return False
            held, self._held, self._last = self._held, 0, now
        if held:
            record.msg = f"{record.msg} ({held} more like it in the last minute)"
        return True


def _once_a_minute(logger: logging.Logger) -> None:
    if not any(isinstance(f, _OnceAMinute) for f in logger.filters):
        logger.addFilter(_OnceAMinute())


class _TimedParser(HTTPRequestParser):
    """Waitress's parser of one request, remembering when its first byte came."""

    def __init__(self, adj):
        super().__init__(adj)
        self.started = time.monotonic()


def _slow_requests_closed(seconds: float) -> type[HTTPChannel]:
    class Channel(HTTPChannel):
        """A connection closed when its request is still incomplete `seconds` after it began:
        waitress's idle timeout alone lets a client keep a connection by trickling bytes."""

        parser_class = _TimedParser

        def readable(self) -> bool:
            request = self.request
            if request is not None and time.monotonic() - request.started > seconds:
                self.will_close = True  # waitress closes it on this pass of its loop
                return False
            return super().readable()

    return Channel


def _room_for(connections: int) -> None:
    """Raise this process's open-file limit to hold `connections` sockets (and the database's,
    Slack's and the log's), as far as the hard limit allows; say so once when it cannot."""
    wanted = connections + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        if raised < wanted:
            log.warning(
                "this process may open only %d files (ulimit -n), fewer than the %d connections "
                "ADVISOR_MAX_CONNECTIONS allows: raise the limit or lower the setting",
                raised,
                connections,
            )


def outbox_health(sessions: Callable, clock) -> dict:
    """What /healthz shows of the outbox: rows failed for good (all time, and in the last day),
    rows overdue (due 15 minutes ago and still not sent), workspaces whose token is refused."""
    with sessions() as session:
        return asdict(outbox.health(session, now=clock.now()))
