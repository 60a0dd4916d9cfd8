"""Promises and their history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(500), nullable=False),
        sa.Column("firmness", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("original_due_on", sa.Date(), nullable=False),
        _timestamp("due_at"),
        sa.Column("renegotiations", sa.Integer(), nullable=False),
        _timestamp("last_update_at", nullable=True),
        _timestamp("closed_at", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["advisor_id"], ["advisor.id"], name="fk_promise_advisor", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_promise_owner", "promise", ["team_id", "owner_id", "status", "due_at"])
    op.create_index("ix_promise_due", "promise", ["status", "due_at"])
    op.create_table(
        "promiseevent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        _timestamp("at"),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("text", sa.String(3000), nullable=False),
        sa.Column("old_due_on", sa.Date(), nullable=True),
        _timestamp("old_due_at", nullable=True),
        sa.Column("new_due_on", sa.Date(), nullable=True),
        sa.Column("sent_to_advisor", sa.Boolean(), nullable=False),
        sa.Column("told_them", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["promise_id"], ["promise.id"], name="fk_promise_event_promise", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_promise_event_promise", "promiseevent", ["promise_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_promise_event_promise", table_name="promiseevent")
    op.drop_table("promiseevent")
    op.drop_index("ix_promise_due", table_name="promise")
    op.drop_index("ix_promise_owner", table_name="promise")
    op.drop_table("promise")
