"""Know thyself: the member's goals (where they want to be in two years and in five, their
strengths, the gaps to fill, the balance they want) as short lists they edit, and which
advisors help with which goal.

A saved form keeps the rows of the lines that did not change (matched by their text within a
kind), so the advisors linked to a goal stay linked across edits; a line removed takes its
links with it (the database cascades). Only where the member wants to go and what they lack
are linked to advisors: a strength or the balance they want is not something an advisor is
enlisted for. Every read and write is scoped to one member (team_id, owner_id)."""

from collections.abc import Iterable, Mapping

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.board import get_advisor
from core.clock import Clock
from core.errors import Invalid
from core.models import Advisor, AdvisorGoal, AdvisorStatus, Goal, GoalKind
from core.typed import check_typed

MAX_LENGTH = 300  # characters in one goal
MAX_PER_KIND = 10  # goals in one list: a short list the member can keep in mind
LINKABLE = (GoalKind.TWO_YEARS, GoalKind.FIVE_YEARS, GoalKind.GAP)  # advisors help with these


def lines_of(kind: str, written: str) -> list[str]:
    """One goal per line of what the member wrote for `kind`: blank lines and repeats dropped;
    Invalid at `kind` for a control character, a line too long or too many lines."""
    check_typed(kind, written)
    lines: list[str] = []
    for line in (written or "").splitlines():
        line = " ".join(line.split())
        if line and line not in lines:
            lines.append(line)
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LENGTH:
            raise Invalid(
                f"Keep each line under {MAX_LENGTH} characters (line {number} has {len(line)}).",
                field=kind,
            )
    if len(lines) > MAX_PER_KIND:
        raise Invalid(
            f"At most {MAX_PER_KIND} here: keep the ones that matter most (this has {len(lines)}).",
            field=kind,
        )
    return lines


def _goals(session: Session, *, team_id: str, owner_id: str, kinds: Iterable[str]) -> list[Goal]:
    order = {kind: place for place, kind in enumerate(GoalKind)}
    rows = session.exec(
        select(Goal).where(
            Goal.team_id == team_id, Goal.owner_id == owner_id, col(Goal.kind).in_(list(kinds))
        )
    )
    return sorted(rows, key=lambda goal: (order.get(goal.kind, 99), goal.position, goal.id))


def goals_by_kind(session: Session, *, team_id: str, owner_id: str) -> dict[str, list[Goal]]:
    """Every kind (in GoalKind's order) with the member's goals of that kind, in their order."""
    grouped: dict[str, list[Goal]] = {kind: [] for kind in GoalKind}
    for goal in _goals(session, team_id=team_id, owner_id=owner_id, kinds=GoalKind):
        grouped[goal.kind].append(goal)
    return grouped


def linkable_goals(session: Session, *, team_id: str, owner_id: str) -> list[Goal]:
    """The goals advisors can be linked to: two years, five years, gaps, in that order."""
    return _goals(session, team_id=team_id, owner_id=owner_id, kinds=LINKABLE)


def save_goals(
    session: Session, *, team_id: str, owner_id: str, written: Mapping[str, str], clock: Clock
) -> list[Goal]:
    """Replace the member's goals with what they wrote (each kind's text, one goal per line; a
    kind left out is emptied). Unchanged lines keep their row and links; every kind is checked
    before anything changes. Returns the goals now saved, in order."""
    wanted = {kind: lines_of(kind, written.get(kind) or "") for kind in GoalKind}
    existing = goals_by_kind(session, team_id=team_id, owner_id=owner_id)
    who = {"team_id": team_id, "owner_id": owner_id}
    for kind, lines in wanted.items():
        _replace(session, existing[kind], lines, **who, kind=kind, clock=clock)
    session.flush()
    return _goals(session, team_id=team_id, owner_id=owner_id, kinds=GoalKind)


def _replace(session, current: list[Goal], lines: list[str], *, team_id, owner_id, kind, clock):
    unused = list(current)
    for position, line in enumerate(lines):
        goal = next((goal for goal in unused if goal.text == line), None)
        if goal is None:
            goal = Goal(
                team_id=team_id, owner_id=owner_id, kind=kind, text=line, created_at=clock.now()
            )
        else:
            unused.remove(goal)
        goal.position = position
        session.add(goal)
    for goal in unused:
        session.delete(goal)  # its links go with it (ON DELETE CASCADE)


def set_advisor_goals(
    session: Session, *, team_id: str, owner_id: str, advisor_id: int, goal_ids: Iterable[int]
) -> list[int]:
    """Link the advisor to exactly these goals. NotOnBoard for an advisor who is not the
    member's; ids that are not the member's linkable goals are ignored. Returns the goal ids
    now linked, sorted."""
    advisor = get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)
    own = {goal.id for goal in linkable_goals(session, team_id=team_id, owner_id=owner_id)}
    chosen = own & set(goal_ids)
    session.execute(delete(AdvisorGoal).where(AdvisorGoal.advisor_id == advisor.id))
    for goal_id in sorted(chosen):
        session.add(AdvisorGoal(advisor_id=advisor.id, goal_id=goal_id))
    session.flush()
    return sorted(chosen)


def linked_goal_ids(session: Session, *, team_id: str, owner_id: str, advisor_id: int) -> set[int]:
    """The ids of the member's goals this advisor helps with (none for someone else's)."""
    who = {"team_id": team_id, "owner_id": owner_id}
    return {goal.id for goal in advisor_goals(session, **who, advisor_id=advisor_id)}


def advisor_goals(session: Session, *, team_id: str, owner_id: str, advisor_id: int) -> list[Goal]:
    """The member's goals this advisor helps with, in the goals' order."""
    linked = set(
        session.exec(select(AdvisorGoal.goal_id).where(AdvisorGoal.advisor_id == advisor_id))
    )
    own = linkable_goals(session, team_id=team_id, owner_id=owner_id)
    return [goal for goal in own if goal.id in linked]


def unlinked_goals(session: Session, *, team_id: str, owner_id: str) -> list[Goal]:
    """The member's linkable goals that no advisor on the board helps with (alumni, eased
    aside, no longer count)."""
    helped = (
        select(AdvisorGoal.goal_id)
        .join(Advisor, Advisor.id == AdvisorGoal.advisor_id)
        .where(
            Advisor.team_id == team_id,
            Advisor.owner_id == owner_id,
            Advisor.status == AdvisorStatus.ACTIVE,
        )
    )
    covered = set(session.exec(helped))
    own = linkable_goals(session, team_id=team_id, owner_id=owner_id)
    return [goal for goal in own if goal.id not in covered]
