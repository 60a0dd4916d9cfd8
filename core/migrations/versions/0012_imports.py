"""Imports of advisors (`/advisor import`): what a pasted or uploaded CSV (or an export's JSON)
held, each row's problems, and how far saving it got. A new table; nothing else changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "boardimport",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("source_key", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("problem", sa.String(1000), nullable=True),
        sa.Column("text", sa.String(3000), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("already", sa.Integer(), nullable=False),
        sa.Column("goal_ids", sa.JSON(), nullable=True),
        sa.Column("claimed_by", sa.String(40), nullable=True),
        _timestamp("lease_until", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("finished_at", nullable=True),
        sa.UniqueConstraint("team_id", "owner_id", "source_key", name="uq_import_source"),
        sa.ForeignKeyConstraint(
            ["team_id", "owner_id"],
            ["member.team_id", "member.user_id"],
            name="fk_import_owner",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_import_state", "boardimport", ["state", "lease_until"])
    op.create_index("ix_import_created", "boardimport", ["created_at"])


def downgrade() -> None:
    op.drop_table("boardimport")
