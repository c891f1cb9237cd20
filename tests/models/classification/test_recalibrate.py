"""Re-calibration (models/classification/recalibrate.py): ranker untouched, ranking kept,
hashes verified."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from exportdesk.classify import artefact as art
from exportdesk.classify.calibration import TemperatureCalibrator
from exportdesk.classify.catalogue import JURISDICTIONS
from exportdesk.extract.registry import sha256_file
from exportdesk.models.classification import recalibrate as rc

SOURCE, TARGET = "2026.11.28-2", "2026.11.28-3"
SRC = art.classifier_root() / SOURCE
DST = art.classifier_root() / TARGET
needs_models = pytest.mark.skipif(
    not (SRC / "manifest.json").exists() or not (DST / "manifest.json").exists(),
    reason="trained classifier versions -2 and -3 are not present",
)
CAL = TemperatureCalibrator(1.2, 0.5, {"eu": (1.1, 0.9), "us": (1.3, 0.3)})


def test_write_version_copies_scoring_files_and_seals_them(tmp_path):
    if not (SRC / "manifest.json").exists():
        pytest.skip("version -2 is not present")
    dst = tmp_path / "V-new"
    rc.write_version(SRC, dst, "V-new", CAL, {"calibration_fit": {"fit_on": "test"}})
    for name in rc.SCORING_FILES:
        assert (dst / name).read_bytes() == (SRC / name).read_bytes(), name
    loaded = art.load(dst)  # verifies every SHA-256
    assert loaded.version == "V-new"
    assert loaded.calibrator == CAL
    assert loaded.manifest["calibration_fit"] == {"fit_on": "test"}
    assert set(loaded.manifest["files"]) == set(art.FILES)
    # Altering the calibration after sealing is caught by the loader.
    (dst / "calibration.json").write_text(json.dumps(TemperatureCalibrator(2.0).to_json()))
    with pytest.raises(art.ArtefactError):
        art.load(dst)
    with pytest.raises(SystemExit):
        rc.write_version(SRC, dst, "V-new", CAL, {})  # never overwrites a version


@needs_models
def test_recalibrated_version_keeps_the_ranker_byte_identical():
    new = art.load(DST)
    old = art.load(SRC)
    assert new.manifest["recalibrated_from"]["version"] == SOURCE
    assert new.manifest["recalibrated_from"]["manifest_sha256"] == sha256_file(
        SRC / "manifest.json"
    )
    for name in rc.SCORING_FILES:
        assert (DST / name).read_bytes() == (SRC / name).read_bytes(), name
        assert new.manifest["files"][name] == old.manifest["files"][name]
    fit = new.manifest["calibration_fit"]
    assert fit["recipe"] in rc.RECIPES and "fit_on" in fit
    assert "heldout" not in json.dumps(fit).lower()


@needs_models
def test_recalibration_keeps_ranking_order_and_confidences_in_range():
    new, old = art.load(DST), art.load(SRC)
    rng = np.random.default_rng(0)
    for _ in range(200):
        logits = rng.normal(0, 4, size=int(rng.integers(2, 40)))
        fam = float(rng.uniform(0, 1))
        for j in JURISDICTIONS:
            p_new = new.calibrator.probabilities(logits, fam, j)
            p_old = old.calibrator.probabilities(logits, fam, j)
            assert np.all((p_new >= 0) & (p_new <= 1))
            assert p_new.sum() == pytest.approx(1.0)
            assert list(np.argsort(-p_new, kind="stable")) == list(
                np.argsort(-p_old, kind="stable")
            )


def test_recipe_rows_replace_a_share_in_place():
    rows = [{"description": f"item {i}"} for i in range(200)]
    data = {c: [(r, c, None) for r in rows] for c in rc.CONDITIONS}
    mixed = rc.recipe_rows(("entry_unseen@0.15",), data)
    assert len(mixed) == len(rows)
    share = sum(x[1] == "entry_unseen" for x in mixed) / len(rows)
    assert 0.05 < share < 0.3
    assert [x[0] for x in mixed] == rows
    assert len(rc.recipe_rows(rc.RECIPES["all_three"], data)) == 3 * len(rows)


def test_folds_group_whole_concepts():
    assert rc.fold_of("net-encryptor") == rc.fold_of("net-encryptor")
    assert rc.concept_of({"group": "labelled_examples/3"}) == "labelled_examples/3"
    assert rc.concept_of({"concept": "x", "group": "x/2"}) == "x"
    assert len({rc.fold_of(f"c{i}") for i in range(100)}) == rc.FOLDS


def test_temp_copy_is_not_left_behind(tmp_path):
    # write_version builds the folder in place; a failed copy leaves nothing sealed.
    src = tmp_path / "src"
    src.mkdir()
    with pytest.raises(FileNotFoundError):
        rc.write_version(src, tmp_path / "dst", "dst", CAL, {})
    assert not (tmp_path / "dst" / "manifest.json").exists()
    shutil.rmtree(tmp_path / "dst", ignore_errors=True)
