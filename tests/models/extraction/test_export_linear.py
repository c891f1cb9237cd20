"""The plain-array linker models score exactly as the scikit-learn objects they came from."""

from __future__ import annotations

import io
import json
import pickle
import random
import shutil

import numpy as np
import pytest

from exportdesk.extract import labels, linker
from exportdesk.extract.linear import CharNgramTfidf, LinearModel, TextClassifier, load_arrays
from exportdesk.extract.registry import sha256_file
from exportdesk.models.extraction import export_linear


@pytest.fixture(scope="module")
def shipped():
    folder = linker.model_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if "model_arrays" not in manifest:
        pytest.skip("the active linker has no plain-array export")
    return folder, manifest


def _texts() -> list[str]:
    rng = random.Random(7)
    phrases = [p for table in labels.ROLE_LABELS.values() for p in table]
    phrases += [p for table in labels.SUBFIELD_LABELS.values() for p in table]
    phrases += labels.END_USE_LABELS
    out = []
    for p in phrases:
        out += [p, p.upper() + ":", f"{rng.randint(1, 30)}. {p.title()}", p[: max(3, len(p) - 2)]]
    out += [
        "Ostrava Lasertech s.r.o.",
        "  Tagus   Optica Lda. ",
        "Ä",
        "",
        "x",
        "VAT: DE 123",
        "ÉÇ-Ü  ß",
    ]
    return out


def test_label_classifier_arrays_match_scikit_learn(shipped):
    folder, manifest = shipped
    sk = pickle.loads((folder / manifest["label_model"]).read_bytes())
    ours = load_arrays((folder / manifest["label_model_arrays"]).read_bytes())
    assert isinstance(ours, TextClassifier)
    texts = _texts()
    assert list(ours.classes_) == list(sk.classes_)
    np.testing.assert_allclose(ours.predict_proba(texts), sk.predict_proba(texts), atol=1e-12)
    # the n-grams themselves, not only the products
    vec = sk.steps[0][1]
    for text in texts:
        assert ours.vectorizer.ngrams(text) == vec.build_analyzer()(text)


def test_linker_arrays_match_scikit_learn(shipped):
    folder, manifest = shipped
    sk = pickle.loads((folder / manifest["model"]).read_bytes())
    ours = load_arrays((folder / manifest["model_arrays"]).read_bytes())
    assert isinstance(ours, LinearModel)
    rows = np.random.default_rng(3).normal(0, 4, size=(500, len(linker.FEATURES)))
    np.testing.assert_allclose(ours.predict_proba(rows), sk.predict_proba(rows), atol=1e-12)


def test_run_path_uses_the_arrays_and_not_scikit_learn(shipped):
    import subprocess
    import sys

    code = (
        "import sys; from exportdesk.extract import linker; "
        "m = linker.load_label_model(); l = linker.load_model(); "
        "print(type(m).__name__, type(l).__name__, 'sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["TextClassifier", "LinearModel", "False"]


def test_export_writes_arrays_and_a_manifest_entry(shipped, tmp_path):
    folder, manifest = shipped
    copy = tmp_path / "v"
    copy.mkdir()
    for key in ("model", "label_model"):
        shutil.copy(folder / manifest[key], copy / manifest[key])
    bare = {k: v for k, v in manifest.items() if not k.endswith("_arrays")}
    bare["files"] = {k: v for k, v in manifest["files"].items() if not k.endswith(".npz")}
    (copy / "manifest.json").write_text(json.dumps(bare), encoding="utf-8")
    assert export_linear.main([str(copy)]) == 0
    written = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert written["model_arrays"] == "model.npz"
    # The same arrays as the shipped file. Not the same bytes: the zip header that numpy
    # writes differs between Python patch releases (3.11.2 and 3.11.7 mark zip64 apart).
    assert written["files"]["labels.npz"] == sha256_file(copy / "labels.npz")
    with np.load(copy / "labels.npz") as new, np.load(folder / "labels.npz") as old:
        assert sorted(new.files) == sorted(old.files)
        for name in old.files:
            assert np.array_equal(new[name], old[name]), name


def test_export_refuses_what_it_cannot_reproduce():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(analyzer="word"), LogisticRegression())
    model.fit(["alpha beta", "gamma delta", "alpha gamma", "beta delta"], [0, 1, 0, 1])
    with pytest.raises(ValueError, match="cannot export"):
        export_linear.arrays_of(model)


def test_unknown_kind_is_explained():
    buffer = io.BytesIO()
    np.savez(
        buffer,
        kind=np.array("forest"),
        coef=np.zeros((1, 2)),
        intercept=np.zeros(1),
        classes=np.array([0, 1]),
    )
    with pytest.raises(ValueError, match="re-export"):
        load_arrays(buffer.getvalue())


def test_multiclass_softmax_and_empty_text():
    vec = CharNgramTfidf(["ab", " a"], np.array([1.0, 2.0]), (2, 2))
    model = LinearModel(
        np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), np.zeros(3), np.array(["x", "y", "z"])
    )
    probs = TextClassifier(vec, model).predict_proba(["", "ab"])
    np.testing.assert_allclose(probs[0], [1 / 3] * 3)
    np.testing.assert_allclose(probs.sum(axis=1), [1.0, 1.0])
