"""The nudge engine: members' nudge windows, when each advisor and promise is next due a nudge,
the deliveries and nudges decided (one row per decision, unique), and Slack events seen.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("member") as member:
        member.add_column(
            sa.Column("nudge_days", sa.String(7), nullable=False, server_default="01234")
        )
        member.add_column(
            sa.Column("nudge_start", sa.Integer(), nullable=False, server_default="540")
        )
        member.add_column(
            sa.Column("nudge_end", sa.Integer(), nullable=False, server_default="1020")
        )
        member.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        member.add_column(
            sa.Column("digest", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        member.add_column(
            sa.Column("one_a_day", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        member.add_column(
            sa.Column("monday_preview", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        member.add_column(sa.Column("last_delivery_on", sa.Date(), nullable=True))
        member.add_column(sa.Column("unreachable", sa.String(40), nullable=True))
        member.add_column(_timestamp("wait_until", nullable=True))
        member.add_column(_timestamp("last_seen_at", nullable=True))
    op.add_column("advisor", _timestamp("nudge_at", nullable=True))
    op.create_index("ix_advisor_nudge", "advisor", ["nudge_at"])
    op.add_column("promise", _timestamp("nudge_at", nullable=True))
    op.create_index("ix_promise_nudge", "promise", ["nudge_at"])
    # Existing rows: advisors are due when their cadence passes; open promises are looked at on
    # the first tick, which works out their next nudge from their dates.
    op.execute("UPDATE advisor SET nudge_at = next_touch_due_at WHERE status = 'active'")
    op.execute("UPDATE promise SET nudge_at = created_at WHERE status = 'open'")
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("claimed_by", sa.String(40), nullable=False),
        _timestamp("lease_until"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        _timestamp("sent_at", nullable=True),
        _timestamp("created_at"),
    )
    op.create_index("ix_delivery_lease", "delivery", ["state", "lease_until"])
    op.create_index("ix_delivery_message", "delivery", ["team_id", "owner_id", "channel", "ts"])
    op.create_index("ix_delivery_owner", "delivery", ["team_id", "owner_id", "sent_at"])
    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.String(40), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("outcome_text", sa.String(300), nullable=False),
        _timestamp("created_at"),
        sa.UniqueConstraint(
            "team_id", "owner_id", "kind", "subject_id", "cycle", name="uq_nudge_decision"
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name="fk_nudge_delivery", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_nudge_delivery", "nudge", ["delivery_id"])
    op.create_table(
        "seenevent",
        sa.Column("event_id", sa.String(40), primary_key=True),
        _timestamp("seen_at"),
    )


def downgrade() -> None:
    op.drop_table("seenevent")
    op.drop_table("nudge")
    op.drop_table("delivery")
    op.drop_index("ix_promise_nudge", table_name="promise")
    op.drop_column("promise", "nudge_at")
    op.drop_index("ix_advisor_nudge", table_name="advisor")
    op.drop_column("advisor", "nudge_at")
    with op.batch_alter_table("member") as member:
        for name in (
            "last_seen_at",
            "wait_until",
            "unreachable",
            "last_delivery_on",
            "monday_preview",
            "one_a_day",
            "digest",
            "paused_until",
            "nudge_end",
            "nudge_start",
            "nudge_days",
        ):
            member.drop_column(name)
