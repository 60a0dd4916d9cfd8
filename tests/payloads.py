"""Requests as Slack sends them, in the shapes of shared/slack-reference/bolt-python, signed."""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from urllib.parse import urlencode

from tests.fakes import BOT_USER_ID, SIGNING_SECRET, TEAM_ID, sign

ALICE = "U0ALICE"
_ids = count(1)


def slash_command(text: str, *, user: str = ALICE, response_url: str, team: str = TEAM_ID) -> str:
    """A slash command body, form-encoded like slash_command.form-urlencoded.txt."""
    n = next(_ids)
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "fake-workspace",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/advisor",
            "text": text,
            "api_app_id": "A0ADVISOR",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{n}.{n}.trigger",
        }
    )


def event_callback(event: dict, *, team: str = TEAM_ID) -> str:
    """An Events API envelope around `event`, raw JSON like event_callback.app_mention.json."""
    n = next(_ids)
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A0ADVISOR",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


def _ts() -> str:
    return f"{int(time.time())}.{next(_ids):06d}"


def app_mention(text: str, *, user: str = ALICE, channel: str = "C0GENERAL", **extra) -> dict:
    ts = _ts()
    return {
        "type": "app_mention",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def direct_message(text: str, *, user: str = ALICE, **extra) -> dict:
    ts = _ts()
    return {
        "type": "message",
        "channel": "D" + user[1:],
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
        **extra,
    }


def app_home_opened(*, user: str = ALICE, tab: str = "home") -> dict:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user[1:],
        "tab": tab,
        "event_ts": _ts(),
    }


def message_shortcut(*, response_url: str, user: str = ALICE, author: str = "U0GRACE") -> str:
    """A message shortcut, form-encoded `payload=` like message_action.message_shortcut.json."""
    n = next(_ids)
    payload = {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": _ts(),
        "team": {"id": TEAM_ID, "domain": "fake-workspace"},
        "user": {"id": user, "name": user.lower(), "team_id": TEAM_ID},
        "channel": {"id": "C0GENERAL", "name": "general"},
        "callback_id": "log_as_touchpoint",
        "trigger_id": f"{n}.{n}.trigger",
        "message_ts": "1764000000.000100",
        "message": {
            "type": "message",
            "user": author,
            "text": "Thanks!",
            "ts": "1764000000.000100",
            "team": TEAM_ID,
        },
        "response_url": response_url,
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload)})


def url_verification(challenge: str) -> str:
    return json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"})


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Answer:
    status: int
    body: str

    def json(self) -> dict:
        return json.loads(self.body)


class SlackSender:
    """Posts requests to the bot the way Slack does: signed, with Slack's content types."""

    def __init__(self, base_url: str, *, secret: str = SIGNING_SECRET):
        self.base_url = base_url
        self.secret = secret

    def post(
        self,
        body: str | bytes,
        *,
        content_type: str,
        headers: dict | None = None,
        path: str = "/slack/events",
    ) -> Answer:
        data = body.encode() if isinstance(body, str) else body
        if headers is None:
            headers = sign(data, secret=self.secret)
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method="POST",
            headers={"Content-Type": content_type, **headers},
        )
        return _send(request)

    def get(self, path: str) -> Answer:
        return _send(urllib.request.Request(self.base_url + path, method="GET"))

    def command(self, text: str, *, response_url: str, user: str = ALICE) -> Answer:
        return self.post(
            slash_command(text, user=user, response_url=response_url), content_type=FORM
        )

    def event(self, event: dict) -> Answer:
        return self.post(event_callback(event), content_type=JSON)


def _send(request: urllib.request.Request) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())
