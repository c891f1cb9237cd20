"""The decision letter renders: pdftoppm turns its first page into a non-blank A4 image."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from test_licensing import APPROVAL, _confirmed

from exportdesk.review import licensing
from exportdesk.review.licensing import draft_from
from exportdesk.review.store import CaseStore


def test_letter_renders_to_png_with_pdftoppm(store: CaseStore, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing; run `make setup` (installs poppler-utils).")
    app = _confirmed(store)
    licensing.issue(
        store,
        app,
        draft_from(**{**APPROVAL, "valid_from": date(2027, 2, 1)}),
        "lo",
        "licensing_officer",
    )
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(licensing.letter(store, app))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
    # Text covers a few percent of a letter page; a blank or failed render covers none.
    assert 0.005 < dark / (width * height) < 0.3
