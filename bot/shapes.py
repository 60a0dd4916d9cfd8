"""The shapes of the Slack payloads the bot reads, checked at the edge before Bolt sees them.

Slack adds fields over time, so a field not named here is let through unread; a field named
here must have one of the types Slack sends it as, and the fields Bolt or a listener reads
without a default must be there. `problem(payload)` says what is wrong, or None.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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


# Pieces Slack repeats
ID_OBJECT = obj(id=MAYBE_TEXT, name=MAYBE_TEXT, domain=MAYBE_TEXT, team_id=MAYBE_TEXT)
TEAM = either(ID_OBJECT, MAYBE_TEXT, name="an object, a string or null")
USER = obj({"id": TEXT}, team_id=MAYBE_TEXT, name=MAYBE_TEXT, username=MAYBE_TEXT)
OPTION = obj({"value": TEXT}, text=ANY)
AUTHORIZATION = obj(
    enterprise_id=MAYBE_TEXT,
    team_id=MAYBE_TEXT,
    user_id=MAYBE_TEXT,
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
ACTION = obj({"action_id": TEXT}, block_id=TEXT, action_ts=TEXT, **CHOSEN)
VIEW = obj(
    {"id": TEXT},
    type=TEXT,
    callback_id=TEXT,
    private_metadata=MAYBE_TEXT,
    hash=MAYBE_TEXT,
    team_id=MAYBE_TEXT,
    root_view_id=MAYBE_TEXT,
    previous_view_id=MAYBE_TEXT,
    external_id=MAYBE_TEXT,
    blocks=list_of(ANY),
    state=obj(values=map_of(map_of(obj(**CHOSEN)))),
)
SUBMITTED_VIEW = obj(
    {"id": TEXT, "callback_id": TEXT, "state": obj({"values": map_of(map_of(obj(**CHOSEN)))})},
    **{k: v for k, v in VIEW.fields.items() if k not in ("id", "callback_id", "state")},
)
MESSAGE = obj(
    type=TEXT,
    ts=TEXT,
    thread_ts=MAYBE_TEXT,
    text=MAYBE_TEXT,
    user=MAYBE_TEXT,
    bot_id=MAYBE_TEXT,
    blocks=list_of(ANY),
    metadata=obj(event_type=TEXT, event_payload=ANY, nullable=True),
)
CONTAINER = obj(
    type=TEXT,
    message_ts=TEXT,
    thread_ts=MAYBE_TEXT,
    channel_id=TEXT,
    view_id=TEXT,
    is_ephemeral=FLAG,
)
# Fields every interactive payload may carry; Bolt reads user, team, enterprise and channel
INTERACTIVE = {
    "type": TEXT,
    "user": USER,
    "team": TEAM,
    "enterprise": TEAM,
    "channel": TEAM,
    "api_app_id": TEXT,
    "token": TEXT,
    "trigger_id": TEXT,
    "response_url": TEXT,
    "is_enterprise_install": FLAG,
    "container": CONTAINER,
    "message": MESSAGE,
    "view": VIEW,
    "state": obj(values=map_of(map_of(obj(**CHOSEN)))),
    "authorizations": list_of(AUTHORIZATION),
}


def _interactive(*required: str, **more: Check) -> Obj:
    fields = {**INTERACTIVE, **more}
    return Obj(fields, frozenset(("type", "user", "team", *required)))


EVENT = obj(
    {"type": TEXT},
    user=either(TEXT, obj({"id": TEXT}, tz=MAYBE_TEXT, team_id=MAYBE_TEXT), name="a user"),
    channel=either(TEXT, obj(id=TEXT), name="a channel"),
    channel_type=TEXT,
    text=MAYBE_TEXT,
    ts=TEXT,
    thread_ts=MAYBE_TEXT,
    event_ts=TEXT,
    bot_id=MAYBE_TEXT,
    subtype=MAYBE_TEXT,
    tab=TEXT,
    team=MAYBE_TEXT,
    tokens=obj(bot=list_of(TEXT), oauth=list_of(TEXT)),
)
# Events a listener reads `event["channel"]` of
EVENTS_IN_A_CHANNEL = ("message", "app_mention")

BY_TYPE: dict[str, Obj] = {
    "url_verification": obj({"challenge": TEXT, "type": TEXT}, token=TEXT),
    "event_callback": obj(
        {"type": TEXT, "team_id": TEXT, "event": EVENT},
        api_app_id=TEXT,
        event_id=TEXT,
        event_time=NUMBER,
        enterprise_id=MAYBE_TEXT,
        is_ext_shared_channel=FLAG,
        authorizations=list_of(AUTHORIZATION),
    ),
    "block_actions": _interactive("actions", actions=list_of(ACTION, at_least=1)),
    "block_suggestion": _interactive("action_id", action_id=TEXT, block_id=TEXT, value=TEXT),
    "view_submission": _interactive("view", view=SUBMITTED_VIEW, response_urls=list_of(ANY)),
    "view_closed": _interactive("view", view=SUBMITTED_VIEW, is_cleared=FLAG),
    "shortcut": _interactive("callback_id", "trigger_id", callback_id=TEXT),
    "message_action": _interactive(
        "callback_id", "trigger_id", "message", callback_id=TEXT, message_ts=TEXT
    ),
}
# A slash command: form fields, always strings, but a JSON body could carry anything
COMMAND = obj(
    {
        "command": TEXT,
        "team_id": TEXT,
        "user_id": TEXT,
        "trigger_id": TEXT,
        "response_url": TEXT,
    },
    text=TEXT,
    channel_id=TEXT,
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
        return COMMAND(payload, "body")
    kind = payload.get("type")
    shape = BY_TYPE.get(kind) if isinstance(kind, str) else None
    if shape is None:
        return f"body.type {str(kind)[:40]!r} is not a kind of request this app reads"
    if wrong := shape(payload, "body"):
        return wrong
    event = payload.get("event") or {}
    if kind == "event_callback" and event["type"] in EVENTS_IN_A_CHANNEL and "channel" not in event:
        return "body.event.channel is missing"
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
