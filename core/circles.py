"""Peer-coaching circles: setting one up in a channel, who is in it, and its owner's (or
facilitator's) controls: edit, pause and resume, skip the next check-in, archive. When check-ins
fall is the circle's schedule (core/schedules.py, purpose CHECK_IN, key the circle's id); what a
check-in does is core/check_ins.py. A fault (the bot removed from the channel, the channel
archived or gone) pauses the circle and tells its owner once, by DM, through the outbox."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from core import outbox, schedules
from core.db import insert_new
from core.errors import Invalid
from core.members import known_zone
from core.models import Circle, CircleMember, CircleState
from core.typed import check_typed

CHECK_IN = "circle"  # the schedules' purpose: an occurrence is a check-in
PAUSED = "circle_paused"  # the outbox purpose of the DM telling an owner their circle paused
GOOD_SIZE = 12  # the research's 10-12: more gets a gentle note and an offer to split
MAX_MEMBERS = 100
MAX_NAME = 80
OPEN_HOURS = (1, 14 * 24)  # a check-in stays open from an hour to two weeks
DEFAULT_OPEN_HOURS = 48
LIVE = (CircleState.ACTIVE, CircleState.PAUSED)


@dataclass(frozen=True)
class Settings:
    """What the setup form decides."""

    name: str
    members: tuple[str, ...]
    rule: schedules.Rule
    open_hours: int = DEFAULT_OPEN_HOURS
    facilitator_id: str | None = None
    anonymous: bool = False
    partners: bool = False
    reminders: bool = True


class NotAllowed(LookupError):
    """Only a circle's owner or facilitator may change it."""

    def __init__(self):
        super().__init__(
            "Only the person who set up this circle, or its facilitator, can change it."
        )


def check(settings: Settings) -> None:
    """Invalid at the first field that cannot be saved."""
    name = settings.name.strip()
    check_typed("name", name)
    if not name:
        raise Invalid("Give the circle a name.", field="name")
    if len(name) > MAX_NAME:
        raise Invalid(f"Keep the name to {MAX_NAME} characters.", field="name")
    if len(set(settings.members)) < 2:
        raise Invalid("A circle needs at least two people.", field="members")
    if len(set(settings.members)) > MAX_MEMBERS:
        raise Invalid(f"A circle can have at most {MAX_MEMBERS} people.", field="members")
    if not OPEN_HOURS[0] <= settings.open_hours <= OPEN_HOURS[1]:
        raise Invalid("A check-in stays open from 1 hour to 14 days.", field="open_for")
    schedules.check(settings.rule)
    if timedelta(hours=settings.open_hours) >= _shortest_gap(settings.rule):
        raise Invalid(
            "A check-in has to close before the next one starts: choose a shorter time open.",
            field="open_for",
        )


def _shortest_gap(rule: schedules.Rule) -> timedelta:
    """The least time between two check-ins the rule can give."""
    if rule.freq == schedules.MONTHLY:
        return timedelta(days=28 * rule.every)
    if rule.every > 1 or len(rule.weekdays) == 1:
        return timedelta(weeks=rule.every)
    days = sorted(rule.weekdays)
    gaps = [b - a for a, b in pairwise(days)] + [days[0] + 7 - days[-1]]
    return timedelta(days=min(gaps))


# --- finding circles


def in_channel(session: Session, *, team_id: str, channel_id: str) -> Circle | None:
    """The channel's circle that is not archived (there is at most one)."""
    query = select(Circle).where(
        Circle.team_id == team_id,
        Circle.channel_id == channel_id,
        col(Circle.state).in_(LIVE),
    )
    return session.exec(query).first()


def get(session: Session, *, team_id: str, circle_id: int | None) -> Circle | None:
    """A circle of this workspace by id (None for an id from elsewhere)."""
    if circle_id is None:
        return None
    circle = session.get(Circle, circle_id)
    return circle if circle is not None and circle.team_id == team_id else None


def of_member(session: Session, *, team_id: str, user_id: str) -> list[Circle]:
    """The circles a person is in (not archived), by name."""
    query = (
        select(Circle)
        .join(CircleMember, col(CircleMember.circle_id) == Circle.id)
        .where(
            CircleMember.team_id == team_id,
            CircleMember.user_id == user_id,
            col(CircleMember.left_at).is_(None),
            col(Circle.state).in_(LIVE),
        )
        .order_by(Circle.name, Circle.id)
    )
    return list(session.exec(query))


def members(session: Session, *, circle_id: int) -> list[CircleMember]:
    """The circle's people now, in the order they joined."""
    query = (
        select(CircleMember)
        .where(CircleMember.circle_id == circle_id, col(CircleMember.left_at).is_(None))
        .order_by(CircleMember.joined_at, CircleMember.id)
    )
    return list(session.exec(query))


def member_ids(session: Session, *, circle_id: int) -> list[str]:
    return [m.user_id for m in members(session, circle_id=circle_id)]


def membership(session: Session, *, circle_id: int, user_id: str) -> CircleMember | None:
    """The person's row in the circle, if they are in it now."""
    query = select(CircleMember).where(
        CircleMember.circle_id == circle_id,
        CircleMember.user_id == user_id,
        col(CircleMember.left_at).is_(None),
    )
    return session.exec(query).first()


def is_member(session: Session, *, circle_id: int, user_id: str) -> bool:
    return membership(session, circle_id=circle_id, user_id=user_id) is not None


def may_manage(circle: Circle, user_id: str) -> bool:
    return user_id in (circle.owner_id, circle.facilitator_id)


def schedule_of(session: Session, circle: Circle) -> schedules.Schedule | None:
    return schedules.get(session, team_id=circle.team_id, purpose=CHECK_IN, key=str(circle.id))


def next_check_in(session: Session, circle: Circle) -> datetime | None:
    """When the next check-in falls (None while paused or archived)."""
    if circle.state != CircleState.ACTIVE:
        return None
    schedule = schedule_of(session, circle)
    return schedule.next_at if schedule else None


# --- setting up and changing


def create(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    owner_id: str,
    settings: Settings,
    next_after: schedules.NextAfter,
    now: datetime,
) -> Circle:
    """A new circle in the channel, its people and its schedule. Invalid when the channel has
    one already (the unique index says so too, should two be set up at once)."""
    check(settings)
    if in_channel(session, team_id=team_id, channel_id=channel_id) is not None:
        raise Invalid("This channel has a circle already: one per channel.", field="name")
    circle = Circle(
        team_id=team_id,
        channel_id=channel_id,
        owner_id=owner_id,
        name=settings.name.strip(),
        created_at=now,
        updated_at=now,
    )
    _apply(circle, settings)
    session.add(circle)
    session.flush()
    _set_members(session, circle, settings.members, now=now)
    _keep_schedule(session, circle, settings.rule, next_after=next_after, now=now)
    return circle


def update(
    session: Session,
    *,
    circle: Circle,
    by: str,
    settings: Settings,
    next_after: schedules.NextAfter,
    now: datetime,
) -> Circle:
    """The circle changed by its owner or facilitator: its people and schedule follow."""
    if not may_manage(circle, by):
        raise NotAllowed()
    check(settings)
    _apply(circle, settings)
    circle.name, circle.updated_at = settings.name.strip(), now
    session.add(circle)
    _set_members(session, circle, settings.members, now=now)
    if circle.state == CircleState.ACTIVE:
        _keep_schedule(session, circle, settings.rule, next_after=next_after, now=now)
    else:  # kept for when it resumes
        _keep_schedule(session, circle, settings.rule, next_after=_never, now=now)
    return circle


def _never(rule, after):
    return None


def _apply(circle: Circle, settings: Settings) -> None:
    circle.open_hours = settings.open_hours
    circle.facilitator_id = settings.facilitator_id or None
    circle.anonymous, circle.partners = settings.anonymous, settings.partners
    circle.reminders = settings.reminders


def _set_members(session: Session, circle: Circle, wanted, *, now: datetime) -> None:
    """Exactly `wanted` are in the circle: newcomers join (or come back), the others leave."""
    wanted = set(wanted)
    query = select(CircleMember).where(CircleMember.circle_id == circle.id)
    known = {m.user_id: m for m in session.exec(query)}
    for user_id, row in known.items():
        staying = user_id in wanted
        if staying and row.left_at is not None:
            row.left_at, row.joined_at = None, now
        elif not staying and row.left_at is None:
            row.left_at = now
        session.add(row)
    for user_id in sorted(wanted - set(known)):
        session.add(
            CircleMember(
                circle_id=circle.id, team_id=circle.team_id, user_id=user_id, joined_at=now
            )
        )
    session.flush()


def _keep_schedule(session, circle, rule, *, next_after, now) -> None:
    schedules.keep(
        session,
        team_id=circle.team_id,
        purpose=CHECK_IN,
        key=str(circle.id),
        rule=rule,
        next_after=next_after,
        now=now,
        owner_id=circle.owner_id,
    )


def rule_of(session: Session, circle: Circle) -> schedules.Rule | None:
    schedule = schedule_of(session, circle)
    return schedules.rule_of(schedule) if schedule else None


# --- the owner's controls


def pause(session: Session, *, circle: Circle, by: str, now: datetime) -> None:
    """No check-ins until resumed."""
    _managed(circle, by)
    _stop(session, circle, state=CircleState.PAUSED, why=None, now=now)


def resume(
    session: Session, *, circle: Circle, by: str, next_after: schedules.NextAfter, now: datetime
) -> datetime | None:
    """Check-ins again, from the next occurrence still to come (one skipped before the pause
    stays skipped); returns it."""
    _managed(circle, by)
    circle.state, circle.paused_why, circle.updated_at = CircleState.ACTIVE, None, now
    session.add(circle)
    schedule = schedule_of(session, circle)
    if schedule is None:
        return None
    if schedule.next_at is None or schedule.next_at <= now:
        schedule.next_at = next_after(schedules.rule_of(schedule), now)
    session.add(schedule)
    session.flush()
    return schedule.next_at


def skip_next(
    session: Session, *, circle: Circle, by: str, next_after: schedules.NextAfter
) -> datetime | None:
    """The next check-in is skipped; returns the one after it."""
    _managed(circle, by)
    schedule = schedule_of(session, circle)
    if circle.state != CircleState.ACTIVE or schedule is None or schedule.next_at is None:
        raise Invalid("There is no check-in coming to skip: the circle is paused.")
    schedules.advance(
        session, schedule=schedule, occurrence=schedule.next_at, next_after=next_after
    )
    return schedule.next_at


def archive(session: Session, *, circle: Circle, by: str, now: datetime) -> None:
    """Ended for good (its check-ins and challenges are kept); a new circle may start there."""
    _managed(circle, by)
    _stop(session, circle, state=CircleState.ARCHIVED, why=None, now=now)


def _managed(circle: Circle, by: str) -> None:
    if not may_manage(circle, by):
        raise NotAllowed()
    if circle.state == CircleState.ARCHIVED:
        raise Invalid("This circle is archived.")


def _stop(session: Session, circle: Circle, *, state: str, why: str | None, now) -> None:
    """Paused: its occurrences pass without check-ins (the schedule keeps counting, so a skip
    made before still holds); archived: no schedule at all."""
    circle.state, circle.paused_why, circle.updated_at = state, why, now
    session.add(circle)
    schedule = schedule_of(session, circle)
    if schedule is not None and state == CircleState.ARCHIVED:
        schedule.next_at = None
        session.add(schedule)
    session.flush()


# --- people joining and leaving


def join(session: Session, *, circle: Circle, user_id: str, now: datetime) -> bool:
    """The person joins the circle (True), or was in it already (False)."""
    if circle.state == CircleState.ARCHIVED:
        raise Invalid("This circle is archived, so it takes no new members.")
    values = {"circle_id": circle.id, "team_id": circle.team_id, "user_id": user_id}
    if insert_new(
        session, CircleMember, values | {"joined_at": now}, unique=["circle_id", "user_id"]
    ):
        return True
    back = session.execute(  # only this person's row: a join at the same moment is kept
        sql_update(CircleMember)
        .where(
            CircleMember.circle_id == circle.id,
            CircleMember.user_id == user_id,
            col(CircleMember.left_at).is_not(None),
        )
        .values(left_at=None, joined_at=now)
        .execution_options(synchronize_session=False)
    )
    return back.rowcount == 1


def left_channel(
    session: Session, *, team_id: str, channel_id: str, user_id: str, now: datetime
) -> bool:
    """A person left the channel: they leave its circle too. True when they were in it."""
    circle = in_channel(session, team_id=team_id, channel_id=channel_id)
    if circle is None:
        return False
    row = membership(session, circle_id=circle.id, user_id=user_id)
    if row is None:
        return False
    row.left_at = now
    session.add(row)
    session.flush()
    return True


def person_changed(
    session: Session, *, team_id: str, user_id: str, tz: str | None, gone: bool, now: datetime
) -> int:
    """Slack says a person changed: a deactivated account leaves every circle (never paired,
    reminded or followed up again); a new time zone moves their reminder window. Returns the
    circle rows changed."""
    rows = session.exec(
        select(CircleMember).where(
            CircleMember.team_id == team_id,
            CircleMember.user_id == user_id,
            col(CircleMember.left_at).is_(None),
        )
    ).all()
    for row in rows:
        if gone:
            row.left_at = now
        elif tz:
            row.tz = known_zone(tz)
        session.add(row)
    session.flush()
    return len(rows)


def set_reminders(
    session: Session, *, circle_id: int, team_id: str, user_id: str, on: bool
) -> bool:
    """The member's own choice of circle reminders; False when they are not in the circle."""
    circle = get(session, team_id=team_id, circle_id=circle_id)
    row = circle and membership(session, circle_id=circle.id, user_id=user_id)
    if not row:
        return False
    row.reminders = on
    session.add(row)
    session.flush()
    return True


# --- faults


FAULTS = {
    "channel_left": "I was removed from the channel",
    "group_left": "I was removed from the channel",
    "not_in_channel": "I am not in the channel any more",
    "channel_archive": "the channel was archived",
    "group_archive": "the channel was archived",
    "is_archived": "the channel was archived",
    "channel_deleted": "the channel was deleted",
    "group_deleted": "the channel was deleted",
    "channel_not_found": "the channel is gone, or I can no longer see it",
    "restricted_action": "the workspace's settings don't let me post in the channel",
    "restricted_action_read_only_channel": "the channel is read-only",
    "restricted_action_thread_only_channel": "the channel takes replies in threads only",
    "restricted_action_non_threadable_channel": "the channel takes no threads",
    "posting_to_channel_denied": "the channel's admins don't let me post there",
    "ekm_access_denied": "the workspace's keys don't let me post there",
}


def pause_for_fault(
    session: Session, *, team_id: str, channel_id: str, fault: str, now: datetime
) -> list[int]:
    """The channel cannot take the circle's posts: the circle pauses and its owner gets one DM
    saying why and how to resume. Returns the outbox rows made (none if it was not active)."""
    circle = in_channel(session, team_id=team_id, channel_id=channel_id)
    if circle is None or circle.state != CircleState.ACTIVE:
        return []
    why = FAULTS.get(fault, fault)
    _stop(session, circle, state=CircleState.PAUSED, why=why, now=now)
    circle.pauses += 1
    session.add(circle)
    if not circle.owner_id:  # its last person was forgotten (core/forget.py): nobody to tell
        return []
    told = outbox.enqueue(
        session,
        team_id=team_id,
        purpose=PAUSED,
        key=f"{circle.id}:{circle.pauses}",
        target=outbox.Target.dm(circle.owner_id),
        owner_id=circle.owner_id,
        payload={"circle": circle.id, "why": why, "fault": fault},
        now=now,
    )
    return [told] if told else []
