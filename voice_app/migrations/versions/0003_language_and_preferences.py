"""A listener's language and choices: `progress.language` (the language of the audio a place
refers to, so a call-back resumes in it) and `preferences` (one row per listener key: the
language they chose and whether they want check-ins).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Backward compatible: the new column has a server default ('en'), so the release before it
keeps inserting positions without naming it; it never reads `preferences`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False,
                                   server_default="en"))
    op.create_table(
        "preferences",
        sa.Column("listener_key", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("checkin", sa.String(8), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_preferences_updated_at", "preferences", ["updated_at"])
