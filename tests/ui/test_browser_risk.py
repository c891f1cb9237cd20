"""In a real browser: the Risk panel shows a screening hit, the reviewer clears it with a reason,
and the reason appears in History."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from casefactory import make_result, pdf_bytes
from test_browser import CHROMIUM, _settle, server  # noqa: F401  (server is a fixture)
from uihelpers import PASSWORD

from exportdesk.review.screening import screening_hits
from exportdesk.review.store import CaseStore
from exportdesk.risk.findings import SCREENING_HIT, finding

pytestmark = pytest.mark.browser

REASON = "Different firm: Lyon bakery, registry entry checked"


def test_reviewer_clears_a_screening_hit_with_a_reason(
    store: CaseStore,
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; run `make setup` (installs Debian's chromium).")
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

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(20_000)
            page.goto(server)
            page.get_by_label("User name").fill("reviewer")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Queue")).to_be_visible()
            # The queue's badge, also in the picker's label (the table is drawn on a canvas).
            expect(page.get_by_role("combobox", name="Open application")).to_have_value(
                re.compile(r"1 open hit")
            )
            _settle(page)
            page.get_by_role("button", name="Review").click()
            expect(page.get_by_role("heading", name="Review")).to_be_visible()
            expect(page.get_by_text("Risk — 1 open screening hit(s)")).to_be_visible()
            expect(page.get_by_text("resembles 'MAHAN AIR'")).to_be_visible()
            _settle(page)
            page.get_by_label("Reason").first.fill(REASON)
            page.keyboard.press("Tab")
            _settle(page)
            page.get_by_role("button", name="Clear hit").click()
            expect(page.get_by_text(f"Cleared by reviewer: {REASON}")).to_be_visible()
            expect(page.get_by_text("Risk — 0 open screening hit(s)")).to_be_visible()
            _settle(page)
            page.screenshot(path=str(tmp_path / "risk-panel.png"), full_page=True)

            page.get_by_role("link", name="History").click()
            expect(page.get_by_role("heading", name="History")).to_be_visible()
            expect(page.get_by_role("cell", name="screening hit cleared")).to_be_visible()
            expect(page.get_by_text(REASON)).to_be_visible()
        finally:
            browser.close()

    (hit,) = screening_hits(store, store.case(receipt.application_id))
    assert hit.outcome == "cleared" and hit.reason == REASON and hit.decided_by == "reviewer"
