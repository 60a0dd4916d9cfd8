"""Who a line the member typed names, on the board or among alumni; and whether the answer to a
"which one?" question was already recorded (a second click on it records nothing)."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from core.board import advisors, find_member, get_advisor
from core.models import Advisor, AdvisorStatus, Member, Promise, Touchpoint
from core.names import Reading, normalize, read_leading


def read_who(session: Session, *, team_id: str, owner_id: str, text: str) -> list[Reading[Advisor]]:
    """The people (advisors, then alumni) the first words of `text` may name, each with the words
    after the name. A sure match on an alumnus beats a looser one on the board; equally sure
    readings of several people all come back, so the member can be asked."""
    who = {"team_id": team_id, "owner_id": owner_id}
    people = advisors(session, **who) + advisors(session, **who, status=AdvisorStatus.ALUMNI)
    return read_leading(text, [(person.name, person) for person in people])


def hold(session: Session, *, team_id: str, owner_id: str, advisor_id: int) -> Advisor:
    """The member's advisor, with the member's row locked for this transaction, so that two
    answers to one question (the same button twice, or two of its buttons) are recorded one after
    the other and the second sees the first (a row write: Postgres and SQLite alike)."""
    session.exec(
        update(Member)
        .where(Member.team_id == team_id, Member.user_id == owner_id)
        .values(tz=Member.tz)
    )
    session.exec(
        update(Advisor)
        .where(Advisor.id == advisor_id, Advisor.team_id == team_id, Advisor.owner_id == owner_id)
        .values(updated_at=Advisor.updated_at)
    )
    return get_advisor(session, team_id=team_id, owner_id=owner_id, advisor_id=advisor_id)


def logged_since(
    session: Session, *, team_id: str, owner_id: str, note: str, since: datetime
) -> bool:
    """A touchpoint with this note was recorded at or after `since` (the question was asked):
    the question was answered already, whichever person was picked then."""
    return (
        session.exec(
            select(Touchpoint.id).where(
                Touchpoint.team_id == team_id,
                Touchpoint.owner_id == owner_id,
                Touchpoint.note == note.strip(),
                Touchpoint.created_at >= since,
            )
        ).first()
        is not None
    )


def promised_since(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    what: str,
    since: datetime,
) -> bool:
    """The same promise (what) was made at or after `since` (the question was asked): the
    question was answered already, whichever person or day was picked then."""
    return (
        session.exec(
            select(Promise.id).where(
                Promise.team_id == team_id,
                Promise.owner_id == owner_id,
                Promise.what == " ".join(what.split()),
                Promise.created_at >= since,
            )
        ).first()
        is not None
    )


def enlisted(
    session: Session, *, team_id: str, owner_id: str, slack_user_id: str | None, name: str
) -> Advisor | None:
    """Who enlisting this person again would meet, on the board or among alumni: the same Slack
    member, or for someone outside Slack the same name (as core.board refuses it)."""
    who = {"team_id": team_id, "owner_id": owner_id}
    if slack_user_id:
        return find_member(session, **who, slack_user_id=slack_user_id)
    people = advisors(session, **who) + advisors(session, **who, status=AdvisorStatus.ALUMNI)
    wanted = normalize(name)
    return next((p for p in people if wanted and normalize(p.name) == wanted), None)
