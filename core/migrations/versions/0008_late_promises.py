"""Late promises are followed up: an open promise whose date passed in the last week had no
next nudge time (nothing came after its due date); it gets one now, so its "late" nudges come,
and its member is looked at on the next tick. Promises late for longer are left in peace.

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


def _now_for(bind) -> datetime:
    """Now, as this dialect stores a timestamp (SQLite: naive UTC)."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now


def upgrade() -> None:
    bind = op.get_bind()
    now = _now_for(bind)
    promise = sa.table(
        "promise",
        sa.column("owner_id"),
        sa.column("team_id"),
        sa.column("status"),
        sa.column("due_at"),
        sa.column("nudge_at"),
    )
    late = sa.and_(
        promise.c.status == "open",
        promise.c.nudge_at.is_(None),
        promise.c.due_at > now - FOLLOWED_UP_FOR,
    )
    owners = bind.execute(sa.select(promise.c.team_id, promise.c.owner_id).where(late)).all()
    bind.execute(promise.update().where(late).values(nudge_at=promise.c.due_at))
    member = sa.table("member", sa.column("team_id"), sa.column("user_id"), sa.column("look_at"))
    for team_id, owner_id in set(owners):
        bind.execute(
            member.update()
            .where(member.c.team_id == team_id, member.c.user_id == owner_id)
            .where(sa.or_(member.c.look_at.is_(None), member.c.look_at > now))
            .values(look_at=now)
        )


def downgrade() -> None:
    """Nothing to undo: a promise's next nudge time is recomputed whenever it changes."""
