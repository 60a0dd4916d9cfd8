"""The notifier: the one way nudges reach Slack. Paced to Slack's limits, it honours 429
Retry-After, retries transient failures with back-off (through the delivery's lease, so any
process may pick them up) and records permanent refusals without retrying them forever."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlmodel import Session

from bot.views.nudges import build_nudge_message
from core import nudges, windows
from core.clock import Clock
from core.models import Delivery, DeliveryState

log = logging.getLogger(__name__)

# Slack will not deliver to this member, now or later: recorded, not retried.
GONE = {
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "messages_tab_disabled",
}
# Slack is having a bad moment: try again later.
TRANSIENT = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
    # The bot's own token refused: the operator must act, and nudges wait for them.
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
}
MAX_429_IN_A_ROW = 20
MAX_WAIT_SECONDS = 30.0  # a longer Retry-After is waited out by a later tick, not in this one
MARGIN = 1.03  # a few percent under each limit, so a little network jitter is no 429
METADATA_TYPE = "advisor_nudge"


def client_for_nudges(token: str, api_url: str) -> WebClient:
    """A client that never retries on its own: a repeated chat.postMessage would be a second
    nudge, so every retry goes through the notifier."""
    return WebClient(token=token, base_url=api_url, timeout=10, retry_handlers=[])


class Pacer:
    """Spaces messages to stay under a workspace-wide rate and Slack's one message a second per
    channel; a 429 holds everything for its Retry-After."""

    def __init__(
        self,
        per_second: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._gap = MARGIN / per_second
        self._monotonic, self._sleep = monotonic, sleep
        self._lock = threading.Lock()
        self._next = 0.0
        self._channels: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        with self._lock:
            now = self._monotonic()
            start = max(now, self._next, self._channels.get(channel, 0.0))
            self._next = start + self._gap
            self._channels[channel] = start + MARGIN
            if len(self._channels) > 10_000:
                self._channels = {c: t for c, t in self._channels.items() if t > now}
        if start > now:
            self._sleep(start - now)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, self._monotonic() + seconds)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4... minutes after each failed attempt, half an hour at most."""
    return timedelta(minutes=min(30, 2 ** max(0, attempts - 1)))


class Notifier:
    """Sends one delivery at a time; what to send is always read from the rows."""

    def __init__(
        self,
        client: WebClient,
        sessions: Callable[[], Session],
        clock: Clock,
        *,
        process: str,
        pacer: Pacer,
    ):
        self.client, self.sessions, self.clock = client, sessions, clock
        self.process, self.pacer = process, pacer

    def deliver(self, delivery_id: int) -> str:
        """One attempt at a delivery this process holds or may take over; returns its state."""
        with self.sessions() as session, session.begin():
            now = self.clock.now()
            if not nudges.start_attempt(
                session, delivery_id=delivery_id, process=self.process, now=now
            ):
                return "taken"
            delivery = session.get(Delivery, delivery_id)
            shown = nudges.contents(session, delivery=delivery, now=now)
        items, member = shown.items, shown.member
        if member.unreachable:
            return self._finish(nudges.refused, delivery_id=delivery_id, error=member.unreachable)
        if not any(item.live for item in items):
            return self._finish(nudges.skipped, delivery_id=delivery_id)
        if not windows.is_open(member, now):  # a retry after hours waits for the next window
            return self._later(delivery, "outside the member's window", wait=0)
        message = build_nudge_message(items, shown.ahead, now=now, zone=windows.zone_of(member))
        try:
            return self._send(delivery, message)
        except SlackApiError as error:
            return self._failed(delivery, str(error.response.get("error")), error)
        except RateLimited as limited:
            return self._later(delivery, "Slack asked to wait", wait=limited.seconds)
        except LeaseLost:
            return "taken"
        except (SlackClientError, OSError) as error:
            return self._later(delivery, f"Slack could not be reached: {error}")

    def _send(self, delivery: Delivery, message: dict) -> str:
        channel = delivery.channel or self._open(delivery)
        if delivery.attempts > 1 and delivery.channel:
            ts = self._already_posted(delivery)
            if ts:  # an earlier attempt got through before its process could say so
                return self._posted(delivery.id, channel, ts)
        response = self._post(channel, message, delivery.id)
        return self._posted(delivery.id, response["channel"], response["ts"])

    def _open(self, delivery: Delivery) -> str:
        channel = self._call("conversations_open", delivery.id, users=delivery.owner_id)
        channel = channel["channel"]["id"]
        with self.sessions() as session, session.begin():
            nudges.note_channel(
                session, delivery_id=delivery.id, process=self.process, channel=channel
            )
        return channel

    def _post(self, channel: str, message: dict, delivery_id: int):
        self.pacer.wait(channel)
        return self._call(
            "chat_postMessage",
            delivery_id,
            channel=channel,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"delivery": delivery_id}},
            **message,
        )

    def _already_posted(self, delivery: Delivery) -> str | None:
        """The ts of this delivery's message if Slack has it already (looked up by its metadata)."""
        since = delivery.created_at.timestamp() - 60
        history = self._call(
            "conversations_history",
            delivery.id,
            channel=delivery.channel,
            oldest=f"{since:.6f}",
            limit=100,
            include_all_metadata=True,
        )
        for message in history.get("messages", []):
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == METADATA_TYPE and payload.get("delivery") == delivery.id:
                return message["ts"]
        return None

    def _call(self, method: str, delivery_id: int, **args):
        """A Web API call for a delivery whose lease this process still holds (renewed before
        every try, so a slow send is never taken over and posted twice); a 429 holds all
        sending for its Retry-After, then tries again, or leaves a long wait to a later tick."""
        for _ in range(MAX_429_IN_A_ROW):
            self._renew(delivery_id)
            try:
                return getattr(self.client, method)(**args)
            except SlackApiError as error:
                if error.response.status_code != 429:
                    raise
                seconds = retry_after(error.response.headers)
                log.warning("Slack rate-limited %s; waiting %s s", method, seconds)
                if seconds > MAX_WAIT_SECONDS:
                    raise RateLimited(seconds) from None
                self.pacer.hold(seconds)
                self.pacer.wait(args.get("channel") or "")
        raise RateLimited(MAX_WAIT_SECONDS)

    def _renew(self, delivery_id: int) -> None:
        with self.sessions() as session, session.begin():
            if not nudges.renew(
                session, delivery_id=delivery_id, process=self.process, now=self.clock.now()
            ):
                raise LeaseLost(delivery_id)

    def _posted(self, delivery_id: int, channel: str, ts: str) -> str:
        log.info("Nudge delivery %s sent to %s", delivery_id, channel)
        with self.sessions() as session, session.begin():
            nudges.sent(
                session,
                delivery_id=delivery_id,
                process=self.process,
                channel=channel,
                ts=ts,
                now=self.clock.now(),
            )
        return DeliveryState.SENT

    def _failed(self, delivery: Delivery, code: str, error: Exception) -> str:
        if code in GONE:
            log.warning("Slack refused nudges for %s for good: %s", delivery.owner_id, code)
            return self._finish(nudges.refused, delivery_id=delivery.id, error=code)
        if code in TRANSIENT or error.response.status_code >= 500:
            return self._later(delivery, f"Slack answered {code}")
        log.error("Slack refused delivery %s: %s", delivery.id, code)
        return self._finish(nudges.undeliverable, delivery_id=delivery.id, error=code)

    def _later(self, delivery: Delivery, reason: str, *, wait: float | None = None) -> str:
        """Leave the delivery for a later tick (any process): after Slack's Retry-After, after a
        back-off, and never outside the member's window."""
        with self.sessions() as session, session.begin():
            now = self.clock.now()
            member = nudges.member_of(session, delivery=delivery)
            pause = timedelta(seconds=wait) if wait is not None else backoff(delivery.attempts)
            at = windows.next_opening(member, now + pause) or now + pause
            nudges.retry_at(
                session, delivery_id=delivery.id, process=self.process, at=at, error=reason
            )
        log.warning("Delivery %s will be tried again at %s: %s", delivery.id, at, reason)
        return "retrying"

    def _finish(self, change, **args) -> str:
        with self.sessions() as session, session.begin():
            change(session, process=self.process, **args)
            return session.get(Delivery, args["delivery_id"]).state


class RateLimited(Exception):
    """Slack asked to wait longer than a tick should: the delivery waits for a later one."""

    def __init__(self, seconds: float):
        super().__init__(f"rate-limited for {seconds} s")
        self.seconds = seconds


class LeaseLost(Exception):
    """Another process took the delivery over (this one was too slow): it is theirs now."""


def retry_after(headers: dict) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return 1.0
