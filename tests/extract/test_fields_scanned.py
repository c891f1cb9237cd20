"""Extraction through Tesseract on a committed scanned twin, and the shipped NER model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportdesk.extract.fields import extract_fields
from exportdesk.extract.nlp import ner, organisations
from exportdesk.extract.read import read_pdf
from exportdesk.models.extraction.evaluate import score_document

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "pdfs"


@pytest.mark.ocr
@pytest.mark.slow
def test_scanned_invoice_twin_reads_parties_items_and_end_use() -> None:
    pdf = SAMPLES / "invoice-100023-scan.pdf"
    gold = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
    result = read_pdf(pdf)
    assert {p.source for p in result.document.pages} == {"ocr"}
    extract_fields(result)
    scores = score_document(result, gold)
    assert scores["party.role+name"].f1 >= 0.8, scores["party.role+name"]
    assert scores["item.matched"].recall >= 0.8, scores["item.matched"]
    assert scores["end_use"].recall == 1.0
    assert all(e.source == "ocr" for p in result.parties for e in p.evidence)


def test_shipped_ner_finds_an_organisation_without_a_legal_form() -> None:
    assert ner() is not None, (
        "the active NER (models/ner/<version>/model) is missing: run "
        "python -m exportdesk.models.extraction.train_ner"
    )
    text = (
        "We, Border Security Service, Equipment Division, of Rua da Paz 12, 1200-001 Lisboa, "
        "Portugal, hereby certify that the goods will be used solely for patrols."
    )
    names = [span.text for span in organisations(text)]
    assert any(name.startswith("Border Security Service") for name in names), names


def test_legal_form_rule_finds_organisations_without_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exportdesk.extract import nlp

    monkeypatch.setattr(nlp, "ner", lambda: None)
    text = "The goods will be shipped to the consignee, Kestrel Optik GmbH & Co. KG, Berlin."
    assert [s.text for s in organisations(text)] == ["Kestrel Optik GmbH & Co. KG"]
