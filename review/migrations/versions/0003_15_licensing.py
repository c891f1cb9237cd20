"""Licensing: precedent use, condition templates, immutable versioned licence decisions.

Revision ID: 0003_15
Revises: 0002
Create Date: 2026-11-30 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_15"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "licence_decisions is append-only; a correction is a new version"

# A starting list the admin edits; each is ordinary wording, not a quotation of any law.
DEFAULT_CONDITIONS = [
    (
        "no-reexport",
        "The items shall not be re-exported or transferred to another end user "
        "without the prior written consent of the licensing authority.",
    ),
    ("end-use-only", "The items shall be used only for the end use stated in the application."),
    (
        "delivery-verification",
        "The exporter shall submit proof of delivery (delivery "
        "verification certificate or customs exit record) within 90 days of each shipment.",
    ),
    ("on-site-check", "The end user shall allow an on-site post-shipment verification on request."),
    (
        "records",
        "The exporter shall keep records of every shipment under this licence for at "
        "least five years after the end of the year in which it took place.",
    ),
]


def upgrade() -> None:
    op.create_table(
        "precedent_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("precedent_decision_id", sa.Integer(), nullable=False),
        sa.Column("match", sa.String(length=20), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("taken_by", sa.String(length=200), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"]),
        sa.ForeignKeyConstraint(["precedent_decision_id"], ["decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id"),
    )
    op.create_index(
        op.f("ix_precedent_uses_precedent_decision_id"),
        "precedent_uses",
        ["precedent_decision_id"],
        unique=False,
    )
    templates = op.create_table(
        "condition_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    _seed(templates)
    op.create_table(
        "licence_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("reporting_duties", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("letter_sha256", sa.String(length=64), nullable=False),
        sa.Column("letter_pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["supersedes_id"], ["licence_decisions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "version"),
    )
    op.create_index(
        op.f("ix_licence_decisions_application_id"),
        "licence_decisions",
        ["application_id"],
        unique=False,
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION licence_decisions_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER licence_decisions_append_only BEFORE UPDATE OR DELETE ON "
            "licence_decisions FOR EACH ROW EXECUTE FUNCTION licence_decisions_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER licence_decisions_no_{event.lower()} BEFORE {event} ON "
                f"licence_decisions BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def _seed(templates: sa.Table) -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    op.bulk_insert(
        templates,
        [
            {"key": k, "text": t, "active": True, "created_by": "migration", "created_at": now}
            for k, t in DEFAULT_CONDITIONS
        ],
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER licence_decisions_append_only ON licence_decisions")
        op.execute("DROP FUNCTION licence_decisions_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER licence_decisions_no_{event}")
    op.drop_index(op.f("ix_licence_decisions_application_id"), table_name="licence_decisions")
    op.drop_table("licence_decisions")
    op.drop_table("condition_templates")
    op.drop_index(op.f("ix_precedent_uses_precedent_decision_id"), table_name="precedent_uses")
    op.drop_table("precedent_uses")
