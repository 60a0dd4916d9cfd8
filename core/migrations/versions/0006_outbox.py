"""One delivery engine: the outbox (every message the bot posts on its own), workspaces' sending
state, opened DMs, schedules, wakeups; a member's `look_at` instead of `wait_until`; nudges
point at the outbox; subjects' due times indexed per owner. Deliveries in flight are kept as
outbox rows with the same ids, so a message posted before the upgrade is found, not doubled.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SOON = timedelta(hours=26)  # what 0005's tick looked ahead by


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _now_for(bind) -> datetime:
    """Now, as this dialect stores a timestamp (SQLite: naive UTC)."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now


def upgrade() -> None:
    _create_tables()
    _move_deliveries()
    _look_at_instead_of_wait_until()
    for table in ("advisor", "promise"):
        op.drop_index(f"ix_{table}_nudge", table_name=table)
        op.create_index(f"ix_{table}_owner_nudge", table, ["team_id", "owner_id", "nudge_at"])


def _create_tables() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=True),
        sa.Column("target_user", sa.String(32), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("thread_ts", sa.String(32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        _timestamp("not_before"),
        _timestamp("next_try_at", nullable=True),
        sa.Column("claimed_by", sa.String(40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("may_be_posted", sa.Boolean(), nullable=False),
        _timestamp("post_tried_at", nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        _timestamp("sent_at", nullable=True),
        _timestamp("ended_at", nullable=True),
        _timestamp("created_at"),
        sa.UniqueConstraint("team_id", "purpose", "key", name="uq_outbox_decision"),
    )
    op.create_index("ix_outbox_next_try", "outbox", ["next_try_at"])
    op.create_index("ix_outbox_message", "outbox", ["team_id", "owner_id", "channel_id", "ts"])
    op.create_index("ix_outbox_owner_sent", "outbox", ["team_id", "owner_id", "sent_at"])
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_table(
        "workspace",
        sa.Column("team_id", sa.String(32), primary_key=True),
        _timestamp("hold_until", nullable=True),
        sa.Column("token_error", sa.String(40), nullable=True),
        _timestamp("check_at", nullable=True),
        sa.Column("checks", sa.Integer(), nullable=False),
        _timestamp("updated_at"),
    )
    op.create_table(
        "dmchannel",
        sa.Column("team_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
    )
    op.create_table(
        "wakeup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        _timestamp("at"),
    )
    op.create_index("ix_wakeup_owner", "wakeup", ["team_id", "owner_id", "id"])
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=True),
        sa.Column("freq", sa.String(10), nullable=False),
        sa.Column("every", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(7), nullable=False),
        sa.Column("month_day", sa.Integer(), nullable=True),
        sa.Column("nth", sa.Integer(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        _timestamp("next_at", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.UniqueConstraint("team_id", "purpose", "key", name="uq_schedule_key"),
    )
    op.create_index("ix_schedule_next", "schedule", ["next_at"])


def _move_deliveries() -> None:
    """Each delivery becomes an outbox row with its id: sent, skipped and failed ones as they
    were, claimed ones pending at once and looked up in Slack (anywhere after they were made:
    when their last post went out is not known) before they are posted again."""
    op.execute(
        """
        INSERT INTO outbox (id, team_id, purpose, key, owner_id, target_user, channel_id,
            payload, state, not_before, next_try_at, claimed_by, attempts, may_be_posted,
            post_tried_at, last_error, ts, sent_at, ended_at, created_at)
        SELECT id, team_id, 'nudge', 'delivery:' || CAST(id AS VARCHAR(20)), owner_id, owner_id,
            channel, '{}',
            CASE state WHEN 'claimed' THEN 'pending' ELSE state END,
            created_at,
            CASE state WHEN 'claimed' THEN lease_until ELSE NULL END,
            claimed_by, attempts, state = 'claimed', NULL, last_error, ts, sent_at,
            CASE state WHEN 'claimed' THEN NULL ELSE COALESCE(sent_at, lease_until) END,
            created_at
        FROM delivery
        """
    )
    if op.get_bind().dialect.name == "postgresql":  # ids were copied: the sequence follows
        op.execute("SELECT setval('outbox_id_seq', GREATEST((SELECT MAX(id) FROM outbox), 1))")
    with op.batch_alter_table("nudge") as nudge:
        nudge.add_column(sa.Column("outbox_id", sa.Integer(), nullable=True))
    op.execute("UPDATE nudge SET outbox_id = delivery_id")
    with op.batch_alter_table("nudge") as nudge:
        nudge.drop_constraint("fk_nudge_delivery", type_="foreignkey")
        nudge.drop_index("ix_nudge_delivery")
        nudge.drop_column("delivery_id")
        nudge.alter_column("outbox_id", existing_type=sa.Integer(), nullable=False)
        nudge.create_foreign_key(
            "fk_nudge_outbox", "outbox", ["outbox_id"], ["id"], ondelete="CASCADE"
        )
        nudge.create_index("ix_nudge_outbox", ["outbox_id"])
    op.drop_table("delivery")


def _look_at_instead_of_wait_until() -> None:
    """A member is looked at from their earliest due nudge time on; those due within a day, and
    those who asked for a Monday preview, at once (the first tick works out the rest)."""
    # Natively on SQLite too: a batch copy of member would cascade-delete every advisor.
    op.add_column("member", _timestamp("look_at", nullable=True))
    op.execute("ALTER TABLE member DROP COLUMN wait_until")
    op.execute(
        """
        UPDATE member SET look_at = (
            SELECT MIN(due.nudge_at) FROM (
                SELECT team_id, owner_id, nudge_at FROM advisor WHERE nudge_at IS NOT NULL
                UNION ALL
                SELECT team_id, owner_id, nudge_at FROM promise WHERE nudge_at IS NOT NULL
            ) AS due
            WHERE due.team_id = member.team_id AND due.owner_id = member.user_id
        )
        """
    )
    bind = op.get_bind()
    now = _now_for(bind)
    stamp = sa.DateTime(timezone=bind.dialect.name != "sqlite")
    member = sa.table(
        "member",
        sa.column("look_at", stamp),
        sa.column("monday_preview", sa.Boolean()),
    )
    op.execute(
        member.update()
        .where(sa.or_(member.c.look_at <= now + SOON, member.c.monday_preview.is_(True)))
        .values(look_at=now)
    )
    op.create_index("ix_member_look_at", "member", ["look_at", "team_id", "user_id"])


def downgrade() -> None:
    for table in ("advisor", "promise"):
        op.drop_index(f"ix_{table}_owner_nudge", table_name=table)
        op.create_index(f"ix_{table}_nudge", table, ["nudge_at"])
    op.drop_index("ix_member_look_at", table_name="member")
    op.execute("ALTER TABLE member DROP COLUMN look_at")
    op.add_column("member", _timestamp("wait_until", nullable=True))
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
    op.execute(
        """
        INSERT INTO delivery (id, team_id, owner_id, state, claimed_by, lease_until, attempts,
            last_error, channel, ts, sent_at, created_at)
        SELECT id, team_id, owner_id,
            CASE state WHEN 'pending' THEN 'claimed' WHEN 'sending' THEN 'claimed' ELSE state END,
            COALESCE(claimed_by, 'migrated'), COALESCE(next_try_at, created_at), attempts,
            last_error, channel_id, ts, sent_at, created_at
        FROM outbox WHERE purpose = 'nudge'
        """
    )
    with op.batch_alter_table("nudge") as nudge:
        nudge.add_column(sa.Column("delivery_id", sa.Integer(), nullable=True))
    op.execute("UPDATE nudge SET delivery_id = outbox_id")
    with op.batch_alter_table("nudge") as nudge:
        nudge.drop_constraint("fk_nudge_outbox", type_="foreignkey")
        nudge.drop_index("ix_nudge_outbox")
        nudge.drop_column("outbox_id")
        nudge.alter_column("delivery_id", existing_type=sa.Integer(), nullable=False)
        nudge.create_foreign_key(
            "fk_nudge_delivery", "delivery", ["delivery_id"], ["id"], ondelete="CASCADE"
        )
        nudge.create_index("ix_nudge_delivery", ["delivery_id"])
    for table in ("schedule", "wakeup", "dmchannel", "workspace", "outbox"):
        op.drop_table(table)
