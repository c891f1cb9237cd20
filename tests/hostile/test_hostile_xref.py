"""A cross-reference table whose every entry is wrong is rebuilt, and the reviewer is told."""

from __future__ import annotations

from pathlib import Path

import hostile_files as hf

from exportdesk.extract.read import read_bytes


def test_every_xref_entry_wrong_is_reported_as_repaired() -> None:
    result = read_bytes(hf.every_xref_entry_wrong_pdf(), "xref-all.pdf")
    assert "xref_repaired" in [w.code for w in result.warnings]
    assert result.readable


def test_every_xref_entry_wrong_beside_a_good_file(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "xref-all.pdf", hf.every_xref_entry_wrong_pdf())
    assert "xref_repaired" in run.codes("xref-all.pdf")
