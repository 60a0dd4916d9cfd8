"""Peer-coaching circles: circles in channels and their members, check-ins, members away,
challenges and the replies in their threads, learning partners. New tables only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _team() -> sa.Column:
    return sa.Column("team_id", sa.String(32), nullable=False)


def _cascade(column: str, table: str, name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=name, ondelete="CASCADE")


def upgrade() -> None:
    _circles()
    _check_ins()
    _challenges()


def _circles() -> None:
    op.create_table(
        "circle",
        _id(),
        _team(),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("facilitator_id", sa.String(32), nullable=True),
        sa.Column("open_hours", sa.Integer(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("partners", sa.Boolean(), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("paused_why", sa.String(200), nullable=True),
        sa.Column("pauses", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    live = sa.text("state != 'archived'")
    op.create_index(
        "uq_circle_channel",
        "circle",
        ["team_id", "channel_id"],
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    op.create_table(
        "circlemember",
        _id(),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("reminders", sa.Boolean(), nullable=False),
        _timestamp("joined_at"),
        _timestamp("left_at", nullable=True),
        sa.UniqueConstraint("circle_id", "user_id", name="uq_circle_member"),
        _cascade("circle_id", "circle", "fk_circle_member_circle"),
    )
    op.create_index("ix_circle_member_user", "circlemember", ["team_id", "user_id"])


def _check_ins() -> None:
    op.create_table(
        "checkin",
        _id(),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        _team(),
        _timestamp("occurrence"),
        _timestamp("closes_at"),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        _timestamp("closed_at", nullable=True),
        _timestamp("created_at"),
        sa.UniqueConstraint("circle_id", "occurrence", name="uq_check_in_occurrence"),
        _cascade("circle_id", "circle", "fk_check_in_circle"),
    )
    op.create_table(
        "checkinaway",
        _id(),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("user_id", sa.String(32), nullable=False),
        _timestamp("at"),
        sa.UniqueConstraint("check_in_id", "user_id", name="uq_check_in_away"),
        _cascade("check_in_id", "checkin", "fk_away_check_in"),
    )
    op.create_table(
        "pairing",
        _id(),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("members", sa.String(120), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=True),
        _timestamp("created_at"),
        sa.UniqueConstraint("check_in_id", "members", name="uq_pairing"),
        _cascade("check_in_id", "checkin", "fk_pairing_check_in"),
    )
    op.create_index("ix_pairing_circle", "pairing", ["circle_id", "id"])


def _challenges() -> None:
    op.create_table(
        "challenge",
        _id(),
        _team(),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("text", sa.String(3000), nullable=False),
        sa.Column("tried", sa.String(3000), nullable=False),
        sa.Column("help_wanted", sa.String(3000), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("ts", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=True),
        _timestamp("outcome_at", nullable=True),
        sa.Column("carried_to", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _cascade("check_in_id", "checkin", "fk_challenge_check_in"),
    )
    op.create_index("ix_challenge_check_in", "challenge", ["check_in_id", "author_id"])
    op.create_index("ix_challenge_message", "challenge", ["team_id", "channel_id", "ts"])
    op.create_index("ix_challenge_author", "challenge", ["team_id", "author_id"])
    op.create_table(
        "challengereply",
        _id(),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        _team(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        _timestamp("at"),
        sa.UniqueConstraint("challenge_id", "ts", name="uq_challenge_reply"),
        _cascade("challenge_id", "challenge", "fk_reply_challenge"),
    )


def downgrade() -> None:
    for table in ("challengereply", "challenge", "pairing", "checkinaway", "checkin"):
        op.drop_table(table)
    op.drop_table("circlemember")
    op.drop_index("uq_circle_channel", table_name="circle")
    op.drop_table("circle")
