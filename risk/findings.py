"""A risk finding as the contract carries it: a warning with a code, evidence and detail."""

from __future__ import annotations

from typing import Any

from exportdesk.extract.model import Evidence, Warning

SCREENING_HIT = "party_screening_hit"
RED_FLAG = "end_use_red_flag"
INCONSISTENT = "inconsistent_documents"


def finding(
    code: str,
    message: str,
    evidence: list[Evidence] | None = None,
    **detail: Any,
) -> Warning:
    """One finding; its page is the first evidence's page so page-level readers see it."""
    evidence = [e for e in (evidence or []) if e is not None]
    return Warning(
        code=code,
        message=message,
        page=evidence[0].page if evidence else None,
        evidence=evidence or None,
        detail=detail or None,
    )


def risk_score(warnings: list[Warning]) -> int:
    """A sort key for the queue: screening hits weigh most, then red flags, then mismatches."""
    weights = {SCREENING_HIT: 100, RED_FLAG: 10, INCONSISTENT: 5}
    return sum(weights.get(w.code, 0) for w in warnings)
