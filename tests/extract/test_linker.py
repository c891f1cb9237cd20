"""The trained linker and label classifier: loaded from models/, checked, and used by extraction."""

from __future__ import annotations

import json

import pytest
from pagebuilder import lines, page, result

from exportdesk.extract import linker
from exportdesk.extract.fields import extract_fields
from exportdesk.extract.layout import build_layout
from exportdesk.extract.parties import find_role_labels


@pytest.fixture
def trained():
    if linker.load_model() is None:
        pytest.skip("no trained linker in models/linker (run train_linker)")
    return linker.load_model()


def test_manifest_hashes_match_the_shipped_files(trained):
    import hashlib

    folder = linker.model_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert manifest["features"] == linker.FEATURES


def test_linker_prefers_the_value_beside_a_label_over_a_competing_label(trained):
    p = page(
        [
            (40, 100, "Consignee:"),
            (140, 100, "Ostrava Lasertech s.r.o."),
            (140, 112, "Hlavni 5, Ostrava"),
            (320, 100, "End user:"),
            (400, 100, "Tagus Optica Lda."),
        ]
    )
    layout = build_layout(p)
    labels_found = [f.segment for f in find_role_labels([layout])]
    consignee = next(s for s in labels_found if s.text.startswith("Consignee"))
    best = linker.best_value(layout, consignee, labels_found)
    assert best is not None
    assert best[0].text == "Ostrava Lasertech s.r.o."


def test_linker_takes_the_value_under_a_label_with_a_neighbour_box_to_its_right(trained):
    p = page(
        [
            (40, 100, "Ship to"),
            (300, 100, "Reference"),
            *lines(40, 114, ["Rhein Prüftechnik GmbH", "Am Hafen 2", "Germany"]),
            (300, 114, "PO 4711"),
        ]
    )
    layout = build_layout(p)
    labels_found = [f.segment for f in find_role_labels([layout])]
    best = linker.best_value(layout, labels_found[0], labels_found)
    assert best is not None and best[0].text == "Rhein Prüftechnik GmbH"


@pytest.mark.parametrize("arrays", [True, False], ids=["npz", "pickle"])
def test_altered_model_file_is_refused(tmp_path, monkeypatch, trained, arrays):
    folder = linker.model_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if not arrays:  # a version written before the plain-array export: the pickle is read
        manifest = {k: v for k, v in manifest.items() if not k.endswith("_arrays")}
    elif "model_arrays" not in manifest:
        pytest.skip("the shipped linker has no plain-array export")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in manifest["files"]:
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    used = manifest["model_arrays"] if arrays else manifest["model"]
    monkeypatch.setattr(linker, "model_dir", lambda: tmp_path)
    linker.load_model.cache_clear()
    try:
        assert linker.load_model() is not None  # the copy as it is loads
        linker.load_model.cache_clear()
        (tmp_path / used).write_bytes(b"tampered")
        assert linker.load_model() is None
    finally:
        monkeypatch.undo()
        linker.load_model.cache_clear()


def test_label_wording_in_the_lexicon_languages_opens_a_party_box():
    for label, role in [
        ("Eindgebruiker:", "end_user"),
        ("Slutanvändare:", "end_user"),
        ("Odbiorca:", "consignee"),
        ("Sprzedawca:", "applicant"),
        ("Koper:", "purchaser"),
    ]:
        r = result(
            page([(40, 100, label), (160, 100, "Fjordline Composites AS"), (160, 112, "Norway")])
        )
        extract_fields(r)
        assert [(p.role, p.name) for p in r.parties] == [(role, "Fjordline Composites AS")], label


def test_label_classifier_only_answers_for_label_shaped_text(trained):
    assert linker.classify_label("Fjordline Composites AS is a company that builds hulls") is None
    assert linker.classify_label("Invoice No.:") is None
