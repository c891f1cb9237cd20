"""Read-only store queries the trainer workflow needs, built on the case store's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from exportdesk.classify.catalogue import jurisdiction_of
from exportdesk.extract.model import Suggestion
from exportdesk.review.store import CaseStore, Decision, decision_values, latest_items
from exportdesk.review.tables import Application
from exportdesk.review.tables import Decision as DecisionRecord


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


class DecisionRow(Decision):
    """A decision (the store's type) with its application's status, for statistics."""

    application_status: str


def decisions(store: CaseStore) -> list[DecisionRow]:
    """Every decision ever recorded (superseded ones included), oldest first."""
    with store.session() as s:
        rows = s.execute(
            select(DecisionRecord, Application.status)
            .join(Application, Application.id == DecisionRecord.application_id)
            .order_by(DecisionRecord.id)
        ).all()
        typed = decision_values(s, [d for d, _status in rows])
    return [
        DecisionRow(**d.model_dump(), application_status=status)
        for d, (_row, status) in zip(typed, rows, strict=True)
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
                select(DecisionRecord).where(DecisionRecord.application_id.in_(list(apps)))
            ).scalars()
        }
        items = latest_items(s, list(apps))
    ranked: dict[tuple[int, int, str], list[Suggestion]] = {}
    for (app_id, idx), item in items.items():
        for sug in item.suggestions:
            key = (app_id, idx, jurisdiction_of(sug.catalogue))
            if key not in decided:
                ranked.setdefault(key, []).append(sug)
    out = []
    for (app_id, idx, family), suggestions in sorted(ranked.items()):
        top = suggestions[0]
        out.append(
            OpenItem(
                app_id,
                apps[app_id],
                idx,
                top.catalogue,
                top.code,
                top.confidence,
                suggestions[1].confidence if len(suggestions) > 1 else None,
                top.model_version,
                family,
                items[(app_id, idx)].description,
            )
        )
    return out
