"""Regularly reassess (DOMAIN 8): a walk through the member's board, one advisor at a time, in
one DM updated in place, every few months. What it decides:

    schedule    every `reassess_months` months (3 by default; 0: never), counted from the
                board's first advisor, on the member's first nudge day of the week the months
                come round (the Nth such weekday of the month, as the first advisor's day was
                in its month), at the start of their window, in their time zone. Kept or
                dropped each time the tick plans the member (core/nudge_plan.py calls
                `keep_schedule` first thing), so a changed setting, window or time zone
                follows, and members from before reassessments existed get theirs the next
                time they are planned, with no backfill.
    occurrence  a Reassessment (one per member and occurrence) over the active advisors in the
                board's order, and one DM (purpose "reassess") inside the member's window
    posted      where the DM is, kept so answers update it; one reminder a week later
                (purpose "reassess_remind"), skipped once every advisor is answered or done
    answer      once per advisor: keep, a new cadence, or ease aside (to alumni, never
                deleted); answers to a reassessment or advisor not the member's change nothing
    last        "is anyone missing?" with the review's first suggestion (core/review.py), done

A reassessment can be left and resumed: nothing closes it but the member's Done."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from core import board, outbox, review, reviewing, schedules, windows
from core.clock import Clock
from core.db import insert_new
from core.errors import Invalid, NotOnBoard, NotYours
from core.models import (
    Advisor,
    AdvisorGoal,
    AdvisorStatus,
    Goal,
    GoalKind,
    Member,
    Outbox,
    Reassessment,
    ReassessmentAnswer,
    Schedule,
)
from core.outbox import Skip, Target, Wait

PURPOSE = "reassess"  # the schedule's purpose, and the DM's
REMIND = "reassess_remind"
REMIND_AFTER = timedelta(days=7)
MIN_GAP = timedelta(days=28)  # a rule changed on the day never brings a second one that month
CADENCES = (7, 14, 30, 60, 90)  # weekly, every 2 weeks, monthly, every 2 months, quarterly
KEEP, CADENCE, EASE_ASIDE = "keep", "cadence", "ease_aside"
OPEN, DONE = "open", "done"


# --- the schedule


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def rule_for(member: Member, first_day: date) -> schedules.Rule | None:
    """When the member's reassessments fall, counted from `first_day` (the board's first
    advisor, on the member's calendar); None when they are turned off."""
    months = member.reassess_months
    if not 1 <= months <= 12:
        return None
    week = (first_day.day - 1) // 7 + 1
    return schedules.Rule.monthly(
        minute=member.nudge_start,
        tz=member.tz,
        starts_on=add_months(first_day, months),
        every=months,
        nth=week if week <= 4 else schedules.LAST,
        weekday=min(windows.days_of(member), default=0),
    )


def keep_schedule(
    session: Session, *, member: Member, now: datetime, next_after: schedules.NextAfter
) -> Schedule | None:
    """The member's reassessment schedule as their settings and board say now: kept (its next
    occurrence worked out again if the rule changed), or dropped when they turned it off or
    have no advisor on their board."""
    key = {"team_id": member.team_id, "purpose": PURPOSE, "key": member.user_id}
    first = _first_enlisted(session, member)
    rule = rule_for(member, first) if first else None
    if rule is None:
        schedules.drop(session, **key)
        return None
    return schedules.keep(
        session, **key, rule=rule, next_after=next_after, now=now, owner_id=member.user_id
    )


def _first_enlisted(session: Session, member: Member) -> date | None:
    """The day the board's first advisor was enlisted (alumni count: the board began then),
    on the member's calendar; None when no advisor is on the board now."""
    active = case((col(Advisor.status) == AdvisorStatus.ACTIVE, 1), else_=0)
    first, actives = session.execute(
        select(func.min(Advisor.created_at), func.sum(active)).where(
            Advisor.team_id == member.team_id, Advisor.owner_id == member.user_id
        )
    ).one()
    if not actives:
        return None
    return first.astimezone(windows.zone_of(member)).date()


def next_at(session: Session, *, team_id: str, owner_id: str) -> datetime | None:
    found = schedules.get(session, team_id=team_id, purpose=PURPOSE, key=owner_id)
    return found.next_at if found else None


# --- the occurrence


def _member(session: Session, team_id: str, user_id: str) -> Member | None:
    query = select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
    return session.exec(query).first()


def occurrence(session: Session, *, schedule, occurrence: datetime, now: datetime) -> list[int]:
    """The schedule's hook: a reassessment over the board as it is now, and its DM, once."""
    member = _member(session, schedule.team_id, schedule.key)
    if member is None or member.reassess_months <= 0:
        return []
    who = {"team_id": member.team_id, "owner_id": member.user_id}
    advisor_ids = [a.id for a in board.advisors(session, **who)]
    if not advisor_ids or _one_lately(session, member, occurrence):
        return []
    values = {
        **who,
        "occurrence": occurrence,
        "advisor_ids": advisor_ids,
        "position": 0,
        "state": OPEN,
        "created_at": now,
    }
    made = insert_new(session, Reassessment, values, unique=["team_id", "owner_id", "occurrence"])
    if made is None:
        return []
    row = outbox.enqueue(
        session,
        team_id=member.team_id,
        purpose=PURPOSE,
        key=str(made),
        target=Target.dm(member.user_id),
        owner_id=member.user_id,
        payload={"reassessment": made},
        now=now,
    )
    return [row] if row else []


def _one_lately(session: Session, member: Member, occurrence: datetime) -> bool:
    query = select(Reassessment.id).where(
        Reassessment.team_id == member.team_id,
        Reassessment.owner_id == member.user_id,
        col(Reassessment.occurrence) > occurrence - MIN_GAP,
    )
    return session.exec(query.limit(1)).first() is not None


# --- what the DM shows


@dataclass(frozen=True)
class Tally:
    """What the member decided so far, by advisor name."""

    kept: tuple[str, ...] = ()
    cadence: tuple[tuple[str, int], ...] = ()  # (name, new cadence in days)
    eased: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """What the reassessment's message shows now: one advisor to answer about (`advisor`),
    else "is anyone missing?" (with the review's top `gap`), else, once done, what was decided."""

    reassessment: Reassessment
    zone: ZoneInfo
    total: int
    advisor: Advisor | None = None
    number: int = 0  # the advisor's place in the walk, from 1
    left: int = 0  # advisors still to answer about, them included
    goals: tuple[str, ...] = ()  # the goals they help with
    gap: str | None = None
    tally: Tally = field(default_factory=Tally)
    next_at: datetime | None = None  # done: when the next one comes

    @property
    def done(self) -> bool:
        return self.reassessment.state == DONE


def _answers(session: Session, reassessment_id: int) -> list[ReassessmentAnswer]:
    query = select(ReassessmentAnswer).where(ReassessmentAnswer.reassessment_id == reassessment_id)
    return list(session.exec(query.order_by(ReassessmentAnswer.id)))


def _walk(session: Session, reassessment: Reassessment) -> dict[int, Advisor]:
    """The advisors of the walk still on the member's board or among alumni, by id."""
    ids = [i for i in reassessment.advisor_ids if isinstance(i, int)]
    query = select(Advisor).where(
        col(Advisor.id).in_(ids),
        Advisor.team_id == reassessment.team_id,
        Advisor.owner_id == reassessment.owner_id,
    )
    return {advisor.id: advisor for advisor in session.exec(query)}


def _current(reassessment: Reassessment, advisors: dict[int, Advisor], answered: set[int]):
    """The first advisor of the walk not answered yet and still on the board (and their
    index), or (None, len) once there is none."""
    for index, advisor_id in enumerate(reassessment.advisor_ids):
        advisor = advisors.get(advisor_id)
        if _to_answer(advisor, answered):
            return advisor, index
    return None, len(reassessment.advisor_ids)


def _to_answer(advisor: Advisor | None, answered: set[int]) -> bool:
    return (
        advisor is not None
        and advisor.id not in answered
        and advisor.status == AdvisorStatus.ACTIVE
    )


def step(session: Session, reassessment: Reassessment, *, now: datetime) -> Step:
    member = _member(session, reassessment.team_id, reassessment.owner_id)
    zone = windows.zone_of(member) if member else ZoneInfo("UTC")
    answers = _answers(session, reassessment.id)
    advisors = _walk(session, reassessment)
    base = {
        "reassessment": reassessment,
        "zone": zone,
        "total": len(reassessment.advisor_ids),
        "tally": _tally(answers, advisors),
    }
    who = {"team_id": reassessment.team_id, "owner_id": reassessment.owner_id}
    if reassessment.state == DONE:
        return Step(**base, next_at=next_at(session, **who))
    answered = {a.advisor_id for a in answers}
    advisor, index = _current(reassessment, advisors, answered)
    if advisor is None:
        return Step(**base, gap=top_gap(session, **who, now=now))
    left = sum(1 for i in reassessment.advisor_ids if _to_answer(advisors.get(i), answered))
    goals = tuple(_goals_of(session, advisor.id))
    return Step(**base, advisor=advisor, number=index + 1, left=left, goals=goals)


def _tally(answers: list[ReassessmentAnswer], advisors: dict[int, Advisor]) -> Tally:
    def name(answer: ReassessmentAnswer) -> str:
        advisor = advisors.get(answer.advisor_id)
        return advisor.name if advisor else "someone since removed"

    return Tally(
        kept=tuple(name(a) for a in answers if a.answer == KEEP),
        cadence=tuple((name(a), a.cadence_days) for a in answers if a.answer == CADENCE),
        eased=tuple(name(a) for a in answers if a.answer == EASE_ASIDE),
    )


def _goals_of(session: Session, advisor_id: int) -> list[str]:
    order = {kind: place for place, kind in enumerate(GoalKind)}
    query = (
        select(Goal)
        .join(AdvisorGoal, col(AdvisorGoal.goal_id) == Goal.id)
        .where(AdvisorGoal.advisor_id == advisor_id)
    )
    goals = sorted(session.exec(query), key=lambda g: (order.get(g.kind, 99), g.position, g.id))
    return [goal.text for goal in goals]


def of_row(session: Session, row: Outbox) -> Reassessment | None:
    """The reassessment an outbox row is about (only one of the row's own member)."""
    found = session.get(Reassessment, _int((row.payload or {}).get("reassessment")) or -1)
    if found is None or (found.team_id, found.owner_id) != (row.team_id, row.owner_id):
        return None
    return found


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- sending: inside the member's window


@dataclass(frozen=True)
class Unreachable:
    error: str


def to_post(session: Session, *, row: Outbox, now: datetime) -> Step | Wait | Skip | Unreachable:
    """Whether the reassessment's DM goes now: while it is open, inside the member's window."""
    reassessment = of_row(session, row)
    if reassessment is None:
        return Skip("the reassessment is gone")
    if reassessment.state == DONE:
        return Skip("done before it went out")
    return _in_window(session, reassessment, now) or step(session, reassessment, now=now)


def reminder(session: Session, *, row: Outbox, now: datetime) -> Step | Wait | Skip | Unreachable:
    """Whether the week-later reminder goes now: only while some advisor is still to answer
    about, inside the member's window."""
    reassessment = of_row(session, row)
    if reassessment is None or reassessment.ts is None:
        return Skip("the reassessment is gone, or its message never went out")
    if reassessment.state == DONE:
        return Skip("the member finished it")
    shown = step(session, reassessment, now=now)
    if shown.advisor is None:
        return Skip("every advisor is answered")
    return _in_window(session, reassessment, now) or shown


def _in_window(session: Session, reassessment: Reassessment, now: datetime):
    """Why not now (None: it goes now)."""
    member = _member(session, reassessment.team_id, reassessment.owner_id)
    if member is None:
        return Skip("the member is gone")
    if member.unreachable:
        return Unreachable(member.unreachable)
    if not windows.is_open(member, now):
        opening = windows.next_opening(member, now) or now + timedelta(days=1)
        return Wait(opening, "outside the member's window")
    return None


def posted(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    """The DM is out: kept where it is (answers update it there), and a reminder a week on."""
    reassessment = of_row(session, row)
    if reassessment is None:
        return []
    reassessment.channel_id, reassessment.ts = row.channel_id, row.ts
    session.add(reassessment)
    made = outbox.enqueue(
        session,
        team_id=row.team_id,
        purpose=REMIND,
        key=str(reassessment.id),
        target=Target.dm(row.owner_id),
        owner_id=row.owner_id,
        payload={"reassessment": reassessment.id},
        now=now,
        not_before=now + REMIND_AFTER,
    )
    return [made] if made else []


# --- answering


def own(session: Session, *, team_id: str, owner_id: str, reassessment_id: int) -> Reassessment:
    """The member's reassessment; NotYours for any other id."""
    found = session.get(Reassessment, reassessment_id) if reassessment_id else None
    if found is None or (found.team_id, found.owner_id) != (team_id, owner_id):
        raise NotYours("reassessment")
    return found


def answer(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    reassessment_id: int,
    advisor_id: int,
    choice: str,
    clock: Clock,
    cadence_days: int | None = None,
) -> bool:
    """Record what the member decided about one advisor of their reassessment and do it: keep,
    a new cadence (one of CADENCES), or ease aside (to alumni). Once per advisor: False when
    they were answered already (a double click), and nothing changes. NotYours, NotOnBoard or
    Invalid (nothing changes) for a reassessment not the member's, an advisor not in it, a
    finished one, or a choice not offered."""
    reassessment = own(session, team_id=team_id, owner_id=owner_id, reassessment_id=reassessment_id)
    if advisor_id not in reassessment.advisor_ids:
        raise NotOnBoard()
    if reassessment.state == DONE:
        raise Invalid("This reassessment is finished, so nothing changed: see my Home tab.")
    if choice not in (KEEP, CADENCE, EASE_ASIDE) or (
        choice == CADENCE and cadence_days not in CADENCES
    ):
        raise Invalid("Keep them, choose how often, or ease them aside: nothing changed.")
    who = {"team_id": team_id, "owner_id": owner_id}
    advisor = board.get_advisor(session, **who, advisor_id=advisor_id)
    if advisor.status != AdvisorStatus.ACTIVE:
        raise Invalid(f"{advisor.name} is among your alumni already, so nothing changed.")
    values = {
        "reassessment_id": reassessment.id,
        "advisor_id": advisor.id,
        "answer": choice,
        "cadence_days": cadence_days if choice == CADENCE else None,
        "at": clock.now(),
    }
    if not insert_new(
        session, ReassessmentAnswer, values, unique=["reassessment_id", "advisor_id"]
    ):
        return False
    _apply(session, advisor, choice, cadence_days, clock)
    _move_on(session, reassessment)
    return True


def _apply(session: Session, advisor: Advisor, choice: str, days: int | None, clock: Clock):
    if choice == EASE_ASIDE:
        board.ease_aside(
            session,
            team_id=advisor.team_id,
            owner_id=advisor.owner_id,
            advisor_id=advisor.id,
            clock=clock,
        )
    elif choice == CADENCE:
        set_cadence(session, advisor, days, now=clock.now())


def set_cadence(session: Session, advisor: Advisor, days: int, *, now: datetime) -> None:
    """A new rhythm moves the next due date by the difference, as editing the advisor does."""
    old = advisor.cadence_days
    advisor.cadence_days = days
    if advisor.next_touch_due_at is not None and days != old:
        board.set_due(
            session, advisor, advisor.next_touch_due_at + timedelta(days=days - old), now=now
        )
    advisor.updated_at = now
    session.add(advisor)
    session.flush()


def _move_on(session: Session, reassessment: Reassessment) -> None:
    """`position`: the advisor asked about now (len(advisor_ids): who is missing?)."""
    answered = {a.advisor_id for a in _answers(session, reassessment.id)}
    _, index = _current(reassessment, _walk(session, reassessment), answered)
    reassessment.position = index
    session.add(reassessment)
    session.flush()


def finish(
    session: Session, *, team_id: str, owner_id: str, reassessment_id: int, now: datetime
) -> bool:
    """Done (any advisor not answered about is kept as is): False when it was already."""
    reassessment = own(session, team_id=team_id, owner_id=owner_id, reassessment_id=reassessment_id)
    done = session.execute(
        update(Reassessment)
        .where(col(Reassessment.id) == reassessment.id, Reassessment.state == OPEN)
        .values(state=DONE, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(reassessment)
    return done.rowcount == 1


def shown(
    session: Session, *, team_id: str, owner_id: str, reassessment_id: int, now: datetime
) -> Step:
    """The member's reassessment message as it should look now; NotYours for another's."""
    found = own(session, team_id=team_id, owner_id=owner_id, reassessment_id=reassessment_id)
    return step(session, found, now=now)


# --- is anyone missing?


# The gaps enlisting someone would close: what "is anyone missing?" may point at.
ENLISTING_CLOSES = {
    review.Gap.EMPTY,
    review.Gap.SMALL,
    review.Gap.UNLINKED_GOAL,
    review.Gap.NO_OUTSIDE,
    review.Gap.NO_INSIDE,
    review.Gap.CAREER,
    review.Gap.PSYCHOSOCIAL,
    review.Gap.ONLY_PEERS,
    review.Gap.ONLY_SENIORS,
    review.Gap.LOW_RANGE,
}


def top_gap(session: Session, *, team_id: str, owner_id: str, now: datetime) -> str | None:
    """The review's most useful suggestion that enlisting someone would answer (core/review.py),
    as plain text; None when the board lacks no one."""
    found = reviewing.review_of(session, team_id=team_id, owner_id=owner_id, now=now).suggestions
    return next((s.text for s in found if s.gap in ENLISTING_CLOSES), None)
