"""Malformed signed payloads get 400, never a 500 or a traceback: the cases found from outside,
then thousands of payloads mutated from Slack's real shapes and from our own builders.

The fuzz tests call the WSGI application in-process (no TCP connection per request), with
every request signed for real and checked by SlackFront before the real app's listeners run."""

import io
import json
import logging
import re
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlmodel import Session

from bot import ids
from bot.app import build_app
from bot.server import REFUSALS, SlackFront
from bot.slack_client import make_web_client
from core.db import database_answers, make_engine, migrate
from tests.e2e import fuzz
from tests.fakes import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, SettlingExecutor, sign
from tests.payloads import (
    ALICE,
    FORM,
    JSON,
    app_home_opened,
    app_mention,
    block_action,
    direct_message,
    event_callback,
    message_shortcut,
    modal_click,
    slash_command,
)
from tests.reference import SLACK_REFERENCE, reference_file

ACTIONS = [
    ids.ADD_ADVISOR,
    ids.LOG_TOUCHPOINT,
    ids.EDIT_ADVISOR,
    ids.EASE_ASIDE,
    ids.BRING_BACK,
    ids.REMOVE_ADVISOR,
    ids.ADVISOR_MENU,
    ids.PROMISE_MENU,
    *(ids.PROMISE_BUTTON.format(c) for c in ("done", "update", "move", "drop")),
    ids.OPEN_SETTINGS,
    ids.NUDGE_LOG,
    ids.NUDGE_SNOOZE,
    ids.NUDGE_EASE,
    ids.NUDGE_UPDATE,
    ids.NUDGE_DONE,
    ids.NUDGE_MOVE,
    ids.NUDGE_PICK + "_0",
    ids.NUDGE_FORWARD,
    ids.HISTORY,
    ids.HISTORY_OLDER,
    ids.HISTORY_NEWEST,
    ids.DELETE_TOUCHPOINT,
    ids.LIST_MORE,
    ids.PROMISES_MORE,
    ids.WHO_LOG + "_0",
    ids.WHO_PROMISE + "_0",
    ids.SEND_SAMPLE,
    ids.SAMPLE_ACTION + "_0",
]
# Where the bot puts each button: one in a modal is clicked with the modal, one in a message
# with its response URL (a click placed elsewhere is a listener's question, not the edge's)
IN_A_MODAL = {ids.HISTORY_OLDER, ids.HISTORY_NEWEST, ids.DELETE_TOUCHPOINT}
IN_A_MESSAGE = {
    ids.LIST_MORE,
    ids.PROMISES_MORE,
    ids.WHO_LOG + "_0",
    ids.WHO_PROMISE + "_0",
    ids.SAMPLE_ACTION + "_0",
    *(a for a in ACTIONS if a.startswith("nudge_")),
}
VIEWS = [
    ids.ADD_ADVISOR_VIEW,
    ids.EDIT_ADVISOR_VIEW,
    ids.LOG_TOUCHPOINT_VIEW,
    ids.SETTINGS_VIEW,
    ids.MAKE_PROMISE_VIEW,
    ids.UPDATE_PROMISE_VIEW,
    ids.RENEGOTIATE_VIEW,
    ids.DROP_PROMISE_VIEW,
]
SUBCOMMANDS = ["help", "list", "add Grace", "log Grace coffee", "promise Grace intro by Friday"]
ALLOWED = {200, 400, 401, 413}
# The slowest of 10,000 answers, on a busy 2-core CI machine: under Slack's 3 s (how fast a
# typical answer is, is bench/help_latency's to say)
ANSWER_BUDGET_SECONDS = 2.5


@dataclass
class Front:
    """The WSGI application, called in-process, and the listeners it starts."""

    app: SlackFront
    listeners: SettlingExecutor

    def call(self, body: bytes, content_type: str) -> tuple[int, float]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in sign(body).items()},
        }
        status: list[str] = []
        started = time.monotonic()
        b"".join(self.app(environ, lambda s, headers: status.append(s)))
        return int(status[0].split()[0]), time.monotonic() - started


@pytest.fixture
def front(fake_slack, clock, tmp_path):
    """The real app on SQLite (what is fuzzed here is the edge, not the database)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    migrate(engine)
    listeners = SettlingExecutor()
    app = build_app(
        client=make_web_client(BOT_TOKEN, fake_slack.api_url, sleep=lambda _: None),
        signing_secret=SIGNING_SECRET,
        sessions=lambda: Session(engine),
        clock=clock,
        executor=listeners,
    )
    wsgi = SlackFront(
        app, signing_secret=SIGNING_SECRET, database_answers=partial(database_answers, engine)
    )
    front = Front(wsgi, listeners)
    # Alice is a member already: two first requests at once race to add her (reported apart)
    front.call(slash_command("help", response_url=fake_slack.response_url()).encode(), FORM)
    listeners.settle()
    yield front
    listeners.shutdown(wait=True)
    engine.dispose()


def payload_form(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def one_action(**action) -> dict:
    body = json.loads(dict(parse_qsl(block_action(ids.NUDGE_SNOOZE, "1")))["payload"])
    return {**body, "actions": [action]}


def submission(state_values: object) -> dict:
    body = json.loads(dict(parse_qsl(block_action(ids.ADD_ADVISOR)))["payload"])
    view = {"id": "V1", "callback_id": ids.ADD_ADVISOR_VIEW, "state": {"values": state_values}}
    return {**body, "type": "view_submission", "view": view}


DEEP = 100_000
FOUND_FROM_OUTSIDE = {
    "actions empty": (payload_form({**one_action(), "actions": []}), FORM),
    "an action without action_id": (payload_form(one_action(type="button", value="1")), FORM),
    "a number for action_id": (payload_form(one_action(action_id=7, value="1")), FORM),
    "selected_option a string": (
        payload_form(one_action(action_id=ids.NUDGE_SNOOZE, selected_option="1:3")),
        FORM,
    ),
    "selected_options of strings": (
        payload_form(submission({"support": {"support": {"selected_options": ["career"]}}})),
        FORM,
    ),
    "state values a list": (payload_form(submission([1, 2])), FORM),
    "a block's state a string": (payload_form(submission({"name": "Grace"})), FORM),
    "JSON nested 100,000 deep": (
        b'{"type": "block_actions", "actions": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        JSON,
    ),
    "a payload nested 100,000 deep": (b"payload=" + b"%5B" * DEEP + b"%5D" * DEEP, FORM),
    "JSON nested 60 deep": (json.dumps(fuzz.nested(60)).encode(), JSON),
    "an event that is a list": (b'{"type": "event_callback", "team_id": "T1", "event": []}', JSON),
    "an event's user a number": (
        event_callback(app_mention("hi", user=5)).encode(),  # type: ignore[arg-type]
        JSON,
    ),
    "a message event without a channel": (
        json.dumps(
            {**json.loads(event_callback(direct_message("hi"))), "event": {"type": "message"}}
        ).encode(),
        JSON,
    ),
    "a command as JSON with a number": (
        json.dumps(
            {**dict(parse_qsl(slash_command("help", response_url="x"))), "text": 5}
        ).encode(),
        JSON,
    ),
    "a command without a trigger": (
        urlencode(
            {
                k: v
                for k, v in parse_qsl(slash_command("add", response_url="http://x/"))
                if k != "trigger_id"
            }
        ).encode(),
        FORM,
    ),
    "a shortcut's message a string": (
        payload_form(
            {
                **json.loads(dict(parse_qsl(message_shortcut(response_url="x")))["payload"]),
                "message": "hi",
            }
        ),
        FORM,
    ),
    "a lone surrogate in a value": (
        payload_form(one_action(action_id=ids.NUDGE_SNOOZE, value="\ud800")).replace(
            b"%5Cud800", b"%5Cud800"
        ),
        FORM,
    ),
    "a kind the app has no listener for": (
        payload_form({**one_action(), "type": "view_closed"}),
        FORM,
    ),
}


@pytest.mark.parametrize(
    ("body", "content_type"), FOUND_FROM_OUTSIDE.values(), ids=FOUND_FROM_OUTSIDE
)
def test_a_malformed_signed_payload_gets_400_and_one_line_of_log(
    front, fake_slack, caplog, body, content_type
):
    before = len(fake_slack.calls)
    with caplog.at_level(logging.DEBUG):
        status, _ = front.call(body, content_type)
        front.listeners.settle()

    assert status == 400
    [line] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.name == "bot.server" and not line.exc_info
    assert fake_slack.calls[before:] == []  # nothing reached a listener


def reference_seeds(response_url: str) -> list[tuple[dict, str]]:
    """Slack's own example payloads, pointed at this app's commands, buttons and modals, sent
    by Alice of the test workspace, answered at the fake Slack's response URL."""
    reference_file("bolt-python", "view_submission.json")  # skips, saying why, without them
    seeds = []
    for path in sorted((SLACK_REFERENCE / "bolt-python").glob("*.json")):
        if path.name == "slash_command.parsed.json":
            continue
        payload = _ours(path.read_text(), response_url)
        wire = (
            "json" if payload.get("type") in ("event_callback", "url_verification") else "payload"
        )
        if payload.get("type") == "block_actions":
            modal = json.loads(reference_file("bolt-python", "view_submission.json").read_text())
            seeds += [(_routed(payload, action, modal["view"]), wire) for action in ACTIONS]
        elif payload.get("type") == "view_submission":
            seeds += [(_submitted(payload, view), wire) for view in VIEWS]
        elif payload.get("type") == "message_action":
            seeds.append(({**payload, "callback_id": ids.LOG_AS_TOUCHPOINT}, wire))
        else:
            seeds.append((payload, wire))
    command = reference_file("bolt-python", "slash_command.form-urlencoded.txt").read_text()
    form = _ours(json.dumps(dict(parse_qsl(command.strip()))), response_url)

    seeds += [({**form, "command": ids.COMMAND, "text": text}, "form") for text in SUBCOMMANDS]
    return seeds


def _ours(text: str, response_url: str) -> object:
    """A reference file's JSON with its people, workspace and response URLs made ours."""
    for theirs, mine in (("W111", ALICE), ("U111", ALICE), ("T111", TEAM_ID)):
        text = text.replace(theirs, mine)
    text = re.sub(r"https?:(?://|%2F%2F)[^\"&]+", response_url, text)
    return json.loads(text)


def _routed(payload: dict, action_id: str, modal: dict) -> dict:
    """Slack's message button, as one of ours; a modal's button comes from the modal."""
    action = {**payload["actions"][0], "action_id": action_id, "value": "1"}
    if action_id not in IN_A_MODAL:
        return {**payload, "actions": [action]}
    clicked = {k: v for k, v in payload.items() if k not in ("response_url", "channel")}
    view = {**modal, "callback_id": ids.HISTORY_VIEW}
    container = {"type": "view", "view_id": view["id"]}
    return {**clicked, "actions": [action], "container": container, "view": view}


def _submitted(payload: dict, callback_id: str) -> dict:
    return {**payload, "view": {**payload["view"], "callback_id": callback_id}}


def our_seeds(response_url: str) -> list[tuple[dict, str]]:
    """Our own builders' payloads (tests/payloads.py): these run where the reference is absent."""
    history = {
        "callback_id": ids.HISTORY_VIEW,
        "blocks": [],
        "title": {"type": "plain_text", "text": "History"},
    }
    interactive = [
        modal_click(action, "1", view=history)
        if action in IN_A_MODAL
        else block_action(
            action, "1", response_url=response_url if n % 2 or action in IN_A_MESSAGE else None
        )
        for n, action in enumerate(ACTIONS)
    ]
    interactive.append(message_shortcut(response_url=response_url))
    seeds = [(json.loads(dict(parse_qsl(body))["payload"]), "payload") for body in interactive]
    for event in (app_mention("log Grace coffee"), direct_message("help"), app_home_opened()):
        seeds.append((json.loads(event_callback(event)), "json"))
    for text in SUBCOMMANDS:
        seeds.append((dict(parse_qsl(slash_command(text, response_url=response_url))), "form"))
    return seeds


def fuzzed(front: Front, seeds, count: int, *, seed: int) -> dict[int, int]:
    """Send `count` mutated payloads; check each answer's status and time; count statuses."""
    statuses: dict[int, int] = {}
    slowest = 0.0
    for body, content_type in fuzz.bodies(seeds, count, seed=seed):
        status, seconds = front.call(body, content_type)
        assert status in ALLOWED, f"{status} for {body[:300]!r}"
        slowest = max(slowest, seconds)
        statuses[status] = statuses.get(status, 0) + 1
    assert slowest < ANSWER_BUDGET_SECONDS, f"an answer took {slowest:.2f} s"
    front.listeners.settle(timeout=60)
    return statuses


def no_trouble_logged(caplog) -> None:
    trouble = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    trouble += [r for r in caplog.records if r.name.startswith("slack_bolt")]  # 404, unhandled
    assert not trouble, "\n".join(sorted({_shown(r) for r in trouble}))
    refusals = [r for r in caplog.records if r.name == "bot.server"]
    assert len(refusals) <= len(REFUSALS)  # one line a minute per kind, however many


def _shown(record: logging.LogRecord) -> str:
    """A log record short enough to read (fuzzed values run to 200,000 characters)."""
    trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
    return f"{record.name}: {record.getMessage()[:300]}\n{trace[-600:]}"


def test_ten_thousand_payloads_mutated_from_slacks_real_ones_get_200_or_400_in_time(
    front, fake_slack, caplog
):
    seeds = reference_seeds(fake_slack.response_url())

    with caplog.at_level(logging.WARNING):
        statuses = fuzzed(front, seeds, 10_000, seed=11)

    no_trouble_logged(caplog)
    assert statuses[200] > 1_000 and statuses[400] > 1_000, statuses  # both paths exercised


def test_payloads_mutated_from_our_own_builders_get_200_or_400_in_time(front, fake_slack, caplog):
    seeds = our_seeds(fake_slack.response_url())

    with caplog.at_level(logging.WARNING):
        statuses = fuzzed(front, seeds, 2_000, seed=5)

    no_trouble_logged(caplog)
    assert statuses[200] > 200 and statuses[400] > 200, statuses


# Slack's examples the check refuses, and why: kinds the app has no listener for, a modal
# submitted with no input in it (`"state": {}`), which none of the bot's modals is, and an
# event from an org-wide install (no workspace id), which the app does not offer
REFUSED_EXAMPLES = {
    "event_callback.app_home_opened.org_app.json": "names no workspace",
    "shortcut.global.json": "is not a kind of request this app reads",
    "view_closed.json": "is not a kind of request this app reads",
    "view_submission.with_response_urls.json": "body.view.state.values is missing",
}


def test_slacks_own_example_payloads_pass_the_check_but_for_kinds_the_app_does_not_read():
    from slack_bolt.request.internals import parse_body

    from bot.shapes import problem

    reference_file("bolt-python", "view_submission.json")
    verdicts = {}
    for path in sorted((SLACK_REFERENCE / "bolt-python").glob("*")):
        if path.name != "slash_command.parsed.json":
            body = path.read_text().strip()
            verdicts[path.name] = problem(parse_body(body, None)) or ""

    assert {name: why for name, why in verdicts.items() if why} == {
        name: verdicts[name] for name in REFUSED_EXAMPLES
    }
    assert all(REFUSED_EXAMPLES[name] in verdicts[name] for name in REFUSED_EXAMPLES)
