"""Progress updates sent on to an advisor: a decision in the outbox, delivered by the sender.
The update counts as sent, and as a touchpoint, when and only when Slack has the message; if
Slack refuses it for good, the member is told (in the thread they asked from, else by DM) and
may ask again."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core import outbox, promises
from core.board import get_advisor
from core.clock import StoppedClock
from core.errors import Invalid, NotOnBoard, NotYours
from core.models import Advisor, GivenBy, Medium, Outbox, Promise, PromiseEvent
from core.outbox import Target
from core.touchpoints import log_touchpoint

PURPOSE = "update"  # the update, to the advisor
FAILED_PURPOSE = "update_failed"  # word back to the member that it could not be delivered


@dataclass(frozen=True)
class Forward:
    """What a row of either purpose is about, read as the member's own rows."""

    update: PromiseEvent
    promise: Promise
    advisor: Advisor
    owner_id: str


def _forward(session: Session, *, team_id: str, owner_id: str, event_id: int) -> Forward:
    update = promises.get_update(session, team_id=team_id, owner_id=owner_id, event_id=event_id)
    who = {"team_id": team_id, "owner_id": owner_id}
    promise = promises.get_promise(session, **who, promise_id=update.promise_id)
    advisor = get_advisor(session, **who, advisor_id=promise.advisor_id)
    return Forward(update, promise, advisor, owner_id)


def send_on(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    event_id: int,
    now: datetime,
    reply_in: Target | None = None,
) -> int:
    """Decide to send the member's progress update on to its advisor: the outbox row. Invalid
    when it cannot or need not go (not on Slack, sent already, on its way); a row that failed
    before is tried again. `reply_in` is where to tell the member should it fail."""
    found = _forward(session, team_id=team_id, owner_id=owner_id, event_id=event_id)
    name = found.advisor.name
    if not found.advisor.slack_user_id:
        raise Invalid(f"{name} isn't on Slack: send it to them yourself.")
    if found.update.sent_to_advisor:
        raise Invalid(f"{name} already has that update.")
    where = {"channel": reply_in.channel, "thread_ts": reply_in.thread_ts} if reply_in else {}
    key = {"team_id": team_id, "purpose": PURPOSE, "key": str(event_id)}
    row_id = outbox.enqueue(
        session,
        **key,
        target=Target.dm(found.advisor.slack_user_id),
        owner_id=owner_id,
        payload={"event": event_id, "reply_in": where},
        now=now,
    )
    if row_id is not None:
        return row_id
    existing = outbox.find(session, **key)
    if existing.state in outbox.ENDED_BADLY and outbox.rearm(session, row_id=existing.id, now=now):
        return existing.id
    raise Invalid(f"That update is already on its way to {name}.")


def about(session: Session, *, row: Outbox) -> Forward | None:
    """The update a row of either purpose is about; None when it is gone (removed since)."""
    try:
        return _forward(
            session, team_id=row.team_id, owner_id=row.owner_id, event_id=row.payload["event"]
        )
    except (NotYours, NotOnBoard, KeyError, TypeError):
        return None


def forwarded(session: Session, *, row: Outbox, now: datetime) -> list[int]:
    """Slack has the message: the update is sent, and counts as a touchpoint (once: this runs
    in the transaction that records the row as sent)."""
    found = about(session, row=row)
    if found is None:
        return []
    found.update.sent_to_advisor = True
    session.add(found.update)
    note = f"Progress update on “{found.promise.what}”: {found.update.text}"
    log_touchpoint(
        session,
        team_id=row.team_id,
        owner_id=row.owner_id,
        advisor_id=found.advisor.id,
        how=Medium.MESSAGE,
        given_by=GivenBy.ME,
        note=note if len(note) <= promises.UPDATE_LIMIT else found.update.text,
        clock=StoppedClock(now),
    )
    return []


def not_forwarded(session: Session, *, row: Outbox, error: str, now: datetime) -> list[int]:
    """Slack will not deliver it: the member is told where they asked (the update stays saved,
    and they may ask again). Returns the row that tells them."""
    where = row.payload.get("reply_in") or {}
    target = (
        Target.conversation(where["channel"], where.get("thread_ts"))
        if where.get("channel")
        else Target.dm(row.owner_id)
    )
    told = outbox.enqueue(
        session,
        team_id=row.team_id,
        purpose=FAILED_PURPOSE,
        key=f"{row.id}:{now.isoformat()}",
        target=target,
        owner_id=row.owner_id,
        payload={"event": row.payload.get("event"), "error": error},
        now=now,
    )
    return [told] if told else []


def why_not_sent(session: Session, *, team_id: str, owner_id: str, row_id: int) -> str:
    """Why the member's update could not be sent on (Slack's word for it)."""
    row = session.get(Outbox, row_id)
    if row is None or (row.team_id, row.owner_id, row.purpose) != (team_id, owner_id, PURPOSE):
        raise NotYours("update")
    return row.last_error or ""


def failed_reason(row: Outbox) -> str:
    return str(row.payload.get("error") or "")
