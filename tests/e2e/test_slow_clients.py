"""Idle and slow connections cannot take the bot offline: a thousand idle connections leave room
for Slack, idle ones are closed, and so is a request that trickles in a byte at a time.

These wait on the wall clock on purpose (the server's own timeouts), kept to a few seconds."""

import resource
import socket
import time
from contextlib import ExitStack

import pytest

from bot.server import Limits
from tests.conftest import running_bot
from tests.payloads import FORM, slash_command

IDLE = 1_000
# A request begun and never finished: headers, then nothing
HALF_A_REQUEST = b"POST /slack/events HTTP/1.1\r\nHost: advisor\r\nContent-Type: "


def room_for_sockets(count: int) -> None:
    """Each loopback connection is two open files in this process (client and server side)."""
    wanted = 2 * count + 512
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"needs {wanted} open files, and `ulimit -Hn` allows only {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def idle_connections(stack: ExitStack, url: str, count: int, *, send: bytes = b"") -> list:
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        connection = stack.enter_context(socket.create_connection((host, int(port)), timeout=5))
        if send:
            connection.sendall(send)
        sockets.append(connection)
    return sockets


def closed_by_the_server(connection: socket.socket, *, within: float) -> bool:
    connection.settimeout(within)
    try:
        return connection.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def timed_help(bot, fake_slack) -> tuple[int, float]:
    body = slash_command("help", response_url=fake_slack.response_url())
    started = time.monotonic()
    answer = bot.slack.post(body, content_type=FORM)
    return answer.status, time.monotonic() - started


def test_a_signed_help_is_answered_within_a_second_while_a_thousand_connections_idle(
    bot, fake_slack
):
    room_for_sockets(IDLE)
    with ExitStack() as stack:
        idle_connections(stack, bot.url, IDLE // 2)
        idle_connections(stack, bot.url, IDLE // 2, send=HALF_A_REQUEST)

        # accept() takes connections in order: once this is answered, all 1,000 were accepted
        status, seconds = timed_help(bot, fake_slack)

        assert status == 200 and seconds < 1.0, f"{status} after {seconds:.2f} s"
        assert bot.slack.get("/healthz").status == 200


def test_a_full_house_of_idle_connections_is_dropped_and_the_bot_answers_again(
    engine, fake_slack, clock
):
    limits = Limits(connections=50, idle_seconds=1.0, request_seconds=30.0)
    with running_bot(engine, fake_slack, clock, limits) as bot, ExitStack() as stack:
        idle = idle_connections(stack, bot.url, 60)

        status, seconds = timed_help(bot, fake_slack)

        assert status == 200 and seconds < 3.0, f"{status} after {seconds:.2f} s"
        assert all(closed_by_the_server(c, within=3.0) for c in idle[:50])


def test_a_request_trickling_in_a_byte_at_a_time_is_closed_though_never_idle(
    engine, fake_slack, clock
):
    limits = Limits(connections=100, idle_seconds=30.0, request_seconds=1.0)
    with running_bot(engine, fake_slack, clock, limits) as bot, ExitStack() as stack:
        [slow] = idle_connections(stack, bot.url, 1)
        started = time.monotonic()
        closed = False
        for byte in HALF_A_REQUEST:  # a byte every 0.2 s: never idle for even one second
            try:
                slow.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if closed_by_the_server(slow, within=0.2):
                closed = True
                break

        assert closed and time.monotonic() - started < 3.0
        assert timed_help(bot, fake_slack)[0] == 200


def test_a_kept_alive_connection_serves_one_request_after_another(bot):
    host, port = bot.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        for _ in range(3):
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: advisor\r\n\r\n")
            time.sleep(0.3)
            assert connection.recv(4096).startswith(b"HTTP/1.1 200")
