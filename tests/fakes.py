"""Fakes at the edge: a Slack Web API over real HTTP on loopback, Slack's signing, a clock."""

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import mimetypes
import secrets
import socket
import struct
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0TEST"
BOT_USER_ID = "U0ADVISORBOT"
BOT_ID = "B0ADVISORBOT"


def sign(body: str | bytes, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    """The two headers Slack adds to every request: v0 HMAC-SHA256 of `v0:<timestamp>:<body>`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{stamp}:".encode() + (body.encode() if isinstance(body, str) else body)
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def eventually(condition, timeout: float = 5.0) -> None:
    """Wait for something the bot does after it has acked (a log line, a call), or fail."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the bot did not get there in time"
        time.sleep(0.01)


class SettlingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, counting work in flight so a test can wait until the bot is idle."""

    def __init__(self):
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self._in_flight = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._idle:
            self._in_flight += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def settle(self, timeout: float = 5.0) -> None:
        """Block until every listener Bolt started has finished."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout):
                raise AssertionError("the bot's listeners were still busy")


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)):
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


@dataclass
class Call:
    method: str
    args: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    status: int
    body: dict | str | bytes
    headers: dict = field(default_factory=dict)


@dataclass
class Channel:
    """A conversation a test made known: who is in it (the bot's user among them once it is
    in, as in Slack) and what became of it. Channels no test made known answer as before."""

    id: str
    name: str
    team_id: str
    private: bool = False
    mpim: bool = False
    members: list[str] = field(default_factory=list)
    archived: bool = False
    deleted: bool = False
    created: int = 0
    bot_user: str = BOT_USER_ID  # the bot user of the channel's workspace

    @property
    def bot_in(self) -> bool:
        return self.bot_user in self.members


POSTING = {"chat.postMessage", "chat.postEphemeral", "chat.update", "files.completeUploadExternal"}
READING = {"conversations.history", "conversations.replies"}
WITH_TEAM = {  # answered per workspace: their handlers take the caller's team too
    "auth.test",
    "users.info",
    "conversations.open",
    "conversations.info",
    "conversations.members",
    "conversations.join",
}
MPIM_MAX_USERS = 8  # a group DM holds nine people: the bot and eight others
APP_ID = "A0ADVISOR"
CODE_LIFETIME = timedelta(minutes=10)  # Slack's OAuth codes expire after ten minutes


@dataclass
class OAuthApp:
    """The app's OAuth settings on Slack's side (FakeSlack.oauth_app)."""

    client_id: str
    client_secret: str
    rotation: bool = False  # token rotation on: access tokens expire, refresh tokens renew them
    expires_in: int = 43200  # seconds an access token lives with rotation on (Slack: 12 hours)
    app_id: str = APP_ID


@dataclass(frozen=True)
class _Refresh:
    """What a refresh token renews: whose token, of which kind, with which scopes."""

    team_id: str
    kind: str  # "xoxb" (the bot's) or "xoxp" (a person's)
    scopes: tuple[str, ...]
    user: str | None = None


@dataclass
class Install:
    """One workspace's bot as an install made it (FakeSlack.authorize)."""

    team_id: str
    team_name: str
    bot_user: str
    bot_id: str
    scopes: tuple[str, ...] = ()
    user_tokens: dict[str, str] = field(default_factory=dict)  # user id -> their user token
    uninstalled: bool = False


class FakeSlack:
    """Answers Web API methods like Slack, records every call, and fails on request."""

    def __init__(self, *, token: str = BOT_TOKEN, team_id: str = TEAM_ID, clock=None):
        self.token = token
        self.team_id = team_id
        self.tokens = {token: team_id}  # each workspace's bot token
        self.revoked: set[str] = set()
        self.app: OAuthApp | None = None  # the OAuth app, once a test configures it
        self.installs: dict[str, Install] = {}  # workspaces installed through OAuth, by team
        self.expires_at: dict[str, datetime] = {}  # access tokens that expire (rotation)
        self.refresh_tokens: dict[str, str] = {}  # refresh tokens still valid -> their team
        self._refresh_issued: dict[str, _Refresh] = {}  # every refresh token issued
        self._uninstalled: set[str] = set()  # tokens revoked because their workspace uninstalled
        self.scopes: dict[str, tuple[str, ...]] = {}  # scopes granted to a token (x-oauth-scopes)
        self._codes: dict[str, dict] = {}  # OAuth codes not yet exchanged
        self._caller = threading.local()  # the workspace of the token of the call answered
        self.clock = clock  # message timestamps follow it when given
        self.users: dict[str, dict] = {}
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict]] = {}  # posted, per channel, oldest first
        self.channels: dict[str, Channel] = {}  # the conversations tests made known
        self.limits: tuple[float, int, float] | None = None  # every workspace's, unless below
        self.team_limits: dict[str, tuple[float, int, float]] = {}
        self.retry_after_said: dict[str | None, str] = {}
        self.limited = 0  # 429s answered because of the limits
        self.limited_by_team: dict[str, int] = {}
        self.accepted_at: dict[str, list[float]] = {}  # posts accepted, per workspace
        self.delays: dict[str, float] = {}  # seconds a method takes to answer
        self.files: dict[str, dict] = {}  # uploads under way (files.getUploadURLExternal), by id
        self.shared: dict[str, dict] = {}  # files people shared (share_file), by id: url_private
        self._uploads: list[dict] = []  # files shared (files.completeUploadExternal)
        self._posted_at: dict[str, deque[float]] = {}
        self._channel_at: dict[str, float] = {}
        self._scripted: dict[str, deque[Reply]] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self.socket_mode_url = "ws://127.0.0.1:9/not-started"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    # -- life
    def start(self) -> "FakeSlack":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base}/response/{name}"

    # -- the workspaces
    def add_workspace(self, team_id: str, token: str) -> None:
        """Another workspace the app is installed in, with its own bot token."""
        self.tokens[token] = team_id

    def revoke(self, token: str) -> None:
        """Slack refuses this token from now on (token_revoked), auth.test included."""
        self.revoked.add(token)

    def restore(self, token: str) -> None:
        self.revoked.discard(token)

    # -- installs through OAuth (Slack's side of the "Add to Slack" flow)
    def oauth_app(
        self, client_id: str, client_secret: str, *, rotation: bool = False, expires_in: int = 43200
    ) -> OAuthApp:
        """Configure the app's OAuth credentials (what oauth.v2.access checks) and whether token
        rotation is on: then every access token issued from now on expires after `expires_in`
        seconds of this fake's clock and comes with a refresh token."""
        self.app = OAuthApp(client_id, client_secret, rotation=rotation, expires_in=expires_in)
        return self.app

    def authorize(
        self,
        team_id: str,
        *,
        team_name: str | None = None,
        installer: str = "U0INSTALLER",
        scopes=("chat:write", "commands", "im:write"),
        user_scopes=(),
        redirect_uri: str | None = None,
    ) -> str:
        """What Slack does when `installer` approves the install in their browser: the workspace
        exists from now on (made if new, with the installer as one of its people and a bot user of
        its own) and a one-time code comes back, valid ten minutes on this fake's clock, for the
        test to hand to the bot's /slack/oauth_redirect?code=...&state=.... `user_scopes` also
        asks a user token for the installer; `redirect_uri` is the one the install began with
        (the exchange must then name the same)."""
        if self.app is None:
            raise AssertionError("configure the OAuth app first: fake_slack.oauth_app(...)")
        install = self.installs.get(team_id)
        if install is None:
            suffix = team_id.removeprefix("T")
            bot = (f"U0B{suffix}", f"B0{suffix}")
            if team_id == self.team_id:  # the default workspace keeps the bot the tests know
                bot = (BOT_USER_ID, BOT_ID)
            install = self.installs[team_id] = Install(team_id, team_name or "", *bot)
            with self._changed:
                for channel in self.channels.values():  # channels the test made there before
                    if channel.team_id == team_id and channel.bot_user != bot[0]:
                        channel.members = [
                            bot[0] if m == channel.bot_user else m for m in channel.members
                        ]
                        channel.bot_user = bot[0]
        install.team_name = team_name or install.team_name or f"Workspace {team_id}"
        if installer not in self.users:
            self.add_user(installer, team_id=team_id)
        code = f"{self._seconds()}.{secrets.token_hex(12)}"
        self._codes[code] = {
            "team_id": team_id,
            "installer": installer,
            "scopes": tuple(scopes),
            "user_scopes": tuple(user_scopes),
            "redirect_uri": redirect_uri,
            "issued": self._now(),
        }
        return code

    def bot_user(self, team_id: str) -> str:
        """The bot's user id in that workspace (each install's own; BOT_USER_ID otherwise)."""
        install = self.installs.get(team_id)
        return install.bot_user if install else BOT_USER_ID

    def _bot_id(self, team_id: str) -> str:
        install = self.installs.get(team_id)
        return install.bot_id if install else BOT_ID

    def tokens_of(self, team_id: str) -> list[str]:
        """Every token Slack issued for that workspace, oldest first (revoked ones included)."""
        return [token for token, team in self.tokens.items() if team == team_id]

    def uninstall(self, team_id: str) -> list[str]:
        """Someone removed the app from that workspace: every token Slack issued for it (bot,
        user, refresh) is refused from now on, `token_revoked` (`invalid_auth` once the workspace
        installs the app again: those tokens belong to no install any more). Returns the two
        Events API bodies Slack sends, raw JSON to sign and post to /slack/events as they are:
        tokens_revoked (the bot user, and any user with a user token), then app_uninstalled."""
        install = self.installs.get(team_id)
        with self._changed:
            for token in self.tokens_of(team_id):
                if token not in self.revoked:
                    self.revoked.add(token)
                    self._uninstalled.add(token)
            for refresh, team in list(self.refresh_tokens.items()):
                if team == team_id:
                    del self.refresh_tokens[refresh]
            if install is not None:
                install.uninstalled = True
        bot_user = install.bot_user if install else BOT_USER_ID
        users = sorted(install.user_tokens) if install else []
        tokens = {"oauth": users, "bot": [bot_user]}
        return [
            self._event(team_id, {"type": "tokens_revoked", "tokens": tokens}),
            self._event(team_id, {"type": "app_uninstalled"}),
        ]

    def _event(self, team_id: str, event: dict) -> str:
        """An Events API body for the app in that workspace, shaped like bolt-python's
        event_callback.app_uninstalled.json and tests/payloads.event_callback."""
        app_id = self.app.app_id if self.app else APP_ID
        return json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": team_id,
                "api_app_id": app_id,
                "event": {**event, "event_ts": f"{self._seconds()}.{next(self._ts):06d}"},
                "type": "event_callback",
                "event_id": f"Ev{secrets.token_hex(5).upper()}",
                "event_time": self._seconds(),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": team_id,
                        "user_id": self.bot_user(team_id),
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
            }
        )

    def refreshes(self, team_id: str | None = None) -> list[Call]:
        """The token refreshes asked so far (oauth.v2.access with grant_type=refresh_token),
        granted or not; with `team_id`, only those of that workspace's refresh tokens."""
        found = [
            c
            for c in self.calls_to("oauth.v2.access")
            if c.args.get("grant_type") == "refresh_token"
        ]
        if team_id is None:
            return found
        issued = self._refresh_issued
        return [
            c
            for c in found
            if (given := issued.get(str(c.args.get("refresh_token")))) and given.team_id == team_id
        ]

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "America/New_York",
        team_id: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        **extra,
    ) -> dict:
        """A person (or, with `is_bot`, an app's bot user; with `deleted`, a deactivated one)."""
        user = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": user_id.lower(),
            "real_name": extra.pop("real_name", f"User {user_id}"),
            "deleted": deleted,
            "is_bot": is_bot,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 0,
            **extra,
        }
        self.users[user_id] = user
        return user

    # -- the channels
    def add_channel(
        self,
        channel_id: str,
        *,
        name: str = "team",
        private: bool = False,
        members=(),
        bot_in: bool = False,
        archived: bool = False,
        team_id: str | None = None,
    ) -> Channel:
        """A channel Slack knows, with these members (user ids) and the bot among them if
        `bot_in`. Slack shows a private channel only to its members: until the bot is in it,
        it is channel_not_found."""
        team_id = team_id or self.team_id
        bot_user = self.bot_user(team_id)
        bot = [bot_user] if bot_in and bot_user not in members else []
        channel = Channel(
            channel_id,
            name,
            team_id,
            private=private,
            members=[*dict.fromkeys(members), *bot],
            archived=archived,
            created=self._seconds(),
            bot_user=bot_user,
        )
        with self._changed:
            self.channels[channel_id] = channel
        return channel

    def join_channel(self, channel_id: str, user_id: str) -> None:
        with self._changed:
            members = self.channels[channel_id].members
            if user_id not in members:
                members.append(user_id)

    def leave(self, channel_id: str, user_id: str) -> None:
        with self._changed:
            members = self.channels[channel_id].members
            if user_id in members:
                members.remove(user_id)

    def remove_bot(self, channel_id: str) -> None:
        """Someone removed the bot from the channel (/remove, or it was kicked)."""
        self.leave(channel_id, self.channels[channel_id].bot_user)

    def archive(self, channel_id: str) -> None:
        with self._changed:
            self.channels[channel_id].archived = True

    def delete_channel(self, channel_id: str) -> None:
        """Gone: Slack answers channel_not_found to everything about it from now on."""
        with self._changed:
            self.channels[channel_id].deleted = True

    def _unseen(self, channel: Channel, team_id: str) -> bool:
        """Slack answers channel_not_found: deleted, another workspace's, or private and the
        bot not in it."""
        private_without_bot = channel.private and not channel.bot_in
        return channel.deleted or channel.team_id != team_id or private_without_bot

    def _refused(self, method: str, args: dict, team_id: str) -> dict | None:
        """What Slack answers instead of posting to, or reading, a known channel the bot may
        not use; None when it may (and for every channel no test made known)."""
        if method not in POSTING | READING:
            return None
        channel = self.channels.get(str(args.get("channel") or args.get("channel_id") or ""))
        if channel is None:
            return None
        with self._changed:
            if self._unseen(channel, team_id):
                error = "channel_not_found"
            elif channel.archived and method in POSTING:
                error = "is_inactive" if method == "chat.update" else "is_archived"
            elif not channel.bot_in:
                error = "not_in_channel"
            elif method == "chat.postEphemeral" and args.get("user") not in channel.members:
                error = "user_not_in_channel"
            else:
                return None
        return {"ok": False, "error": error}

    # -- faults
    def script(self, method: str, *replies: Reply) -> None:
        """The next calls to `method` get these replies, in order, before normal service resumes."""
        self._scripted.setdefault(method, deque()).extend(replies)

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        reply = Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        self.script(method, *[reply] * times)

    def limit_posting(
        self,
        *,
        per_channel_gap: float = 1.0,
        cap: int,
        window: float,
        team_id: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Slack's limits on chat.postMessage: one message a second per channel, and at most
        `cap` in any `window` seconds per workspace (each workspace counted on its own; with
        `team_id`, that workspace's cap); beyond them, a 429 with Retry-After (the seconds
        until a post would pass, or `retry_after` as given, whatever it says)."""
        if retry_after is not None:
            self.retry_after_said[team_id] = retry_after
        if team_id is None:
            self.limits = (per_channel_gap, cap, window)
        else:
            self.team_limits[team_id] = (per_channel_gap, cap, window)

    def _over_limit(self, team_id: str, channel: str) -> Reply | None:
        limits = self.team_limits.get(team_id) or self.limits
        if limits is None:
            return None
        gap, cap, window = limits
        with self._changed:
            now = time.monotonic()
            posted = self._posted_at.setdefault(team_id, deque())
            while posted and posted[0] <= now - window:
                posted.popleft()
            wait = 0.0
            if len(posted) >= cap:
                wait = posted[0] + window - now
            last = self._channel_at.get(channel)
            if last is not None and now - last < gap:
                wait = max(wait, last + gap - now)
            if wait > 0:
                self.limited += 1
                self.limited_by_team[team_id] = self.limited_by_team.get(team_id, 0) + 1
                retry = str(max(1, int(wait + 0.999)))
                if team_id in self.retry_after_said or None in self.retry_after_said:
                    retry = self.retry_after_said.get(team_id, self.retry_after_said.get(None))
                return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": retry})
            posted.append(now)
            self._channel_at[channel] = now
            self.accepted_at.setdefault(team_id, []).append(now)
        return None

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        self.script(method, *[Reply(200, {"ok": False, "error": error})] * times)

    # -- what happened
    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls to `method` arrived (the bot answers after it acks)."""
        with self._changed:
            done = self._changed.wait_for(
                lambda: len([c for c in self.calls if c.method == method]) >= count, timeout
            )
            found = [c for c in self.calls if c.method == method]
        if not done:
            raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}")
        return found

    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # -- answering
    def answer(self, method: str, args: dict, headers: dict) -> Reply:
        if self.delays.get(method):
            time.sleep(self.delays[method])  # a slow Slack, so a test can stop a process mid-way
        self._record(Call(method, args, headers))
        queue = self._scripted.get(method)
        if queue:
            return queue.popleft()
        if method == "response_url":
            return Reply(200, "ok")
        if method == "oauth.v2.access":  # no token: the app's own credentials
            return Reply(200, self._oauth_v2_access(args, headers))
        token = (headers.get("authorization") or "").removeprefix("Bearer ") or args.get("token")
        if method == "apps.connections.open":
            if not str(token).startswith("xapp-"):
                return Reply(200, {"ok": False, "error": "not_allowed_token_type"})
            return Reply(200, {"ok": True, "url": self.socket_mode_url})
        refused = self._token_refused(token)
        if refused:
            return Reply(200, {"ok": False, "error": refused})
        team_id = self.tokens[token]
        if method == "chat.postMessage":
            limited = self._over_limit(team_id, str(args.get("channel")))
            if limited:
                return limited
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return Reply(200, {"ok": False, "error": "unknown_method"})
        refused = self._refused(method, args, team_id)
        if refused:
            return Reply(200, refused)
        self._caller.team_id = team_id  # where what it posts lands (handlers taking `args` only)
        try:
            answer = handler(args, team_id) if method in WITH_TEAM else handler(args)
        finally:
            self._caller.team_id = None
        granted = self.scopes.get(token)
        return Reply(200, answer, {} if granted is None else {"x-oauth-scopes": ",".join(granted)})

    def _token_refused(self, token) -> str | None:
        """What Slack answers a call with this token instead of an answer (None: it works):
        token_revoked, invalid_auth (unknown, or left over from before an uninstall once the
        app is installed again), not_authed (none), token_expired (rotation, by this fake's
        clock)."""
        if not token:
            return "not_authed"
        if token in self.revoked:
            install = self.installs.get(self.tokens.get(token, ""))
            reinstalled = install is not None and not install.uninstalled
            return "invalid_auth" if token in self._uninstalled and reinstalled else "token_revoked"
        if token not in self.tokens:
            return "invalid_auth"
        expires = self.expires_at.get(token)
        if expires is not None and self._now() >= expires:
            return "token_expired"
        return None

    # -- oauth.v2.access: the code exchanged for tokens, and refresh tokens for new ones
    def _oauth_v2_access(self, args: dict, headers: dict) -> dict:
        """Slack's token exchange. The app's credentials come as HTTP Basic auth (what slack_sdk
        sends) or as client_id and client_secret fields. A code is good once, for ten minutes.
        With rotation on, grant_type=refresh_token trades a refresh token for a new access token
        and a new refresh token; as Slack documents (docs.slack.dev/authentication/using-token-
        rotation), the refresh token used is revoked then (a second use: invalid_refresh_token),
        while the access token it renewed keeps working until it expires."""
        client_id, client_secret = _client_credentials(args, headers)
        app = self.app
        if app is None or client_id != app.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != app.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        grant = args.get("grant_type") or "authorization_code"
        if grant == "refresh_token":
            return self._refresh(str(args.get("refresh_token") or ""))
        if grant != "authorization_code":
            return {"ok": False, "error": "invalid_grant_type"}
        with self._changed:
            asked = self._codes.pop(str(args.get("code") or ""), None)
        if asked is None or self._now() - asked["issued"] > CODE_LIFETIME:
            return {"ok": False, "error": "invalid_code"}
        if asked["redirect_uri"] is not None and args.get("redirect_uri") != asked["redirect_uri"]:
            return {"ok": False, "error": "bad_redirect_uri"}
        return self._install(asked)

    def _install(self, asked: dict) -> dict:
        """The install the code stands for: a new bot token (and a user token when asked)."""
        team_id, installer = asked["team_id"], asked["installer"]
        install = self.installs[team_id]
        token, refresh = self._issue(_Refresh(team_id, "xoxb", asked["scopes"]))
        authed_user = {"id": installer}
        if asked["user_scopes"]:
            user = _Refresh(team_id, "xoxp", asked["user_scopes"], installer)
            user_token, user_refresh = self._issue(user)
            authed_user |= {
                "scope": ",".join(user.scopes),
                "access_token": user_token,
                "token_type": "user",
                **self._expiring(user_refresh),
            }
        with self._changed:
            install.scopes, install.uninstalled = asked["scopes"], False
            if asked["user_scopes"]:
                install.user_tokens[installer] = user_token
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(asked["scopes"]),
            "bot_user_id": install.bot_user,
            "app_id": self.app.app_id,
            **self._expiring(refresh),
            "team": {"id": team_id, "name": install.team_name},
            "enterprise": None,
            "authed_user": authed_user,
            "is_enterprise_install": False,
        }

    def _refresh(self, refresh_token: str) -> dict:
        with self._changed:
            team_id = self.refresh_tokens.pop(refresh_token, None)
        if team_id is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        renewed = self._refresh_issued[refresh_token]
        token, refresh = self._issue(renewed)
        install = self.installs[team_id]
        if renewed.user is None:
            whose = {"token_type": "bot", "bot_user_id": install.bot_user}
        else:
            whose = {"token_type": "user", "user_id": renewed.user}
            with self._changed:
                install.user_tokens[renewed.user] = token
        return {
            "ok": True,
            "app_id": self.app.app_id,
            "access_token": token,
            "scope": ",".join(renewed.scopes),
            **whose,
            **self._expiring(refresh),
            "team": {"id": team_id, "name": install.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _issue(self, what: _Refresh) -> tuple[str, str | None]:
        """A new access token (and, with rotation on, its refresh token), known from now on."""
        rotation = self.app.rotation
        body = f"{what.kind}-{what.team_id}-{next(self._ts)}-{secrets.token_hex(12)}"
        token = f"xoxe.{body}" if rotation else body
        refresh = f"xoxe-1-{secrets.token_hex(24)}" if rotation else None
        with self._changed:
            self.tokens[token] = what.team_id
            self.scopes[token] = what.scopes
            if refresh:
                self.expires_at[token] = self._now() + timedelta(seconds=self.app.expires_in)
                self.refresh_tokens[refresh] = what.team_id
                self._refresh_issued[refresh] = what
        return token, refresh

    def _expiring(self, refresh: str | None) -> dict:
        """The fields an answer carries for a token that expires (none without rotation)."""
        return {"expires_in": self.app.expires_in, "refresh_token": refresh} if refresh else {}

    def _auth_test(self, args: dict, team_id: str | None = None) -> dict:
        team_id = team_id or self.team_id
        install = self.installs.get(team_id)
        return {
            "ok": True,
            "url": "https://fake-workspace.slack.com/",
            "team": install.team_name if install else "Fake Workspace",
            "user": "advisor-bot",
            "team_id": team_id,
            "user_id": self.bot_user(team_id),
            "bot_id": self._bot_id(team_id),
            "is_enterprise_install": False,
        }

    def _users_info(self, args: dict, team_id: str) -> dict:
        """A person of the caller's workspace (another workspace's people are not found)."""
        user = self.users.get(args.get("user", ""))
        if user is None or user["team_id"] != team_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _conversations_open(self, args: dict, team_id: str | None = None) -> dict:
        users = list(dict.fromkeys(u.strip() for u in str(args.get("users", "")).split(",")))
        team_id = team_id or self.team_id
        if any(self.users.get(user, {}).get("team_id") != team_id for user in users):
            return {"ok": False, "error": "user_not_found"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": "D" + users[0][1:]}}
        if len(users) > MPIM_MAX_USERS:
            return {"ok": False, "error": "too_many_users"}
        return {"ok": True, "channel": {"id": self._group_dm(users, team_id or self.team_id)}}

    def _group_dm(self, users: list[str], team_id: str) -> str:
        """The one group DM of these people and the bot, whatever order they come in."""
        digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()
        channel_id = "G" + digest[:10].upper()
        with self._changed:
            if channel_id not in self.channels:
                name = "mpdm-" + "--".join(self.users[u]["name"] for u in users) + "-1"
                bot_user = self.bot_user(team_id)
                channel = Channel(
                    channel_id, name, team_id, private=True, mpim=True, bot_user=bot_user
                )
                channel.members = [*users, bot_user]
                channel.created = self._seconds()
                self.channels[channel_id] = channel
        return channel_id

    def _described(self, channel: Channel, args: dict) -> dict:
        """The conversation object, shaped like Slack's conversations.info example. A G id is a
        private channel from before March 2021 (is_group); a private C id is a channel too."""
        is_group = channel.private and channel.id.startswith("G")
        nobody = {"value": "", "creator": "", "last_set": 0}
        described = {
            "id": channel.id,
            "name": channel.name,
            "name_normalized": channel.name,
            "created": channel.created,
            "creator": next(iter(channel.members), ""),
            "is_channel": not (is_group or channel.mpim),
            "is_group": is_group,
            "is_im": False,
            "is_mpim": channel.mpim,
            "is_private": channel.private,
            "is_archived": channel.archived,
            "is_general": False,
            "is_read_only": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "previous_names": [],
            "parent_conversation": None,
            "context_team_id": channel.team_id,
            "unlinked": 0,
            "is_member": channel.bot_in,
            "topic": dict(nobody),
            "purpose": dict(nobody),
        }
        if _flag(args.get("include_num_members")):  # Slack counts only when asked
            described["num_members"] = len(channel.members)
        if _flag(args.get("include_locale")):
            described["locale"] = "en-US"
        return described

    def _visible(self, args: dict, team_id: str) -> Channel | None:
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None or self._unseen(channel, team_id):
            return None
        return channel

    def _conversations_info(self, args: dict, team_id: str) -> dict:
        with self._changed:
            channel = self._visible(args, team_id)
            if channel is None:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": self._described(channel, args)}

    def _conversations_members(self, args: dict, team_id: str) -> dict:
        """User ids, `limit` (100 unless told) a page, as Slack pages them: an opaque cursor,
        and next_cursor "" on the last page. Archived channels still answer."""
        with self._changed:
            channel = self._visible(args, team_id)
            members = list(channel.members) if channel else []
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        try:
            size = min(int(args.get("limit") or 100), 1000)
        except ValueError:
            size = 0
        if size < 1:
            return {"ok": False, "error": "invalid_limit"}
        start = _uncursor(str(args.get("cursor") or ""))
        if start is None or start > len(members):
            return {"ok": False, "error": "invalid_cursor"}
        rest = members[start + size :]
        return {
            "ok": True,
            "members": members[start : start + size],
            "response_metadata": {"next_cursor": _cursor(start + size) if rest else ""},
        }

    def _conversations_join(self, args: dict, team_id: str) -> dict:
        with self._changed:
            channel = self._visible(args, team_id)
            if channel is None:
                return {"ok": False, "error": "channel_not_found"}
            if channel.private:
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            if channel.archived:
                return {"ok": False, "error": "is_archived"}
            answer = {"ok": True}
            if channel.bot_in:
                answer["warning"] = "already_in_channel"
                answer["response_metadata"] = {"warnings": ["already_in_channel"]}
            else:
                channel.members.append(channel.bot_user)
            return {**answer, "channel": self._described(channel, args)}

    def _message(self, args: dict) -> dict | None:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        blocks = args.get("blocks") or []
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        try:
            for block in blocks:
                Block.parse(block).validate_json()
        except Exception as error:  # anything slack_sdk rejects, Slack rejects
            return {"ok": False, "error": "invalid_blocks", "detail": str(error)}
        return None

    def _seconds(self) -> int:
        return int(self.clock.now().timestamp()) if self.clock else 1764000000

    def _now(self) -> datetime:
        """Now on this fake's clock (the real time without one): tokens and codes expire by it."""
        return self.clock.now() if self.clock else datetime.now(UTC)

    def _next_ts(self) -> str:
        return f"{self._seconds()}.{next(self._ts):06d}"

    def _team_of(self, channel_id: str) -> str:
        """The workspace a post lands in: the caller's token's (answering over HTTP), else the
        channel's (a known channel's, a DM's person's), else the default workspace."""
        team_id = getattr(self._caller, "team_id", None)
        if team_id:
            return team_id
        channel = self.channels.get(channel_id)
        if channel is not None:
            return channel.team_id
        person = self.users.get("U" + channel_id[1:]) if channel_id.startswith("D") else None
        return person["team_id"] if person else self.team_id

    def _chat_postMessage(self, args: dict) -> dict:
        problem = self._message(args)
        if problem:
            return problem
        ts = self._next_ts()
        team_id = self._team_of(str(args["channel"]))
        message = {
            "type": "message",
            "text": args.get("text", ""),
            "user": self.bot_user(team_id),
            "bot_id": self._bot_id(team_id),
            "team": team_id,
            "ts": ts,
        }
        for key in ("blocks", "metadata"):
            if args.get(key):
                value = args[key]
                message[key] = json.loads(value) if isinstance(value, str) else value
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        with self._changed:
            self.messages.setdefault(args["channel"], []).append(message)
        return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}

    @staticmethod
    def _between(message: dict, args: dict) -> bool:
        """Within the `oldest` and `latest` bounds Slack's history methods take."""
        ts = float(message["ts"])
        return float(args.get("oldest") or 0) <= ts <= float(args.get("latest") or "inf")

    def _conversations_history(self, args: dict) -> dict:
        channel = str(args.get("channel", ""))
        with self._changed:
            found = [
                m
                for m in self.messages.get(channel, [])
                if self._between(m, args) and not m.get("thread_ts")
            ]
        return self._page(list(reversed(found)), args)

    def _conversations_replies(self, args: dict) -> dict:
        channel, parent = str(args.get("channel", "")), str(args.get("ts", ""))
        with self._changed:
            found = [
                m
                for m in self.messages.get(channel, [])
                if (m["ts"] == parent or m.get("thread_ts") == parent) and self._between(m, args)
            ]
        return self._page(found, args)

    @staticmethod
    def _page(found: list[dict], args: dict) -> dict:
        """`limit` messages from the `cursor` on, as Slack pages them."""
        if not args.get("include_all_metadata"):
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        start = int(args.get("cursor") or 0)
        size = int(args.get("limit") or 100)
        page, rest = found[start : start + size], found[start + size :]
        answer = {"ok": True, "messages": page, "has_more": bool(rest)}
        if rest:
            answer["response_metadata"] = {"next_cursor": str(start + size)}
        return answer

    def posted(self, channel: str | None = None, *, team_id: str | None = None) -> list[dict]:
        """Top-level messages posted in `channel` (in every channel without one), oldest first;
        with `team_id`, only those posted in that workspace (each message's "team")."""
        with self._changed:
            where = [channel] if channel is not None else list(self.messages)
            return [
                m
                for c in where
                for m in self.messages.get(c, [])
                if not m.get("thread_ts") and team_id in (None, m.get("team"))
            ]

    def thread(self, channel: str, ts: str) -> list[dict]:
        """The replies in the thread under message `ts` in `channel`, oldest first (not the
        message they reply to)."""
        with self._changed:
            return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == str(ts)]

    def _chat_postEphemeral(self, args: dict) -> dict:
        return self._message(args) or {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict) -> dict:
        problem = self._message(args)
        if problem or not args.get("ts"):
            return problem or {"ok": False, "error": "message_not_found"}
        with self._changed:
            for message in self.messages.get(args["channel"], []):
                if message["ts"] == args["ts"]:
                    message["text"] = args.get("text", message["text"])
                    blocks = args.get("blocks")
                    if blocks:
                        message["blocks"] = (
                            json.loads(blocks) if isinstance(blocks, str) else blocks
                        )
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text")}

    def _chat_getPermalink(self, args: dict) -> dict:
        channel, ts = args.get("channel"), str(args.get("message_ts", ""))
        if not channel or not ts:
            return {"ok": False, "error": "message_not_found"}
        link = f"https://fake-workspace.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    # -- files: files_upload_v2's three steps
    def _files_getUploadURLExternal(self, args: dict) -> dict:
        """Step 1: an upload URL on this fake and the file's id (Slack's checks on the way)."""
        if not args.get("filename") or str(args.get("length") or "0") == "0":
            return {"ok": False, "error": "missing_argument"}
        if len(str(args.get("alt_txt") or "")) > 1000:
            return {"ok": False, "error": "alt_txt_too_large"}
        file_id = "F" + self._next_ts().replace(".", "")[-10:]
        with self._changed:
            self.files[file_id] = {
                "filename": str(args["filename"]),
                "length": int(args["length"]),
                "alt_txt": args.get("alt_txt"),
                "content": None,
            }
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, content: bytes, headers: dict) -> Reply:
        """Step 2: the bytes, POSTed to the upload URL (no token: the URL is the permission).
        Recorded as a call to "upload", so `script("upload", ...)` can fail it."""
        self._record(Call("upload", {"file_id": file_id, "size": len(content)}, headers))
        queue = self._scripted.get("upload")
        if queue:
            return queue.popleft()
        with self._changed:
            pending = self.files.get(file_id)
            if pending is None:
                return Reply(404, "not found")
            pending["content"] = content
        return Reply(200, f"OK - {len(content)}")

    def _files_completeUploadExternal(self, args: dict) -> dict:
        """Step 3: share the uploaded files in `channel_id` (a message with `files`, which
        history shows), or keep them private without one."""
        team_id = self._team_of(str(args.get("channel_id") or ""))
        listed = args.get("files")
        listed = json.loads(listed) if isinstance(listed, str) else listed or []
        with self._changed:
            pending = [(f, self.files.get(str(f.get("id")))) for f in listed]
            if not pending or any(p is None or p["content"] is None for _, p in pending):
                return {"ok": False, "error": "file_not_found"}
            files = []
            for asked, upload in pending:
                file_id = str(asked["id"])
                title = asked.get("title") or upload["filename"]
                files.append(
                    {
                        "id": file_id,
                        "name": upload["filename"],
                        "title": title,
                        "alt_txt": upload["alt_txt"],
                        "size": len(upload["content"]),
                        "mimetype": mimetypes.guess_type(upload["filename"])[0] or "",
                    }
                )
                del self.files[file_id]
                self._uploads.append(
                    {
                        "file_id": file_id,
                        "content": upload["content"],
                        "filename": upload["filename"],
                        "title": title,
                        "alt_txt": upload["alt_txt"],
                        "channel": args.get("channel_id"),
                        "initial_comment": args.get("initial_comment"),
                        "thread_ts": args.get("thread_ts"),
                        "team": team_id,
                    }
                )
            channel = args.get("channel_id")
            if channel:
                message = {
                    "type": "message",
                    "text": args.get("initial_comment") or "",
                    "user": self.bot_user(team_id),
                    "bot_id": self._bot_id(team_id),
                    "team": team_id,
                    "upload": True,
                    "files": [{k: v for k, v in f.items() if k != "alt_txt"} for f in files],
                    "ts": self._next_ts(),
                }
                if args.get("thread_ts"):
                    message["thread_ts"] = str(args["thread_ts"])
                self.messages.setdefault(str(channel), []).append(message)
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in files]}

    # -- files people share (an import uploaded in the bot's DM): files.info and url_private
    def share_file(
        self,
        user_id: str,
        name: str,
        content: bytes,
        *,
        mimetype: str | None = None,
        filetype: str | None = None,
        team_id: str | None = None,
    ) -> dict:
        """A file `user_id` uploaded: its object as a file_share message event carries it (the
        fields of the Web API's objs_file), its bytes served at its url_private to a bot token
        of its workspace (with files:read, when the token's scopes are known)."""
        team = team_id or self.team_id
        file_id = "F" + self._next_ts().replace(".", "")[-10:]
        mimetype = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
        kind = filetype or (name.rsplit(".", 1)[-1].lower() if "." in name else "binary")
        quoted = quote(name)  # Slack's addresses spell the name URL-encoded
        private = f"{self.base}/files-pri/{team}-{file_id}/{quoted}"
        file = {
            "id": file_id,
            "created": self._seconds(),
            "timestamp": self._seconds(),
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": kind,
            "pretty_type": kind.upper(),
            "user": user_id,
            "user_team": team,
            "editable": False,
            "size": len(content),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": private,
            "url_private_download": f"{self.base}/files-pri/{team}-{file_id}/download/{quoted}",
            "permalink": f"https://fake-workspace.slack.com/files/{user_id}/{file_id}/{quoted}",
            "permalink_public": f"https://slack-files.com/{team}-{file_id}-0000",
            "has_rich_preview": False,
            "file_access": "visible",
        }
        with self._changed:
            self.shared[file_id] = {"file": file, "content": content, "team": team}
        return dict(file)

    def _may_read_files(self, token: str | None) -> bool:
        granted = self.scopes.get(token or "")
        return granted is None or "files:read" in granted

    def _files_info(self, args: dict) -> dict:
        """A shared file's object, to a token of its workspace with files:read."""
        token_team = getattr(self._caller, "team_id", None)
        with self._changed:
            found = self.shared.get(str(args.get("file") or ""))
        if found is None or found["team"] != token_team:
            return {"ok": False, "error": "file_not_found"}
        return {
            "ok": True,
            "file": dict(found["file"]),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def download(self, path: str, headers: dict) -> Reply:
        """A GET of a url_private: the bytes, to a bot token (Authorization: Bearer) of the
        file's workspace; anything else gets what Slack gives it, a redirect to sign in.
        Recorded as a call to "download", so `script("download", ...)` can fail it."""
        self._record(Call("download", {"path": path}, headers))
        queue = self._scripted.get("download")
        if queue:
            return queue.popleft()
        place = path.removeprefix("/files-pri/").split("/", 1)[0]
        file_id = place.rsplit("-", 1)[-1]
        with self._changed:
            found = self.shared.get(file_id)
        token = str(headers.get("authorization") or "").removeprefix("Bearer ")
        allowed = (
            found is not None
            and not self._token_refused(token)
            and self.tokens.get(token) == found["team"]
            and self._may_read_files(token)
        )
        if not allowed:
            return Reply(302, "", {"Location": f"{self.base}/signin"})
        return Reply(200, found["content"], {"Content-Type": found["file"]["mimetype"]})

    def uploads(self, *, team_id: str | None = None) -> list[dict]:
        """The files shared so far, oldest first: file_id, content (the bytes), filename,
        title, alt_txt, channel, initial_comment, thread_ts, team (the workspace); with
        `team_id`, only that workspace's."""
        with self._changed:
            return [dict(u) for u in self._uploads if team_id in (None, u["team"])]

    def _view(self, args: dict, *, needs: str) -> dict:
        if not args.get(needs):
            return {"ok": False, "error": "invalid_arguments"}
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        try:
            View(**view).validate_json()
        except Exception as error:
            return {"ok": False, "error": "invalid_arguments", "detail": str(error)}
        return {"ok": True, "view": {**view, "id": "V" + self._next_ts()[-6:], "hash": "h1"}}

    def _views_open(self, args: dict) -> dict:
        return self._view(args, needs="trigger_id")

    def _views_push(self, args: dict) -> dict:
        return self._view(args, needs="trigger_id")

    def _views_update(self, args: dict) -> dict:
        return self._view(args, needs="view_id" if "view_id" in args else "external_id")

    def _views_publish(self, args: dict) -> dict:
        return self._view(args, needs="user_id")


def _client_credentials(args: dict, headers: dict) -> tuple[str, str]:
    """The app's client id and secret: HTTP Basic auth, else the form's fields."""
    basic = str(headers.get("authorization") or "")
    if basic.startswith("Basic "):
        try:
            decoded = base64.b64decode(basic.removeprefix("Basic "), validate=True).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")


def _flag(value) -> bool:
    """A boolean argument, however it came over the wire."""
    return str(value).lower() in ("1", "true")


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _uncursor(cursor: str) -> int | None:
    """Where a cursor points (0 for none), or None for one this fake never gave."""
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.b64decode(cursor, validate=True).decode().partition(":")
        return int(offset) if kind == "offset" else None
    except ValueError:
        return None


def _parse(body: bytes, content_type: str) -> dict:
    text = body.decode("utf-8")
    if content_type.startswith("application/json"):
        return json.loads(text or "{}")
    return {k: _maybe_json(v) for k, v in parse_qsl(text, keep_blank_values=True)}


def _maybe_json(value: str):
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path.startswith("/upload/"):  # a file's bytes, as they are
                headers = {k.lower(): v for k, v in self.headers.items()}
                self._send(fake.receive_upload(self.path.removeprefix("/upload/"), body, headers))
                return
            args = _parse(body, self.headers.get("Content-Type") or "")
            if self.path.startswith("/api/"):
                method = self.path.removeprefix("/api/").split("?")[0]
            elif self.path.startswith("/response/"):
                method = "response_url"
            else:
                self._send(Reply(404, "not found"))
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._send(fake.answer(method, args, headers))

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path.startswith("/files-pri/"):  # a shared file's url_private
                self._send(fake.download(self.path, headers))
            elif self.path == "/signin":
                self._send(
                    Reply(200, b"<html>Sign in to Slack</html>", {"Content-Type": "text/html"})
                )
            else:
                self._send(Reply(404, "not found"))

        def _send(self, reply: Reply) -> None:
            is_text = isinstance(reply.body, str)
            if isinstance(reply.body, bytes):
                payload = reply.body
            else:
                payload = (reply.body if is_text else json.dumps(reply.body)).encode()
            self.send_response(reply.status)
            if "Content-Type" not in reply.headers:
                kind = "text/plain" if is_text else "application/json"
                self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args) -> None:
            pass

    return Handler


WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketMode:
    """Slack's Socket Mode end: a WebSocket server on loopback that pushes envelopes to the app
    and records what the app acknowledges. FakeSlack.apps.connections.open points here."""

    def __init__(self):
        self.acks: list[dict] = []
        self._changed = threading.Condition()
        self._outbox: deque[dict] = deque()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=fake"

    def start(self) -> "FakeSocketMode":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def push(self, envelope: dict) -> None:
        with self._changed:
            self._outbox.append(envelope)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict:
        with self._changed:
            found = self._changed.wait_for(
                lambda: [a for a in self.acks if a.get("envelope_id") == envelope_id], timeout
            )
        if not found:
            raise AssertionError(f"the app never acknowledged envelope {envelope_id}")
        return found[0]

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(ConnectionError):
            self._handshake(connection)
            connection.settimeout(0.05)
            _send_frame(connection, 1, json.dumps({"type": "hello", "num_connections": 1}))
            while not self._stopping.is_set():
                with self._changed:
                    outgoing = list(self._outbox)
                    self._outbox.clear()
                for envelope in outgoing:
                    _send_frame(connection, 1, json.dumps(envelope))
                frame = _read_frame(connection)
                if frame is None:
                    continue
                opcode, data = frame
                if opcode == 8:
                    return
                if opcode == 9:
                    _send_frame(connection, 10, data)
                elif opcode == 1:
                    with self._changed:
                        self.acks.append(json.loads(data))
                        self._changed.notify_all()

    @staticmethod
    def _handshake(connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        key = headers["Sec-WebSocket-Key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest())
        connection.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )


def _send_frame(connection: socket.socket, opcode: int, data: str | bytes) -> None:
    payload = data.encode() if isinstance(data, str) else data
    if len(payload) < 126:
        header = struct.pack("!BB", 0x80 | opcode, len(payload))
    elif len(payload) < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 126, len(payload))
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, len(payload))
    connection.sendall(header + payload)


def _read_frame(connection: socket.socket) -> tuple[int, bytes] | None:
    try:
        head = _read_exactly(connection, 2)
    except TimeoutError:
        return None
    connection.settimeout(5)
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", _read_exactly(connection, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _read_exactly(connection, 8))[0]
    mask = _read_exactly(connection, 4) if head[1] & 0x80 else b"\0\0\0\0"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(_read_exactly(connection, length)))
    connection.settimeout(0.05)
    return opcode, data


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the app closed the connection")
        data += chunk
    return data
