"""Jobs remember the request that created them (``jobs.request_id``, for the logs).

Revision ID: r0003_job_request_id
Revises: r0002_ochy
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0003_job_request_id"
down_revision = "r0002_ochy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("request_id")
