"""Read-only store queries the trainer workflow needs, built on the case store's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from exportdesk.review.store import CaseStore
from exportdesk.review.tables import Application, Decision, SuggestionRow


def utc_iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 UTC; SQLite hands back naive datetimes that were UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def application_ids(store: CaseStore, statuses: tuple[str, ...] = ("confirmed",)) -> list[int]:
    with store.session() as s:
        rows = s.execute(
            select(Application.id).where(Application.status.in_(statuses)).order_by(Application.id)
        )
        return [r[0] for r in rows]


@dataclass(frozen=True)
class DecisionRow:
    """One person's decision with what the model had suggested, flattened for statistics."""

    decision_id: int
    application_id: int
    item_index: int
    decided_by: str
    decided_at: str | None
    suggested_catalogue: str | None
    suggested_code: str | None
    suggested_confidence: float | None
    final_catalogue: str
    final_code: str
    override: bool
    model_version: str | None
    application_status: str
    family: str = "eu"  # the catalogue family (EU, US): an item has one decision in each

    @property
    def top_accepted(self) -> bool:
        """The model's top suggestion is what the person decided (a lower-ranked suggestion
        confirmed is no override, but not the top either)."""
        return (self.suggested_catalogue, self.suggested_code) == (
            self.final_catalogue,
            self.final_code,
        )


def decisions(store: CaseStore) -> list[DecisionRow]:
    """Every decision ever recorded (superseded ones included), oldest first."""
    with store.session() as s:
        rows = s.execute(
            select(Decision, Application.status)
            .join(Application, Application.id == Decision.application_id)
            .order_by(Decision.id)
        ).all()
        return [
            DecisionRow(
                d.id,
                d.application_id,
                d.item_index,
                d.decided_by,
                utc_iso(d.decided_at),
                d.suggested_catalogue,
                d.suggested_code,
                d.suggested_confidence,
                d.final_catalogue,
                d.final_code,
                d.override_reason is not None,
                d.model_version,
                status,
                d.family,
            )
            for d, status in rows
        ]


def latest_decisions(rows: list[DecisionRow]) -> list[DecisionRow]:
    """The decision in force per item and family: the newest one (a later one supersedes)."""
    latest: dict[tuple[int, int, str], DecisionRow] = {}
    for r in rows:
        latest[(r.application_id, r.item_index, r.family)] = r
    return sorted(latest.values(), key=lambda r: (r.application_id, r.item_index, r.family))


@dataclass(frozen=True)
class OpenItem:
    """An item still waiting for a decision, with its model's top suggestions."""

    application_id: int
    filename: str
    item_index: int
    top_catalogue: str
    top_code: str
    top_confidence: float
    second_confidence: float | None
    model_version: str | None


def undecided_items(store: CaseStore) -> list[OpenItem]:
    """Items of applications in review or extracted that nobody has decided yet, with the
    newest extraction's suggestions (rank 0 and rank 1)."""
    with store.session() as s:
        apps = {
            a.id: a.filename
            for a in s.execute(
                select(Application).where(Application.status.in_(("extracted", "in_review")))
            ).scalars()
        }
        if not apps:
            return []
        decided = {
            (d.application_id, d.item_index)
            for d in s.execute(
                select(Decision).where(Decision.application_id.in_(list(apps)))
            ).scalars()
        }
        sugg = (
            s.execute(
                select(SuggestionRow)
                .where(SuggestionRow.application_id.in_(list(apps)), SuggestionRow.rank < 2)
                .order_by(
                    SuggestionRow.application_id,
                    SuggestionRow.item_index,
                    SuggestionRow.extraction_id.desc(),
                    SuggestionRow.rank,
                )
            )
            .scalars()
            .all()
        )
    newest: dict[tuple[int, int], int] = {}
    ranked: dict[tuple[int, int], list[SuggestionRow]] = {}
    for row in sugg:
        key = (row.application_id, row.item_index)
        if key in decided:
            continue
        newest.setdefault(key, row.extraction_id)
        if row.extraction_id == newest[key]:
            ranked.setdefault(key, []).append(row)
    out = []
    for (app_id, idx), rows in sorted(ranked.items()):
        top = rows[0]
        out.append(
            OpenItem(
                app_id,
                apps[app_id],
                idx,
                top.catalogue,
                top.code,
                top.confidence,
                rows[1].confidence if len(rows) > 1 else None,
                top.model_version,
            )
        )
    return out
