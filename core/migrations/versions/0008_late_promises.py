"""Late promises are followed up: an open promise with no next nudge time (nothing came after
its due date before) gets one, so its "late" nudges come, and its member is looked at on the
next tick. Late for a few days: the late nudge, then the one a week after its date; late for
longer (up to a week and a day): only that one, so two never come a day apart; late for longer
still: left in peace.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FOLLOWED_UP_FOR = timedelta(days=8)  # the late nudge, and the one a week later
BOTH_WITHIN = timedelta(days=4)  # late for less than this: both; else only the week-late one
WEEK_LATE = timedelta(days=7)  # core/due.py LATE_AGAIN_AFTER, as it was when this was written


def _now_for(bind) -> datetime:
    """Now, as this dialect stores a timestamp (SQLite: naive UTC)."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now


def upgrade() -> None:
    bind = op.get_bind()
    now = _now_for(bind)
    promise = sa.table(
        "promise",
        sa.column("id", sa.Integer()),
        sa.column("owner_id", sa.String()),
        sa.column("team_id", sa.String()),
        sa.column("status", sa.String()),
        sa.column("due_at", sa.DateTime(timezone=True)),
        sa.column("nudge_at", sa.DateTime(timezone=True)),
    )
    late = sa.and_(
        promise.c.status == "open",
        promise.c.nudge_at.is_(None),
        promise.c.due_at > now - FOLLOWED_UP_FOR,
    )
    rows = bind.execute(sa.select(promise.c.id, promise.c.due_at).where(late)).all()
    owners = bind.execute(sa.select(promise.c.team_id, promise.c.owner_id).where(late)).all()
    for row_id, due_at in rows:
        recent = due_at > now - BOTH_WITHIN
        nudge_at = due_at if recent else due_at + WEEK_LATE
        bind.execute(promise.update().where(promise.c.id == row_id).values(nudge_at=nudge_at))
    _wake(bind, set(owners), now)


def _wake(bind, owners: set, now: datetime) -> None:
    """The owners of those promises are looked at on the next tick."""
    member = sa.table(
        "member",
        sa.column("team_id", sa.String()),
        sa.column("user_id", sa.String()),
        sa.column("look_at", sa.DateTime(timezone=True)),
    )
    for team_id, owner_id in owners:
        bind.execute(
            member.update()
            .where(member.c.team_id == team_id, member.c.user_id == owner_id)
            .where(sa.or_(member.c.look_at.is_(None), member.c.look_at > now))
            .values(look_at=now)
        )


def downgrade() -> None:
    """Nothing to undo: a promise's next nudge time is recomputed whenever it changes."""
