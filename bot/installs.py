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
from core import workspaces
from core.clock import Clock
from core.models import slack_bots

log = logging.getLogger(__name__)
REFRESH_BEFORE = timedelta(hours=2)  # a token expiring sooner is refreshed by the tick
CACHED_FOR = 10.0  # seconds a workspace's client is reused before the store is read again
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
        return self._opened(
            self.inner.find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

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
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        self.inner.delete_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


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
        expire_at = datetime.now(UTC).replace(tzinfo=None) + timedelta(
            seconds=self.expiration_seconds
        )
        with self.engine.begin() as connection:
            connection.execute(self.oauth_states.insert(), {"state": state, "expire_at": expire_at})
        return state

    def consume(self, state: str) -> bool:
        nonce, _, signature = (state or "").partition(".")
        if not nonce or not hmac.compare_digest(self._signature(nonce), signature[:64]):
            return False
        now = datetime.now(UTC).replace(tzinfo=None)
        c = self.oauth_states.c
        with self.engine.begin() as connection:
            taken = connection.execute(
                self.oauth_states.delete().where(and_(c.state == state, c.expire_at > now))
            )
            connection.execute(self.oauth_states.delete().where(c.expire_at <= now))
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
        the tick would refresh anyway)."""
        if not team_id:
            return None
        try:
            bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        except UnreadableToken as error:
            log.error("Cannot send to workspace %s: %s", team_id, error)
            return None
        if bot is None or bot.bot_token is None:
            return None
        now = self.clock.now().timestamp()
        due = self._expiring(bot.bot_token_expires_at, now, margin=0.0 if not refresh else None)
        if due and bot.bot_refresh_token:
            return self._refreshed(team_id) or (None if self._expired(bot, now) else bot)
        return bot

    def revoked(self, team_id: str, code: str) -> bool:
        """The sender's hook: Slack refused the workspace's token and auth.test agreed. A token
        Slack revoked will not come back: the workspace is treated as uninstalled."""
        if code not in REVOKED:
            return False
        self.removed(team_id, why=f"Slack revoked its bot token ({code})")
        return True

    # --- install, uninstall, revocation

    def installed(self, team_id: str, *, team_name: str | None = None) -> None:
        """An OAuth install (or reinstall) completed: everything resumes in that workspace."""
        with self._transaction() as session:
            again = workspaces.installed(session, team_id=team_id, now=self.clock.now())
        self._cache.pop(team_id, None)
        if again:
            log.warning(
                "advisor-bot was installed again in workspace %s: its data is kept and "
                "sending resumes",
                team_id,
            )
        else:
            log.info("advisor-bot was installed in workspace %s (%s)", team_id, team_name or "")

    def removed(self, team_id: str, *, why: str) -> datetime:
        """The app was uninstalled (or its token revoked): stop every send to the workspace
        now, delete its tokens, and plan the deletion of its data. Returns when it goes."""
        with self._transaction() as session:
            goes = workspaces.uninstalled(
                session, team_id=team_id, now=self.clock.now(), keep_for=self.keep_for
            )
        self.store.delete_bot(enterprise_id=None, team_id=team_id)
        self.store.delete_installation(enterprise_id=None, team_id=team_id)
        self._cache.pop(team_id, None)
        log.warning(
            "Stopped everything for workspace %s: %s. Its tokens are deleted; its data will be "
            "deleted at %s unless the app is installed there again",
            team_id,
            why,
            goes.isoformat(timespec="minutes"),
        )
        return goes

    def check_revocation(self, team_id: str) -> bool:
        """Slack says some tokens of the workspace were revoked: ask Slack whether the bot's
        own still works before stopping anything. True when it was revoked (and stopped)."""
        bot = self.bot(team_id)
        if bot is None:
            return False  # not installed there (or already removed): nothing to stop
        try:
            WebClient(token=bot.bot_token, base_url=self.api_url, timeout=10).auth_test()
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code in REVOKED:
                self.removed(team_id, why=f"Slack revoked its bot token ({code})")
                return True
            log.warning(
                "tokens_revoked in %s: auth.test answered %s; nothing stopped", team_id, code
            )
            return False
        except (SlackClientError, OSError) as error:
            log.warning(
                "tokens_revoked in %s: could not ask Slack (%s); the sender will", team_id, error
            )
            return False
        log.info("tokens_revoked in workspace %s: the bot's token still works", team_id)
        return False

    # --- the tick's chores

    def refresh_expiring(self) -> int:
        """Refresh every stored bot token that expires within REFRESH_BEFORE (token rotation),
        whether or not anything is due to be sent there. Returns how many were refreshed."""
        soon = datetime.fromtimestamp((self.clock.now() + REFRESH_BEFORE).timestamp(), UTC).replace(
            tzinfo=None
        )
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
                refreshed += self._refreshed(team_id) is not None
            except Exception:  # one workspace's failure never stops the others'
                log.exception("Could not refresh the token of workspace %s", team_id)
        return refreshed

    # --- inside

    def _refreshed(self, team_id: str) -> Bot | None:
        """Refresh the workspace's token (once, whichever process or thread gets there
        first); the bot with its fresh token, or None when Slack refused."""
        with self._one_refresh(team_id):
            bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
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
                code = str(error.response.get("error"))
                if code == "invalid_refresh_token":  # used up: by another process, perhaps
                    latest = self._refreshed_elsewhere(bot)
                    if latest is not None:
                        return latest
                if code in REVOKED:
                    self.removed(team_id, why=f"Slack refused to refresh its token ({code})")
                    return None
                log.warning("Could not refresh the token of workspace %s (%s)", team_id, code)
                return None
            except (SlackClientError, OSError) as error:
                log.warning("Could not refresh the token of workspace %s (%s)", team_id, error)
                return None
            fresh = Bot(**bot.to_dict_for_copying())
            fresh.bot_token = answer["access_token"]
            fresh.bot_refresh_token = answer.get("refresh_token") or bot.bot_refresh_token
            fresh.bot_token_expires_at = int(now) + int(answer.get("expires_in") or 43_200)
            self.store.save_bot(fresh)
            self._cache.pop(team_id, None)
            log.info("Refreshed the bot token of workspace %s", team_id)
            return fresh

    def _refreshed_elsewhere(self, bot: Bot, *, wait: float = 3.0) -> Bot | None:
        """The bot as another process saved it after refreshing with the same refresh token
        (on SQLite no lock keeps two processes from trying at once): it saves right after
        Slack answers it, so it is looked for a few times before the token counts as revoked."""
        deadline = time.monotonic() + wait
        while True:
            latest = self.store.find_bot(enterprise_id=None, team_id=bot.team_id)
            if latest is None or latest.bot_refresh_token != bot.bot_refresh_token:
                return latest
            if time.monotonic() >= deadline:
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
    def _expiring(expires_at: float | None, now: float, margin: float | None = None) -> bool:
        if expires_at is None:
            return False
        before = REFRESH_BEFORE.total_seconds() if margin is None else margin
        return expires_at <= now + before

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


# Deleted when the app is uninstalled (Installs.removed); any left at the end of the grace
# period belong to an install made since, which the deletion must not touch.
TOKEN_TABLES = frozenset({"slack_bots", "slack_installations"})


def purge_expired(sessions: Callable[[], Session], clock: Clock, forget_workspace) -> int:
    """Delete the data of every workspace uninstalled longer ago than its grace period. Each
    workspace on its own: one that fails is logged and tried on the next tick."""
    with sessions() as session:
        teams = workspaces.to_delete(session, now=clock.now())
    for team_id in teams:
        try:
            with sessions() as session:
                if not workspaces.to_delete_now(session, team_id=team_id, now=clock.now()):
                    continue  # installed again meanwhile
                counts = forget_workspace(session, team_id=team_id, keep=TOKEN_TABLES)
        except Exception:
            log.exception("Could not delete the data of workspace %s; trying again later", team_id)
            continue
        log.warning(
            "Deleted the data of workspace %s (uninstalled past its grace period): %d rows",
            team_id,
            sum(counts.values()),
        )
    return len(teams)
