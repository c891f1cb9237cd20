"""The NER loads on blank()'s tokenizer when its own saved one is byte-identical, and finds
the same entities as a model loaded on its own."""

from __future__ import annotations

import shutil

import pytest
import spacy

from exportdesk.extract import nlp

TEXTS = [
    "The goods will be used by Ostrava Lasertech s.r.o. in Ostrava for laser research.",
    "End user: Tagus Optica Lda., Rua das Flores 12, 1200-195 Lisboa, Portugal.",
    "Nous certifions que Société Optique du Nord SAS n'utilisera pas ces biens à des fins "
    "militaires; livraison via Fjordline Composites AS (Bergen).",
    "Consignee Kestrel Optik GmbH & Co. KG will re-export to no one. Qty 12 pcs, EUR 4.500,00",
    "",
]


@pytest.fixture(scope="module")
def model_path():
    path = nlp.ner_model_dir()
    if not (path / "meta.json").exists():
        pytest.skip("no NER model installed")
    return path


def test_shipped_ner_shares_the_blank_tokenizer(model_path):
    model = nlp._load_sharing_tokenizer(model_path)
    assert model.tokenizer is nlp.blank().tokenizer
    assert model.vocab is nlp.blank().vocab


def test_shared_and_own_tokenizer_find_the_same_entities(model_path):
    shared = nlp._load_sharing_tokenizer(model_path)
    own = spacy.load(model_path)
    for text in TEXTS:
        a, b = shared(text), own(text)
        assert [t.text for t in a] == [t.text for t in b]
        assert [(e.start_char, e.end_char, e.label_) for e in a.ents] == [
            (e.start_char, e.end_char, e.label_) for e in b.ents
        ]


def test_model_with_another_tokenizer_keeps_its_own(model_path, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_path, copy)
    other = spacy.blank("en")
    other.tokenizer.add_special_case("exportdesk", [{"ORTH": "export"}, {"ORTH": "desk"}])
    (copy / "tokenizer").write_bytes(other.tokenizer.to_bytes(exclude=["vocab"]))
    model = nlp._load_sharing_tokenizer(copy)
    assert model.tokenizer is not nlp.blank().tokenizer
    assert [t.text for t in model("exportdesk")] == ["export", "desk"]
