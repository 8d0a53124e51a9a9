"""The program view's roll-ups: weekly and monthly aggregates of `sessions`, computed once a
period's month has ended and kept after the raw check-ins expire (voice_app/program/rollup.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Backward compatible: a new table only; the release before it never reads or writes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_rollups",
        sa.Column("period_kind", sa.String(8), primary_key=True),
        sa.Column("period_start", sa.Date, primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("category", sa.String(100), primary_key=True),
        sa.Column("people", sa.Integer, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("completed", sa.Integer, nullable=False),
        sa.Column("asked", sa.Integer, nullable=False),
        sa.Column("answered_before", sa.Integer, nullable=False),
        sa.Column("pairs", sa.Integer, nullable=False),
        sa.Column("mean_before", sa.Float, nullable=True),
        sa.Column("mean_after", sa.Float, nullable=True),
        sa.Column("mean_change", sa.Float, nullable=True),
        sa.Column("sd_change", sa.Float, nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
