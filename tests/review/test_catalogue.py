"""The override picker's catalogue entries: read from classify/catalogues, missing tolerated."""

from __future__ import annotations

import json
from pathlib import Path

from exportdesk.review.catalogue import Entry, load_entries, lookup, search


def test_missing_catalogue_folder_gives_an_empty_picker(tmp_path: Path) -> None:
    assert load_entries(tmp_path / "no-such-folder") == ()
    assert search("camera", ()) == []


def test_bad_lines_are_skipped_and_search_prefers_codes(tmp_path: Path) -> None:
    rows = [
        {
            "catalogue": "eu-dual-use",
            "code": "6A003",
            "title": "Cameras",
            "text": "Cameras, as follows",
        },
        {
            "catalogue": "eu-dual-use",
            "code": "6A002",
            "title": "Optical sensors",
            "text": "Optical detectors for cameras 6A003",
        },
    ]
    lines = [json.dumps(r) for r in rows] + ["not json", json.dumps({"code": "no catalogue"})]
    (tmp_path / "eu-dual-use.jsonl").write_text("\n".join(lines) + "\n")
    entries = load_entries(tmp_path)
    assert [e.code for e in entries] == ["6A003", "6A002"]
    assert [e.code for e in search("6a003", entries)] == ["6A003", "6A002"]  # code hit first
    assert [e.code for e in search("optical cameras", entries)] == ["6A002"]
    assert lookup("eu-dual-use", "6A002", entries) == entries[1]
    assert isinstance(entries[0], Entry) and entries[0].label.startswith("eu-dual-use 6A003")


def test_bundled_catalogues_load() -> None:
    # The catalogues are committed under classify/catalogues; the picker finds them there.
    entries = load_entries()
    assert {e.catalogue for e in entries} >= {"eu-dual-use", "eu-military"}
