"""An uploaded import in the member's DM, through the engine: its preview (rendered from the
import as it stands when sent: only a waiting import shows its buttons), every problem as a CSV
file when the preview can't list them all, the report once it is saved (what it says was
decided as it was saved, and travels with the row), and the preview updated in place once the
import ended, wherever it ended. core/imports.py decides what is queued."""

from datetime import datetime
from functools import partial

from sqlmodel import Session

from bot.delivery.purposes import Nothing, Prepared, Purpose, Ready, Upload
from bot.views.imports import build_preview_message, build_report, problems_csv
from core import imports
from core.errors import NotYours
from core.members import member_zone
from core.models import BoardImport, Outbox


def _import(session: Session, row: Outbox) -> BoardImport | None:
    try:
        return imports.get(
            session,
            team_id=row.team_id,
            owner_id=row.owner_id or "",
            import_id=int((row.payload or {}).get("import") or 0),
        )
    except NotYours:
        return None


def prepare_preview(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = _import(session, row)
    if found is None:
        return Nothing("the import is gone (discarded, or its member forgotten)")
    today = now.astimezone(member_zone(session, team_id=row.team_id, user_id=found.owner_id))
    return Ready(build_preview_message(found, today.date()))


def prepare_problems(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    found = _import(session, row)
    if found is None or not found.problems:
        return Nothing("no problems to list")
    name = (found.filename or "import").rsplit(".", 1)[0][:60]
    return Ready(
        {},
        upload=Upload(
            filename=f"{name}-problems-{found.id}.csv",
            content=partial(problems_csv, list(found.problems)),  # written out when sent
            title=f"Rows of {found.filename or 'your import'} with problems",
            comment="Every row with problems, and what to write instead.",
        ),
    )


def prepare_report(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    return Ready(build_report(row.payload or {}))


def prepare_shown(session: Session, *, row: Outbox, now: datetime) -> Prepared:
    ts = (row.payload or {}).get("ts")
    found = _import(session, row)
    if found is None or not isinstance(ts, str) or not ts or not row.channel_id:
        return Nothing("no preview to update (the import is gone, or was never shown)")
    today = now.astimezone(member_zone(session, team_id=row.team_id, user_id=found.owner_id))
    return Ready(build_preview_message(found, today.date()), replace=ts)


PURPOSES = (
    Purpose(imports.PREVIEW, prepare_preview),
    Purpose(imports.PROBLEMS, prepare_problems),
    Purpose(imports.REPORT, prepare_report),
    Purpose(imports.SHOWN, prepare_shown),
)
