"""Running Analysis API as Ochy's partner API: subjects, analysis subject/webhook columns, and the
shared webhook tables (configs, deliveries).

Revision ID: r0002_ochy
Revises: r0001_running
Create Date: 2026-12-06 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0002_ochy"
down_revision = "r0001_running"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "running_subjects",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("height_m", sa.Double(), nullable=True),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("deleted_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_running_subjects_client_created", "running_subjects",
                    ["client_id", "created_at"])
    with op.batch_alter_table("running_analyses") as b:
        b.add_column(sa.Column("subject_id", sa.String(length=64), nullable=True))
        b.add_column(sa.Column("notify_via_webhook", sa.Boolean(), nullable=False,
                               server_default=sa.false()))
        b.add_column(sa.Column("webhook_sequence", sa.Integer(), nullable=False,
                               server_default="0"))
    op.create_index("ix_running_analyses_subject", "running_analyses",
                    ["subject_id", "created_at"])
    op.create_table(
        "webhook_configs",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Double(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_latency_ms", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("delivered_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_webhook_deliveries_state_due", "webhook_deliveries",
                    ["state", "next_attempt_at"])
    op.create_index("ix_webhook_deliveries_client_created", "webhook_deliveries",
                    ["client_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_client_created", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_state_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_configs")
    op.drop_index("ix_running_analyses_subject", table_name="running_analyses")
    with op.batch_alter_table("running_analyses") as b:
        b.drop_column("webhook_sequence")
        b.drop_column("notify_via_webhook")
        b.drop_column("subject_id")
    op.drop_index("ix_running_subjects_client_created", table_name="running_subjects")
    op.drop_table("running_subjects")
