"""The one way the bot builds a Slack Web API client: SLACK_API_URL, rate limits and retries."""

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

log = logging.getLogger(__name__)
Sleep = Callable[[float], None]
# Listeners run on Bolt's thread pool, which also acks commands within Slack's 3 s: a reply may
# wait out a short Retry-After there, never a long one (bot/delivery/ paces what the bot posts
# on its own).
MAX_WAIT_SECONDS = 5.0


class HonourRetryAfter(RateLimitErrorRetryHandler):
    """After a 429, waits exactly as long as Slack's `Retry-After` asks and retries, unless that
    is longer than `max_wait`: then the call fails as `ratelimited` at once."""

    def __init__(self, *, max_retry_count: int, max_wait: float, sleep: Sleep):
        super().__init__(max_retry_count=max_retry_count)
        self._max_wait = max_wait
        self._sleep = sleep

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and _retry_after(response.headers) <= self._max_wait
        )

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if response is None:
            raise error
        seconds = _retry_after(response.headers)
        log.warning("Slack rate-limited %s; retrying in %s s", request.url, seconds)
        state.next_attempt_requested = True
        self._sleep(seconds)
        state.increment_current_attempt()


class BackOff(ServerErrorRetryHandler):
    """Retries Slack 500/503 answers with exponential back-off."""

    def __init__(self, *, max_retry_count: int, sleep: Sleep):
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        state.next_attempt_requested = True
        self._sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.increment_current_attempt()


def _retry_after(headers: dict[str, list[str]]) -> float:
    for name, values in headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(float(values[0]), 0.0)
            except ValueError:
                break
    return 1.0


def make_web_client(token: str, api_url: str, *, sleep: Sleep = time.sleep) -> WebClient:
    """A WebClient on `api_url` that honours short Retry-Afters and retries transient failures."""
    return WebClient(
        token=token,
        base_url=api_url,
        timeout=10,
        retry_handlers=[
            HonourRetryAfter(max_retry_count=2, max_wait=MAX_WAIT_SECONDS, sleep=sleep),
            BackOff(max_retry_count=2, sleep=sleep),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )


def before_ack(client: WebClient) -> WebClient:
    """The same client for a call made before acking (a lookup that decides a modal's answer):
    no retries and a short timeout, so Slack's 3 s deadline is never the casualty."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=2, retry_handlers=[])
