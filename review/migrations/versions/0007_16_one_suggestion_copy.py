"""One stored copy of each suggestion: the extraction's result.

The ``suggestions`` table and the ``suggested_*`` columns of ``decisions`` repeated what the
extraction's result already holds. A decision now names the suggestion it was made against:
``extraction_id`` and ``suggestion_rank`` (its position among the item's suggestions there;
NULL when the family had none). Existing decisions are matched to the suggestion with their
catalogue and code; a decision whose suggestion no extraction holds stops the migration with
its id, so nothing is lost silently.

Revision ID: 0007_16
Revises: 0006_13
Create Date: 2026-11-30 12:50:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_16"
down_revision = "0006_13"
branch_labels = None
depends_on = None

_extractions = sa.table(
    "extractions",
    sa.column("id", sa.Integer),
    sa.column("application_id", sa.Integer),
    sa.column("result", sa.JSON),
    sa.column("versions", sa.JSON),
)
_decisions = sa.table(
    "decisions",
    sa.column("id", sa.Integer),
    sa.column("application_id", sa.Integer),
    sa.column("item_index", sa.Integer),
    sa.column("suggested_catalogue", sa.String),
    sa.column("suggested_code", sa.String),
    sa.column("suggested_confidence", sa.Float),
    sa.column("extraction_id", sa.Integer),
    sa.column("suggestion_rank", sa.Integer),
)


_SUGGESTION_COLUMNS = (
    "extraction_id",
    "application_id",
    "item_index",
    "rank",
    "catalogue",
    "code",
    "title",
    "confidence",
    "rationale",
    "model_version",
    "catalogue_edition",
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _extractions_by_app(bind: Any) -> dict[int, list[tuple[int, dict, dict]]]:
    """Each application's extractions, newest first: (id, result, versions)."""
    found: dict[int, list[tuple[int, dict, dict]]] = {}
    rows = bind.execute(
        sa.select(
            _extractions.c.id,
            _extractions.c.application_id,
            _extractions.c.result,
            _extractions.c.versions,
        ).order_by(_extractions.c.id.desc())
    )
    for ex_id, app_id, result, versions in rows:
        found.setdefault(app_id, []).append((ex_id, _json(result) or {}, _json(versions) or {}))
    return found


def _suggestions(result: dict, item_index: int) -> list[dict]:
    for item in result.get("items") or []:
        if item.get("index") == item_index:
            return list(item.get("suggestions") or [])
    return []


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("extraction_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("suggestion_rank", sa.Integer(), nullable=True))
    bind = op.get_bind()
    extractions = _extractions_by_app(bind)
    rows = bind.execute(
        sa.select(
            _decisions.c.id,
            _decisions.c.application_id,
            _decisions.c.item_index,
            _decisions.c.suggested_catalogue,
            _decisions.c.suggested_code,
            _decisions.c.suggested_confidence,
        ).order_by(_decisions.c.id)
    ).all()
    for row_id, app_id, item_index, catalogue, code, confidence in rows:
        candidates = extractions.get(app_id, [])
        ex_id, rank = (candidates[0][0] if candidates else None), None
        if code is not None:
            ex_id = None
            for cand_id, result, _versions in candidates:
                ranked = _suggestions(result, item_index)
                matches = [
                    r
                    for r, s in enumerate(ranked)
                    if (s.get("catalogue"), s.get("code")) == (catalogue, code)
                ]
                same = [r for r in matches if ranked[r].get("confidence") == confidence]
                if same or matches:
                    ex_id, rank = cand_id, (same or matches)[0]
                    break
            if ex_id is None:
                raise RuntimeError(
                    f"Decision {row_id} (application {app_id}, item {item_index}) was made "
                    f"against suggestion {catalogue} {code}, which no extraction of the "
                    "application holds. The migration stopped and changed nothing; restore the "
                    "extraction from backup, or report the decision id to the exportdesk team."
                )
        bind.execute(
            _decisions.update()
            .where(_decisions.c.id == row_id)
            .values(extraction_id=ex_id, suggestion_rank=rank)
        )
    with op.batch_alter_table("decisions") as batch:
        batch.create_foreign_key(
            "fk_decisions_extraction_id", "extractions", ["extraction_id"], ["id"]
        )
        batch.drop_column("suggested_confidence")
        batch.drop_column("suggested_code")
        batch.drop_column("suggested_catalogue")
    op.drop_table("suggestions")


def downgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("extraction_id", sa.Integer(), sa.ForeignKey("extractions.id"), index=True),
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("applications.id"), index=True),
        sa.Column("item_index", sa.Integer()),
        sa.Column("rank", sa.Integer()),
        sa.Column("catalogue", sa.String(40)),
        sa.Column("code", sa.String(60)),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float()),
        sa.Column("rationale", sa.Text()),
        sa.Column("model_version", sa.String(200), nullable=True),
        sa.Column("catalogue_edition", sa.String(300), nullable=True),
    )
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("suggested_catalogue", sa.String(40), nullable=True))
        batch.add_column(sa.Column("suggested_code", sa.String(60), nullable=True))
        batch.add_column(sa.Column("suggested_confidence", sa.Float(), nullable=True))
    bind = op.get_bind()
    suggestions = sa.table(
        "suggestions",
        *(sa.column(name) for name in _SUGGESTION_COLUMNS),
    )
    results: dict[int, dict] = {}
    for app_id, found in _extractions_by_app(bind).items():
        for ex_id, result, versions in found:
            results[ex_id] = result
            for item in result.get("items") or []:
                for rank, s in enumerate(item.get("suggestions") or []):
                    bind.execute(
                        suggestions.insert().values(
                            extraction_id=ex_id,
                            application_id=app_id,
                            item_index=item.get("index"),
                            rank=rank,
                            catalogue=s.get("catalogue"),
                            code=s.get("code"),
                            title=s.get("title"),
                            confidence=s.get("confidence"),
                            rationale=s.get("rationale") or "",
                            model_version=s.get("model_version") or versions.get("classifier"),
                            catalogue_edition=s.get("catalogue_edition")
                            or versions.get("catalogues"),
                        )
                    )
    rows = bind.execute(
        sa.select(
            _decisions.c.id,
            _decisions.c.item_index,
            _decisions.c.extraction_id,
            _decisions.c.suggestion_rank,
        )
    ).all()
    for row_id, item_index, ex_id, rank in rows:
        if ex_id is None or rank is None:
            continue
        ranked = _suggestions(results.get(ex_id, {}), item_index)
        if rank < len(ranked):
            s = ranked[rank]
            bind.execute(
                _decisions.update()
                .where(_decisions.c.id == row_id)
                .values(
                    suggested_catalogue=s.get("catalogue"),
                    suggested_code=s.get("code"),
                    suggested_confidence=s.get("confidence"),
                )
            )
    with op.batch_alter_table("decisions") as batch:
        batch.drop_constraint("fk_decisions_extraction_id", type_="foreignkey")
        batch.drop_column("suggestion_rank")
        batch.drop_column("extraction_id")
