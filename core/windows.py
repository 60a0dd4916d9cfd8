"""A member's nudge window: the days and hours, in their own time zone, when nudges may reach
them. Pure functions of the member's row and an instant."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.members import known_zone
from core.models import Member

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def zone_of(member: Member) -> ZoneInfo:
    return ZoneInfo(known_zone(member.tz))


def local_day(member: Member, now: datetime) -> date:
    return now.astimezone(zone_of(member)).date()


def days_of(member: Member) -> set[int]:
    """The weekdays nudges may come on (0 is Monday)."""
    return {int(d) for d in member.nudge_days if d.isdigit() and int(d) < 7}


def is_open(member: Member, now: datetime) -> bool:
    """Inside the window: one of the member's days, between start and end, not paused."""
    local = now.astimezone(zone_of(member))
    minute = local.hour * 60 + local.minute
    paused = member.paused_until is not None and local.date() <= member.paused_until
    return (
        not paused
        and local.weekday() in days_of(member)
        and member.nudge_start <= minute < member.nudge_end
    )


def may_deliver(member: Member, now: datetime) -> bool:
    """The window is open, Slack has not refused the member for good, and (by default) they
    have not had a delivery yet today."""
    if member.unreachable or not is_open(member, now):
        return False
    return not (member.one_a_day and member.last_delivery_on == local_day(member, now))


def next_opening(member: Member, now: datetime) -> datetime | None:
    """The first instant from `now` on when the window is open (None: no day is chosen)."""
    zone = zone_of(member)
    if is_open(member, now):
        return now
    start = time(member.nudge_start // 60, member.nudge_start % 60)
    today = now.astimezone(zone).date()
    for ahead in range(0, 400):
        day = today + timedelta(days=ahead)
        opening = datetime.combine(day, start, tzinfo=zone)
        if opening >= now and is_open(member, opening):
            return opening
    return None


def next_chance(member: Member, now: datetime) -> datetime:
    """When a delivery may next reach the member: the next opening of their window, after
    today if today's delivery is out (a day from now if no day is chosen)."""
    start = now
    if member.one_a_day and member.last_delivery_on == local_day(member, now):
        start = tomorrow(member, now)
    return next_opening(member, start) or now + timedelta(days=1)


def tomorrow(member: Member, now: datetime) -> datetime:
    """The start of the member's next day."""
    return datetime.combine(local_day(member, now) + timedelta(days=1), time(0), zone_of(member))


def describe(member: Member) -> str:
    """'weekdays 09:00 to 17:00', 'Mon, Wed 08:30 to 12:00'..."""
    days = sorted(days_of(member))
    if days == [0, 1, 2, 3, 4]:
        named = "weekdays"
    elif len(days) == 7:
        named = "every day"
    else:
        named = ", ".join(WEEKDAYS[d][:3] for d in days) or "no day"
    return f"{named} {_clock(member.nudge_start)} to {_clock(member.nudge_end)}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
