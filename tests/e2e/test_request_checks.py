"""Only Slack gets in: bad signatures get 401, malformed bodies 400, never a 500; health answers."""

import hashlib
import hmac
import http.client
import io
import logging
import time
import urllib.request
from datetime import timedelta
from functools import partial

import pytest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from sqlmodel import Session, func, select

from bot.server import MAX_BODY_BYTES, RefusalLog, SlackFront
from core import outbox, workspaces
from core.models import Member
from tests.fakes import SIGNING_SECRET, eventually, sign
from tests.payloads import FORM, JSON, event_callback, slash_command, url_verification

# Timestamps a lax parser takes for a number (or chokes on); the signature itself is right
HOSTILE_STAMPS = {
    "superscript two": "\xb2",
    "5,000 digits": "1" * 5000,
    "negative": "-{now}",
    "plus sign": "+{now}",
    "leading space": " {now}",
    "trailing space": "{now} ",
    "spaces inside": "17 64",
    "underscores": "1_764_000_000",
    "a float": "{now}.0",
    "an exponent": "1.7e9",
    "missing": "",
}


def _stamped(body: str, stamp: str) -> dict:
    """Headers signed over `stamp` exactly as sent: only its strict reading decides."""
    stamp = stamp.format(now=int(time.time()))
    digest = hmac.new(
        SIGNING_SECRET.encode(), f"v0:{stamp}:{body}".encode("latin-1", "replace"), hashlib.sha256
    ).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@pytest.fixture
def help_body(fake_slack) -> str:
    return slash_command("help", response_url=fake_slack.response_url())


def nothing_happened(bot, fake_slack, engine) -> bool:
    bot.settle()
    with Session(engine) as session:
        members = session.exec(select(func.count()).select_from(Member)).one()
    return [c.method for c in fake_slack.calls] == ["auth.test"] and members == 0


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: {}, id="unsigned"),
        pytest.param(lambda body: sign(body, secret="not-the-secret"), id="wrong secret"),
        pytest.param(lambda body: sign(body + "&text=add"), id="body changed after signing"),
        pytest.param(lambda body: sign(body, timestamp=int(time.time()) - 301), id="stale"),
        pytest.param(
            lambda body: sign(body, timestamp=int(time.time()) + 301), id="from the future"
        ),
        pytest.param(
            lambda body: {**sign(body), "X-Slack-Request-Timestamp": "noon"},
            id="timestamp not a number",
        ),
        *[
            pytest.param(lambda body, stamp=stamp: _stamped(body, stamp), id=name)
            for name, stamp in HOSTILE_STAMPS.items()
        ],
        pytest.param(lambda body: {**sign(body), "X-Slack-Signature": "v0=\xb2"}, id="sig ²"),
        pytest.param(
            lambda body: {**sign(body), "X-Slack-Signature": "v0=" + "f" * 5000}, id="long"
        ),
    ],
)
def test_a_request_without_a_valid_fresh_signature_gets_401_and_changes_nothing(
    bot, fake_slack, engine, help_body, headers
):
    answer = bot.slack.post(help_body, content_type=FORM, headers=headers(help_body))

    assert answer.status == 401
    assert nothing_happened(bot, fake_slack, engine)


def test_refused_signatures_are_logged_once_with_the_setting_to_check(bot, help_body, caplog):
    with caplog.at_level("WARNING", logger="bot.server"):
        for _ in range(3):
            bot.slack.post(help_body, content_type=FORM, headers=sign(help_body, secret="wrong"))

    [warning] = [r.getMessage() for r in caplog.records if r.name == "bot.server"]
    assert warning.startswith("refused 1 request(s)")
    assert "SLACK_SIGNING_SECRET" in warning


def test_an_unsigned_body_that_is_not_even_utf8_gets_401_not_400(bot):
    assert bot.slack.post(b"\xff\xfe", content_type=FORM, headers={}).status == 401


def test_a_signature_just_under_five_minutes_old_is_still_accepted(bot, help_body):
    headers = sign(help_body, timestamp=int(time.time()) - 290)

    assert bot.slack.post(help_body, content_type=FORM, headers=headers).status == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", JSON),
        ("[1, 2, 3]", JSON),
        ('"just a string"', JSON),
        ("payload=%7Bbroken", FORM),
        ("payload=%5B1%2C2%5D", FORM),
        (b"\xff\xfe\x00garbage", FORM),
    ],
)
def test_a_signed_but_malformed_body_gets_400_and_changes_nothing(
    bot, fake_slack, engine, body, content_type
):
    headers = sign(body)

    answer = bot.slack.post(body, content_type=content_type, headers=headers)

    assert answer.status == 400
    assert nothing_happened(bot, fake_slack, engine)


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"type": "event_callback"}',
        '{"type": "event_callback", "event": "not an object"}',
        '{"type": "block_actions"}',
        '{"type": "view_submission", "view": 3}',
        "command=%2Fadvisor",
        "text=help",
    ],
)
def test_odd_but_well_formed_payloads_never_cause_a_server_error(bot, body):
    content_type = JSON if body.startswith("{") else FORM

    answer = bot.slack.post(body, content_type=content_type)

    assert answer.status < 500


def test_an_oversized_body_is_refused_before_it_is_read(bot):
    connection = http.client.HTTPConnection(bot.url.removeprefix("http://"), timeout=5)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Type", FORM)
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
    connection.endheaders()  # no body sent: the server answers from the headers alone

    assert connection.getresponse().status == 413
    connection.close()


def test_slacks_url_verification_challenge_is_echoed(bot):
    answer = bot.slack.post(url_verification("c-123"), content_type=JSON)

    assert answer.status == 200
    assert answer.json() == {"challenge": "c-123"}


def test_health_is_200_while_the_database_answers_and_counts_what_the_outbox_could_not_send(
    bot, engine, clock
):
    answer = bot.slack.get("/healthz")

    assert answer.status == 200
    assert answer.json() == {
        "status": "ok",
        "database": "ok",
        "outbox": {
            "failed": 0,
            "failed_last_day": 0,
            "refused_last_day": 0,
            "overdue": 0,
            "paused_workspaces": [],
            "uninstalled_workspaces": [],
        },
    }
    with Session(engine) as session:
        for key in ("gone", "stuck", "broken"):
            outbox.enqueue(
                session,
                team_id="T0TEST",
                purpose="nudge",
                key=key,
                target=outbox.Target.dm("U0ALICE"),
                now=clock.now(),
            )
        outbox.take(session, row_id=1, process="p", now=clock.now())
        outbox.give_up(
            session, row_id=1, process="p", error="user_not_found", now=clock.now(), gone=True
        )
        outbox.take(session, row_id=3, process="p", now=clock.now())
        outbox.give_up(session, row_id=3, process="p", error="invalid_blocks", now=clock.now())
        workspaces.token_refused(session, team_id="T0TEST", error="token_revoked", now=clock.now())
        workspaces.uninstalled(
            session, team_id="T0GONE", now=clock.now(), keep_for=timedelta(days=30)
        )
        session.commit()
    clock.advance(minutes=20)

    assert bot.slack.get("/healthz").json()["outbox"] == {
        "failed": 1,  # a message Slack rejects: worth a look
        "failed_last_day": 1,
        "refused_last_day": 1,  # someone who left: expected
        "overdue": 0,  # its workspace is stopped: not overdue, paused
        "paused_workspaces": ["T0TEST"],
        "uninstalled_workspaces": ["T0GONE"],  # its data waits out the grace period
    }


def test_health_is_503_when_the_database_does_not_answer(fake_slack):
    from bot.app import build_app
    from bot.server import SlackFront
    from bot.slack_client import make_web_client
    from core.db import database_answers, make_engine
    from tests.fakes import BOT_TOKEN, FakeClock

    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/gone?connect_timeout=2")
    app = build_app(
        client=make_web_client(BOT_TOKEN, fake_slack.api_url),
        signing_secret=SIGNING_SECRET,
        sessions=lambda: Session(down),
        clock=FakeClock(),
    )
    front = SlackFront(
        app, signing_secret=SIGNING_SECRET, database_answers=partial(database_answers, down)
    )

    assert front.respond(_get("/healthz")).status.startswith("503")


def test_health_answers_head_requests_too(bot):
    request = urllib.request.Request(bot.url + "/healthz", method="HEAD")

    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def test_other_paths_and_methods_get_404_and_405(bot):
    assert bot.slack.get("/slack/events").status == 405
    assert bot.slack.get("/admin").status == 404


def test_an_event_for_the_app_uninstalled_is_acknowledged_and_logged(bot, caplog):
    body = event_callback({"type": "app_uninstalled", "event_ts": "1.2"})

    with caplog.at_level("WARNING"):
        answer = bot.slack.post(body, content_type=JSON)
        assert answer.status == 200
        eventually(lambda: "uninstalled" in caplog.text)


def _get(path: str):
    from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest

    return WsgiHttpRequest(
        {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1"}
    )


def test_hundreds_of_hostile_requests_get_only_401s_and_a_line_or_two_of_log(
    bot, help_body, caplog
):
    now = str(int(time.time()))
    hostile = [
        *[_stamped(help_body, stamp) for stamp in HOSTILE_STAMPS.values()],
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=\xb2\xb2"},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": now},
        {},
    ]
    host = bot.url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=5)  # one connection: hundreds fast
    statuses = []
    with caplog.at_level(logging.DEBUG):
        for n in range(600):
            headers = {"Content-Type": FORM, **hostile[n % len(hostile)]}
            connection.request("POST", "/slack/events", body=help_body, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    connection.close()

    assert set(statuses) == {401}
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].getMessage().startswith("refused 1 request(s)")
    assert not any(r.exc_info for r in caplog.records)


def test_the_refusal_log_counts_what_it_refused_since_its_last_line(caplog):
    now = [0.0]
    refusals = RefusalLog(clock=lambda: now[0])

    with caplog.at_level("WARNING", logger="bot.server"):
        for second in range(150):  # one refused request a second, for two and a half minutes
            now[0] = float(second)
            refusals.note("signature")
            refusals.note("shape", f"body.actions[{second}] is missing")

    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(" with")[0].split(" signed")[0] for line in lines] == [
        "refused 1 request(s)",
        "refused 1 request(s)",
        "refused 60 request(s) in the last 60 s",
        "refused 60 request(s) in the last 60 s",
        "refused 60 request(s) in the last 60 s",
        "refused 60 request(s) in the last 60 s",
    ]
    assert lines[-1].endswith("(latest: body.actions[120] is missing)")


@pytest.mark.parametrize(
    ("length", "status"),
    [
        ("\xb2", 400),
        ("-1", 400),
        (" 12", 400),
        ("1e3", 400),
        ("\u0661\u0662", 400),  # Arabic-Indic digits: int() reads them, Slack never sends them
        ("9" * 5000, 413),
        (str(MAX_BODY_BYTES + 1), 413),
    ],
)
def test_a_content_length_that_is_not_plain_digits_is_refused_before_anything_is_read(
    length, status
):
    front = SlackFront(app=None, signing_secret=SIGNING_SECRET, database_answers=lambda: True)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": length,
        "wsgi.input": io.BytesIO(b"unread"),
    }

    answer = front.respond(WsgiHttpRequest(environ))

    assert answer.status.startswith(str(status)) and environ["wsgi.input"].tell() == 0
