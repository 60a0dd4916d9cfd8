"""The review in the member's DM: the picture of their network (uploaded with files_upload_v2
through the engine) and, when asked from Home or when the picture could not be uploaded, the
review as text. core/reviewing.py reads the board; this renders it as things stand when sent."""

import logging
from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot.delivery.purposes import Nothing, Prepared, Purpose, Ready, Upload
from bot.views.network_picture import PictureAdvisor, alt_text, render_network
from bot.views.review import build_picture_missing, build_review, build_upload_failed
from bot.views.typed import readable
from core import outbox, reviewing
from core.models import Outbox
from core.nudge_plan import get_member
from core.outbox import Target

log = logging.getLogger(__name__)
CENTRE = "You"


def _review(session: Session, row: Outbox, now: datetime):
    return reviewing.review_of(session, team_id=row.team_id, owner_id=row.owner_id, now=now)


def prepare_text(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    if get_member(session, row.team_id, row.owner_id) is None:
        return Nothing("the member is gone")
    review = _review(session, row, now)
    payload = row.payload or {}
    if payload.get("note_only"):  # the review went as text already: only say what is missing
        return Ready(build_picture_missing())
    failed = payload.get("upload_failed")
    return Ready(build_upload_failed(review) if failed else build_review(review))


def prepare_picture(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    if get_member(session, row.team_id, row.owner_id) is None:
        return Nothing("the member is gone")
    facts = reviewing.active_only(
        reviewing.facts_of(session, team_id=row.team_id, owner_id=row.owner_id)
    )
    drawn = [
        PictureAdvisor(readable(f.name), f.closeness, f.origin, f.support, f.relationship)
        for f in facts
    ]
    review = _review(session, row, now)
    day = now.date().isoformat()
    return Ready(
        {},
        upload=Upload(
            filename=f"network-{day}-{row.id}.png",
            content=partial(render_network, CENTRE, drawn),  # drawn when sent, not now
            title=f"Your network on {now:%a, %b} {now.day}",
            alt_text=alt_text(CENTRE, drawn),
            comment=build_review(review)["text"],
        ),
    )


def picture_failed(
    session: Session, *, row: Outbox, error: str, gone: bool, now: datetime
) -> list[int]:
    """The picture could not be uploaded: the review still goes, as text, and the log says why."""
    log.warning("The review's picture for %s could not be uploaded: %s", row.owner_id, error)
    if gone:
        return []  # the DM itself is refused: text would not get there either
    made = outbox.enqueue(
        session,
        team_id=row.team_id,
        purpose=reviewing.TEXT,
        key=f"{row.key}:without picture",
        target=Target.dm(row.owner_id),
        owner_id=row.owner_id,
        payload={"note_only": True}
        if (row.payload or {}).get("with_text")
        else {"upload_failed": True},
        now=now,
    )
    return [made] if made else []


PURPOSES = (
    Purpose(reviewing.TEXT, prepare_text),
    Purpose(reviewing.PICTURE, prepare_picture, failed=picture_failed),
)
