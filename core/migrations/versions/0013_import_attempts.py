"""Imports count the saves that failed (`boardimport.attempts`): a save failing for a reason
other than the database being away is tried again a few times, then the import ends as failed
and the member is told what was saved and what was not, rather than being retried forever.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("boardimport") as table:
        table.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("boardimport") as table:
        table.drop_column("attempts")
