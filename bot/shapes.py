"""The shapes of the Slack payloads the bot reads, checked at the edge before Bolt sees them.

Slack adds fields over time, so a field not named here is let through unread; a field named
here must have one of the types Slack sends it as, and the fields Bolt or a listener reads
without a default must be there. `problem(payload)` says what is wrong, or None.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_bolt.request.internals import extract_team_id, extract_user_id

_WEB_ADDRESS = re.compile(r"https?://[!-~]{1,2000}", re.ASCII)
_TRIGGER = re.compile(r"[!-~]{1,255}", re.ASCII)
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{1,39}", re.ASCII)
MAX_DEPTH = 48  # Slack's deepest payloads (rich text in a message's blocks) are about 12 deep

Check = Callable[[object, str], str | None]


def _types(*kinds: type, name: str) -> Check:
    def check(value: object, where: str) -> str | None:
        # bool is an int in Python; Slack never sends true where a number goes, nor the reverse
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds):
            return None
        return f"{where} should be {name}"

    return check


TEXT = _types(str, name="a string")
MAYBE_TEXT = _types(str, type(None), name="a string or null")
FLAG = _types(bool, name="true or false")
NUMBER = _types(int, float, name="a number")


def URL(value: object, where: str) -> str | None:
    """A web address the bot posts to (a response URL): http(s), no spaces, of a sane length."""
    if isinstance(value, str) and _WEB_ADDRESS.fullmatch(value):
        return None
    return f"{where} should be an http(s) URL"


def ANY(value: object, where: str) -> str | None:  # anything: a field read as it comes
    return None


@dataclass(frozen=True)
class Obj:
    """An object whose named fields have the given shapes; `required` ones must be present."""

    fields: dict[str, Check]
    required: frozenset[str] = field(default_factory=frozenset)
    nullable: bool = False

    def __call__(self, value: object, where: str) -> str | None:
        if value is None and self.nullable:
            return None
        if not isinstance(value, dict):
            return f"{where} should be an object"
        for name in self.required:
            if name not in value:
                return f"{where}.{name} is missing"
        for name, check in self.fields.items():
            if name in value and (wrong := check(value[name], f"{where}.{name}")):
                return wrong
        return None


def obj(required: dict[str, Check] | None = None, nullable: bool = False, **optional) -> Obj:
    return Obj({**(required or {}), **optional}, frozenset(required or ()), nullable)


def list_of(item: Check, *, at_least: int = 0, nullable: bool = False) -> Check:
    def check(value: object, where: str) -> str | None:
        if value is None and nullable:
            return None
        if not isinstance(value, list):
            return f"{where} should be a list"
        if len(value) < at_least:
            return f"{where} should have at least {at_least} item(s)"
        return next(filter(None, (item(v, f"{where}[{i}]") for i, v in enumerate(value))), None)

    return check


def map_of(item: Check) -> Check:
    """An object whose keys are chosen by someone else (block ids, action ids)."""

    def check(value: object, where: str) -> str | None:
        if not isinstance(value, dict):
            return f"{where} should be an object"
        return next(filter(None, (item(v, f"{where}.{k}") for k, v in value.items())), None)

    return check


def either(*checks: Check, name: str) -> Check:
    def check(value: object, where: str) -> str | None:
        if any(c(value, where) is None for c in checks):
            return None
        return f"{where} should be {name}"

    return check


def _id(value: object, where: str) -> str | None:
    """A Slack id (U0ALICE, T0TEST, C0GENERAL, V0MODAL): what the bot stores and asks about."""
    if isinstance(value, str) and _SLACK_ID.fullmatch(value):
        return None
    return f"{where} should be a Slack id"


ID = _id


def TRIGGER(value: object, where: str) -> str | None:
    """A trigger id, which opens a modal: printable ASCII, never empty."""
    if isinstance(value, str) and _TRIGGER.fullmatch(value):
        return None
    return f"{where} should be a trigger id"


MAYBE_ID = either(ID, _types(type(None), name="null"), name="a Slack id or null")

# Pieces Slack repeats
TEAM = either(
    obj({"id": MAYBE_ID}, domain=MAYBE_TEXT, enterprise_id=MAYBE_ID),
    MAYBE_ID,
    name="a team object, a Slack id or null",
)
USER = obj({"id": ID}, team_id=MAYBE_ID, name=MAYBE_TEXT, username=MAYBE_TEXT)
OPTION = obj({"value": TEXT}, text=ANY)
AUTHORIZATION = obj(
    enterprise_id=MAYBE_ID,
    team_id=MAYBE_ID,
    user_id=MAYBE_ID,
    is_bot=FLAG,
    is_enterprise_install=FLAG,
)
# What an input element or an interactive element reports: typed text, a choice, a date...
CHOSEN = {
    "type": TEXT,
    "value": MAYBE_TEXT,
    "selected_option": obj({"value": TEXT}, nullable=True, text=ANY),
    "selected_options": list_of(OPTION, nullable=True),
    "selected_user": MAYBE_TEXT,
    "selected_users": list_of(TEXT, nullable=True),
    "selected_conversation": MAYBE_TEXT,
    "selected_channel": MAYBE_TEXT,
    "selected_date": MAYBE_TEXT,
    "selected_time": MAYBE_TEXT,
    "selected_date_time": either(NUMBER, MAYBE_TEXT, name="a number or null"),
}
VALUES = map_of(map_of(obj(**CHOSEN)))  # block id -> action id -> what was chosen
STATE = obj({"values": VALUES})  # a submitted form's: listeners read its values
SHOWN_STATE = obj(values=VALUES)  # a view a click came from (Slack may send `{}`)
ACTION = obj({"action_id": TEXT}, block_id=TEXT, action_ts=TEXT, **CHOSEN)
VIEW = obj(
    {"id": ID},
    type=TEXT,
    callback_id=TEXT,
    private_metadata=MAYBE_TEXT,
    hash=MAYBE_TEXT,
    team_id=MAYBE_ID,
    app_installed_team_id=MAYBE_ID,
    root_view_id=MAYBE_ID,
    previous_view_id=MAYBE_ID,
    external_id=MAYBE_TEXT,
    blocks=list_of(ANY),
    state=SHOWN_STATE,
)
SUBMITTED_VIEW = obj(
    {"id": ID, "callback_id": TEXT, "state": STATE},
    **{k: v for k, v in VIEW.fields.items() if k not in ("id", "callback_id", "state")},
)
MESSAGE = obj(
    type=TEXT,
    ts=TEXT,
    thread_ts=MAYBE_TEXT,
    text=MAYBE_TEXT,
    user=MAYBE_ID,
    bot_id=MAYBE_ID,
    blocks=list_of(ANY),
    metadata=obj(event_type=TEXT, event_payload=ANY, nullable=True),
)
# Where a click came from: a message (answered at its response URL) or a view (Home, a modal)
CONTAINED_IN = {"message": "response_url", "view": "view"}  # and what a click there needs


def _container_type(value: object, where: str) -> str | None:
    known = isinstance(value, str) and value in CONTAINED_IN
    return None if known else f"{where} should be 'message' or 'view'"


CONTAINER = obj(
    {"type": _container_type},
    message_ts=TEXT,
    thread_ts=MAYBE_TEXT,
    channel_id=ID,
    view_id=ID,
    is_ephemeral=FLAG,
)
# Fields every interactive payload may carry; Bolt reads user, team, enterprise and channel
INTERACTIVE = {
    "type": TEXT,
    "user": USER,
    "team": TEAM,
    "enterprise": TEAM,
    "channel": obj({"id": ID}, name=MAYBE_TEXT, nullable=True),
    "api_app_id": TEXT,
    "token": TEXT,
    "trigger_id": TRIGGER,
    "response_url": URL,
    "is_enterprise_install": FLAG,
    "container": CONTAINER,
    "message": MESSAGE,
    "view": VIEW,
    "state": SHOWN_STATE,
    "authorizations": list_of(AUTHORIZATION),
}


def _interactive(*required: str, **more: Check) -> Obj:
    fields = {**INTERACTIVE, **more}
    return Obj(fields, frozenset(("type", "user", "team", "trigger_id", *required)))


EVENT = obj(
    {"type": TEXT},
    user=either(ID, obj({"id": ID}, tz=MAYBE_TEXT, team_id=MAYBE_ID), name="a user"),
    channel=ID,
    channel_type=TEXT,
    text=MAYBE_TEXT,
    ts=TEXT,
    thread_ts=MAYBE_TEXT,
    event_ts=TEXT,
    bot_id=MAYBE_ID,
    subtype=MAYBE_TEXT,
    tab=TEXT,
    team=MAYBE_ID,
    tokens=obj(bot=list_of(TEXT), oauth=list_of(TEXT)),
)
# What a listener reads of an event without a default, by the event's type
EVENT_NEEDS = {
    "message": ("channel",),
    "app_mention": ("channel",),  # a workflow's mention has no user: it gets no answer
    "app_home_opened": ("user",),
    "user_change": ("user",),
}

# The kinds of request the app has listeners for. Others (view_closed, block_suggestion, a
# global shortcut) Slack sends only to an app that asks for them: a kind the app starts to
# read needs its shape here, or it is refused.
BY_TYPE: dict[str, Obj] = {
    "url_verification": obj({"challenge": TEXT, "type": TEXT}, token=TEXT),
    "event_callback": obj(
        {"type": TEXT, "team_id": ID, "event": EVENT},
        api_app_id=TEXT,
        event_id=TEXT,
        event_time=NUMBER,
        enterprise_id=MAYBE_ID,
        is_ext_shared_channel=FLAG,
        authorizations=list_of(AUTHORIZATION),
    ),
    "block_actions": _interactive("actions", "container", actions=list_of(ACTION, at_least=1)),
    "view_submission": _interactive("view", view=SUBMITTED_VIEW, response_urls=list_of(ANY)),
    "message_action": _interactive("callback_id", "message", callback_id=TEXT, message_ts=TEXT),
}
# A slash command: form fields, always strings, but a JSON body could carry anything
COMMAND = obj(
    {
        "command": TEXT,
        "team_id": ID,
        "user_id": ID,
        "trigger_id": TRIGGER,
        "response_url": URL,
    },
    text=TEXT,
    channel_id=ID,
    user_name=TEXT,
    team_domain=TEXT,
    api_app_id=TEXT,
    enterprise_id=TEXT,
    is_enterprise_install=TEXT,
)


def problem(payload: object) -> str | None:
    """What keeps `payload` (a parsed body) from being one the bot can read; None if nothing."""
    if wrong := _depth_or_text(payload):
        return wrong
    if not isinstance(payload, dict):
        return "the body should be an object"
    if "ssl_check" in payload and "type" not in payload:
        return None  # Slack checking the certificate: Bolt answers it
    if "command" in payload and "type" not in payload:
        return COMMAND(payload, "body") or _actor(payload, user=True)
    kind = payload.get("type")
    shape = BY_TYPE.get(kind) if isinstance(kind, str) else None
    if shape is None:
        return f"body.type {str(kind)[:40]!r} is not a kind of request this app reads"
    if wrong := shape(payload, "body"):
        return wrong
    if kind == "url_verification":
        return None
    if kind == "event_callback":
        needs = EVENT_NEEDS.get(payload["event"]["type"], ())
        missing = [
            f"body.event.{name} is missing" for name in needs if name not in payload["event"]
        ]
        return next(iter(missing), None) or _actor(payload, user="user" in needs)
    container = payload.get("container", {}).get("type")
    if container and CONTAINED_IN[container] not in payload:
        return f"body.{CONTAINED_IN[container]} is missing for a click in a {container}"
    return _actor(payload, user=True)


def _actor(payload: dict, *, user: bool) -> str | None:
    """The workspace (and person) Bolt puts in the context, read the way Bolt reads them: every
    row the bot writes carries them."""
    if ID(extract_team_id(payload), "") is not None:
        return "the body names no workspace (team id)"
    if user and ID(extract_user_id(payload), "") is not None:
        return "the body names no user"
    return None


def _depth_or_text(payload: object) -> str | None:
    """Too deep a nesting, or a string that is not Unicode text (a lone surrogate from `\\ud800`
    in JSON): found without recursion, so no nesting can overflow the stack here."""
    stack: list[tuple[object, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and _not_unicode(value):
                return "a string in the body is not valid Unicode"
            continue
        if depth > MAX_DEPTH:
            return f"the body is nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth + 1) for k in value)
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return None


def _not_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
