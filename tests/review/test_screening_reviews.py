"""A reviewer clears or confirms each screening hit with a reason; the decision is audited."""

from __future__ import annotations

import pytest
from casefactory import make_result, pdf_bytes

from exportdesk.review.screening import ScreeningError, review_hit, screening_hits
from exportdesk.review.store import CaseStore
from exportdesk.risk.findings import SCREENING_HIT, finding


def _with_hit(store: CaseStore) -> int:
    data = pdf_bytes("S")
    receipt = store.receive(data, "S.pdf", "clerk")
    result = make_result(data, "S.pdf")
    result.warnings.append(
        finding(
            SCREENING_HIT,
            "consignee 'Mahan Air Cargo' resembles 'MAHAN AIR' (score 0.93)",
            None,
            party="Mahan Air Cargo",
            entry_uid="sdn-12927",
            entry_name="MAHAN AIR",
            score=0.93,
            programs=["SDGT", "NPWMD"],
            list_edition="OFAC SDN 2024-05-03 (14965 entries)",
        )
    )
    assert store.record_extraction(receipt.sha256, result)
    return receipt.application_id


def test_hit_is_open_until_cleared_with_a_reason_and_the_reason_is_in_history(
    store: CaseStore,
) -> None:
    app_id = _with_hit(store)
    (hit,) = screening_hits(store, store.case(app_id))
    assert hit.outcome is None and hit.programs == ["SDGT", "NPWMD"]
    with pytest.raises(ScreeningError, match="reason"):
        review_hit(store, app_id, hit.party, hit.entry_uid, "cleared", "  ", "reviewer")
    review_hit(
        store,
        app_id,
        hit.party,
        hit.entry_uid,
        "cleared",
        "Different company: a bakery in Lyon, registration checked",
        "reviewer",
    )
    (hit,) = screening_hits(store, store.case(app_id))
    assert hit.outcome == "cleared" and hit.decided_by == "reviewer"
    events = [e for e in store.history(app_id) if e.action == "screening_hit_cleared"]
    assert events and "bakery in Lyon" in events[-1].detail["reason"]


def test_unknown_hit_or_outcome_is_refused(store: CaseStore) -> None:
    app_id = _with_hit(store)
    with pytest.raises(ScreeningError, match="no screening hit"):
        review_hit(store, app_id, "Someone", "sdn-1", "cleared", "why", "reviewer")
    with pytest.raises(ScreeningError, match="outcome"):
        review_hit(store, app_id, "Mahan Air Cargo", "sdn-12927", "maybe", "why", "reviewer")  # type: ignore[arg-type]


def test_queue_risk_summary_counts_open_hits_and_sorts_them_first(store: CaseStore) -> None:
    from exportdesk.review.screening import by_risk, risk_summaries

    quiet = store.receive(pdf_bytes("Q"), "Q.pdf", "clerk")
    assert store.record_extraction(quiet.sha256, make_result(pdf_bytes("Q"), "Q.pdf"))
    risky = _with_hit(store)
    summaries = risk_summaries(store, [quiet.application_id, risky])
    assert summaries[risky].open_hits == 1 and "open hit" in summaries[risky].badge
    assert summaries[quiet.application_id].badge == "—"
    rows = by_risk(store.queue(sort="oldest"), summaries)
    assert rows[0].id == risky
    review_hit(store, risky, "Mahan Air Cargo", "sdn-12927", "cleared", "other firm", "reviewer")
    assert risk_summaries(store, [risky])[risky].open_hits == 0
