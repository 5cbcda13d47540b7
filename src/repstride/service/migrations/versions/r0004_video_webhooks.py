"""Video API webhooks and listing: ``videos.notify_via_webhook`` (frozen at creation),
``videos.webhook_sequence`` (last event's sequence) and the (client, created) index the cursor
listing of ``GET /videos`` walks.

Revision ID: r0004_video_webhooks
Revises: r0003_job_request_id
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0004_video_webhooks"
down_revision = "r0003_job_request_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as b:
        b.add_column(sa.Column("notify_via_webhook", sa.Boolean(), nullable=False,
                               server_default=sa.false()))
        b.add_column(sa.Column("webhook_sequence", sa.Integer(), nullable=False,
                               server_default="0"))
    op.create_index("ix_videos_client_created", "videos", ["client_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_videos_client_created", table_name="videos")
    with op.batch_alter_table("videos") as b:
        b.drop_column("webhook_sequence")
        b.drop_column("notify_via_webhook")
