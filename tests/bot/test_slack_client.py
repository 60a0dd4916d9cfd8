"""The bot's Web API client: SLACK_API_URL, Retry-After on 429, back-off on 5xx, errors surfaced."""

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack_client import make_web_client
from tests.fakes import BOT_TOKEN, Reply


@pytest.fixture
def client_and_sleeps(fake_slack):
    sleeps: list[float] = []
    return make_web_client(BOT_TOKEN, fake_slack.api_url, sleep=sleeps.append), sleeps


def test_calls_go_to_the_configured_api_url(fake_slack, client_and_sleeps):
    client, _ = client_and_sleeps

    assert client.auth_test()["user_id"] == "U0ADVISORBOT"
    assert [c.method for c in fake_slack.calls] == ["auth.test"]


def test_a_429_is_retried_after_exactly_the_wait_slack_asked_for(fake_slack, client_and_sleeps):
    client, sleeps = client_and_sleeps
    fake_slack.rate_limit("chat.postMessage", retry_after=3, times=2)

    answer = client.chat_postMessage(channel="D0ALICE", text="hello")

    assert answer["ok"]
    assert sleeps == [3, 3]
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


def test_a_429_storm_longer_than_the_retry_budget_surfaces_as_ratelimited(
    fake_slack, client_and_sleeps
):
    client, sleeps = client_and_sleeps
    fake_slack.rate_limit("chat.postMessage", retry_after=1, times=10)

    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="D0ALICE", text="hello")

    assert caught.value.response.status_code == 429
    assert len(sleeps) == 2


def test_a_retry_after_too_long_to_wait_on_a_listener_thread_fails_at_once(
    fake_slack, client_and_sleeps
):
    client, sleeps = client_and_sleeps
    fake_slack.rate_limit("chat.postMessage", retry_after=30)

    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="D0ALICE", text="hello")

    assert caught.value.response["error"] == "ratelimited"
    assert sleeps == []


def test_a_server_error_is_retried_with_back_off(fake_slack, client_and_sleeps):
    client, sleeps = client_and_sleeps
    fake_slack.script("chat.postMessage", Reply(503, {"ok": False, "error": "service_unavailable"}))

    assert client.chat_postMessage(channel="D0ALICE", text="hello")["ok"]
    assert len(sleeps) == 1 and sleeps[0] > 0


def test_a_permanent_error_is_raised_at_once_without_retrying(fake_slack, client_and_sleeps):
    client, sleeps = client_and_sleeps
    fake_slack.fail("conversations.open", "user_not_found")

    with pytest.raises(SlackApiError) as caught:
        client.conversations_open(users="U0GONE")

    assert caught.value.response["error"] == "user_not_found"
    assert sleeps == []
    assert len(fake_slack.calls_to("conversations.open")) == 1
