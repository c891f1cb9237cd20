"""Fast units: TF-IDF parity, metrics, ranker and temperature fits, cues, artefact integrity."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from exportdesk.classify import artefact as art
from exportdesk.classify.calibration import TemperatureCalibrator, fit_temperature
from exportdesk.classify.cues import military_cue, parameters, threshold_match
from exportdesk.classify.lexical import TfidfTransform
from exportdesk.classify.ranker import fit_ranker
from exportdesk.models.classification.evaluate import compute


def test_runtime_tfidf_matches_scikit_learn() -> None:
    docs = ["Lasers with 20 kW CW output", "Assault rifles 5.56 mm", "fibre laser, multimode"]
    fitted = art.make_vectorizer().fit(docs)
    ours = TfidfTransform(
        fitted.vocabulary_,
        fitted.idf_,
        art.TFIDF_PARAMS["token_pattern"],
        art.TFIDF_PARAMS["ngram_range"],
        True,
        True,
    )
    queries = ["20 kW fibre laser", "rifles", "nothing known here", ""]
    diff = ours.transform(queries).toarray() - fitted.transform(queries).toarray()
    assert abs(diff).max() < 1e-12


def test_metrics_count_subparagraphs_at_entry_level() -> None:
    m = compute(
        ["ML10", "5A002", "NOT_LISTED"],
        [[("ML10.a", 0.9)], [("3A001", 0.6), ("5A002.a.1", 0.3)], [("NOT_LISTED", 0.8)]],
    )
    assert (m.top1, m.top3) == (pytest.approx(2 / 3), 1.0)


def test_ece_is_zero_when_confidence_equals_accuracy() -> None:
    golds = ["A"] * 10
    ranked = [[("A", 0.7)]] * 7 + [[("B", 0.7)]] * 3
    assert compute(golds, ranked).ece == pytest.approx(0.0)
    assert compute(golds, [[("A", 0.99)]] * 5 + [[("B", 0.99)]] * 5).ece == pytest.approx(0.49)


def test_ranker_learns_which_candidate_is_right() -> None:
    rng = np.random.default_rng(0)
    groups, gold = [], []
    for _ in range(300):
        X = rng.normal(size=(6, 2))
        groups.append(X)
        gold.append(int(np.argmax(2 * X[:, 0] + rng.normal(scale=0.5, size=6))))
    ranker = fit_ranker(groups, gold, ["signal", "noise"])
    assert ranker.weights[0] > 1.0 > abs(ranker.weights[1])
    again = fit_ranker(groups, gold, ["signal", "noise"])
    np.testing.assert_allclose(again.weights, ranker.weights)


def test_temperature_softens_overconfident_scores_without_reordering() -> None:
    rng = np.random.default_rng(1)
    logits, gold = [], []
    for _ in range(400):
        z = rng.normal(size=5) * 8  # far too sharp for a 60% accurate scorer
        logits.append(z)
        gold.append(int(np.argmax(z)) if rng.random() < 0.6 else int(np.argmin(z)))
    cal = fit_temperature(logits, gold)
    assert cal.temperature > 2
    z = logits[0]
    assert np.argmax(cal.probabilities(z)) == np.argmax(TemperatureCalibrator().probabilities(z))
    assert cal.probabilities(z).max() < TemperatureCalibrator().probabilities(z).max()


def test_parameters_and_threshold_rules() -> None:
    found = {(p.text, p.unit) for p in parameters("20 kW CW, 1070 nm, 12-bit, 2,000 MPa, 5 µm")}
    assert {
        ("20 kW", "kW"),
        ("1070 nm", "nm"),
        ("12-bit", "bit"),
        ("2,000 MPa", "MPa"),
        ("5 µm", "µm"),
    } <= found
    assert threshold_match("155 mm towed howitzer", "eu-military", "ML2")[0] == 1
    assert threshold_match("155 mm towed howitzer", "eu-military", "ML1")[0] == -1
    assert threshold_match("laser 20 kW", "eu-military", "ML1")[0] == 0
    assert military_cue("gas masks not made to military standards") == 0
    assert military_cue("rifles for the armed forces") == 1


def _model_folder() -> Path:
    root = art.classifier_root()
    return root / art.versions(root)[-1]


def test_model_files_are_safe_formats_and_listed_in_the_manifest() -> None:
    folder = _model_folder()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) >= set(art.FILES)
    for p in folder.iterdir():
        assert p.suffix in {".json", ".npz", ".md"}, p.name
    for name in ("index.npz", "entry_tfidf.npz"):
        with np.load(folder / name, allow_pickle=False) as z:
            assert all(z[k].dtype != object for k in z.files)
    assert manifest["training_data"] and manifest["metrics"] and manifest["created"]


def test_an_altered_model_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "v"
    shutil.copytree(_model_folder(), copy)
    art.load(copy)
    (copy / "ranker.json").write_text((copy / "ranker.json").read_text().replace("1", "2", 1))
    with pytest.raises(art.ArtefactError, match="SHA-256"):
        art.load(copy)


@pytest.mark.slow
def test_numpy_minilm_matches_the_transformers_model() -> None:
    from exportdesk.classify.embed import MiniLMEmbedder, NumpyMiniLM

    texts = [
        "20 kW fibre laser",
        "Assault rifles, 5.56 mm, select fire, for the army",
        "x",
        "Integrated circuits " * 60,
    ]
    ours, ref = NumpyMiniLM().encode(texts), MiniLMEmbedder().encode(texts)
    assert np.abs(ours - ref).max() < 1e-5
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_fire_control_is_a_military_function() -> None:
    # ML5 and USML XII are "fire control ..." equipment; spare parts for a fire-control radar
    # were read as civil radar parts (6A008, "no military design is stated").
    assert military_cue("Spare parts for fire-control radar") == 1
    assert military_cue("fire control computer") == 1


def test_the_kind_of_item_is_read_from_the_head_noun() -> None:
    from exportdesk.classify.cues import entry_kind, item_kind

    assert item_kind("9 mm ammunition, full metal jacket") == ("ammunition", "ammunition")
    assert item_kind("9mm pistol cartridges") == ("ammunition", "cartridges")
    assert item_kind("Cartridges 5.56 x 45 mm NATO")[0] == "ammunition"  # type: ignore[index]
    assert item_kind("Sniper rifles, .338 Lapua Magnum")[0] == "weapon"  # type: ignore[index]
    assert item_kind("Magazines for 9 mm pistols, 17 rounds") is None  # about magazines
    assert item_kind("Rifle scope 3-9x40") is None and item_kind("Robot arm, 6-axis") is None
    assert entry_kind("Smooth-bore weapons with a calibre of less than 20 mm") == "weapon"
    assert entry_kind("Ammunition and fuze setting devices, as follows") == "ammunition"
    assert entry_kind("Optical sighting devices for firearms") is None


def test_software_and_technology_are_read_from_the_head_phrase() -> None:
    from exportdesk.classify.cues import product_group_of

    assert product_group_of("Software licence for a PC-based CNC kernel, 4 axes") == "D"
    assert product_group_of("Technology transfer package: design database for an ADC") == "E"
    assert product_group_of("Software-defined radio, 2x2 MIMO, 6 GHz") is None
    assert product_group_of("CNC milling machine with licence for its software") is None
