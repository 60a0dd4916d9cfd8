"""A member's review, read from their rows: the facts core/review.py judges (their advisors and
alumni, touchpoints, promises kept, goals and who helps with each), every query scoped to the
member. Also what the picture of the network needs, and the give-and-take line a stay-in-touch
nudge carries when the member has only received lately."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core import outbox
from core.members import member_zone
from core.models import Advisor, AdvisorGoal, AdvisorStatus, Goal, Touchpoint
from core.outbox import Target
from core.promises import keeping_by_advisor
from core.review import (
    THRESHOLDS,
    AdvisorFacts,
    GoalFacts,
    Review,
    Touch,
    balance_of,
    review_board,
)

PICTURE = "review_picture"  # the outbox purpose: the picture of the network, in the DM
TEXT = "review_text"  # the review as text in the DM (from Home, or when the upload failed)


def _advisors(session: Session, team_id: str, owner_id: str) -> list[Advisor]:
    query = (
        select(Advisor)
        .where(Advisor.team_id == team_id, Advisor.owner_id == owner_id)
        .order_by(Advisor.name, Advisor.id)
    )
    return list(session.exec(query))


def _goal_links(session: Session, advisor_ids: list[int]) -> dict[int, set[int]]:
    if not advisor_ids:
        return {}
    links: dict[int, set[int]] = {}
    query = select(AdvisorGoal).where(col(AdvisorGoal.advisor_id).in_(advisor_ids))
    for link in session.exec(query):
        links.setdefault(link.advisor_id, set()).add(link.goal_id)
    return links


def facts_of(session: Session, *, team_id: str, owner_id: str) -> list[AdvisorFacts]:
    """Every advisor of the member (alumni too), with the goals each helps with."""
    rows = _advisors(session, team_id, owner_id)
    links = _goal_links(session, [a.id for a in rows])
    return [AdvisorFacts.of(a, links.get(a.id, ())) for a in rows]


def _touches(
    session: Session, team_id: str, owner_id: str, *, since: datetime, advisor_ids: list[int]
) -> list[Touch]:
    """The past year's touchpoints with these advisors of the member (the give and take the
    review weighs is the recent one): three columns, not whole rows, found by the advisor's
    index, never a scan of everyone's."""
    if not advisor_ids:
        return []
    query = select(Touchpoint.advisor_id, Touchpoint.at, Touchpoint.given_by).where(
        col(Touchpoint.advisor_id).in_(advisor_ids),
        Touchpoint.team_id == team_id,
        Touchpoint.owner_id == owner_id,
        col(Touchpoint.at) >= since,
    )
    return [Touch(row.advisor_id, row.at, row.given_by) for row in session.execute(query)]


def _goals(session: Session, team_id: str, owner_id: str) -> list[GoalFacts]:
    query = (
        select(Goal)
        .where(Goal.team_id == team_id, Goal.owner_id == owner_id)
        .order_by(Goal.kind, Goal.position, Goal.id)
    )
    return [GoalFacts.of(g) for g in session.exec(query)]


def review_of(session: Session, *, team_id: str, owner_id: str, now: datetime) -> Review:
    """The member's review as their rows stand at `now`."""
    who = {"team_id": team_id, "owner_id": owner_id}
    facts = facts_of(session, **who)
    ids, since = [f.id for f in facts], now - THRESHOLDS.recent
    return review_board(
        facts,
        touches=_touches(session, team_id, owner_id, since=since, advisor_ids=ids),
        keeping=keeping_by_advisor(session, **who, now=now),
        goals=_goals(session, team_id, owner_id),
        now=now,
        zone=member_zone(session, team_id=team_id, user_id=owner_id),
    )


@dataclass(frozen=True)
class Offer:
    """For a stay-in-touch nudge: the member has only received from this advisor lately; what
    they said the advisor gains from them is something to offer."""

    advisor_id: int
    gains: str


def offers(session: Session, *, team_id: str, owner_id: str, advisor_ids: list[int], now: datetime):
    """For each of these advisors the member has only received from in their last touchpoints:
    what to offer (their "what they gain from you"). Keyed by advisor id."""
    if not advisor_ids:
        return {}
    rows = session.execute(  # two columns: a row that cannot be read whole stops nothing
        select(Advisor.id, Advisor.gains).where(
            Advisor.team_id == team_id,
            Advisor.owner_id == owner_id,
            col(Advisor.id).in_(advisor_ids),
        )
    ).all()
    since = now - THRESHOLDS.recent
    touches = _touches(session, team_id, owner_id, since=since, advisor_ids=advisor_ids)
    found = {}
    for advisor_id, gains in rows:
        balance = balance_of(AdvisorFacts(id=advisor_id, name="", gains=gains), touches)
        if balance.only_received_lately:
            found[advisor_id] = Offer(advisor_id, (gains or "").strip())
    return found


def send_review(
    session: Session, *, team_id: str, owner_id: str, now: datetime, with_text: bool
) -> list[int]:
    """The picture of the member's network (and, asked from Home, the review as text) to their
    DM, through the outbox: each asking is its own decision (keyed by the moment asked). An
    empty board gets no picture (the review says what it needs)."""
    made = []
    key = f"{owner_id}:{now.isoformat()}"
    board = active_only(facts_of(session, team_id=team_id, owner_id=owner_id))
    purposes = ((TEXT,) if with_text else ()) + ((PICTURE,) if board else ())
    for purpose in purposes:
        row = outbox.enqueue(
            session,
            team_id=team_id,
            purpose=purpose,
            key=key,
            target=Target.dm(owner_id),
            owner_id=owner_id,
            payload={"asked_at": now.isoformat(), "with_text": with_text},
            now=now,
        )
        if row:
            made.append(row)
    return made


def active_only(facts: list[AdvisorFacts]) -> list[AdvisorFacts]:
    return [f for f in facts if f.status == AdvisorStatus.ACTIVE]
