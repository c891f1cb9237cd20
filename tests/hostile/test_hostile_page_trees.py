"""Malformed page trees: each beside a good file, which must still be read in the same call."""

from __future__ import annotations

from pathlib import Path

import hostile_files as hf
import pytest

from exportdesk.extract.read import read_bytes


@pytest.mark.ocr  # pdfminer refuses the whole tree, so the good pages are OCR'd
def test_page_kids_not_a_dictionary_loses_only_that_page(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "kids-int.pdf", hf.kids_not_a_dict_pdf())
    assert "Traceback" not in run.stderr
    assert run.exit_code == 0  # its first page was read
    assert run.codes("kids-int.pdf") == ["text_layer_unreadable", "page_unreadable"]
    assert run.results["kids-int.pdf"]["document"]["page_count"] == 2  # as /Count says


def test_self_referencing_page_tree_does_not_lose_the_batch(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "self-kids.pdf", hf.self_referencing_kids_pdf())
    assert "Traceback" not in run.stderr
    assert "page_unreadable" in run.codes("self-kids.pdf")


def test_page_tree_5000_deep_is_refused_cleanly(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "deep.pdf", hf.deep_page_tree_pdf(5000))
    assert "Traceback" not in run.stderr
    assert run.exit_code == 1
    assert run.codes("deep.pdf") == ["corrupt"]
    assert "could be loaded" in run.results["deep.pdf"]["warnings"][0]["message"]


@pytest.mark.parametrize(
    "build", [hf.kids_not_a_dict_pdf, hf.self_referencing_kids_pdf], ids=["int-kid", "self-kid"]
)
def test_readable_pages_of_a_malformed_tree_keep_their_text(build) -> None:  # type: ignore[no-untyped-def]
    result = read_bytes(build(), "tree.pdf")
    assert result.readable
    texts = [p.text for p in result.document.pages]
    assert any("Nordlicht" in t for t in texts)
    unreadable = [w.page for w in result.warnings if w.code == "page_unreadable"]
    assert unreadable and all(not result.document.pages[n - 1].words for n in unreadable)
