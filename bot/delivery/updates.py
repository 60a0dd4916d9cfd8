"""Progress updates sent on to an advisor (by DM, from the bot), and word back to the member
when one could not be delivered. core/forwarding.py decides: the update counts as sent, and as
a touchpoint, once Slack has the message; a refusal tells the member where they asked."""

from datetime import datetime

from sqlmodel import Session

from bot.delivery.purposes import Nothing, Prepared, Purpose, Ready
from bot.views.promises import build_update_for_advisor, build_update_undelivered
from core import forwarding
from core.models import Outbox


def prepare_update(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = forwarding.about(session, row=row)
    if found is None:
        return Nothing("the update, its promise or its advisor is gone")
    if found.update.sent_to_advisor:
        return Nothing("the advisor has it already")
    return Ready(build_update_for_advisor(found.promise, found.owner_id, found.update.text))


def failed(session: Session, *, row: Outbox, error: str, gone: bool, now: datetime) -> list[int]:
    return forwarding.not_forwarded(session, row=row, error=error, now=now)


def prepare_word_back(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = forwarding.about(session, row=row)
    if found is None:
        return Nothing("the update is gone")
    error = forwarding.failed_reason(row)
    return Ready(build_update_undelivered(found.advisor.name, error, found.update.text))


PURPOSES = (
    Purpose(forwarding.PURPOSE, prepare_update, posted=forwarding.forwarded, failed=failed),
    Purpose(forwarding.FAILED_PURPOSE, prepare_word_back),
)
