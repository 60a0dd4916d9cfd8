"""Start-up, the only place that reads the environment: `advisor-bot` and `python -m bot`."""

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from urllib.error import URLError

from alembic.util import CommandError
from dotenv import find_dotenv, load_dotenv
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.app import build_app
from bot.config import Config, ConfigError, load_config
from bot.delivery.pacing import Pacing
from bot.delivery.sender import OneWorkspace, Sender, client_for_sending
from bot.installs import EncryptedInstallations, Installs, SignedStates, TokenCipher
from bot.oauth import INSTALL_PATH, InstallFlow, install_flow
from bot.scheduler import Ticker, process_name, start_scheduler
from bot.server import EVENTS_PATH, Limits, SlackFront, make_server, outbox_health
from bot.slack_client import make_web_client
from core import workspaces
from core.clock import SystemClock
from core.db import database_answers, make_engine, migrate, session_factory

log = logging.getLogger("advisor-bot")
TOKEN_ERRORS = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")


class StartupError(Exception):
    """Start-up cannot go on; the message is the one line the operator sees."""


def main() -> int:
    load_dotenv(find_dotenv(usecwd=True))
    try:
        config = load_config(os.environ)
        _configure_logging(config.log_level)
        run(config)
    except (ConfigError, StartupError) as problem:
        print(f"advisor-bot: {problem}", file=sys.stderr)
        return 2 if isinstance(problem, ConfigError) else 1
    except KeyboardInterrupt:  # Ctrl-C during start-up
        return 130
    return 0


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else logging.WARNING)
    # The scheduler's own lines (its wake-ups; a tick still running when the next is due,
    # which merges by design) would drown the bot's own; Slack's SDKs log whole request
    # bodies (members' notes) at DEBUG: the bot's own lines say what it decided and sent.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    for sdk in ("slack_sdk", "slack_bolt"):
        logging.getLogger(sdk).setLevel(max(logging.INFO, logging.getLevelName(level)))
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client we give it wins; it does.
    logging.getLogger("slack_bolt.App").addFilter(
        lambda record: not record.getMessage().startswith("As you gave `client` as well")
    )


def run(config: Config) -> None:
    """Connect to Slack, migrate, start the scheduler and serve until SIGTERM or Ctrl-C."""
    engine = make_engine(config.database_url)
    clock = SystemClock()
    listeners = ThreadPoolExecutor(max_workers=8, thread_name_prefix="listener")
    installs, flow = make_installs(config, engine, clock) if config.oauth else (None, None)
    sender = make_sender(config, session_factory(engine), clock, installs)
    app = _connect_to_slack(
        config, session_factory(engine), clock, listeners, sender, installs=installs, flow=flow
    )
    shown_url = _migrate(engine, config.database_url)
    if installs is None:
        _installed_here(app, session_factory(engine), clock)
    health = partial(outbox_health, session_factory(engine), clock)
    serve = (
        _socket_mode(app, config)
        if config.socket_mode
        else _http(app, config, engine, health, flow)
    )
    ticker = Ticker(session_factory(engine), clock, sender, installs=installs)
    scheduler = start_scheduler(ticker, seconds=config.tick_seconds)
    log.info("database %s; scheduler ticks every %g s", shown_url, config.tick_seconds)
    try:
        serve()
    finally:
        for stop_signal in (signal.SIGTERM, signal.SIGINT):  # a second Ctrl-C won't cut the drain
            signal.signal(stop_signal, signal.SIG_IGN)
        sender.stop()  # a tick under way ends after the Slack call in flight, not its backlog
        scheduler.shutdown(wait=True)
        listeners.shutdown(wait=True)  # answers already acked still go out
        engine.dispose()
        log.info("advisor-bot stopped")


def make_installs(config: Config, engine, clock) -> tuple[Installs, InstallFlow]:
    """Installed through OAuth in any number of workspaces: the tokens (encrypted, in the
    bot's database) and the install flow at /slack/install."""
    oauth = config.oauth
    store = SQLAlchemyInstallationStore(client_id=oauth.client_id, engine=engine)
    installs = Installs(
        EncryptedInstallations(store, TokenCipher(oauth.encryption_keys)),
        session_factory(engine),
        clock,
        api_url=config.api_url,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        keep_for=timedelta(days=config.retention_days),
        engine=engine,
    )
    flow = install_flow(
        client=client_for_sending(None, config.api_url),  # a code is exchanged once: no retries
        installs=installs,
        states=SignedStates(engine, oauth.state_secret),
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        redirect_uri=oauth.redirect_uri,
        retention_days=config.retention_days,
        clock=clock,
    )
    return installs, flow


def make_sender(config: Config, sessions, clock, installs: Installs | None = None) -> Sender:
    """The one sender of everything the bot posts on its own, shared by the tick and the
    listeners (so they share its pacing), with a client per workspace."""
    return Sender(
        installs or OneWorkspace(config.bot_token, config.api_url),
        sessions,
        clock,
        process=process_name(),
        pacing=Pacing(config.send_per_minute / 60),
    )


def _migrate(engine, database_url: str) -> str:
    shown_url = make_url(database_url).render_as_string(hide_password=True)
    try:
        migrate(engine)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise StartupError(
            f"cannot reach the database at DATABASE_URL={shown_url}: {reason}"
        ) from None
    except CommandError as error:  # e.g. a newer release migrated it, then this one was started
        raise StartupError(
            f"the database at DATABASE_URL={shown_url} has a schema this version of advisor-bot "
            f"does not know ({error}): run the newest release, or restore a backup."
        ) from None
    return shown_url


@contextmanager
def _quiet_slack_sdk():
    """Start-up checks end in one line of ours; slack_sdk's own error logs would only repeat it."""
    sdk = logging.getLogger("slack_sdk")
    level = sdk.level
    sdk.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        sdk.setLevel(level)


def _installed_here(app, sessions, clock) -> None:
    """One workspace: its token works (start-up checked it), so the app is installed there; if
    it had been uninstalled, sending resumes and its data is kept."""
    try:
        team_id = app.client.auth_test().get("team_id")
    except (SlackClientError, URLError, OSError) as error:  # asked a moment ago: next start
        log.warning("Could not ask Slack which workspace this is (%s)", error)
        return
    if team_id:
        with sessions() as session, session.begin():
            if workspaces.installed(session, team_id=team_id, now=clock.now()):
                log.warning("advisor-bot is installed again in workspace %s: resuming", team_id)


def _connect_to_slack(config: Config, sessions, clock, listeners, sender, *, installs, flow):
    client = make_web_client(config.bot_token, config.api_url)
    try:
        with _quiet_slack_sdk():
            app = build_app(
                client=client,
                signing_secret=config.signing_secret,
                sessions=sessions,
                clock=clock,
                executor=listeners,
                sender=sender,
                installs=installs,
                oauth_flow=flow,
                keep_for=timedelta(days=config.retention_days),
            )
    except BoltError as error:
        code = next((c for c in TOKEN_ERRORS if c in str(error)), None)
        if code is None:  # an answer that is not Slack's: the URL is wrong
            raise StartupError(
                f"the Slack Web API at SLACK_API_URL={config.api_url} did not answer auth.test "
                "as Slack does: check SLACK_API_URL, or leave it unset."
            ) from None
        raise StartupError(
            f"Slack did not accept SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token "
            "from 'OAuth & Permissions' of your app's page at https://api.slack.com/apps."
        ) from None
    except (URLError, OSError, SlackClientError) as error:
        raise StartupError(
            f"cannot reach the Slack Web API at SLACK_API_URL={config.api_url}: {error}"
        ) from None
    return app


def _http(app, config: Config, engine, health: Callable[[], dict], flow=None):
    """Bind the port now, so a busy port ends start-up with one line; serving comes later."""
    front = SlackFront(
        app,
        signing_secret=config.signing_secret,
        database_answers=partial(database_answers, engine),
        outbox_health=health,
        oauth=flow,
    )
    try:
        limits = Limits(config.max_connections, config.idle_timeout, config.request_timeout)
        server = make_server(front, host=config.host, port=config.port, limits=limits)
    except OSError as error:
        raise StartupError(
            f"cannot listen on HOST={config.host} PORT={config.port} ({error.strerror}): "
            "stop the program using it or set PORT to a free port."
        ) from None

    def serve() -> None:
        where = f"http://{config.host}:{server.effective_port}{EVENTS_PATH}"
        log.info("listening on %s (HTTP mode)", where)
        if flow is not None:
            log.info(
                "install page: http://%s:%s%s", config.host, server.effective_port, INSTALL_PATH
            )
        signal.signal(signal.SIGTERM, _stop)
        server.run()  # returns after SIGTERM/SIGINT, once waitress has finished in-flight requests

    return serve


def _socket_mode(app, config: Config) -> Callable[[], None]:
    """Check the app-level token now (Socket Mode itself would only log a refusal)."""
    try:
        with _quiet_slack_sdk():
            app.client.apps_connections_open(app_token=config.app_token)
    except SlackApiError as error:
        raise StartupError(
            f"Slack did not accept SLACK_APP_TOKEN ({error.response.get('error')}): create an "
            "App-Level Token with connections:write on 'Basic Information' of your app's page "
            "at https://api.slack.com/apps, and enable Socket Mode in the app's settings."
        ) from None
    except (URLError, OSError, SlackClientError) as error:
        raise StartupError(
            f"cannot reach the Slack Web API at SLACK_API_URL={config.api_url}: {error}"
        ) from None

    def serve() -> None:
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        handler = SocketModeHandler(app, config.app_token)
        handler.connect()
        if handler.client.is_connected():
            log.info("connected to Slack (Socket Mode)")
        else:
            log.warning("the Socket Mode connection is not open yet; retrying in the background")
        stopping.wait()
        handler.close()

    return serve


def _stop(*_) -> None:
    raise KeyboardInterrupt  # waitress treats it as the signal to drain and stop


if __name__ == "__main__":
    sys.exit(main())
