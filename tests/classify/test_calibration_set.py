"""The independent calibration set: labels resolve to catalogue entries, and no description
copies (or nearly copies) a held-out evaluation item or a training row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED, entry_code, load_entries
from exportdesk.extract.registry import sha256_file

ROOT = Path(__file__).resolve().parents[2] / "classify"
CALIBRATION = ROOT / "evalset" / "calibration_items_independent.jsonl"
EVAL = ROOT / "evalset" / "heldout_eval_items.jsonl"
TRAINING = sorted((ROOT / "trainingdata").glob("*.jsonl"))
NEAR_DUPLICATE = 90  # rapidfuzz token_set_ratio at or above this counts as a copy
# token_set_ratio is 100 whenever one word set contains the other, so a bare product name in
# the training data ("smartphone", "main battle tank") would forbid its words in any longer
# description. The near-duplicate test therefore applies when the shorter of the two
# descriptions has at least this many words; shorter ones are still checked for exact copies.
MIN_WORDS = 4


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return _read(CALIBRATION)


def test_size_ids_and_fields(items: list[dict]) -> None:
    assert len(items) >= 200
    ids = [r["id"] for r in items]
    assert len(ids) == len(set(ids))
    for r in items:
        assert r["description"].strip()
        assert set(JURISDICTIONS) <= set(r), r["id"]
    # Both listed and unlisted goods, in both jurisdictions.
    for j in JURISDICTIONS:
        listed = sum(r[j] != NOT_LISTED for r in items)
        assert 0.25 * len(items) < listed < 0.85 * len(items), j


def test_every_label_resolves_to_a_catalogue_entry_or_not_listed(items: list[dict]) -> None:
    entries = {(j, e.code) for e in load_entries() for j in [_jurisdiction(e.catalogue)]}
    bad = [
        (r["id"], j, r[j])
        for r in items
        for j in JURISDICTIONS
        if r[j] != NOT_LISTED and (j, entry_code(r[j])) not in entries
    ]
    assert bad == []


def _jurisdiction(catalogue: str) -> str:
    return next(j for j, cats in JURISDICTIONS.items() if catalogue in cats)


def test_descriptions_are_unique_within_the_set(items: list[dict]) -> None:
    seen = [normalise(r["description"]) for r in items]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("source", [EVAL, *TRAINING], ids=lambda p: p.name)
def test_no_description_copies_heldout_or_training_rows(items: list[dict], source: Path) -> None:
    others = [normalise(r["description"]) for r in _read(source)]
    exact = set(others)
    copied = [r["id"] for r in items if normalise(r["description"]) in exact]
    assert copied == []
    near = []
    for r in items:
        mine = normalise(r["description"])
        for other, ratio, _ in process.extract(
            mine, others, scorer=fuzz.token_set_ratio, score_cutoff=NEAR_DUPLICATE, limit=None
        ):
            if min(len(mine.split()), len(other.split())) >= MIN_WORDS:
                near.append((r["id"], r["description"], round(ratio, 1)))
    assert near == [], near


def test_version_4_is_fit_on_this_file_with_the_ranker_of_version_2() -> None:
    from exportdesk.classify import artefact as art
    from exportdesk.models.classification import recalibrate as rc

    src, dst = art.classifier_root() / "2026.11.28-2", art.classifier_root() / "2026.11.28-4"
    if not (src / "manifest.json").exists() or not (dst / "manifest.json").exists():
        pytest.skip("versions -2 and -4 are not present")
    model = art.load(dst)  # verifies every SHA-256
    for name in rc.SCORING_FILES:
        assert (dst / name).read_bytes() == (src / name).read_bytes(), name
    fit = model.manifest["calibration_fit"]["calibration_file"]
    assert fit["sha256"] == sha256_file(CALIBRATION)
    assert fit["items"] == len(_read(CALIBRATION))
    assert model.calibrator.by_jurisdiction and set(model.calibrator.by_jurisdiction) == set(
        JURISDICTIONS
    )
