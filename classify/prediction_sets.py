"""Conformal prediction sets: which suggestions together hold the right entry at a stated coverage.

A split-conformal set keeps every candidate whose probability reaches ``1 - q``, where ``q``
is a quantile of ``1 - p(right entry)`` over labelled items the ranker never trained on
(``python -m exportdesk.models.classification.conformal --write``). Where the model is sure
the set is one entry; where it is unsure the reviewer sees "one of these three, 90 %".

The thresholds belong to one classifier version and the walk that produced its
probabilities, so they live in ``<models_dir>/classifier/conformal.json`` keyed by version,
beside (not inside) the version folders, whose files are checksummed. A version with no
thresholds gets no sets; nothing else changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FILE = "conformal.json"
SCHEMA = "exportdesk.conformal-sets/v1"


@dataclass(frozen=True)
class SetRule:
    """One version's thresholds: a candidate joins the set when ``p >= 1 - q``."""

    coverage: float  # the stated coverage, 1 - alpha
    threshold: dict[str, float]  # per jurisdiction ("eu", "us"): q


@lru_cache(maxsize=8)
def rule_for(version: str, root: Path) -> SetRule | None:
    """The set rule fitted for ``version`` (``root`` holds the version folders), or None."""
    p = root / FILE
    if not p.is_file():
        return None
    body = json.loads(p.read_text(encoding="utf-8"))
    entry = body.get("versions", {}).get(version)
    if not entry:
        return None
    return SetRule(coverage=float(entry["coverage"]), threshold=dict(entry["threshold"]))


@dataclass(frozen=True)
class PredictionSet:
    """One item's set in one jurisdiction: its coverage, its size, and its entry bar."""

    coverage: float | None  # None: no set (no rule fitted for the version or jurisdiction)
    size: int = 0
    floor: float = 1.0  # lowest probability that belongs (the best candidate always does)

    @classmethod
    def at(cls, q: float, coverage: float, probs: Sequence[float]) -> PredictionSet:
        """The set at threshold ``q`` over all of a jurisdiction's candidates (``probs``),
        not only those shown. The best candidate always belongs: an empty set tells a
        reviewer nothing, and adding it only makes the set larger (coverage still holds)."""
        if len(probs) == 0:
            return cls(coverage=None)
        floor = min(1.0 - q - 1e-12, max(float(p) for p in probs))
        return cls(coverage=coverage, size=sum(1 for p in probs if p >= floor), floor=floor)

    @classmethod
    def of(cls, rule: SetRule | None, jurisdiction: str, probs: Sequence[float]) -> PredictionSet:
        q = rule.threshold.get(jurisdiction) if rule is not None else None
        if rule is None or q is None:
            return cls(coverage=None)
        return cls.at(q, rule.coverage, probs)

    def holds(self, probability: float) -> bool:
        return self.coverage is not None and probability >= self.floor

    def fields(self, probability: float) -> dict[str, float | int | None]:
        """The suggestion fields for a candidate of this probability."""
        if not self.holds(probability):
            return {"prediction_set_coverage": None, "prediction_set_size": None}
        return {"prediction_set_coverage": self.coverage, "prediction_set_size": self.size}
