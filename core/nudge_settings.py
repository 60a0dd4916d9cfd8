"""Nudge settings: when nudges may reach a member (their days and hours, in their own time zone,
and a pause) and how (all due items in one message or one per item, at most once a day, a Monday
preview of the week ahead), and how often their board is reassessed (core/reassess.py)."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core.clock import Clock
from core.errors import Invalid
from core.members import known_zone, remember_member
from core.models import Member

WEEKDAYS = frozenset(range(7))  # 0 is Monday
SHORTEST_WINDOW = timedelta(hours=1)
LONGEST_PAUSE = timedelta(days=365)
REASSESS_MONTHS = (3, 6, 12, 0)


@dataclass(frozen=True)
class NudgeChoices:
    """What the member chose; the defaults are what a new member gets."""

    days: frozenset[int] = frozenset(range(5))  # weekdays, 0 is Monday
    start: time = time(9)
    end: time = time(17)
    paused_until: date | None = None  # no nudges up to and including this day
    digest: bool = True  # all due items in one message; False: one message per item
    one_a_day: bool = True
    monday_preview: bool = False
    reassess_months: int = 3  # the board's reassessment every 3, 6 or 12 months; 0: never


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def choices_of(member: Member | None) -> NudgeChoices:
    """The member's current settings; the defaults for someone without a row yet."""
    if member is None:
        return NudgeChoices()
    return NudgeChoices(
        days=frozenset(int(d) for d in member.nudge_days if d.isdigit() and int(d) in WEEKDAYS),
        start=_time(member.nudge_start),
        end=_time(member.nudge_end),
        paused_until=member.paused_until,
        digest=member.digest,
        one_a_day=member.one_a_day,
        monday_preview=member.monday_preview,
        reassess_months=member.reassess_months,
    )


def current_choices(session: Session, *, team_id: str, user_id: str) -> NudgeChoices:
    member = session.exec(
        select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    ).first()
    return choices_of(member)


def check(choices: NudgeChoices, *, today: date) -> None:
    """Invalid at the first field that cannot be saved; `today` is the member's date."""
    if not choices.days:
        raise Invalid(
            "Choose at least one day. To stop nudges for a while, pause them instead.",
            field="days",
        )
    if not choices.days <= WEEKDAYS:
        raise Invalid("Choose days of the week.", field="days")
    start, end = _minutes(choices.start), _minutes(choices.end)
    if end <= start:
        raise Invalid(
            "End after the start: the hours are within one day, e.g. 09:00 to 17:00.", field="end"
        )
    if end - start < SHORTEST_WINDOW.total_seconds() // 60:
        raise Invalid("Keep at least an hour between start and end.", field="end")
    if choices.paused_until is not None:
        if choices.paused_until < today:
            raise Invalid(
                "That day is already past: choose today or later, or leave it empty.",
                field="pause",
            )
        if choices.paused_until > today + LONGEST_PAUSE:
            raise Invalid("Pause for a year at most.", field="pause")
    if choices.monday_preview and 0 not in choices.days:
        raise Invalid(
            "The preview comes on Mondays: add Monday to your days, or untick the preview.",
            field="preview",
        )
    if choices.reassess_months not in REASSESS_MONTHS:
        raise Invalid("Every 3, 6 or 12 months, or never.", field="reassess")


def save_settings(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    choices: NudgeChoices,
    zone_name: str,
    clock: Clock,
) -> Member:
    """Save the member's nudge settings (their row is created if missing, in `zone_name`, the
    zone Slack gives them). Everything is checked first: on Invalid nothing has changed."""
    zone = known_zone(zone_name)
    check(choices, today=clock.now().astimezone(ZoneInfo(zone)).date())
    member = remember_member(session, team_id=team_id, user_id=user_id, tz=zone, clock=clock)
    member.nudge_days = "".join(str(d) for d in sorted(choices.days))
    member.nudge_start = _minutes(choices.start)
    member.nudge_end = _minutes(choices.end)
    member.paused_until = choices.paused_until
    member.digest = choices.digest
    member.one_a_day = choices.one_a_day
    member.monday_preview = choices.monday_preview
    member.reassess_months = choices.reassess_months
    session.add(member)
    session.flush()
    return member
