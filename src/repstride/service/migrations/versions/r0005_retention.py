"""Retention: when the sweep deleted a video's / analysis' source, pose track or rendered media.

Revision ID: r0005_retention
Revises: r0004_video_webhooks
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0005_retention"
down_revision = "r0004_video_webhooks"
branch_labels = None
depends_on = None

TABLES = ("videos", "running_analyses")
COLUMNS = ("uploads_expired_at", "tracks_expired_at", "overlays_expired_at")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.add_column(sa.Column(column, sa.Double(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.drop_column(column)
