"""The export in the member's DM: two files uploaded through the engine (files_upload_v2), the
JSON of their whole record and the CSV of their board's advisors, read when sent and written out
outside the transaction; should Slack refuse files (no files:write, uploads turned off), one line
says so in the DM instead. core/export.py reads the record and decides what is queued."""

import logging
from datetime import date, datetime
from functools import partial

from sqlmodel import Session

from bot.delivery.purposes import Prepared, Purpose, Ready, Upload
from bot.views.export import CSV_COMMENT, JSON_COMMENT, build_not_uploaded, file_title
from core import export
from core.members import member_zone
from core.models import Outbox

log = logging.getLogger(__name__)


def _record(session: Session, row: Outbox, now: datetime) -> dict:
    return export.export_member(session, team_id=row.team_id, user_id=row.owner_id, now=now)


def _named(session: Session, row: Outbox) -> tuple[str, date]:
    """The name both files of the row's export go by, and the member's day they asked on (a
    row queued before files were named so: that day and the time they asked)."""
    payload = row.payload or {}
    if payload.get("name") and payload.get("day"):
        return payload["name"], date.fromisoformat(payload["day"])
    asked = datetime.fromisoformat(payload["asked_at"])
    asked = asked.astimezone(member_zone(session, team_id=row.team_id, user_id=row.owner_id))
    return f"{export.FILE_NAME}-{asked:%Y-%m-%d-%H%M%S}", asked.date()


def _upload(session: Session, row: Outbox, now: datetime, *, write, kind: str, comment: str):
    record = _record(session, row, now)
    name, day = _named(session, row)
    return Ready(
        {},
        upload=Upload(
            filename=f"{name}.{kind.lower()}",
            content=partial(write, record),  # written out when sent
            title=file_title(day, kind),
            comment=comment,
        ),
    )


def prepare_json(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    return _upload(session, row, now, write=export.json_file, kind="JSON", comment=JSON_COMMENT)


def prepare_csv(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    return _upload(session, row, now, write=export.csv_file, kind="CSV", comment=CSV_COMMENT)


def not_uploaded(
    session: Session, *, row: Outbox, error: str, gone: bool, now: datetime
) -> list[int]:
    """A file could not be uploaded: the member is told why in their DM (once for both)."""
    log.warning("The export of %s could not be uploaded: %s", row.owner_id, error)
    if gone:
        return []  # the DM itself is refused: a line would not get there either
    made = export.not_uploaded(
        session,
        team_id=row.team_id,
        owner_id=row.owner_id,
        key=row.key,
        error=(error or "")[:40],
        now=now,
    )
    return [made] if made else []


def prepare_not_uploaded(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    return Ready(build_not_uploaded(str((row.payload or {}).get("error") or "")))


PURPOSES = (
    Purpose(export.JSON_FILE, prepare_json, failed=not_uploaded),
    Purpose(export.CSV_FILE, prepare_csv, failed=not_uploaded),
    Purpose(export.NOT_UPLOADED, prepare_not_uploaded),
)
