"""Know thyself and reassess: where each advisor comes from and how close they are, goals and
the advisors who help with them, how often the board is reassessed, and the reassessments with
their answers. New columns are empty for existing advisors (shown as not known yet); every
member is reassessed every three months unless they change it, and is looked at on the next
tick, which keeps their reassessment's schedule.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _owner(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["team_id", "owner_id"],
        ["member.team_id", "member.user_id"],
        name=name,
        ondelete="CASCADE",
    )


def upgrade() -> None:
    with op.batch_alter_table("advisor") as advisor:
        advisor.add_column(sa.Column("origin", sa.String(20), nullable=True))
        advisor.add_column(sa.Column("closeness", sa.Integer(), nullable=True))
    with op.batch_alter_table("member") as member:  # the default stays: dropping it would
        # make SQLite copy the table, and dropping the old one would cascade to every board
        member.add_column(
            sa.Column("reassess_months", sa.Integer(), nullable=False, server_default="3")
        )
    _goals()
    _reassessments()
    _look_at_everyone()


def _look_at_everyone() -> None:
    """Every member is planned on the next tick (their reassessment's schedule is kept there)."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as SQLite stores a timestamp
    member = sa.table("member", sa.column("look_at", sa.DateTime(timezone=True)))
    bind.execute(
        member.update()
        .where(sa.or_(member.c.look_at.is_(None), member.c.look_at > now))
        .values(look_at=now)
    )


def _goals() -> None:
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _owner("fk_goal_owner"),
    )
    op.create_index("ix_goal_owner", "goal", ["team_id", "owner_id", "kind", "position"])
    op.create_table(
        "advisorgoal",
        sa.Column("advisor_id", sa.Integer(), primary_key=True),
        sa.Column("goal_id", sa.Integer(), primary_key=True),
        sa.ForeignKeyConstraint(
            ["advisor_id"], ["advisor.id"], name="fk_advisor_goal_advisor", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name="fk_advisor_goal_goal", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_advisor_goal_goal", "advisorgoal", ["goal_id"])


def _reassessments() -> None:
    op.create_table(
        "reassessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        _timestamp("occurrence"),
        sa.Column("advisor_ids", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        _timestamp("finished_at", nullable=True),
        _timestamp("created_at"),
        sa.UniqueConstraint("team_id", "owner_id", "occurrence", name="uq_reassessment"),
        _owner("fk_reassessment_owner"),
    )
    op.create_table(
        "reassessmentanswer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reassessment_id", sa.Integer(), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(12), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=True),
        _timestamp("at"),
        sa.UniqueConstraint("reassessment_id", "advisor_id", name="uq_reassessment_answer"),
        sa.ForeignKeyConstraint(
            ["reassessment_id"],
            ["reassessment.id"],
            name="fk_answer_reassessment",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    for table in ("reassessmentanswer", "reassessment", "advisorgoal", "goal"):
        op.drop_table(table)
    with op.batch_alter_table("member") as member:
        member.drop_column("reassess_months")
    with op.batch_alter_table("advisor") as advisor:
        advisor.drop_column("closeness")
        advisor.drop_column("origin")
