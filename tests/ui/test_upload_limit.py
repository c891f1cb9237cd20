"""The review app's upload limit comes from the reader's file limit, and the intake page says it."""

from __future__ import annotations

from exportdesk.extract.settings import Settings
from exportdesk.ui.serve import streamlit_args, upload_limit_mb
from exportdesk.ui.wording import upload_limit_text

MiB = 2**20


def test_streamlit_accepts_what_the_reader_accepts() -> None:
    assert upload_limit_mb(400 * MiB) == 400
    assert upload_limit_mb(400 * MiB + 1) == 401  # rounded up, never below the reader's limit
    args = streamlit_args(["--server.headless", "true"], 400 * MiB)
    assert args == ["--server.headless", "true", "--server.maxUploadSize", "400"]


def test_an_explicit_streamlit_limit_is_kept() -> None:
    args = ["--server.maxUploadSize", "50"]
    assert streamlit_args(args, 400 * MiB) == args
    assert streamlit_args(["--server.maxUploadSize=50"], 400 * MiB) == ["--server.maxUploadSize=50"]


def test_intake_note_gives_the_limit_and_its_settings() -> None:
    text = upload_limit_text(Settings(max_file_bytes=0, max_pages=200, max_page_bytes=2 * MiB))
    assert "400 MB and 200 pages" in text
    assert "EXPORTDESK_MAX_FILE_BYTES" in text and "EXPORTDESK_MAX_PAGE_BYTES" in text
