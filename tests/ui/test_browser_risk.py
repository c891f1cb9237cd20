"""In a real browser: the Risk panel shows a screening hit, the reviewer clears it with a reason,
and the reason appears in History."""

from __future__ import annotations

import re
from typing import Any

import pytest
from casefactory import make_result, pdf_bytes

# The browser test's fixtures (a server per module, a fresh profile per test) and helpers.
from test_browser import App, _settle, _shot, _sign_in, app, browser, page  # noqa: F401

from exportdesk.review.screening import screening_hits
from exportdesk.risk.findings import SCREENING_HIT, finding

pytestmark = pytest.mark.browser

REASON = "Different firm: Lyon bakery, registry entry checked"


def test_reviewer_clears_a_screening_hit_with_a_reason(app: App, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    store = app.store
    data = pdf_bytes("risk")
    receipt = store.receive(data, "mahan-application.pdf", "clerk")
    result = make_result(data, "mahan-application.pdf")
    result.warnings.append(
        finding(
            SCREENING_HIT,
            "consignee 'Mahan Air Cargo' resembles 'MAHAN AIR' on the OFAC SDN 2024-05-03 "
            "(score 0.93; programs: SDGT, NPWMD).",
            None,
            party="Mahan Air Cargo",
            entry_uid="sdn-12927",
            entry_name="MAHAN AIR",
            score=0.93,
            programs=["SDGT", "NPWMD"],
            list_edition="OFAC SDN 2024-05-03 (14965 entries)",
        )
    )
    store.record_extraction(receipt.sha256, result)

    _sign_in(page, app, "reviewer")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    # The queue's badge, also in the picker's label (the table is drawn on a canvas).
    expect(page.get_by_role("combobox", name="Open application")).to_have_value(
        re.compile(r"1 open hit")
    )
    _settle(page)
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", name="Review")).to_be_visible()
    expect(page.get_by_text("Risk — 1 open screening hit(s)").first).to_be_visible()
    expect(page.get_by_text("resembles 'MAHAN AIR'")).to_be_visible()
    _settle(page)
    page.get_by_label("Reason").first.fill(REASON)
    page.keyboard.press("Tab")
    _settle(page)
    page.get_by_role("button", name="Clear hit").click()
    expect(page.get_by_text(f"Cleared by reviewer: {REASON}")).to_be_visible()
    expect(page.get_by_text("Risk — 0 open screening hit(s)").first).to_be_visible()
    _shot(app, page, "risk-panel", full=True)

    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_role("cell", name="screening hit cleared")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()

    (hit,) = screening_hits(store, store.case(receipt.application_id))
    assert hit.outcome == "cleared" and hit.reason == REASON and hit.decided_by == "reviewer"
