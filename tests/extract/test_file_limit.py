"""The file-size limit follows the page limit, so a long scan is accepted, and refusing a file
says which settings to raise."""

from __future__ import annotations

import pytest

from exportdesk.extract.errors import InputProblem
from exportdesk.extract.settings import Settings
from exportdesk.extract.sniff import check_bytes

MiB = 2**20


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch):
    for name in ("MAX_FILE_BYTES", "MAX_PAGES", "MAX_PAGE_BYTES"):
        monkeypatch.delenv(f"EXPORTDESK_{name}", raising=False)


def test_hundred_page_scan_fits_the_default_limit() -> None:
    # The generated 100-page scan of docs/benchmarks.md is 110 MB (1.1 MB a page); the
    # former fixed 100 MiB limit refused it as file_too_large.
    scan = b"%PDF-1.7\n" + b"\0" * (110 * MiB)
    check_bytes(scan, "scan-100-pages.pdf", Settings())


def test_default_limit_is_pages_times_bytes_per_page(monkeypatch) -> None:
    s = Settings()
    assert s.max_file_bytes == s.max_pages * s.max_page_bytes == 400 * MiB
    monkeypatch.setenv("EXPORTDESK_MAX_PAGES", "50")
    assert Settings().max_file_bytes == 100 * MiB
    monkeypatch.setenv("EXPORTDESK_MAX_PAGE_BYTES", str(4 * MiB))
    assert Settings().max_file_bytes == 200 * MiB
    monkeypatch.setenv("EXPORTDESK_MAX_FILE_BYTES", str(30 * MiB))  # an explicit limit wins
    assert Settings().max_file_bytes == 30 * MiB


def test_refusal_names_the_sizes_and_the_settings_to_raise() -> None:
    with pytest.raises(InputProblem) as refused:
        check_bytes(
            b"%PDF-1.7\n" + b"\0" * (3 * MiB), "big.pdf", Settings(max_page_bytes=MiB, max_pages=2)
        )
    assert refused.value.code == "file_too_large"
    message = refused.value.message
    assert "'big.pdf' is 3 MB, over the 2 MB limit" in message
    for setting in (
        "EXPORTDESK_MAX_PAGE_BYTES",
        "EXPORTDESK_MAX_PAGES",
        "EXPORTDESK_MAX_FILE_BYTES",
    ):
        assert setting in message
