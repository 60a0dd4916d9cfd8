"""The board's index also gives its order (team, owner, status, next due date).

Without statistics SQLite preferred ix_advisor_due for the board query, because it gave the
order, and walked every active advisor in the database. With the due date in the board's own
index, the member's rows come out already sorted on SQLite and Postgres alike.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_advisor_board", table_name="advisor")
    op.create_index(
        "ix_advisor_board", "advisor", ["team_id", "owner_id", "status", "next_touch_due_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_advisor_board", table_name="advisor")
    op.create_index("ix_advisor_board", "advisor", ["team_id", "owner_id", "status"])
