"""A reviewer's session in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from casefactory import HOSTILE_PARTY, confirmed_case, make_result, pdf_bytes
from uihelpers import PASSWORD, UI

from exportdesk.review.store import CaseStore

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.browser
WAIT = 60_000  # ms; the machine is shared, so the app can be slow to answer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(store: CaseStore) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(UI / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _launch(playwright):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    # Several helpers share two cores: the app can take longer than expect's 5 s default.
    expect.set_options(timeout=WAIT)
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has finished its rerun, so no stale copy of an element remains."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    page.wait_for_timeout(200)


def test_reviewer_confirms_overrides_and_sees_history(store: CaseStore, server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; run `make setup` (installs Debian's chromium).")
    data = pdf_bytes("browser")
    receipt = store.receive(data, "nordlicht-application.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data, party_name=HOSTILE_PARTY))
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(20_000)
            page.goto(server)
            page.get_by_label("User name").fill("reviewer")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            # A signed-in user lands on the queue.
            expect(page.get_by_role("heading", name="Queue")).to_be_visible()
            expect(page.get_by_role("button", name="Review")).to_be_visible()
            _settle(page)
            page.screenshot(path=str(SHOTS / "queue.png"))
            page.get_by_role("button", name="Review").click()
            expect(page.get_by_role("heading", name="Review")).to_be_visible()
            expect(page.get_by_text("Item 1 of 2")).to_be_visible()
            _settle(page)
            page.screenshot(path=str(SHOTS / "review.png"))

            page.get_by_role("button", name="Confirm 6A003").click()
            expect(page.get_by_text("Item 1: confirmed eu-dual-use 6A003.")).to_be_visible()

            # Keyboard shortcut for "Next item" (focus on the page, not in a text field).
            page.get_by_role("heading", name="Item 1 of 2").click()
            page.keyboard.press("n")
            expect(page.get_by_text("Item 2 of 2")).to_be_visible()
            _settle(page)
            page.get_by_text("Choose another code").click()
            page.get_by_label("Search the catalogues (code or words)").fill("6A004")
            page.keyboard.press("Enter")
            _settle(page)
            picker = page.get_by_label("Catalogue entry")
            picker.scroll_into_view_if_needed()
            picker.click()
            page.keyboard.type("eu-dual-use 6A004")
            page.get_by_role("option", name=re.compile(r"^eu-dual-use 6A004 —")).click()
            page.get_by_label("Reason for not following the suggestion (required)").fill(
                "Lens assembly specially designed for the 6A003 camera"
            )
            page.get_by_role("button", name="Record this code").click()
            expect(page.get_by_text("Item 2: recorded eu-dual-use 6A004")).to_be_visible()
            _settle(page)
            page.screenshot(path=str(SHOTS / "review-decided.png"), full_page=True)

            page.get_by_role("link", name="History").click()
            expect(page.get_by_role("heading", name="History")).to_be_visible()
            expect(page.get_by_role("cell", name="confirmed suggestion")).to_be_visible()
            expect(page.get_by_role("cell", name="override", exact=True)).to_be_visible()
            expect(page.get_by_text("Lens assembly specially designed")).to_be_visible()
            _settle(page)
            page.screenshot(path=str(SHOTS / "history.png"), full_page=True)
            # The hostile party name was on screen as text, never as an element.
            assert page.locator("img[src='x']").count() == 0
        finally:
            browser.close()

    decisions = store.case(receipt.application_id).decisions
    assert decisions[1].final_code == "6A003" and decisions[1].override_reason is None
    assert decisions[2].final_code == "6A004" and decisions[2].decided_by == "reviewer"


def test_licensing_officer_issues_a_decision_letter(store: CaseStore, server: str) -> None:
    """From a reviewed application to the issued letter, downloaded and read back."""
    import io

    import pdfplumber
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; run `make setup` (installs Debian's chromium).")
    app = confirmed_case(store, "nordlicht-licence")
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
            page.set_default_timeout(WAIT)
            page.goto(server)
            page.get_by_label("User name").fill("licensing_officer")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Queue")).to_be_visible(timeout=WAIT)
            page.get_by_role("link", name="Licensing").click()
            expect(page.get_by_role("heading", name="Licensing")).to_be_visible(timeout=WAIT)
            expect(page.get_by_text("eu-dual-use 6A003").first).to_be_visible(timeout=WAIT)
            page.get_by_label("Reasons").fill("Civil border surveillance; end user vetted.")
            page.get_by_label("Conditions (from the template list)").click()
            page.get_by_role("option", name=re.compile(r"^no-reexport:")).click()
            page.keyboard.press("Escape")
            page.get_by_label("Further conditions (one per line)").fill("Sea freight only.")
            page.get_by_role("button", name="Issue decision").click()
            expect(page.get_by_text(f"Issued EXD-{app:06d}-v1")).to_be_visible(timeout=WAIT)
            _settle(page)
            page.screenshot(path=str(SHOTS / "licensing.png"), full_page=True)
            with page.expect_download() as download:
                page.get_by_role("button", name=f"Letter EXD-{app:06d}-v1 (PDF)").click()
            letter = Path(download.value.path()).read_bytes()
        finally:
            browser.close()

    with pdfplumber.open(io.BytesIO(letter)) as pdf:
        text = " ".join(" ".join((pg.extract_text() or "").split()) for pg in pdf.pages)
    assert "APPROVED" in text and "Sea freight only." in text and "6A003" in text
    assert "licensing_officer" in text
