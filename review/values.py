"""What the case store hands out: typed, immutable values, never ORM rows or JSON copies.

A model's ``Suggestion`` (extract.model) and a person's ``Decision`` stay different types. A
decision does not copy the suggestion it was made against: it names it (the extraction and
the suggestion's rank there), and the store resolves it into ``Decision.suggested``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from exportdesk.extract.model import ApplicationResult, Suggestion


class Value(BaseModel):
    """A frozen value; ``of`` builds one from a table row's same-named columns."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def of(cls, row: object, **given: Any) -> Self:
        """The value of ``row``: each field from the attribute of its name unless ``given``."""
        fields = {name: getattr(row, name) for name in cls.model_fields if name not in given}
        return cls.model_validate({**fields, **given})


class Receipt(Value):
    application_id: int
    sha256: str
    filename: str
    duplicate: bool


class QueueRow(Value):
    id: int
    filename: str
    status: str
    created_at: datetime
    min_confidence: float | None
    countries: list[str]
    catalogues: list[str]
    readable: bool | None
    page_count: int | None
    declared_conflicts: int = 0


class HistoryEntry(Value):
    seq: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]


class Decision(Value):
    """A person's classification of one item (its 1-based ``item_index``) in one family."""

    id: int
    application_id: int
    item_index: int
    family: str
    final_catalogue: str
    final_code: str
    decided_by: str
    decided_at: datetime
    override_reason: str | None = None
    change_reason: str | None = None
    replaces_id: int | None = None
    model_version: str | None = None
    catalogue_edition: str | None = None
    # The family's top suggestion when the decision was made (None: there was none).
    suggested: Suggestion | None = None

    @property
    def override(self) -> bool:
        """The person recorded a code that was not among the suggestions."""
        return self.override_reason is not None

    @property
    def top_accepted(self) -> bool:
        """The decided code is the top suggestion (a lower-ranked one confirmed is no
        override, but not the top either)."""
        top = self.suggested
        return top is not None and (top.catalogue, top.code) == (
            self.final_catalogue,
            self.final_code,
        )


class CaseView(Value):
    """One application as the review screen shows it: corrected result, suggestions, decisions."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: int
    filename: str
    sha256: str
    status: str
    version: int
    created_at: datetime
    result: ApplicationResult | None
    versions: dict[str, Any]
    extraction_id: int | None = None  # the extraction the result (and its suggestions) is from
    corrected_fields: frozenset[str] = frozenset()
    # Every decision, oldest first; a later one for the same (item, family) replaces it.
    all_decisions: list[Decision] = Field(default_factory=list)

    @property
    def editable(self) -> bool:
        return self.status in ("extracted", "in_review")

    @property
    def by_family(self) -> dict[tuple[int, str], Decision]:
        """The decision in force per (item index, family)."""
        return {(d.item_index, d.family): d for d in self.all_decisions}

    @property
    def decisions(self) -> dict[int, Decision]:
        """The newest decision per item index, whatever its family."""
        return {d.item_index: d for d in self.all_decisions}

    def in_force(self, item_index: int | None = None) -> list[Decision]:
        """The decisions in force (one per item and family), of one item or of all."""
        return [
            d
            for (index, _family), d in sorted(self.by_family.items())
            if item_index is None or index == item_index
        ]
