"""The fake Slack answers like Slack's reference examples (../shared/slack-reference), over HTTP."""

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes import BOT_TOKEN
from tests.payloads import ALICE
from tests.reference import reference_file

HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Enlist an advisor"},
    "blocks": HOME["blocks"],
}
CALLS = {
    "auth.test": {},
    "users.info": {"user": ALICE},
    "conversations.open": {"users": ALICE},
    "chat.postMessage": {"channel": "D0ALICE", "text": "hello"},
    "chat.postEphemeral": {"channel": "C0GENERAL", "user": ALICE, "text": "hello"},
    "chat.update": {"channel": "D0ALICE", "ts": "1.2", "text": "hello again"},
    "views.open": {"trigger_id": "1.2.3", "view": MODAL},
    "views.push": {"trigger_id": "1.2.3", "view": MODAL},
    "views.update": {"view_id": "V1", "view": MODAL},
    "views.publish": {"user_id": ALICE, "view": HOME},
}


def success_example(method: str) -> dict:
    path = reference_file("slack-api-ref-methods", f"{method}.json")
    examples = json.loads(path.read_text())["examples"]
    return examples["success"]["example"]


@pytest.mark.parametrize("method", CALLS)
def test_the_fake_answers_with_the_fields_of_slacks_success_example(fake_slack, method):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)

    answer = client.api_call(method, json=CALLS[method]).data

    expected = set(success_example(method)) - {"warning", "response_metadata", "message"}
    assert expected <= set(answer)
    if isinstance(success_example(method).get("user"), dict):
        assert {"id", "tz", "tz_offset", "real_name"} <= set(answer["user"])


def test_the_fake_refuses_a_view_that_breaks_block_kit_limits(fake_slack):
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    too_long = {**MODAL, "title": {"type": "plain_text", "text": "x" * 40}}

    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_open(trigger_id="1.2.3", view=too_long)


def test_the_fake_refuses_a_wrong_token_like_slack(fake_slack):
    client = WebClient(token="xoxb-someone-else", base_url=fake_slack.api_url)

    with pytest.raises(SlackApiError, match="invalid_auth"):
        client.auth_test()
