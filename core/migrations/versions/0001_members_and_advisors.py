"""Members and their advisors.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint("team_id", "user_id", name="uq_member_team_user"),
    )
    op.create_table(
        "advisor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("slack_user_id", sa.String(32), nullable=True),
        sa.Column("name", sa.String(150), nullable=False),
        sa.Column("contact", sa.String(300), nullable=True),
        sa.Column("relationship", sa.String(20), nullable=False),
        sa.Column("inside_org", sa.Boolean(), nullable=False),
        sa.Column("support", sa.JSON(), nullable=False),
        sa.Column("gains", sa.String(3000), nullable=False),
        sa.Column("notes", sa.String(3000), nullable=False),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        _timestamp("last_touch_at", nullable=True),
        _timestamp("next_touch_due_at", nullable=True),
        _timestamp("snoozed_until", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["team_id", "owner_id"],
            ["member.team_id", "member.user_id"],
            name="fk_advisor_owner",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_advisor_board", "advisor", ["team_id", "owner_id", "status"])
    op.create_index("ix_advisor_due", "advisor", ["status", "next_touch_due_at"])


def downgrade() -> None:
    op.drop_index("ix_advisor_due", table_name="advisor")
    op.drop_index("ix_advisor_board", table_name="advisor")
    op.drop_table("advisor")
    op.drop_table("member")
