"""A text layer that extracts cleanly but means nothing (shifted ToUnicode) is not trusted."""

from __future__ import annotations

import io
from pathlib import Path

import builders
import hostile_files as hf
import pdfplumber
import pytest

from exportdesk.extract.textlayer import is_plausible_language, text_layer_words


def _page_words(data: bytes) -> list:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return text_layer_words(pdf.pages[0])


def test_shifted_tounicode_text_is_not_plausible_language() -> None:
    words = _page_words(hf.shifted_tounicode_pdf())
    assert " ".join(w.text for w in words).startswith("BQQMJDBUJPO")  # what pdfminer reads
    assert not is_plausible_language(words)


def test_ordinary_application_text_is_plausible_language() -> None:
    assert is_plausible_language(_page_words(builders.text_pdf()))


@pytest.mark.ocr
def test_shifted_tounicode_falls_back_to_ocr_with_a_warning(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "shifted.pdf", hf.shifted_tounicode_pdf())
    assert run.codes("shifted.pdf") == ["text_layer_implausible", "text_layer_implausible"]
    assert [p["source"] for p in run.results["shifted.pdf"]["document"]["pages"]] == ["ocr", "ocr"]
    assert run.exit_code == 0
