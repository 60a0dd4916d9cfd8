"""Touchpoints, advisors' time zones, one row per Slack member on a board.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("advisor") as batch:
        batch.add_column(sa.Column("tz", sa.String(64), nullable=True))
    op.create_index(
        "uq_advisor_slack_member",
        "advisor",
        ["team_id", "owner_id", "slack_user_id"],
        unique=True,
        sqlite_where=sa.text("slack_user_id IS NOT NULL"),
        postgresql_where=sa.text("slack_user_id IS NOT NULL"),
    )
    op.create_table(
        "touchpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("how", sa.String(20), nullable=False),
        sa.Column("exchanged", sa.JSON(), nullable=False),
        sa.Column("given_by", sa.String(10), nullable=False),
        sa.Column("note", sa.String(3000), nullable=False),
        sa.Column("message_link", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisor_id"], ["advisor.id"], name="fk_touchpoint_advisor", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_touchpoint_advisor_at", "touchpoint", ["advisor_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_touchpoint_advisor_at", table_name="touchpoint")
    op.drop_table("touchpoint")
    op.drop_index("uq_advisor_slack_member", table_name="advisor")
    with op.batch_alter_table("advisor") as batch:
        batch.drop_column("tz")
