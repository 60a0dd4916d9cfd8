"""Requests as Slack sends them, in the shapes of shared/slack-reference/bolt-python, signed."""

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from urllib.parse import urlencode

from tests.fakes import BOT_USER_ID, SIGNING_SECRET, TEAM_ID, sign

ALICE = "U0ALICE"
_ids = count(1)


# What Slack sends as a token when the person picks something in the composer (with "escape
# channels, users, and links" on, as manifest.yml asks): a member, a channel, a link, a special
# mention or a user group. Anything else they type is text.
SLACK_TOKEN = re.compile(
    r"<(@[UW][A-Z0-9]+(?:\|[^<>]*)?|#[CG][A-Z0-9]+(?:\|[^<>]*)?|![a-z]+(?:\^[^<>|]*)?"
    r"(?:\|[^<>]*)?|(?:https?://|mailto:)[^<>|\s]+(?:\|[^<>]*)?)>"
)
UNLABELLED_MEMBER = re.compile(r"<@([UW][A-Z0-9]+)>")


def mention(user_id: str, name: str | None = None) -> str:
    """The token for a member the person picked (Slack adds their name, see `as_slack_sends`)."""
    return f"<@{user_id}|{name}>" if name else f"<@{user_id}>"


def as_slack_sends(typed: str, *, labels: bool = True) -> str:
    """Text as Slack sends it: `&`, `<` and `>` the person typed escaped (`R&D` arrives as
    `R&amp;D`), Slack's tokens (written in `typed` as Slack writes them: `<@U0GRACE>`,
    `<#C0GENERAL|general>`, `<https://x|label>`, `<!here>`) kept. In a slash command (escaping
    on) each member's token is labelled with their name; a message event's are not."""
    parts, last = [], 0
    for token in SLACK_TOKEN.finditer(typed):
        kept = _labelled(token.group(0)) if labels else _labelled_as_is(token.group(0))
        parts += [_escaped(typed[last : token.start()]), kept]
        last = token.end()
    return "".join([*parts, _escaped(typed[last:])])


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _labelled(token: str) -> str:
    return _labelled_as_is(
        UNLABELLED_MEMBER.sub(lambda m: mention(m.group(1), m.group(1).lower()), token)
    )


def _labelled_as_is(token: str) -> str:
    head, bar, label = token[1:-1].partition("|")
    return f"<{_escaped(head)}{bar}{_escaped(label)}>"


def slash_command(text: str, *, user: str = ALICE, response_url: str, team: str = TEAM_ID) -> str:
    """A slash command body, form-encoded like slash_command.form-urlencoded.txt. `text` is what
    the person typed (with Slack's tokens for what they picked); it goes as Slack sends it."""
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
            "text": as_slack_sends(text),
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
        "text": as_slack_sends(text, labels=False),
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
        "text": as_slack_sends(text, labels=False),
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
        **extra,
    }


def file_shared(file: dict, *, user: str = ALICE, text: str = "", team: str = TEAM_ID) -> dict:
    """A person shares a file in the bot's DM: a message of subtype file_share with the file's
    object (FakeSlack.share_file makes one), as Slack's message.im events carry it."""
    ts = _ts()
    return {
        "type": "message",
        "subtype": "file_share",
        "text": as_slack_sends(text, labels=False),
        "files": [file],
        "upload": False,
        "user": user,
        "display_as_bot": False,
        "ts": ts,
        "channel": "D" + user[1:],
        "event_ts": ts,
        "channel_type": "im",
        "team": team,
    }


def only_named(file: dict) -> dict:
    """A file as some events name it (a Slack Connect DM, say): its id and little else; the
    rest is for files.info to tell."""
    kept = ("id", "created", "timestamp", "user")
    return {**{k: file[k] for k in kept}, "mode": "file_access", "file_access": "check_file_info"}


def app_home_opened(*, user: str = ALICE, tab: str = "home") -> dict:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user[1:],
        "tab": tab,
        "event_ts": _ts(),
    }


def message_shortcut(
    *, response_url: str, user: str = ALICE, author: str = "U0GRACE", text: str = "Thanks!"
) -> str:
    """A message shortcut, form-encoded `payload=` like message_action.message_shortcut.json;
    the message's `text` as Slack sends it."""
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
            "text": as_slack_sends(text, labels=False),
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
    acked: str | None = None  # for a command answered later: the ack's own body

    def json(self) -> dict:
        return json.loads(self.body)


class SlackSender:
    """Posts requests to the bot the way Slack does: signed, with Slack's content types."""

    def __init__(
        self,
        base_url: str,
        *,
        secret: str = SIGNING_SECRET,
        settle: Callable[[], None] | None = None,
        answered: Callable[[], list] | None = None,
    ):
        self.base_url = base_url
        self.secret = secret
        self.settle = settle  # waits until the bot has done what it started after acking
        self.answered = answered  # what the bot has posted to response URLs so far

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
        return self._seen(data, lambda: _send(request))

    def get(self, path: str) -> Answer:
        return _send(urllib.request.Request(self.base_url + path, method="GET"))

    def command(
        self, text: str, *, response_url: str, user: str = ALICE, team: str = TEAM_ID
    ) -> Answer:
        return self.post(
            slash_command(text, user=user, response_url=response_url, team=team),
            content_type=FORM,
        )

    def _seen(self, data: bytes, send: Callable[[], Answer]) -> Answer:
        """For a slash command, what the person sees: the bot acks at once and answers through
        the response URL, so the first answer posted there (`acked`: the ack's own body)."""
        is_command = data.startswith(b"command=") or b"&command=" in data
        if not is_command or b"payload=" in data:
            return send()
        before = len(self.answered()) if self.answered else 0
        acked = send()
        if acked.status != 200 or acked.body or self.settle is None or self.answered is None:
            return acked
        self.settle()
        said = self.answered()[before:]
        if not said:
            return acked
        return Answer(200, json.dumps(said[0].args), acked=acked.body)

    def event(self, event: dict) -> Answer:
        return self.post(event_callback(event), content_type=JSON)

    def interact(self, form_body: str) -> Answer:
        """A block action, view submission or shortcut (`payload=` form bodies)."""
        return self.post(form_body, content_type=FORM)


def _send(request: urllib.request.Request) -> Answer:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())


def _actor(user: str) -> dict:
    return {
        "type": None,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "fake-workspace"},
        "api_app_id": "A0ADVISOR",
        "token": "legacy-verification-token",
        "trigger_id": f"{next(_ids)}.{next(_ids)}.trigger",
        "is_enterprise_install": False,
    }


def block_action(
    action_id: str,
    value: str = "",
    *,
    user: str = ALICE,
    response_url: str | None = None,
    selected: str | None = None,
) -> str:
    """A click: on the Home tab, or (with `response_url`) in an ephemeral message."""
    action = {"action_id": action_id, "block_id": "b", "type": "button", "action_ts": _ts()}
    if value:
        action["value"] = value
    if selected is not None:
        action.update(
            type="overflow",
            selected_option={"text": {"type": "plain_text", "text": "x"}, "value": selected},
        )
    payload = {**_actor(user), "type": "block_actions", "actions": [action]}
    if response_url:
        payload["container"] = {
            "type": "message",
            "message_ts": "1764000000.000200",
            "channel_id": "C0GENERAL",
            "is_ephemeral": True,
        }
        payload["channel"] = {"id": "C0GENERAL", "name": "general"}
        payload["response_url"] = response_url
    else:
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {"id": "V0HOME", "type": "home", "callback_id": "home", "blocks": []}
    return urlencode({"payload": json.dumps(payload)})


def message_click(
    action_id: str,
    value: str = "",
    *,
    message: dict,
    channel: str,
    response_url: str,
    user: str = ALICE,
    selected: str | None = None,
) -> str:
    """A click on a button (or a menu choice, with `selected`) in a message the bot posted."""
    action = {"action_id": action_id, "block_id": "b", "type": "button", "action_ts": _ts()}
    if value:
        action["value"] = value
    if selected is not None:
        action.update(
            type="static_select",
            selected_option={"text": {"type": "plain_text", "text": "x"}, "value": selected},
        )
    container = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        "is_ephemeral": False,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    payload = {
        **_actor(user),
        "type": "block_actions",
        "actions": [action],
        "container": container,
        "channel": {"id": channel, "name": "directmessage"},
        "message": message,
        "response_url": response_url,
    }
    return urlencode({"payload": json.dumps(payload)})


def state_of(view: dict, answers: dict) -> dict:
    """What Slack sends back for `view` when a person answers some fields: every input block's
    value, the initial value where they typed nothing. `answers` maps block ids to values:
    a user id, text, an option value, a list of option values, an ISO date or a time (HH:MM)."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        answer = answers.get(block_id, _initial(element))
        values[block_id] = {element["action_id"]: _state(element, answer)}
    return {"values": values}


def _initial(element: dict):
    kind = element["type"]
    if kind == "users_select":
        return element.get("initial_user")
    if kind in ("static_select", "radio_buttons"):
        return (element.get("initial_option") or {}).get("value")
    if kind in ("checkboxes", "multi_static_select"):
        return [o["value"] for o in element.get("initial_options", [])]
    if kind == "datepicker":
        return element.get("initial_date")
    if kind == "timepicker":
        return element.get("initial_time")
    return element.get("initial_value")


def _state(element: dict, answer) -> dict:
    kind = element["type"]
    options = {o["value"]: o for o in element.get("options", [])}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer}
    if kind in ("static_select", "radio_buttons"):
        return {
            "type": kind,
            "selected_option": options.get(
                answer, {"value": answer, "text": {"type": "plain_text", "text": str(answer)}}
            )
            if answer
            else None,
        }
    if kind in ("checkboxes", "multi_static_select"):
        return {
            "type": kind,
            "selected_options": [options.get(v, {"value": v}) for v in answer or []],
        }
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer}
    if kind == "timepicker":
        return {"type": kind, "selected_time": answer}
    return {"type": kind, "value": answer if answer not in ("",) else None}


def view_submission(
    view: dict,
    answers: dict | None = None,
    *,
    user: str = ALICE,
    private_metadata: str | None = None,
) -> str:
    """The member pressing the modal's submit button after answering `answers`."""
    submitted = {
        "id": "V0MODAL",
        "team_id": TEAM_ID,
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view.get("private_metadata", "")
        if private_metadata is None
        else private_metadata,
        "blocks": view["blocks"],
        "state": state_of(view, answers or {}),
        "hash": "1764000000.abc",
        "title": view["title"],
    }
    payload = {**_actor(user), "type": "view_submission", "view": submitted, "response_urls": []}
    return urlencode({"payload": json.dumps(payload)})


def modal_click(action_id: str, value: str, *, view: dict, user: str = ALICE) -> str:
    """A click on a button in an open modal: Slack sends the view as it stands, with its id."""
    action = {"action_id": action_id, "block_id": "b", "type": "button", "action_ts": _ts()}
    if value:
        action["value"] = value
    shown = {
        "id": view.get("id", "V0MODAL"),
        "team_id": TEAM_ID,
        "type": "modal",
        "callback_id": view["callback_id"],
        "private_metadata": view.get("private_metadata", ""),
        "blocks": view["blocks"],
        "state": {"values": {}},
        "hash": "1764000000.abc",
        "title": view["title"],
    }
    payload = {
        **_actor(user),
        "type": "block_actions",
        "actions": [action],
        "container": {"type": "view", "view_id": shown["id"]},
        "view": shown,
    }
    return urlencode({"payload": json.dumps(payload)})
