"""When each advisor and promise is next due a nudge. Pure: rows, a time zone and a day in,
candidates out. The stored `nudge_at` is the earliest candidate still to come, so the tick finds
due work with an index range scan."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.models import Advisor, AdvisorStatus, Firmness, NudgeKind, Promise, PromiseStatus

LEAD_DAYS = {Firmness.PROMISE: 3, Firmness.TRY: 1}  # how long before the due date to nudge
STALLED_AFTER = timedelta(days=10)  # no progress update for this long...
FAR_OUT = timedelta(days=14)  # ...on a promise due further out than this: stalled
LATE_AGAIN_AFTER = timedelta(days=7)  # a late promise's one reminder, then no more
# Of two candidates on one day, the later in this order is the one sent.
_RANK = {kind: rank for rank, kind in enumerate(NudgeKind)}


@dataclass(frozen=True)
class Candidate:
    """A nudge a subject will be due: `kind` for its `cycle`, from `at`, on the member's `day`."""

    kind: str
    cycle: str
    at: datetime
    day: date


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def stamp(moment: datetime) -> str:
    """A cycle key from a moment: the same instant always gives the same text."""
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S")


def touch_candidates(advisor: Advisor, zone: ZoneInfo) -> list[Candidate]:
    """Stay in touch: once when the cadence has passed, once more half a cadence later."""
    if advisor.status != AdvisorStatus.ACTIVE or advisor.next_touch_due_at is None:
        return []
    due = advisor.next_touch_due_at
    quiet = due + timedelta(days=advisor.cadence_days / 2)
    cycle = stamp(due)
    return [
        Candidate(NudgeKind.TOUCH, cycle, due, due.astimezone(zone).date()),
        Candidate(NudgeKind.TOUCH_OVERDUE, cycle, quiet, quiet.astimezone(zone).date()),
    ]


def promise_candidates(promise: Promise, zone: ZoneInfo) -> list[Candidate]:
    """Show your work: stalled (far out and quiet), a few days before, on the due date, the
    day after it when it is still open (late), and once more a week later; then no more."""
    if promise.status != PromiseStatus.OPEN:
        return []
    found = []
    basis = promise.last_update_at or promise.created_at
    stalled = basis + STALLED_AFTER
    if promise.due_at - stalled > FAR_OUT:
        found.append(
            Candidate(
                NudgeKind.PROMISE_STALLED, stamp(basis), stalled, stalled.astimezone(zone).date()
            )
        )
    cycle = promise.due_on.isoformat()
    soon = promise.due_on - timedelta(days=LEAD_DAYS[Firmness(promise.firmness)])
    found.append(Candidate(NudgeKind.PROMISE_SOON, cycle, _start_of(soon, zone), soon))
    found.append(
        Candidate(NudgeKind.PROMISE_DUE, cycle, _start_of(promise.due_on, zone), promise.due_on)
    )
    for kind, at in (
        (NudgeKind.PROMISE_LATE, promise.due_at),  # the moment its day is over
        (NudgeKind.PROMISE_LATE_AGAIN, promise.due_at + LATE_AGAIN_AFTER),
    ):
        found.append(Candidate(kind, cycle, at, at.astimezone(zone).date()))
    return found


def applicable(candidates: list[Candidate], today: date) -> Candidate | None:
    """The one to send today: the latest already due (after downtime, missed ones go once)."""
    reached = [c for c in candidates if c.day <= today]
    return max(reached, key=lambda c: (c.day, _RANK[c.kind]), default=None)


def upcoming(candidates: list[Candidate], today: date) -> datetime | None:
    """When the next nudge after today's becomes due (None: nothing more in this cycle)."""
    later = [c.at for c in candidates if c.day > today]
    return min(later, default=None)


def advisor_nudge_at(advisor: Advisor) -> datetime | None:
    """After a change to the relationship: its first nudge is due when the cadence passes."""
    if advisor.status != AdvisorStatus.ACTIVE:
        return None
    return advisor.next_touch_due_at


def promise_nudge_at(promise: Promise, zone: ZoneInfo, now: datetime) -> datetime | None:
    """After a change to the promise: the next nudge from tomorrow on (not for what the member
    has just said or done today)."""
    return upcoming(promise_candidates(promise, zone), now.astimezone(zone).date())
