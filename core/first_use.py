"""The first ten minutes: a welcome on a member's first use, a sample nudge on request, and what
the Home tab says about the next nudge (when, about whom, or why there is none). Both messages
go through the outbox (core/outbox.py), so each is sent once whatever retries or clicks."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from core import outbox, schedules, windows
from core.models import Advisor, AdvisorStatus, Member, Promise
from core.nudge_plan import PREVIEW, QUIET_AFTER_USE, get_member
from core.outbox import Target

WELCOME = "welcome"  # the outbox purposes
SAMPLE = "sample"
NOTHING_DUE = "nothing falls due yet; add an advisor and I'll nudge you when it's time"
SAMPLE_EVERY = timedelta(minutes=1)  # clicks on "Send me a sample nudge" closer than this: one


def welcome(session: Session, *, member: Member, now: datetime) -> int | None:
    """Put the member's welcome in the outbox: once ever (its key is the member); None when
    it was decided before."""
    return outbox.enqueue(
        session,
        team_id=member.team_id,
        purpose=WELCOME,
        key=member.user_id,
        target=Target.dm(member.user_id),
        owner_id=member.user_id,
        now=now,
    )


def sample(session: Session, *, team_id: str, user_id: str, now: datetime) -> int | None:
    """Put a sample nudge in the outbox, to go now whatever the window or today's delivery (it
    is not a nudge: nothing is claimed, nothing counts against the day). A double click within
    a minute is one sample: None for the second."""
    slot = int(now.timestamp() // SAMPLE_EVERY.total_seconds())
    return outbox.enqueue(
        session,
        team_id=team_id,
        purpose=SAMPLE,
        key=f"{user_id}:{slot}",
        target=Target.dm(user_id),
        owner_id=user_id,
        now=now,
    )


def sample_subject(session: Session, *, team_id: str, user_id: str) -> Advisor | None:
    """Whom a sample nudge is about: the member's most urgent advisor (None: an empty board)."""
    query = select(Advisor).where(
        Advisor.team_id == team_id,
        Advisor.owner_id == user_id,
        Advisor.status == AdvisorStatus.ACTIVE,
    )
    return session.exec(query.order_by(Advisor.next_touch_due_at, Advisor.id).limit(1)).first()


def nudge_reaches(
    session: Session, *, team_id: str, user_id: str, due_at: datetime, now: datetime
) -> datetime | None:
    """When a nudge due at `due_at` can reach the member: the first moment of their window on
    its day or after (a Sunday's comes on Monday to a member of weekdays)."""
    member = get_member(session, team_id, user_id)
    if member is None:
        return None
    zone = windows.zone_of(member)
    start = max(now, datetime.combine(due_at.astimezone(zone).date(), time(0), tzinfo=zone))
    return windows.next_opening(member, start)


# --- the next nudge, as Home shows it


@dataclass(frozen=True)
class NextNudge:
    """When the member's next nudge may reach them and about what, or why there is none.
    `waits` says why it is not sooner, when something is due already."""

    at: datetime | None = None
    about: str = ""
    waits: str = ""
    none_because: str = ""
    paused_until: date | None = None  # while nudges are paused


def _earliest(session: Session, member: Member) -> tuple[datetime, str] | None:
    """The member's earliest nudge time, with what it is about."""
    who = (member.team_id, member.user_id)
    found = []
    advisor = session.exec(
        select(Advisor.nudge_at, Advisor.name)
        .where(Advisor.team_id == who[0], Advisor.owner_id == who[1])
        .where(col(Advisor.nudge_at).is_not(None))
        .order_by(Advisor.nudge_at)
        .limit(1)
    ).first()
    if advisor:
        found.append((advisor[0], advisor[1]))
    promise = session.exec(
        select(Promise.nudge_at, Advisor.name)
        .join(Advisor, col(Advisor.id) == Promise.advisor_id)
        .where(Promise.team_id == who[0], Promise.owner_id == who[1])
        .where(col(Promise.nudge_at).is_not(None))
        .order_by(Promise.nudge_at)
        .limit(1)
    ).first()
    if promise:
        found.append((promise[0], f"your promise to {promise[1]}"))
    if member.monday_preview:
        preview = schedules.get(session, team_id=who[0], purpose=PREVIEW, key=who[1])
        if preview and preview.next_at:
            found.append((preview.next_at, "your week ahead"))
    return min(found, key=lambda pair: pair[0], default=None)


def next_nudge(session: Session, *, team_id: str, user_id: str, now: datetime) -> NextNudge:
    """What the member's Home says about their next nudge at `now`."""
    member = get_member(session, team_id, user_id)
    if member is None:
        return NextNudge(none_because=NOTHING_DUE)
    if member.unreachable:
        return NextNudge(none_because="Slack would not let me message you; use me to resume")
    earliest = _earliest(session, member)
    if earliest is None:
        return NextNudge(none_because=NOTHING_DUE)
    due_at, about = earliest
    zone = windows.zone_of(member)
    start = max(now, datetime.combine(due_at.astimezone(zone).date(), time(0), tzinfo=zone))
    waits = _why_it_waits(member, start, now)
    start = max(start, _quiet_until(member, now))
    paused = member.paused_until
    paused = paused if paused and paused >= windows.local_day(member, now) else None
    return NextNudge(windows.next_chance(member, start), about, waits, paused_until=paused)


def _quiet_until(member: Member, now: datetime) -> datetime:
    """No nudge while the member is using the bot: until a few minutes after their last use."""
    return max(now, member.last_seen_at + QUIET_AFTER_USE) if member.last_seen_at else now


def _why_it_waits(member: Member, start: datetime, now: datetime) -> str:
    """When something is due already: what holds its nudge back (the window, the day's
    delivery, a pause, or the member's own use of the bot when nothing else does)."""
    if start > now:
        return ""
    if member.paused_until and windows.local_day(member, now) <= member.paused_until:
        return "paused"
    if member.one_a_day and member.last_delivery_on == windows.local_day(member, now):
        return "today's nudge is out: one a day"
    quiet_until = _quiet_until(member, now)
    if not windows.is_open(member, quiet_until):
        return "outside your hours"
    if quiet_until > now:
        return "you were active in the last minutes"
    return "on its way"
