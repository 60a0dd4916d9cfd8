"""`advisor-bot` as an operator runs it: settings checked, database migrated, served, stopped."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from core.db import make_engine, migrate
from tests.fakes import BOT_TOKEN, SIGNING_SECRET, FakeSocketMode
from tests.payloads import SlackSender, direct_message, slash_command

ADVISOR_BOT = Path(sys.executable).with_name("advisor-bot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(**settings: str) -> dict:
    """The machine's environment without any Slack or database settings, plus `settings`."""
    ours = ("SLACK_", "DATABASE_URL", "HOST", "PORT", "ADVISOR_", "LOG_LEVEL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return env | {"HOST": "127.0.0.1"} | settings


def run_to_exit(tmp_path, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ADVISOR_BOT)],
        cwd=tmp_path,
        env=bot_env(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_without_settings_it_names_the_missing_variable_and_exits(tmp_path):
    line = one_line_error(run_to_exit(tmp_path))

    assert line.startswith("advisor-bot: SLACK_BOT_TOKEN is not set")


def test_a_malformed_setting_is_named(tmp_path):
    result = run_to_exit(
        tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT="eighty"
    )

    assert one_line_error(result).startswith("advisor-bot: PORT should be a whole number")


def test_settings_are_read_from_a_dotenv_file_in_the_working_directory(tmp_path):
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET=\n")

    assert "SLACK_SIGNING_SECRET is not set" in one_line_error(run_to_exit(tmp_path))


def test_a_database_that_cannot_be_reached_ends_start_up_with_one_line(tmp_path, fake_slack):
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/advisor?connect_timeout=3"

    result = run_to_exit(tmp_path, **connected(fake_slack, tmp_path, DATABASE_URL=unreachable))

    line = one_line_error(result)
    assert "cannot reach the database at DATABASE_URL=postgresql+psycopg://" in line


def test_a_token_slack_rejects_ends_start_up_with_one_line(tmp_path, fake_slack):
    result = run_to_exit(
        tmp_path, **connected(fake_slack, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked")
    )

    assert "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)" in one_line_error(result)


def test_a_port_already_taken_ends_start_up_with_one_line(tmp_path, fake_slack):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_to_exit(
            tmp_path, **connected(fake_slack, tmp_path, PORT=str(taken.getsockname()[1]))
        )

    assert "cannot listen on HOST=127.0.0.1 PORT=" in one_line_error(result)


def test_a_slack_api_that_cannot_be_reached_ends_start_up_with_one_line(tmp_path, fake_slack):
    nobody = f"http://127.0.0.1:{free_port()}/api/"

    result = run_to_exit(tmp_path, **connected(fake_slack, tmp_path, SLACK_API_URL=nobody))

    assert "cannot reach the Slack Web API at SLACK_API_URL=http://127.0.0.1:" in (
        one_line_error(result)
    )


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("advisor-bot exited early")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.05)  # waiting for a real process to bind its port
    pytest.fail("advisor-bot did not answer /healthz in time")


def wait_for_line(path: Path, text: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"{text!r} never appeared in the log"
        time.sleep(0.05)  # a real process writes its log in real time


@contextlib.contextmanager
def running(tmp_path: Path, **settings: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    """advisor-bot in the background, its output in a log file; SIGTERM and a wait at the end."""
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [str(ADVISOR_BOT)],
            cwd=tmp_path,
            env=bot_env(**settings),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, log_path
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)


def connected(fake_slack, tmp_path: Path, **settings: str) -> dict:
    """Settings for a bot that talks to the fake Slack and keeps its data in tmp_path."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'advisor.db'}",
        **settings,
    }


def test_it_serves_health_and_help_ticks_and_stops_cleanly_on_sigterm(
    tmp_path, fake_slack, database_url
):
    port = free_port()
    settings = connected(fake_slack, tmp_path, DATABASE_URL=database_url, PORT=str(port))
    with running(tmp_path, **settings, ADVISOR_TICK_SECONDS="0.2", LOG_LEVEL="DEBUG") as (
        process,
        log_path,
    ):
        url = f"http://127.0.0.1:{port}"
        assert wait_for_health(url, process) == 200

        answer = SlackSender(url).command("help", response_url=fake_slack.response_url())
        assert answer.status == 200
        assert "/advisor help" in answer.body
        wait_for_line(log_path, "tick at")

    log = log_path.read_text()
    assert process.returncode == 0, log
    assert "advisor-bot stopped" in log
    assert "Traceback" not in log


def test_socket_mode_asks_the_configured_api_for_a_connection_with_the_app_token(
    tmp_path, fake_slack
):
    fake_slack.fail("apps.connections.open", "invalid_auth")

    result = run_to_exit(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-1-A0ADVISOR-revoked",
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'advisor.db'}",
    )

    assert "Slack did not accept SLACK_APP_TOKEN (invalid_auth)" in one_line_error(result)
    [call] = fake_slack.calls_to("apps.connections.open")
    assert call.headers["authorization"] == "Bearer xapp-1-A0ADVISOR-revoked"


def test_in_socket_mode_it_answers_advisor_help_over_the_websocket_and_stops_on_sigterm(
    tmp_path, fake_slack
):
    socket_mode = FakeSocketMode().start()
    fake_slack.socket_mode_url = socket_mode.url
    command = parse_qs(slash_command("help", response_url=fake_slack.response_url()))
    settings = connected(fake_slack, tmp_path, SLACK_APP_TOKEN="xapp-1-A0ADVISOR-1-abc")
    del settings["SLACK_SIGNING_SECRET"]
    try:
        with running(tmp_path, **settings) as (process, log_path):
            socket_mode.push(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": {k: v[0] for k, v in command.items()},
                }
            )
            ack = socket_mode.wait_for_ack("env-1", timeout=20)
    finally:
        socket_mode.stop()

    assert "/advisor help" in json.dumps(ack["payload"]["blocks"])
    assert ack["payload"]["response_type"] == "ephemeral"
    assert process.returncode == 0, log_path.read_text()


def test_an_answer_already_acked_still_goes_out_when_sigterm_arrives(tmp_path, fake_slack):
    fake_slack.rate_limit("chat.postMessage", retry_after=1)
    port = free_port()
    with running(tmp_path, **connected(fake_slack, tmp_path, PORT=str(port))) as (process, _):
        url = f"http://127.0.0.1:{port}"
        wait_for_health(url, process)
        assert SlackSender(url).event(direct_message("hello")).status == 200
        fake_slack.wait_for("chat.postMessage")  # rate-limited: the bot now waits 1 s to retry

    assert process.returncode == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_a_database_migrated_by_a_newer_release_ends_start_up_with_one_line(tmp_path, fake_slack):
    url = f"sqlite:///{tmp_path / 'advisor.db'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()

    result = run_to_exit(tmp_path, **connected(fake_slack, tmp_path, DATABASE_URL=url))

    assert "has a schema this version of advisor-bot does not know" in one_line_error(result)


def test_a_slack_api_url_that_is_not_slacks_api_ends_start_up_with_one_line(tmp_path, fake_slack):
    wrong_path = fake_slack.base + "/not-the-api/"

    result = run_to_exit(tmp_path, **connected(fake_slack, tmp_path, SLACK_API_URL=wrong_path))

    assert "did not answer auth.test as Slack does: check SLACK_API_URL" in one_line_error(result)


def test_installed_through_oauth_it_serves_the_install_page_without_a_bot_token(
    tmp_path, fake_slack
):
    port = free_port()
    settings = connected(fake_slack, tmp_path, PORT=str(port), SLACK_BOT_TOKEN="")
    settings |= {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_STATE_SECRET": "a-state-secret-long-enough",
        "ADVISOR_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    with running(tmp_path, **settings) as (process, log_path):
        url = f"http://127.0.0.1:{port}"
        assert wait_for_health(url, process) == 200
        with urllib.request.urlopen(url + "/slack/install", timeout=5) as page:
            assert "Add to Slack" in page.read().decode()
        wait_for_line(log_path, "install page: ")
    log = log_path.read_text()
    assert process.returncode == 0, log
    assert "Traceback" not in log and not fake_slack.calls_to("auth.test")


def test_without_the_encryption_key_oauth_start_up_ends_with_one_line(tmp_path):
    settings = {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_STATE_SECRET": "a-state-secret-long-enough",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    line = one_line_error(run_to_exit(tmp_path, **settings))

    assert line.startswith("advisor-bot: ADVISOR_ENCRYPTION_KEY is not set")
