"""Installs in many workspaces (Slack's OAuth flow): where each workspace's bot token is kept
(slack_sdk's SQLAlchemy stores on the bot's own database, tokens encrypted with
ADVISOR_ENCRYPTION_KEY), the client each workspace's messages go out with, refreshed before
its token expires when the app has token rotation on, and what an uninstall or a revoked token
does: every send to that workspace stops at once, its tokens are deleted, and its data goes
after the grace period (ADVISOR_RETENTION_DAYS) unless the app is installed again.

    a request            -> InstalledAuthorize -> Installs.bot(team)   (the token, as stored)
    the sender's posts   -> Installs(team)      -> a client, the token refreshed if it expires soon
    the tick             -> Installs.refresh_expiring(), purge_expired(...)
"""

import copy
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, and_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.delivery.sender import client_for_sending
from core import forget, workspaces
from core.clock import Clock
from core.models import Workspace, slack_bots

log = logging.getLogger(__name__)
REFRESH_BEFORE = timedelta(hours=2)  # a token expiring sooner is refreshed by the tick
CACHED_FOR = 10.0  # seconds a workspace's client is reused before the store is read again
RETRY_REFRESH = 300.0  # seconds after a failed refresh before the next try (unless expired)
# What Slack answers for a bot token that will never work again: the app was removed, or the
# token revoked (an expired one is refreshed instead).
REVOKED = {"token_revoked", "invalid_auth", "account_inactive", "invalid_refresh_token"}
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class TokenCipher:
    """Encrypts tokens at rest (Fernet: AES with an HMAC). The first key encrypts; any of them
    decrypts, so a key is rotated by putting the new one first."""

    def __init__(self, keys: tuple[str, ...]):
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    def encrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode("ascii")

    def decrypt(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.decrypt(value.encode("ascii")).decode()


class UnreadableToken(Exception):
    """A stored token does not decrypt with ADVISOR_ENCRYPTION_KEY (the key was changed)."""


class EncryptedInstallations(InstallationStore):
    """slack_sdk's SQLAlchemy installation store, with every token encrypted before it is
    written and decrypted when it is read."""

    def __init__(self, inner: SQLAlchemyInstallationStore, cipher: TokenCipher):
        self.inner, self.cipher = inner, cipher

    @property
    def logger(self) -> logging.Logger:
        return self.inner.logger

    def _sealed(self, record):
        sealed = copy.copy(record)
        for name in TOKEN_FIELDS:
            if hasattr(sealed, name):
                setattr(sealed, name, self.cipher.encrypt(getattr(record, name)))
        if isinstance(sealed, Installation):  # a webhook URL is a credential too
            sealed.incoming_webhook_url = self.cipher.encrypt(record.incoming_webhook_url)
        return sealed

    def _opened(self, record):
        if record is None:
            return None
        try:
            for name in TOKEN_FIELDS:
                if hasattr(record, name):
                    setattr(record, name, self.cipher.decrypt(getattr(record, name)))
            if isinstance(record, Installation):
                record.incoming_webhook_url = self.cipher.decrypt(record.incoming_webhook_url)
        except (InvalidToken, ValueError) as error:
            raise UnreadableToken(
                f"the token of workspace {record.team_id} does not decrypt with "
                "ADVISOR_ENCRYPTION_KEY: put the key it was stored with back (after a comma)"
            ) from error
        return record

    def save(self, installation: Installation) -> None:
        self.inner.save(self._sealed(installation))

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(self._sealed(bot))

    def find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False) -> Bot | None:
        return self.bot_of(team_id)

    def find_installation(
        self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False
    ) -> Installation | None:
        return self._opened(
            self.inner.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    def delete_bot(self, *, enterprise_id, team_id) -> None:
        self.delete_team(team_id)

    def delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        self.delete_team(team_id)

    def bot_of(self, team_id: str | None) -> Bot | None:
        """The workspace's latest bot with a token, by its team alone: a workspace of an
        Enterprise Grid is stored with its enterprise's id, which a request may not carry."""
        c = self.inner.bots.c
        query = (
            self.inner.bots.select()
            .where(c.client_id == self.inner.client_id, c.team_id == team_id)
            .where(c.bot_token.is_not(None))
            .order_by(c.installed_at.desc(), c.id.desc())
            .limit(1)
        )
        with self.inner.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else self._opened(self.inner.build_bot_entity(row))

    def delete_team(
        self, team_id: str, *, before: datetime | None = None, only: datetime | None = None
    ) -> None:
        """Delete the workspace's token rows: all of them, those installed before `before` (an
        uninstall removes no install made after it), or the one installed at `only`."""
        with self.inner.engine.begin() as connection:
            for table in (self.inner.bots, self.inner.installations):
                c = table.c
                query = table.delete().where(
                    c.client_id == self.inner.client_id, c.team_id == team_id
                )
                if before is not None:
                    query = query.where(c.installed_at <= _naive(before))
                if only is not None:
                    query = query.where(c.installed_at == _naive(only))
                connection.execute(query)


def _naive_now() -> datetime:
    """Now, as slack_sdk's state store dates states: the system's clock (a state lives ten
    minutes of a person's time, whatever the bot's clock says)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _naive(moment: datetime) -> datetime:
    """A moment as slack_sdk's tables store it: UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


class SignedStates(SQLAlchemyOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, with each state signed by SLACK_STATE_SECRET
    (a forged one is refused before the database is asked) and taken once: of two redirects
    carrying the same state, only the first goes on."""

    def __init__(self, engine: Engine, secret: str, *, expiration_seconds: int = 600):
        super().__init__(expiration_seconds=expiration_seconds, engine=engine)
        self._secret = secret.encode()

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args, **kwargs) -> str:
        nonce = secrets.token_urlsafe(24)
        state = f"{nonce}.{self._signature(nonce)}"
        expire_at = _naive_now() + timedelta(seconds=self.expiration_seconds)
        c = self.oauth_states.c
        with self.engine.begin() as connection:  # and those that expired unused go
            connection.execute(self.oauth_states.delete().where(c.expire_at <= _naive_now()))
            connection.execute(self.oauth_states.insert(), {"state": state, "expire_at": expire_at})
        return state

    def consume(self, state: str) -> bool:
        nonce, _, signature = (state or "").partition(".")
        if not nonce or not signature.isascii():
            return False
        if not hmac.compare_digest(self._signature(nonce), signature[:64]):
            return False
        c = self.oauth_states.c
        with self.engine.begin() as connection:
            taken = connection.execute(
                self.oauth_states.delete().where(and_(c.state == state, c.expire_at > _naive_now()))
            )
        return taken.rowcount == 1


@dataclass
class _Cached:
    client: WebClient
    read_at: float  # monotonic
    expires_at: float | None  # the token's, in the clock's seconds


class Installs:
    """Every workspace's bot token: the client to send with (`installs(team_id)`, as the
    sender asks), refreshed before it expires; what an install, an uninstall or a revoked token
    changes. One object per process, shared by the listeners and the tick."""

    def __init__(
        self,
        store: EncryptedInstallations,
        sessions: Callable[[], Session],
        clock: Clock,
        *,
        api_url: str,
        client_id: str,
        client_secret: str,
        keep_for: timedelta,
        engine: Engine,
    ):
        self.store, self.sessions, self.clock = store, sessions, clock
        self.api_url, self.client_id, self.client_secret = api_url, client_id, client_secret
        self.keep_for, self.engine = keep_for, engine
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self._refreshing: dict[str, threading.Lock] = {}
        self._refresh_failed: dict[str, float] = {}  # monotonic time of a failed refresh

    # --- what the sender and the requests use

    def __call__(self, team_id: str) -> WebClient | None:
        """The client to send to `team_id` with (None: not installed there)."""
        cached = self._cache.get(team_id)
        now = self.clock.now().timestamp()
        if (
            cached is not None
            and time.monotonic() - cached.read_at < CACHED_FOR
            and not self._expiring(cached.expires_at, now)
        ):
            return cached.client
        bot = self.bot(team_id, refresh=True)
        if bot is None:
            self._cache.pop(team_id, None)
            return None
        client = client_for_sending(bot.bot_token, self.api_url)
        self._cache[team_id] = _Cached(client, time.monotonic(), bot.bot_token_expires_at)
        return client

    def bot(self, team_id: str | None, *, refresh: bool = False) -> Bot | None:
        """The workspace's bot as stored (its token refreshed first if it expires soon and
        `refresh`; without, only if it has expired: a request never waits on Slack for a token
        the tick would refresh anyway). After a failed refresh, the token is used as it is
        until it expires rather than asked again at every call."""
        if not team_id:
            return None
        try:
            bot = self.store.bot_of(team_id)
        except UnreadableToken as error:
            log.error("Cannot send to workspace %s: %s", team_id, error)
            return None
        if bot is None or bot.bot_token is None or not bot.bot_refresh_token:
            return bot
        now = self.clock.now().timestamp()
        expired = self._expired(bot, now)
        failed_at = self._refresh_failed.get(team_id)
        if failed_at is not None and time.monotonic() - failed_at < RETRY_REFRESH and not expired:
            return bot
        if expired or (refresh and self._expiring(bot.bot_token_expires_at, now)):
            return self._refreshed(team_id) or (None if expired else bot)
        return bot

    def revoked(self, team_id: str, code: str) -> bool:
        """The sender's hook: Slack refused the token it sent with, and auth.test agreed. The
        token stored now is asked about too (the one refused may be an older one, cached):
        only when Slack says it is revoked is the workspace treated as uninstalled."""
        self._cache.pop(team_id, None)
        return code in REVOKED and self.check_revocation(team_id, at=self.clock.now())

    # --- install, uninstall, revocation

    def save(self, installation: Installation) -> None:
        """An OAuth install completed: store its tokens, then mark the workspace installed
        (everything resumes there); when either fails, neither is kept. Older installs' token
        rows of the workspace go."""
        team_id = installation.team_id
        stamp = datetime.fromtimestamp(installation.installed_at, UTC)
        try:
            self.store.save(installation)
            with self._transaction() as session:
                again = workspaces.installed(session, team_id=team_id, now=self.clock.now())
        except SQLAlchemyError:
            self.store.delete_team(team_id, only=stamp)
            raise
        self.store.delete_team(team_id, before=stamp - timedelta(microseconds=1))
        self._cache.pop(team_id, None)
        self._refresh_failed.pop(team_id, None)
        if again:
            log.warning(
                "advisor-bot was installed again in workspace %s: its data is kept and "
                "sending resumes",
                team_id,
            )
        else:
            log.info(
                "advisor-bot was installed in workspace %s (%s)",
                team_id,
                installation.team_name or "",
            )

    def removed(self, team_id: str, *, why: str, at: datetime | None = None) -> datetime | None:
        """The app was uninstalled (or its token revoked) at `at`: stop every send to the
        workspace now, delete its tokens, and plan the deletion of its data. Returns when it
        goes; None when the workspace was installed again after `at` (a late event)."""
        at = at or self.clock.now()
        with self._transaction() as session:
            workspace = session.get(Workspace, team_id)
            if workspace is not None and workspace.installed_at and workspace.installed_at > at:
                log.info("Ignored an uninstall of %s from before its latest install", team_id)
                return None
            goes = workspaces.uninstalled(
                session, team_id=team_id, now=self.clock.now(), keep_for=self.keep_for
            )
        self.store.delete_team(team_id, before=at)
        self._cache.pop(team_id, None)
        log.warning(
            "Stopped everything for workspace %s: %s. Its tokens are deleted; its data will be "
            "deleted at %s unless the app is installed there again",
            team_id,
            why,
            goes.isoformat(timespec="minutes"),
        )
        return goes

    def check_revocation(self, team_id: str, *, at: datetime | None = None) -> bool:
        """Slack says a token of the workspace was revoked: ask Slack whether the bot's token
        stored now still works before stopping anything. True when it was revoked (and the
        workspace stopped)."""
        bot = self.bot(team_id)
        if bot is None:
            return False  # not installed there (or already removed): nothing to stop
        try:
            WebClient(token=bot.bot_token, base_url=self.api_url, timeout=10).auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code in REVOKED:
                return (
                    self.removed(team_id, why=f"Slack revoked its token ({code})", at=at)
                    is not None
                )
            log.warning("Token of %s in doubt: auth.test says %s; nothing stopped", team_id, code)
            return False
        except (SlackClientError, OSError) as error:
            log.warning("Token of %s in doubt: Slack did not answer (%s)", team_id, error)
            return False
        log.info("Slack revoked tokens in workspace %s, but not the bot's: it still works", team_id)
        return False

    # --- the tick's chores

    def refresh_expiring(self) -> int:
        """Refresh every stored bot token that expires within REFRESH_BEFORE (token rotation),
        whether or not anything is due to be sent there. Returns how many were refreshed."""
        soon = _naive(self.clock.now() + REFRESH_BEFORE)
        c = slack_bots.c
        query = (
            select(c.team_id)
            .where(c.client_id == self.client_id, c.bot_token_expires_at <= soon)
            .where(c.bot_refresh_token.is_not(None), c.team_id.is_not(None))
            .distinct()
        )
        with self.engine.connect() as connection:
            teams = list(connection.execute(query).scalars())
        refreshed = 0
        for team_id in teams:
            try:
                before = self.store.bot_of(team_id)
                after = self.bot(team_id, refresh=True)
                refreshed += after is not None and after.bot_token != before.bot_token
            except Exception:  # one workspace's failure never stops the others'
                log.exception("Could not refresh the token of workspace %s", team_id)
        return refreshed

    # --- inside

    def _refreshed(self, team_id: str) -> Bot | None:
        """Refresh the workspace's token (once, whichever process or thread gets there
        first); the bot with its fresh token, or None when Slack refused."""
        with self._one_refresh(team_id):
            bot = self.store.bot_of(team_id)
            now = self.clock.now().timestamp()
            if bot is None or not bot.bot_refresh_token:
                return bot
            if not self._expiring(bot.bot_token_expires_at, now):
                return bot  # another process refreshed it meanwhile
            try:
                answer = WebClient(base_url=self.api_url, timeout=10).oauth_v2_access(
                    client_id=self.client_id,
                    client_secret=self.client_secret,
                    grant_type="refresh_token",
                    refresh_token=bot.bot_refresh_token,
                )
            except SlackApiError as error:
                return self._refresh_refused(bot, str(error.response.get("error")))
            except (SlackClientError, OSError) as error:
                self._refresh_failed[team_id] = time.monotonic()
                log.warning("Could not refresh the token of workspace %s (%s)", team_id, error)
                return None
            fresh = Bot(**bot.to_dict_for_copying())
            fresh.bot_token = answer["access_token"]
            fresh.bot_refresh_token = answer.get("refresh_token") or bot.bot_refresh_token
            fresh.bot_token_expires_at = int(now) + int(answer.get("expires_in") or 43_200)
            self.store.save_bot(fresh)
            self._cache.pop(team_id, None)
            self._refresh_failed.pop(team_id, None)
            log.info("Refreshed the bot token of workspace %s", team_id)
            return fresh

    def _refresh_refused(self, bot: Bot, code: str) -> Bot | None:
        """Slack would not refresh the token. Used up by another process (SQLite has no lock
        between them): the token it saved. Otherwise the workspace is stopped only if Slack
        says its token is revoked: a refresh answer lost (Slack answered, the save failed)
        also spends the refresh token, and is no uninstall."""
        if code == "invalid_refresh_token":
            latest = self._refreshed_elsewhere(bot)
            if latest is not None:
                return latest
        self._refresh_failed[bot.team_id] = time.monotonic()
        if code in REVOKED and self.check_revocation(bot.team_id):
            return None
        log.error(
            "Slack refused to refresh the token of workspace %s (%s): it is used until it "
            "expires; if this goes on, install the app there again from /slack/install",
            bot.team_id,
            code,
        )
        return None

    def _refreshed_elsewhere(self, bot: Bot, *, wait: float = 3.0) -> Bot | None:
        """The bot as another process saved it after refreshing with the same refresh token:
        it saves right after Slack answers it, so it is looked for a few times."""
        deadline = time.monotonic() + wait
        while True:
            latest = self.store.bot_of(bot.team_id)
            if latest is not None and latest.bot_refresh_token != bot.bot_refresh_token:
                return latest
            if latest is None or time.monotonic() >= deadline:
                return None
            time.sleep(0.1)  # another process's answer from Slack, then its write

    @contextmanager
    def _one_refresh(self, team_id: str) -> Iterator[None]:
        """One refresh of a workspace's token at a time: in this process (a lock per
        workspace) and, on Postgres, across processes (an advisory lock on its own
        connection, holding no row)."""
        with self._lock:
            lock = self._refreshing.setdefault(team_id, threading.Lock())
        with lock:
            if self.engine.dialect.name != "postgresql":
                yield
                return
            key = int.from_bytes(hashlib.blake2b(team_id.encode(), digest_size=7).digest())
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()

    @staticmethod
    def _expiring(expires_at: float | None, now: float) -> bool:
        return expires_at is not None and expires_at <= now + REFRESH_BEFORE.total_seconds()

    @staticmethod
    def _expired(bot: Bot, now: float) -> bool:
        return bot.bot_token_expires_at is not None and bot.bot_token_expires_at <= now

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session


class InstalledAuthorize(Authorize):
    """Bolt's authorize for requests: the workspace's token as stored (no auth.test per
    request; a token about to expire is the tick's to refresh, an expired one is refreshed)."""

    def __init__(self, installs: Installs):
        self.installs = installs
        self._last: dict[str, Bot] = {}  # each workspace's bot as last read

    def __call__(self, *, context, enterprise_id, team_id, user_id, **_) -> AuthorizeResult | None:
        try:
            bot = self.installs.bot(team_id)
        except SQLAlchemyError:
            bot = self._last.get(team_id or "")
            if bot is None:
                raise
            # The database does not answer: the token last read lets the request be answered
            # (it will say nothing could be saved) rather than leave Slack without an answer.
        if bot is None:
            self._last.pop(team_id or "", None)
            return None
        self._last[bot.team_id] = bot
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


# Deleted when the app is uninstalled (Installs.removed), and by the purge for an uninstall
# that could not delete them; rows installed after the uninstall are a new install's, kept.
TOKEN_TABLES = frozenset({"slack_bots", "slack_installations"})


def purge_expired(
    sessions: Callable[[], Session], clock: Clock, installs: Installs | None = None
) -> int:
    """Delete the data of every workspace uninstalled longer ago than its grace period. Each
    workspace on its own: one that fails is logged and tried on the next tick; one installed
    again while its data is being deleted stops the deletion."""
    with sessions() as session:
        teams = workspaces.to_delete(session, now=clock.now())
    for team_id, uninstalled_at in teams:
        try:
            with sessions() as session:
                counts = forget.forget_workspace(
                    session,
                    team_id=team_id,
                    keep=TOKEN_TABLES,
                    still=partial(workspaces.to_delete_now, team_id=team_id, now=clock.now()),
                )
            if installs is not None:
                installs.store.delete_team(team_id, before=uninstalled_at)
        except forget.Stopped:
            log.warning("Workspace %s was installed again: its data is no longer deleted", team_id)
            continue
        except Exception:
            log.exception("Could not delete the data of workspace %s; trying again later", team_id)
            continue
        log.warning(
            "Deleted the data of workspace %s (uninstalled past its grace period): %d rows",
            team_id,
            sum(counts.values()),
        )
    return len(teams)
