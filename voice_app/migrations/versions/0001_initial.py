"""The tables as `metadata.create_all` made them before migrations: progress, history, calls.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

A database made by that code (these tables, no `alembic_version`) is adopted at this revision
by `voice_app.schema.upgrade` without running it. Frozen: never edit a released revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "progress",
        sa.Column("listener_key", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("practice_id", sa.String(100), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("audio_sha", sa.String(64), nullable=False),
        sa.Column("offset_ms", sa.BigInteger, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("event_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("listener_key", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("practice_id", sa.String(100), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_history_listener_key", "history", ["listener_key"])
    op.create_table(
        "calls",
        sa.Column("call_key", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
