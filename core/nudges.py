"""A member's nudges once sent: finding them again (a button, a reply in a thread), what the
member did with each, and what Slack refusing their DM for good means. Every lookup is scoped
to the member: an id in a payload never reaches someone else's nudges."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.errors import NotYours
from core.models import Member, Nudge, Outbox, OutboxState
from core.nudge_contents import Shown, shown
from core.nudge_plan import PURPOSE


def get_message(session: Session, *, team_id: str, owner_id: str, message_id: int) -> Outbox:
    """The member's message of nudges; NotYours for anything else."""
    message = session.get(Outbox, message_id)
    if message is None or (message.team_id, message.owner_id, message.purpose) != (
        team_id,
        owner_id,
        PURPOSE,
    ):
        raise NotYours("reminder")
    return message


def get_nudge(session: Session, *, team_id: str, owner_id: str, nudge_id: int) -> Nudge:
    nudge = session.get(Nudge, nudge_id)
    if nudge is None or (nudge.team_id, nudge.owner_id) != (team_id, owner_id):
        raise NotYours("reminder")
    return nudge


def record_outcome(
    session: Session, *, team_id: str, owner_id: str, nudge_id: int, outcome: str, text: str = ""
) -> Nudge:
    """What the member did with a nudge, shown in its message instead of the buttons."""
    nudge = get_nudge(session, team_id=team_id, owner_id=owner_id, nudge_id=nudge_id)
    nudge.outcome, nudge.outcome_text = outcome, text[:300]
    session.add(nudge)
    session.flush()
    return nudge


def take_answer(session: Session, *, team_id: str, owner_id: str, nudge_id: int) -> bool:
    """Claim the right to answer a nudge in words: of two answers racing (a double click, a
    retried event), one gets True, on SQLite and Postgres alike."""
    get_nudge(session, team_id=team_id, owner_id=owner_id, nudge_id=nudge_id)
    taken = session.execute(
        update(Nudge)
        .where(col(Nudge.id) == nudge_id, col(Nudge.outcome).is_(None))
        .values(outcome="answering")
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def get_shown(session: Session, *, team_id: str, owner_id: str, nudge_id: int) -> Shown:
    """The member's nudge with its subject as it is now; NotYours for anybody else's."""
    nudge = get_nudge(session, team_id=team_id, owner_id=owner_id, nudge_id=nudge_id)
    message = session.get(Outbox, nudge.outbox_id)
    return next(item for item in shown(session, message=message) if item.nudge.id == nudge.id)


def find_message(
    session: Session, *, team_id: str, owner_id: str, channel: str, ts: str
) -> Outbox | None:
    """The member's message of nudges posted as this Slack message, if it is one."""
    query = select(Outbox).where(
        Outbox.team_id == team_id,
        Outbox.owner_id == owner_id,
        Outbox.channel_id == channel,
        Outbox.ts == ts,
        Outbox.purpose == PURPOSE,
    )
    return session.exec(query).first()


def sent_since(
    session: Session, *, team_id: str, owner_id: str, channel: str, since: datetime
) -> list[Outbox]:
    """The member's messages of nudges posted in `channel` after `since`, newest first."""
    query = (
        select(Outbox)
        .where(
            Outbox.team_id == team_id,
            Outbox.owner_id == owner_id,
            Outbox.channel_id == channel,
            Outbox.purpose == PURPOSE,
            Outbox.state == OutboxState.SENT,
            col(Outbox.sent_at) >= since,
        )
        .order_by(col(Outbox.sent_at).desc(), col(Outbox.id).desc())
        .limit(5)
    )
    return list(session.exec(query))


def unreachable(session: Session, *, message: Outbox, error: str) -> None:
    """Slack refused the member's DM for good (they left, blocked the bot...): no more nudges
    until they use the bot again."""
    session.execute(
        update(Member)
        .where(Member.team_id == message.team_id, Member.user_id == message.owner_id)
        .values(unreachable=error[:40], look_at=None)
        .execution_options(synchronize_session=False)
    )
