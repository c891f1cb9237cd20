"""Screening reviews: a reviewer's decision (cleared/confirmed, reason) on each screening hit.

Revision ID: 0004_14
Revises: 0003_15
Create Date: 2026-11-30 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_14"
down_revision = "0003_15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=500), nullable=False),
        sa.Column("entry_uid", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_screening_reviews_application_id"), "screening_reviews", ["application_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_reviews_application_id"), table_name="screening_reviews")
    op.drop_table("screening_reviews")
