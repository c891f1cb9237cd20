"""The held-out evaluation set: big enough, covers every catalogue, and never seen in training."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED, load_entries

ROOT = Path(__file__).resolve().parents[2] / "classify"
EVAL = ROOT / "evalset" / "heldout_eval_items.jsonl"
TRAINING = [
    ROOT / "trainingdata" / "train_items.jsonl",
    ROOT / "trainingdata" / "labelled_examples.jsonl",
]


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_no_evaluation_description_appears_in_the_training_data() -> None:
    trained = {normalise(r["description"]) for p in TRAINING for r in _read(p)}
    leaked = [r["id"] for r in _read(EVAL) if normalise(r["description"]) in trained]
    assert leaked == []


def test_no_evaluation_description_is_a_training_description_plus_filler() -> None:
    # Near-copies count too: an eval item whose words are a training row's words.
    trained = [set(normalise(r["description"]).split()) for p in TRAINING for r in _read(p)]
    for r in _read(EVAL):
        words = set(normalise(r["description"]).split())
        best = max(len(words & t) / len(words | t) for t in trained)
        assert best < 0.8, (r["id"], r["description"])


def test_size_coverage_and_labels() -> None:
    rows = _read(EVAL)
    assert len(rows) >= 300
    assert len({r["id"] for r in rows}) == len(rows)
    codes = {
        j: {e.code for e in load_entries() if e.catalogue in cats}
        for j, cats in JURISDICTIONS.items()
    }
    for r in rows:
        for j in JURISDICTIONS:
            assert r[j] == NOT_LISTED or r[j] in codes[j], (r["id"], r[j])
    cats = Counter()
    for r in rows:
        for j in JURISDICTIONS:
            hit = [
                e.catalogue
                for e in load_entries()
                if e.code == r[j] and e.catalogue in JURISDICTIONS[j]
            ]
            cats[hit[0] if hit else f"{j}:{NOT_LISTED}"] += 1
    assert all(
        cats[c] >= 30
        for c in (
            "eu-dual-use",
            "eu-military",
            "us-ccl",
            "us-usml",
            "eu:NOT_LISTED",
            "us:NOT_LISTED",
        )
    ), cats


def test_military_and_civil_twins_are_present() -> None:
    pairs: dict[str, list[dict]] = {}
    for r in _read(EVAL):
        if "pair" in r:
            pairs.setdefault(r["pair"], []).append(r)
    assert len(pairs) >= 8
    for members in pairs.values():
        assert len(members) >= 2
        assert len({(m["eu"], m["us"]) for m in members}) >= 2
