"""Pacing, workspace by workspace and method by method (Slack's limits are per app, per
workspace, per method): posts are spaced to stay a few percent under the workspace's rate and
Slack's one message a second per conversation; opening DMs and reading history have budgets of
their own. A 429 holds that workspace's calls of that kind, and only those, for its
Retry-After, and slows them down until they stop drawing 429s (then they creep back up)."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

POST, OPEN, READ = "post", "open", "read"  # chat.postMessage; conversations.open; history
READS_PER_SECOND = 50 / 60  # Slack's tier 3, which conversations.history and .replies are in
MARGIN = 1.03  # a few percent under each limit, so a little network jitter is no 429
LANE_GAP = 1.0  # Slack's one message a second per conversation
SLOWER = 0.8  # a 429 multiplies the rate of its kind of call by this...
SLOWEST = 1 / 60  # ...down to one a minute at least
RECOVERY = 0.02  # each call accepted gives back this share of the configured rate
LONGEST_RETRY_AFTER = 3600.0  # a Retry-After longer than this (or inf, or nonsense) is this


def retry_after(headers: dict | None) -> float:
    """Slack's Retry-After in seconds, clamped to [0, LONGEST_RETRY_AFTER]; 1 when missing or
    unreadable. `inf`, `1e12` or `nan` never overflow a date or stall a workspace for good."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) and value else value
            try:
                seconds = float(value)
            except (TypeError, ValueError):
                return 1.0
            if math.isnan(seconds):
                return 1.0
            return min(max(seconds, 0.0), LONGEST_RETRY_AFTER)
    return 1.0


@dataclass
class _Budget:
    """One kind of call in one workspace."""

    most: float  # calls a second at most (configured)
    rate: float  # calls a second now
    next_call: float = 0.0  # the earliest moment of the next call
    held_until: float = 0.0  # Retry-After
    lanes: dict[str, float] = field(default_factory=dict)  # posts: a conversation's next one


class Pacing:
    """When each workspace's next call of each kind (and a post in each conversation) may go.
    Times are on the `monotonic` clock; a call is booked at the moment it is due, so pacing
    holds even when sleeps are shortened (tests record them instead of sleeping)."""

    def __init__(
        self, per_second: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self._most = {POST: per_second, OPEN: per_second, READ: min(per_second, READS_PER_SECOND)}
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._budgets: dict[tuple[str, str], _Budget] = {}

    def _budget(self, team_id: str, kind: str) -> _Budget:
        budget = self._budgets.get((team_id, kind))
        if budget is None:
            most = self._most[kind]
            budget = self._budgets[(team_id, kind)] = _Budget(most=most, rate=most)
        return budget

    def now(self) -> float:
        return self._monotonic()

    def free_at(self, team_id: str, kind: str, lane: str | None = None) -> float:
        """The earliest moment the next call of this kind (a post in `lane`) may go."""
        with self._lock:
            budget = self._budget(team_id, kind)
            return max(budget.held_until, budget.next_call, budget.lanes.get(lane, 0.0))

    def held_until(self, team_id: str, kind: str) -> float:
        with self._lock:
            return self._budget(team_id, kind).held_until

    def book(self, team_id: str, kind: str, at: float, lane: str | None = None) -> None:
        """A call goes out now, booked for `at`: the next one of its kind (and in its lane)
        waits after it. A call a little late (other work ran over) keeps its place, so the pace
        holds on average; one late by more than a gap is booked from now, so a sender that fell
        behind never makes up for it in a burst. A conversation's next post always waits its
        full second from this one."""
        with self._lock:
            now = self._monotonic()
            budget = self._budget(team_id, kind)
            gap = MARGIN / budget.rate
            budget.next_call = max(budget.next_call, at, now - gap) + gap
            if lane is not None:
                sent = max(at, now)
                budget.lanes[lane] = max(budget.lanes.get(lane, 0.0), sent) + LANE_GAP * MARGIN
                if len(budget.lanes) > 10_000:
                    budget.lanes = {k: t for k, t in budget.lanes.items() if t > at}

    def accepted(self, team_id: str, kind: str) -> None:
        with self._lock:
            budget = self._budget(team_id, kind)
            budget.rate = min(budget.most, budget.rate + budget.most * RECOVERY)

    def hold(self, team_id: str, kind: str, seconds: float) -> None:
        """Slack answered 429: no call of this kind goes to this workspace for `seconds`, and
        they slow down."""
        with self._lock:
            budget = self._budget(team_id, kind)
            budget.held_until = max(budget.held_until, self._monotonic() + seconds)
            budget.rate = max(SLOWEST, budget.rate * SLOWER)

    def rate(self, team_id: str, kind: str = POST) -> float:
        with self._lock:
            return self._budget(team_id, kind).rate
