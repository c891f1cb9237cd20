"""Which confirmed decisions and open cases a new list edition touches (codes that changed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select

from exportdesk.classify.catalogue import entry_code
from exportdesk.classify.edition_diff import EditionDiff, EntryChange
from exportdesk.review.precedents import decided_items
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import Application, Decision, SuggestionRow

OPEN = ("extracted", "in_review")
SHOWN_SUGGESTIONS = 3  # the review screen shows the top three


@dataclass(frozen=True)
class Impact:
    kind: Literal["confirmed_decision", "open_decision", "open_suggestion"]
    application_id: int
    item_index: int
    code: str
    change: EntryChange
    who: str | None = None
    when: datetime | None = None


def impact(store: CaseStore, changes: EditionDiff, catalogue: str) -> list[Impact]:
    """Decisions and open cases in ``catalogue`` whose entry was reworded, renumbered or removed."""
    hit = changes.changed_meaning()
    out: list[Impact] = []
    for d in decided_items(store):
        change = hit.get(entry_code(d.code))
        if d.catalogue == catalogue and change is not None:
            out.append(
                Impact(
                    "confirmed_decision",
                    d.application_id,
                    d.item_index,
                    d.code,
                    change,
                    d.decided_by,
                    d.decided_at,
                )
            )
    with store.session() as s:
        open_apps = select(Application.id).where(Application.status.in_(OPEN))
        decisions = s.execute(
            select(Decision)
            .where(Decision.application_id.in_(open_apps), Decision.final_catalogue == catalogue)
            .order_by(Decision.id)
        ).scalars()
        for d in decisions:
            change = hit.get(entry_code(d.final_code))
            if change is not None:
                out.append(
                    Impact(
                        "open_decision",
                        d.application_id,
                        d.item_index,
                        d.final_code,
                        change,
                        d.decided_by,
                        d.decided_at,
                    )
                )
        newest = (
            select(func.max(SuggestionRow.extraction_id))
            .where(SuggestionRow.application_id.in_(open_apps))
            .group_by(SuggestionRow.application_id)
        )
        suggestions = s.execute(
            select(SuggestionRow)
            .where(
                SuggestionRow.extraction_id.in_(newest),
                SuggestionRow.catalogue == catalogue,
                SuggestionRow.rank < SHOWN_SUGGESTIONS,
            )
            .order_by(SuggestionRow.application_id, SuggestionRow.item_index, SuggestionRow.rank)
        ).scalars()
        for sug in suggestions:
            change = hit.get(entry_code(sug.code))
            if change is not None:
                out.append(
                    Impact("open_suggestion", sug.application_id, sug.item_index, sug.code, change)
                )
    return sorted(out, key=lambda i: (i.kind, i.application_id, i.item_index))
