"""Indexes for retention: pruning finds old rows by time without scanning whole tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Backward compatible: the release before it reads and writes the same columns.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_history_completed_at", "history", ["completed_at"])
    op.create_index("ix_calls_updated_at", "calls", ["updated_at"])
    op.create_index("ix_progress_updated_at", "progress", ["updated_at"])
