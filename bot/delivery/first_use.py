"""The welcome DM on a member's first use and the sample nudge they ask for. core/first_use.py
decides when each is put in the outbox (once); this renders them as they are when sent."""

from datetime import datetime

from sqlmodel import Session

from bot.delivery.purposes import Nothing, Prepared, Purpose, Ready
from bot.views.first_use import build_sample, build_welcome
from core import first_use, windows
from core.models import Outbox
from core.nudge_plan import get_member
from core.touchpoints import latest_touchpoints


def prepare_welcome(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    member = get_member(session, row.team_id, row.owner_id)
    if member is None:
        return Nothing("the member is gone")
    return Ready(build_welcome(member))


def prepare_sample(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    member = get_member(session, row.team_id, row.owner_id)
    if member is None:
        return Nothing("the member is gone")
    who = {"team_id": row.team_id, "user_id": row.owner_id}
    advisor = first_use.sample_subject(session, **who)
    latest = (
        latest_touchpoints(
            session, team_id=row.team_id, owner_id=row.owner_id, advisor_ids=[advisor.id]
        ).get(advisor.id)
        if advisor
        else None
    )
    return Ready(build_sample(advisor, latest, now=now, zone=windows.zone_of(member)))


PURPOSES = (
    Purpose(first_use.WELCOME, prepare_welcome),
    Purpose(first_use.SAMPLE, prepare_sample),
)
