"""The precedent panel on the Review page: shown with its flags, taken in one click."""

from __future__ import annotations

from casefactory import make_result, pdf_bytes
from streamlit.testing.v1 import AppTest
from uihelpers import UI, texts

from exportdesk.review.precedents import precedent_of
from exportdesk.review.store import CaseStore


def _with_model(store: CaseStore, label: str, model: str) -> int:
    data = pdf_bytes(label)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data, f"{label}.pdf"))
    app = receipt.application_id
    store.correct(app, store.case(app).version, {"items[1].model": model}, "reviewer")
    return app


def test_review_page_offers_and_takes_a_same_model_precedent(store: CaseStore) -> None:
    earlier = _with_model(store, "earlier", "TIC-640")
    v = store.decide(earlier, store.case(earlier).version, 1, "eu-dual-use", "6A002", "alice", "x")
    v = store.decide(earlier, v, 2, "eu-dual-use", "NOT_LISTED", "alice")
    store.finish(earlier, v, "confirmed", "alice")
    current = _with_model(store, "current", "tic 640")

    from datetime import UTC, datetime, timedelta

    from exportdesk.review.auth import Identity

    at = AppTest.from_file(str(UI / "pages" / "review.py"), default_timeout=60)
    at.session_state["identity"] = Identity(
        "reviewer", "reviewer", datetime.now(UTC) + timedelta(hours=1)
    )
    at.session_state["case_id"] = current
    at.run()
    shown = texts(at)
    assert "Precedent eu-dual-use 6A002 — decided by alice" in shown
    assert f"application #{earlier} item 1 (same model TIC-640)" in shown
    assert "Disagrees with the current suggestion eu-dual-use 6A003." in shown
    assert "Decided under another list edition (test-edition)" in shown
    take = next(b for b in at.button if b.label == "Take precedent 6A002")
    take.click().run()
    assert "taken from precedent" in texts(at)
    decision = store.case(current).decisions[1]
    assert decision.final_code == "6A002" and decision.decided_by == "reviewer"
    assert precedent_of(store, decision.id) is not None
