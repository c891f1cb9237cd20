"""Jobs with leases: owner token, lease deadline, progress as integers, retrain jobs, workers.

Revision ID: 0005_11
Revises: 0004_14
Create Date: 2026-11-30 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_11"
down_revision = "0004_14"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("document_sha256", existing_type=sa.String(64), nullable=True)
        batch.drop_column("progress")
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="3")
        )
        batch.add_column(sa.Column("token", sa.String(40), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("done_units", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("total_units", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("log", sa.Text(), nullable=True))
        batch.add_column(sa.Column("requested_by", sa.String(200), nullable=True))
        batch.create_index("ix_jobs_kind", ["kind"])
    op.create_table(
        "workers",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("backend", sa.String(20), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("workers")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_kind")
        for column in (
            "requested_by",
            "log",
            "total_units",
            "done_units",
            "published_at",
            "heartbeat_at",
            "lease_until",
            "token",
            "max_attempts",
            "result",
            "payload",
        ):
            batch.drop_column(column)
        batch.add_column(sa.Column("progress", sa.String(100), nullable=True))
    # Retrain jobs have no document; they cannot exist in the older schema.
    op.execute("DELETE FROM jobs WHERE document_sha256 IS NULL")
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("document_sha256", existing_type=sa.String(64), nullable=False)
