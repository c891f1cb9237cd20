"""Which confirmed decisions and open cases a new list edition touches (codes that changed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from exportdesk.classify.catalogue import entry_code
from exportdesk.classify.edition_diff import EditionDiff, EntryChange
from exportdesk.review.precedents import decided_items
from exportdesk.review.store import CaseStore, latest_items
from exportdesk.review.tables import Application, Decision

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
        open_ids = list(s.execute(open_apps).scalars())
        for (app_id, item_index), item in sorted(latest_items(s, open_ids).items()):
            for sug in item.suggestions[:SHOWN_SUGGESTIONS]:
                change = hit.get(entry_code(sug.code))
                if sug.catalogue == catalogue and change is not None:
                    out.append(Impact("open_suggestion", app_id, item_index, sug.code, change))
    return sorted(out, key=lambda i: (i.kind, i.application_id, i.item_index))
