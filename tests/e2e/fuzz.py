"""Malformed payloads from well-formed ones: a seeded mutator of Slack's shapes (wrong types,
missing keys, deep nesting, huge strings, unusual Unicode) and the way each goes on the wire.

A seed is (payload, wire): `wire` is "json" (the Events API), "payload" (interactivity, a
`payload=` form field) or "form" (a slash command's fields). The fields that route a request
to a listener (its type, action id, callback id, command, event type) keep their text: a
different string there is a request for a listener the bot does not have, which Bolt answers
404 by design; they still get wrong types and go missing."""

import copy
import json
import random
from collections.abc import Iterator
from urllib.parse import urlencode

from tests.payloads import FORM, JSON

ROUTES = {
    ("type",),
    ("command",),
    ("callback_id",),
    ("view", "callback_id"),
    ("event", "type"),
    ("actions", 0, "action_id"),
}
ODD_TEXT = [
    "",
    " ",
    "\u00b2",
    "\u0661\u0662",
    "-1",
    "0",
    "9" * 40,
    "1:2:3",
    "null",
    "{}",
    '{"advisor": "1"}',
    "<!channel>",
    "\u202egnp.exe",
    "\U0001d54f" * 30,
    "e\u0301" * 20,
    "\x00",
    "\ud800",  # a lone surrogate: valid JSON (\ud800), not valid Unicode text
    "9999-12-31",
    "0001-01-01",
    "25:61",
]
ODD_VALUES = [None, True, False, 0, -1, 2**64, 1e308, 3.5, [], {}, [None], {"": ""}, [[[]]]]


def nested(depth: int, leaf: object = None) -> object:
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"a": leaf}
    return leaf


def _paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


def _odd_value(rng: random.Random, *, text: bool) -> object:
    roll = rng.random()
    if roll < 0.1:
        return nested(rng.randint(2, 80), rng.choice(ODD_TEXT))
    if text and roll < 0.15:
        return "x" * rng.choice([1_000, 20_000, 200_000])
    if text and roll < 0.55:
        return rng.choice(ODD_TEXT)
    return copy.deepcopy(rng.choice(ODD_VALUES))


def mutate(payload: dict, rng: random.Random, *, wire: str) -> dict:
    """A copy of `payload` with one to three things wrong in it."""
    payload = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(payload))
        if not paths:
            break
        path = rng.choice(paths)
        *parent_path, last = path
        parent = payload
        for step in parent_path:
            parent = parent[step]
        text_allowed = path not in ROUTES
        if rng.random() < 0.3 or (wire == "form" and not text_allowed):
            del parent[last]  # a key or an item missing (an empty `actions`, say)
            continue
        if wire == "form":  # form fields are strings whatever one does
            parent[last] = str(_odd_value(rng, text=True))[:200_000]
        else:
            parent[last] = _odd_value(rng, text=text_allowed)
    return payload


def encode(payload: dict, wire: str) -> tuple[bytes, str]:
    """The body and content type a payload travels with."""
    if wire == "json":
        return json.dumps(payload).encode(), JSON
    if wire == "payload":
        return urlencode({"payload": json.dumps(payload)}).encode(), FORM
    return urlencode(payload, errors="surrogatepass").encode(), FORM


def broken_body(rng: random.Random, seed: tuple[dict, str]) -> tuple[bytes, str]:
    """A body broken as a whole: cut short, not UTF-8, nested 100,000 deep, not JSON."""
    body, content_type = encode(*seed)
    depth = 100_000
    choices = [
        (body[: rng.randint(0, len(body))], content_type),
        (body + b"\xff\xfe", content_type),
        (b'{"type": "block_actions", "actions": ' + b"[" * depth + b"]" * depth + b"}", JSON),
        (b"payload=" + b"%5B" * depth, FORM),
        (b'{"type": "event_callback", "event": ' + b'{"a":' * depth + b"1" + b"}" * depth, JSON),
        (b"payload=not+json", FORM),
        (b"", content_type),
        (b"null", JSON),
    ]
    return rng.choice(choices)


def bodies(seeds: list[tuple[dict, str]], count: int, *, seed: int) -> Iterator[tuple[bytes, str]]:
    """`count` bodies: about one in twenty broken as a whole, the rest mutated payloads; the same
    ones on every run (seeded), so a failure can be replayed."""
    rng = random.Random(seed)
    for _ in range(count):
        chosen = rng.choice(seeds)
        if rng.random() < 0.05:
            yield broken_body(rng, chosen)
            continue
        payload, wire = chosen
        if wire == "form" and rng.random() < 0.3:
            wire = "json"  # Bolt reads a JSON body too: there a command's fields can be any type
        yield encode(mutate(payload, rng, wire=wire), wire)
