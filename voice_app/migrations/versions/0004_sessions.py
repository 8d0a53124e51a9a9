"""Sessions and check-ins: one row per practice started on any channel, with the listener's
before and after answers (issue 14; `voice_app/checkins.py` writes it, the program view reads it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Backward compatible: a new table only; the release before it never reads or writes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("listener_key", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("practice_id", sa.String(100), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("asked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("before", sa.SmallInteger, nullable=True),
        sa.Column("after", sa.SmallInteger, nullable=True),
        sa.Column("after_delay_s", sa.Integer, nullable=True),
        sa.Column("after_declined", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_sessions_listener_key_started_at", "sessions",
                    ["listener_key", "started_at"])
    op.create_index("ix_sessions_started_at", "sessions", ["started_at"])
