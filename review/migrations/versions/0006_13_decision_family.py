"""Decisions per catalogue family with explicit changes; declared-code conflicts for the queue.

Existing decisions get the family of their final catalogue (eu-* -> eu, else us). Where an
item had several decisions in one family, each later one now names the one it replaced
(they were silent replacements before; their change reason stays empty). Each
application's count of declared-code conflicts is computed from its current result.

Revision ID: 0006_13
Revises: 0005_11
Create Date: 2026-11-30 09:20:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_13"
down_revision = "0005_11"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("family", sa.String(10), nullable=False, server_default="eu"))
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("change_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("declared_conflicts", sa.Integer(), nullable=False, server_default="0")
        )
    bind = op.get_bind()
    decisions = sa.table(
        "decisions",
        sa.column("id", sa.Integer),
        sa.column("application_id", sa.Integer),
        sa.column("item_index", sa.Integer),
        sa.column("final_catalogue", sa.String),
        sa.column("family", sa.String),
        sa.column("replaces_id", sa.Integer),
    )
    last: dict[tuple[int, int, str], int] = {}
    rows = bind.execute(
        sa.select(
            decisions.c.id,
            decisions.c.application_id,
            decisions.c.item_index,
            decisions.c.final_catalogue,
        ).order_by(decisions.c.id)
    ).all()
    for row_id, app_id, item, catalogue in rows:
        family = "eu" if str(catalogue).startswith("eu-") else "us"
        key = (app_id, item, family)
        bind.execute(
            decisions.update()
            .where(decisions.c.id == row_id)
            .values(family=family, replaces_id=last.get(key))
        )
        last[key] = row_id
    _count_conflicts(bind)


def _count_conflicts(bind: Any) -> None:
    from pydantic import ValidationError

    from exportdesk.extract.model import ApplicationResult
    from exportdesk.review.decisions import conflict_count

    extractions = sa.table(
        "extractions",
        sa.column("id", sa.Integer),
        sa.column("application_id", sa.Integer),
        sa.column("result", sa.JSON),
    )
    corrections = sa.table(
        "corrections",
        sa.column("id", sa.Integer),
        sa.column("application_id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("new_value", sa.Text),
    )
    applications = sa.table(
        "applications", sa.column("id", sa.Integer), sa.column("declared_conflicts", sa.Integer)
    )
    latest: dict[int, Any] = {}
    for app_id, result in bind.execute(
        sa.select(extractions.c.application_id, extractions.c.result).order_by(extractions.c.id)
    ):
        latest[app_id] = json.loads(result) if isinstance(result, str) else result
    for app_id, path, value in bind.execute(
        sa.select(corrections.c.application_id, corrections.c.field, corrections.c.new_value)
        .where(corrections.c.field.like("items.%.declared_classification"))
        .order_by(corrections.c.id)
    ):
        try:
            position = int(path.split(".")[1])
            latest[app_id]["items"][position]["declared_classification"] = (
                json.loads(value) if value else None
            )
        except (KeyError, IndexError, ValueError, TypeError):
            continue
    for app_id, data in latest.items():
        try:
            count = conflict_count(ApplicationResult.model_validate(data))
        except ValidationError:
            continue
        if count:
            bind.execute(
                applications.update()
                .where(applications.c.id == app_id)
                .values(declared_conflicts=count)
            )


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("declared_conflicts")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("change_reason")
        batch.drop_column("replaces_id")
        batch.drop_column("family")
