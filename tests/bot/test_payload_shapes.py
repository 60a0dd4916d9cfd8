"""Our test payloads carry every field of Slack's real ones (from ../shared/slack-reference)."""

import json
from urllib.parse import parse_qs

import pytest

from tests.payloads import (
    app_home_opened,
    app_mention,
    event_callback,
    message_shortcut,
    slash_command,
    url_verification,
)
from tests.reference import reference_file

# Enterprise Grid fields, Slack's deprecated `authed_users`, and rich-text details of a message.
NOT_NEEDED = {"enterprise_id", "enterprise_name", "authed_users", "client_msg_id", "blocks"}


def reference(name: str) -> dict:
    path = reference_file("bolt-python", name)
    if name.endswith(".txt"):
        return {k: v[0] for k, v in parse_qs(path.read_text().strip()).items()}
    return json.loads(path.read_text())


def missing(real: dict, ours: dict, where: str = "") -> list[str]:
    """Every key path in Slack's payload that ours lacks, looking into nested objects."""
    gaps = []
    for key, value in real.items():
        if key in NOT_NEEDED:
            continue
        if key not in ours:
            gaps.append(where + key)
        elif isinstance(value, dict) and isinstance(ours[key], dict):
            gaps += missing(value, ours[key], f"{where}{key}.")
    return gaps


def form(body: str) -> dict:
    return {k: v[0] for k, v in parse_qs(body).items()}


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        (
            "slash_command.form-urlencoded.txt",
            lambda: form(slash_command("help", response_url="x")),
        ),
        ("event_callback.app_mention.json", lambda: json.loads(event_callback(app_mention("hi")))),
        (
            "event_callback.app_home_opened.org_app.json",
            lambda: json.loads(event_callback(app_home_opened())),
        ),
        (
            "message_action.message_shortcut.json",
            lambda: json.loads(form(message_shortcut(response_url="x"))["payload"]),
        ),
        ("url_verification.json", lambda: json.loads(url_verification("c"))),
    ],
)
def test_our_payload_has_every_field_of_slacks(name, ours):
    assert missing(reference(name), ours()) == []
