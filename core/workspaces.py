"""Each Slack workspace's sending state, shared by every process: Slack asked it to wait (a long
Retry-After), or its token was refused, in which case nothing is sent to it until a check with
Slack says the token works again. The outbox leaves such a workspace's rows where they are."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.db import insert_new
from core.models import Workspace

FIRST_CHECK = timedelta(minutes=2)
LONGEST_CHECK = timedelta(minutes=10)


def _row(session: Session, team_id: str, now: datetime) -> Workspace:
    """The workspace's row, created if missing (two processes racing create it once)."""
    insert_new(
        session,
        Workspace,
        {"team_id": team_id, "checks": 0, "updated_at": now},
        unique=["team_id"],
    )
    return session.exec(
        select(Workspace)
        .where(Workspace.team_id == team_id)
        .execution_options(populate_existing=True)
    ).one()


def hold(session: Session, *, team_id: str, until: datetime, now: datetime) -> None:
    """Slack asked to wait until `until`: no process posts to this workspace before then."""
    workspace = _row(session, team_id, now)
    if workspace.hold_until is None or workspace.hold_until < until:
        workspace.hold_until = until
    workspace.updated_at = now
    session.add(workspace)
    session.flush()


def token_refused(session: Session, *, team_id: str, error: str, now: datetime) -> None:
    """Slack refused the workspace's token (and said so again when asked): stop sending to it
    until a check says it works; nothing else waits on it."""
    workspace = _row(session, team_id, now)
    if workspace.token_error is None:
        workspace.checks = 0
        workspace.check_at = now + FIRST_CHECK
    workspace.token_error = error[:40]
    workspace.updated_at = now
    session.add(workspace)
    session.flush()


def to_check(session: Session, *, now: datetime, all_refused: bool = False) -> list[str]:
    """Workspaces whose refused token is due another check with Slack (every one of them
    with `all_refused`: a process starting up, perhaps with a new token)."""
    query = select(Workspace.team_id).where(col(Workspace.token_error).is_not(None))
    if not all_refused:
        query = query.where(col(Workspace.check_at) <= now)
    return list(session.exec(query))


def still_refused(session: Session, *, team_id: str, now: datetime) -> datetime:
    """The check failed too: ask again later (4, 8, then every 10 minutes)."""
    workspace = _row(session, team_id, now)
    workspace.checks += 1
    wait = min(LONGEST_CHECK, FIRST_CHECK * 2 ** min(workspace.checks, 10))
    workspace.check_at = now + wait
    workspace.updated_at = now
    session.add(workspace)
    session.flush()
    return workspace.check_at


def token_works(session: Session, *, team_id: str, now: datetime) -> bool:
    """The token works (again): sending resumes. True when it had been refused."""
    workspace = session.get(Workspace, team_id)
    if workspace is None or workspace.token_error is None:
        return False
    workspace.token_error, workspace.check_at, workspace.checks = None, None, 0
    workspace.updated_at = now
    session.add(workspace)
    session.flush()
    return True


def installed(session: Session, *, team_id: str, now: datetime) -> bool:
    """The app was installed (or installed again) in the workspace: everything resumes, and a
    deletion planned after an uninstall is called off. True when it had been uninstalled."""
    workspace = _row(session, team_id, now)
    was_removed = workspace.uninstalled_at is not None
    workspace.installed_at = now
    workspace.uninstalled_at = workspace.delete_after = None
    workspace.token_error, workspace.check_at, workspace.checks = None, None, 0
    workspace.updated_at = now
    session.add(workspace)
    session.flush()
    return was_removed


def uninstalled(session: Session, *, team_id: str, now: datetime, keep_for: timedelta) -> datetime:
    """The app was removed from the workspace (or Slack revoked its token): nothing is sent to
    it from now on, and its data is deleted `keep_for` later unless it is installed again.
    Returns when the data goes (unchanged when it was already uninstalled)."""
    workspace = _row(session, team_id, now)
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now
        workspace.delete_after = now + keep_for
    workspace.updated_at = now
    session.add(workspace)
    session.flush()
    return workspace.delete_after


def to_delete_now(session: Session, *, team_id: str, now: datetime) -> bool:
    """Whether the workspace's data is still to be deleted now, its row locked until the
    transaction ends (Postgres): asked before each chunk of a deletion, so an install arriving
    meanwhile waits for the chunk under way and then stops the deletion."""
    workspace = session.exec(
        select(Workspace).where(Workspace.team_id == team_id).with_for_update()
    ).first()
    return (
        workspace is not None
        and workspace.uninstalled_at is not None
        and workspace.delete_after is not None
        and workspace.delete_after <= now
    )


def to_delete(session: Session, *, now: datetime) -> list[tuple[str, datetime]]:
    """Workspaces uninstalled whose grace period is over, with when they were uninstalled:
    their data is to be deleted now."""
    query = select(Workspace.team_id, Workspace.uninstalled_at).where(
        col(Workspace.uninstalled_at).is_not(None), col(Workspace.delete_after) <= now
    )
    return [tuple(row) for row in session.exec(query.order_by(Workspace.delete_after))]
