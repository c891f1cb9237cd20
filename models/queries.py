"""Read-only store queries the trainer workflow needs, built on the case store's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from exportdesk.classify.catalogue import jurisdiction_of
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import Application, Decision, Extraction, SuggestionRow


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
    """An item still waiting for a decision in one catalogue family (EU, US), with the
    model's two best suggestions in that family: suggestions compete within a family, so the
    runner-up of an EU code is the next EU code, never the same entry in the US list."""

    application_id: int
    filename: str
    item_index: int
    top_catalogue: str
    top_code: str
    top_confidence: float
    second_confidence: float | None
    model_version: str | None
    family: str = "eu"
    description: str = ""


def undecided_items(store: CaseStore) -> list[OpenItem]:
    """(item, family) pairs of applications in review or extracted that nobody has decided
    yet, with the newest extraction's two best suggestions within the family and the item's
    description as extracted."""
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
            (d.application_id, d.item_index, d.family)
            for d in s.execute(
                select(Decision).where(Decision.application_id.in_(list(apps)))
            ).scalars()
        }
        newest = dict(
            s.execute(
                select(Extraction.application_id, func.max(Extraction.id))
                .where(Extraction.application_id.in_(list(apps)))
                .group_by(Extraction.application_id)
            ).all()
        )
        sugg = (
            s.execute(
                select(SuggestionRow)
                .where(SuggestionRow.extraction_id.in_(list(newest.values())))
                .order_by(
                    SuggestionRow.application_id, SuggestionRow.item_index, SuggestionRow.rank
                )
            )
            .scalars()
            .all()
        )
        descriptions = {
            (e.application_id, item.get("index")): str(item.get("description") or "")
            for e in s.execute(
                select(Extraction).where(Extraction.id.in_(list(newest.values())))
            ).scalars()
            for item in (e.result or {}).get("items") or []
        }
    ranked: dict[tuple[int, int, str], list[SuggestionRow]] = {}
    for row in sugg:
        key = (row.application_id, row.item_index, jurisdiction_of(row.catalogue))
        if key not in decided:
            ranked.setdefault(key, []).append(row)
    out = []
    for (app_id, idx, family), rows in sorted(ranked.items()):
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
                family,
                descriptions.get((app_id, idx), ""),
            )
        )
    return out
