"""An advisor keeps the last contact the member gave when enlisting them (`last_spoke_at`), so
deleting a touchpoint logged by mistake can fall back to it when no touchpoint after it is left.

Existing advisors get it where it can still be read: their last contact when no touchpoint
of theirs is that recent (it came from enlisting). Otherwise it stays unknown (NULL).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("advisor", sa.Column("last_spoke_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        """
        UPDATE advisor SET last_spoke_at = last_touch_at
        WHERE last_touch_at IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM touchpoint
            WHERE touchpoint.advisor_id = advisor.id AND touchpoint.at >= advisor.last_touch_at
          )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("advisor") as batch:
        batch.drop_column("last_spoke_at")
