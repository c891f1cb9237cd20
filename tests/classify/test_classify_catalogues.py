"""Catalogue integrity: unique codes, resolvable parents, and no run-time reads of ../shared."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from exportdesk.classify.catalogue import CATALOGUE_DIR, CATALOGUES, entry_code, load_entries

CLASSIFY_SRC = Path(__file__).resolve().parents[2] / "classify"


@pytest.mark.parametrize("name", CATALOGUES)
def test_codes_are_unique_and_parents_resolve(name: str) -> None:
    with (CATALOGUE_DIR / f"{name}.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    codes = Counter(r["code"] for r in rows)
    assert [c for c, n in codes.items() if n > 1] == []
    by_code = {r["code"]: r for r in rows}
    for r in rows:
        assert set(r) >= {"code", "parent", "level", "title", "text", "notes", "edition"}
        if r["parent"] is None:
            assert r["level"] == 1, r["code"]
        else:
            assert r["parent"] in by_code, r["code"]
            assert r["level"] == by_code[r["parent"]]["level"] + 1, r["code"]
            assert entry_code(r["code"]) == entry_code(r["parent"]), r["code"]


def test_entry_counts_are_plausible() -> None:
    per = Counter(e.catalogue for e in load_entries())
    assert per["eu-dual-use"] > 350 and per["us-ccl"] > 600
    assert per["eu-military"] == 22 and per["us-usml"] == 21


@pytest.mark.parametrize(
    ("code", "entry"),
    [
        ("ML10.a", "ML10"),
        ("5A002.a.1", "5A002"),
        ("XII(c)(1)", "XII"),
        ("EAR99", "NOT_LISTED"),
        ("NOT_LISTED", "NOT_LISTED"),
        ("6A005", "6A005"),
    ],
)
def test_entry_level_code(code: str, entry: str) -> None:
    assert entry_code(code) == entry


def test_product_code_never_reads_the_shared_reference_folder() -> None:
    offenders = [
        p.name
        for p in CLASSIFY_SRC.rglob("*.py")
        if p.name != "build_catalogues.py"
        and any(
            s in p.read_text(encoding="utf-8")
            for s in ("/work/shared", "shared/reference", "../shared")
        )
    ]
    assert offenders == []


def test_training_never_reads_the_evaluation_set() -> None:
    wing = CLASSIFY_SRC.parent / "models" / "classification"
    for name in ("train.py", "templates.py", "concepts.py"):
        assert "evalset" not in (wing / name).read_text(encoding="utf-8"), name
