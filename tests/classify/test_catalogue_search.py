"""Catalogue search and lookup for the override picker, over classify.catalogue's own rows."""

from __future__ import annotations

from exportdesk.classify.catalogue import Row, all_rows, find_row, search_rows
from exportdesk.ui.catalogue_view import label


def row(code: str, title: str, text: str) -> Row:
    return Row("eu-dual-use", code, None, 0, title, text)


def test_search_prefers_codes_then_needs_every_word() -> None:
    rows = (
        row("6A003", "Cameras", "Cameras, as follows"),
        row("6A002", "Optical sensors", "Optical detectors for cameras 6A003"),
    )
    assert [r.code for r in search_rows("6a003", rows)] == ["6A003", "6A002"]  # code hit first
    assert [r.code for r in search_rows("optical cameras", rows)] == ["6A002"]
    assert search_rows("", rows, limit=1) == [rows[0]]
    assert search_rows("camera", ()) == []


def test_bundled_rows_are_found_by_code_and_labelled() -> None:
    rows = all_rows()
    assert {r.catalogue for r in rows} == {"eu-dual-use", "eu-military", "us-ccl", "us-usml"}
    ml10 = find_row("eu-military", "ML10")
    assert ml10 is not None and ml10.code == "ML10"
    assert label(ml10).startswith("eu-military ML10 — ")
    assert find_row("eu-military", "NO-SUCH-CODE") is None
    assert ml10 in search_rows("ML10", limit=500)


def test_hungarian_authority_applies_the_eu_lists() -> None:
    # Hungary was missing from one of two EU member lists (classify and review/duties.py).
    from exportdesk.classify.catalogue import EU_MEMBER_STATES, primary_jurisdiction

    assert len(EU_MEMBER_STATES) == 27
    assert primary_jurisdiction("HU") == "eu"
