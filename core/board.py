"""The board: enlisting advisors, editing them, easing them aside, bringing them back."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core import cadence, dates, next_due
from core.clock import Clock, moment_on
from core.errors import AmongAlumni, Invalid, NotOnBoard
from core.models import Advisor, AdvisorStatus, Origin, RelationshipKind, Support
from core.names import has_letters, normalize
from core.typed import check_typed

LIMITS = {"name": 150, "contact": 300, "gains": 3000, "notes": 3000}
CLOSENESS = range(1, 5)  # 1 acquaintance, 2 friendly, 3 close, 4 very close


@dataclass(frozen=True)
class Person:
    """Who an advisor is: a Slack member of the workspace, or someone outside Slack."""

    name: str
    slack_user_id: str | None = None
    contact: str | None = None
    tz: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Details:
    """What the member records about an advisor."""

    relationship: str = RelationshipKind.PEER
    inside_org: bool = True
    support: tuple[str, ...] = ()
    gains: str = ""
    cadence_days: int | None = None  # None: the usual rhythm for the relationship
    notes: str = ""
    origin: str | None = None  # Origin: where the member knows them from; None: not known
    closeness: int | None = None  # in CLOSENESS; None: not said


def get_advisor(session: Session, *, team_id: str, owner_id: str, advisor_id: int) -> Advisor:
    """The advisor if it is on this member's board (or alumni); NotOnBoard otherwise."""
    advisor = session.exec(
        select(Advisor).where(
            Advisor.id == advisor_id, Advisor.team_id == team_id, Advisor.owner_id == owner_id
        )
    ).first()
    if advisor is None:
        raise NotOnBoard()
    return advisor


def advisors(
    session: Session, *, team_id: str, owner_id: str, status: str = AdvisorStatus.ACTIVE
) -> list[Advisor]:
    """The board (or its alumni), most urgent first."""
    return list(
        session.exec(
            select(Advisor)
            .where(
                Advisor.team_id == team_id, Advisor.owner_id == owner_id, Advisor.status == status
            )
            .order_by(Advisor.next_touch_due_at, Advisor.name)  # alumni have none: by name
        )
    )


def _check_person(session: Session, person: Person, *, team_id, owner_id, except_id=None) -> None:
    if person.slack_user_id is None and not has_letters(person.name):
        raise Invalid(
            "Pick a Slack member, or type the name of someone outside Slack.", field="name"
        )
    if person.slack_user_id == owner_id:
        raise Invalid("You can't be your own advisor: pick someone else.", field="member")
    if person.is_bot:
        raise Invalid("That's a bot: an advisor is a person you can talk to.", field="member")
    for existing in advisors(session, team_id=team_id, owner_id=owner_id) + advisors(
        session, team_id=team_id, owner_id=owner_id, status=AdvisorStatus.ALUMNI
    ):
        if existing.id == except_id:
            continue
        same_member = person.slack_user_id and existing.slack_user_id == person.slack_user_id
        same_name = not person.slack_user_id and normalize(existing.name) == normalize(person.name)
        if same_member or same_name:
            field = "member" if same_member else "name"
            if existing.status != AdvisorStatus.ACTIVE:
                raise AmongAlumni(existing.name, field=field, advisor_id=existing.id)
            raise Invalid(f"{existing.name} is already on your board.", field=field)


def _check_details(details: Details) -> None:
    if details.relationship not in set(RelationshipKind):
        raise Invalid("Choose how this person relates to you.", field="relationship")
    if not set(details.support) <= set(Support):
        raise Invalid("Choose the support from the list.", field="support")
    if details.origin is not None and details.origin not in set(Origin):
        raise Invalid("Choose where you know them from in the list.", field="origin")
    if details.closeness is not None and details.closeness not in CLOSENESS:
        raise Invalid("Choose how close you are from the list.", field="closeness")
    days = details.cadence_days
    if days is not None and not cadence.MIN_DAYS <= days <= cadence.MAX_DAYS:
        raise Invalid(
            "Choose a rhythm between every day and once a year (1 to 365 days).", field="cadence"
        )


def _check_lengths(values: dict[str, str | None]) -> None:
    for field, limit in LIMITS.items():
        value = values.get(field) or ""
        check_typed(field, value)
        if len(value) > limit:
            raise Invalid(f"Keep this under {limit} characters (it has {len(value)}).", field=field)


def _validate(session, person: Person, details: Details, *, team_id, owner_id, except_id=None):
    _check_lengths({"name": person.name, "contact": person.contact, **details.__dict__})
    _check_person(session, person, team_id=team_id, owner_id=owner_id, except_id=except_id)
    _check_details(details)


def _spoke_at(spoke_on: date, zone: ZoneInfo, clock: Clock) -> datetime:
    now = clock.now()
    if spoke_on > now.astimezone(zone).date():
        raise Invalid("That date is in the future: when did you last speak?", field="last_spoke")
    if spoke_on < dates.earliest(now.astimezone(zone).date()):
        raise dates.too_long_ago("last_spoke")
    return moment_on(spoke_on, zone, now)


def enlist(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    person: Person,
    details: Details,
    last_spoke_on: date,
    zone: ZoneInfo,
    clock: Clock,
) -> Advisor:
    """Put someone on the member's board; the first stay-in-touch falls one cadence after."""
    _validate(session, person, details, team_id=team_id, owner_id=owner_id)
    last_touch_at = _spoke_at(last_spoke_on, zone, clock)
    days = details.cadence_days or cadence.default_days(details.relationship)
    advisor = Advisor(
        team_id=team_id,
        owner_id=owner_id,
        created_at=clock.now(),
        updated_at=clock.now(),
        last_touch_at=last_touch_at,
        last_spoke_at=last_touch_at,
    )
    _apply(advisor, person, details, days)
    set_due(session, advisor, cadence.due_after(last_touch_at, days), now=clock.now())
    session.add(advisor)
    session.flush()
    return advisor


def _apply(advisor: Advisor, person: Person, details: Details, days: int) -> None:
    advisor.slack_user_id = person.slack_user_id
    advisor.name = person.name.strip()
    advisor.contact = (person.contact or "").strip() or None
    advisor.tz = person.tz
    advisor.relationship = details.relationship
    advisor.inside_org = details.inside_org
    advisor.support = list(details.support)
    advisor.gains = details.gains.strip()
    advisor.notes = details.notes.strip()
    advisor.origin = details.origin
    advisor.closeness = details.closeness
    advisor.cadence_days = days


def edit(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    advisor_id: int,
    person: Person,
    details: Details,
    clock: Clock,
) -> Advisor:
    """Change what the member recorded; a new cadence moves the next due date."""
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    _validate(session, person, details, team_id=team_id, owner_id=owner_id, except_id=advisor.id)
    old_days = advisor.cadence_days
    new_days = details.cadence_days or cadence.default_days(details.relationship)
    _apply(advisor, person, details, new_days)
    if advisor.next_touch_due_at is not None and new_days != old_days:
        # a new rhythm moves the next due date by the difference, from wherever it stood
        set_due(
            session,
            advisor,
            advisor.next_touch_due_at + timedelta(days=new_days - old_days),
            now=clock.now(),
        )
    advisor.updated_at = clock.now()
    session.add(advisor)
    session.flush()
    return advisor


def ease_aside(
    session: Session, *, team_id: str, owner_id: str, advisor_id: int, clock: Clock
) -> Advisor:
    """Move an advisor to alumni: kept with their history, out of the board's cadence."""
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    advisor.status = AdvisorStatus.ALUMNI
    set_due(session, advisor, None, now=clock.now())
    advisor.updated_at = clock.now()
    session.add(advisor)
    session.flush()
    return advisor


def bring_back(
    session: Session, *, team_id: str, owner_id: str, advisor_id: int, clock: Clock
) -> Advisor:
    """Put an alumnus back on the board; the rhythm restarts from today."""
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    if advisor.status == AdvisorStatus.ACTIVE:
        return advisor  # already back (a second click, an old message): nothing restarts
    advisor.status = AdvisorStatus.ACTIVE
    set_due(session, advisor, cadence.due_after(clock.now(), advisor.cadence_days), now=clock.now())
    advisor.updated_at = clock.now()
    session.add(advisor)
    session.flush()
    return advisor


SNOOZE_DAYS = (3, 7, 14)


def snooze(
    session: Session, *, team_id: str, owner_id: str, advisor_id: int, days: int, clock: Clock
) -> Advisor:
    """Put off staying in touch for a few days: this cycle ends, the next is due after them."""
    if days not in SNOOZE_DAYS:
        raise Invalid("Snooze for 3 days, a week or two weeks.", field="snooze")
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    if advisor.status != AdvisorStatus.ACTIVE:
        raise Invalid(f"{advisor.name} is among your alumni: nothing to snooze.", field="snooze")
    until = clock.now() + timedelta(days=days)
    set_due(session, advisor, until, now=clock.now())
    advisor.snoozed_until = until
    advisor.updated_at = clock.now()
    session.add(advisor)
    session.flush()
    return advisor


def set_due(session: Session, advisor: Advisor, due_at: datetime | None, *, now: datetime) -> None:
    """Start a new stay-in-touch cycle due at `due_at` (None: out of the cadence); a snooze
    ends, and the nudge engine looks at the advisor again then."""
    advisor.next_touch_due_at = due_at
    advisor.snoozed_until = None
    next_due.advisor_changed(session, advisor, now=now)


def remove(session: Session, *, team_id: str, owner_id: str, advisor_id: int) -> str:
    """Delete an advisor and their touchpoints for good; returns the name that was removed."""
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    name = advisor.name
    session.delete(advisor)
    session.flush()
    return name


def find_member(
    session: Session, *, team_id: str, owner_id: str, slack_user_id: str
) -> Advisor | None:
    """The advisor (active or alumni) who is this Slack member, if they are on the board."""
    return session.exec(
        select(Advisor).where(
            Advisor.team_id == team_id,
            Advisor.owner_id == owner_id,
            Advisor.slack_user_id == slack_user_id,
        )
    ).first()
