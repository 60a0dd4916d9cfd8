"""Pacing, workspace by workspace (Slack's limits are per app per workspace): posts are spaced
to stay a few percent under the workspace's rate and Slack's one message a second per
conversation; a 429 holds that workspace, and only it, for its Retry-After, and slows it down
until it stops drawing 429s (then it creeps back up to the configured rate)."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MARGIN = 1.03  # a few percent under each limit, so a little network jitter is no 429
LANE_GAP = 1.0  # Slack's one message a second per conversation
SLOWER = 0.8  # a 429 multiplies the workspace's rate by this...
SLOWEST = 1 / 60  # ...down to a message a minute at least
RECOVERY = 0.02  # each post accepted gives back this share of the configured rate
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
class _Workspace:
    rate: float  # posts a second now
    next_post: float = 0.0  # the earliest moment of the next post
    held_until: float = 0.0  # Retry-After
    lanes: dict[str, float] = field(default_factory=dict)  # conversation: its next post


class Pacing:
    """When each workspace, and each conversation in it, may take its next post. Times are on
    the `monotonic` clock; a post is booked at the moment it is due, so pacing holds even when
    sleeps are shortened (tests record them instead of sleeping)."""

    def __init__(
        self, per_second: float, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._spaces: dict[str, _Workspace] = {}

    def _space(self, team_id: str) -> _Workspace:
        space = self._spaces.get(team_id)
        if space is None:
            space = self._spaces[team_id] = _Workspace(rate=self.per_second)
        return space

    def now(self) -> float:
        return self._monotonic()

    def free_at(self, team_id: str, lane: str | None = None) -> float:
        """The earliest moment a post (in `lane`), or any call (no lane), may go."""
        with self._lock:
            space = self._space(team_id)
            if lane is None:
                return space.held_until
            return max(space.held_until, space.next_post, space.lanes.get(lane, 0.0))

    def book(self, team_id: str, lane: str, at: float) -> None:
        """A post goes out at `at`: the workspace's and the lane's next ones wait after it."""
        with self._lock:
            space = self._space(team_id)
            space.next_post = max(space.next_post, at) + MARGIN / space.rate
            space.lanes[lane] = max(space.lanes.get(lane, 0.0), at) + LANE_GAP * MARGIN
            if len(space.lanes) > 10_000:
                space.lanes = {k: t for k, t in space.lanes.items() if t > at}

    def accepted(self, team_id: str) -> None:
        with self._lock:
            space = self._space(team_id)
            space.rate = min(self.per_second, space.rate + self.per_second * RECOVERY)

    def hold(self, team_id: str, seconds: float) -> None:
        """Slack answered 429: nothing goes to this workspace for `seconds`, and it slows down."""
        with self._lock:
            space = self._space(team_id)
            space.held_until = max(space.held_until, self._monotonic() + seconds)
            space.rate = max(SLOWEST, space.rate * SLOWER)

    def rate(self, team_id: str) -> float:
        with self._lock:
            return self._space(team_id).rate
