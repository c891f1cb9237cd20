"""Each layout family end to end on a digital sample: generate, read, extract, score."""

from __future__ import annotations

import pytest

from exportdesk.extract.fields import extract_fields
from exportdesk.extract.read import read_bytes
from exportdesk.models.extraction.evaluate import score_document
from exportdesk.samples.generate import generate_one

# Seeds from the committed sample range (100000+), chosen for what each document contains.
CASES = {
    "numbered_form": 100000,  # five parties, item blocks, second end-user certificate
    "eu_individual": 100005,  # German labels, ruled table, second certificate
    "cover_letter": 100030,  # prose parties, goods schedule split over two pages
    "invoice": 100023,  # French labels, three party columns, separate end-use statement
}


def _extract(seed: int):
    generated = generate_one(seed, scanned=False)
    result = read_bytes(generated.pdf, f"{generated.stem}.pdf")
    extract_fields(result)
    return generated.gold, result


@pytest.mark.parametrize(("family", "seed"), sorted(CASES.items()))
def test_family_extracts_parties_items_and_end_use(family: str, seed: int) -> None:
    gold, result = _extract(seed)
    assert gold["family"] == family
    scores = score_document(result, gold)
    for name in ("party", "item", "end_use"):
        assert scores[name].f1 == pytest.approx(1.0), (name, scores[name])
    # every value points at where it was read
    for value in [*result.parties, *result.items, *result.end_use]:
        assert value.evidence and all(e.page >= 1 and e.bbox[2] > e.bbox[0] for e in value.evidence)
        assert 0 < value.confidence <= 1


def test_multi_page_item_table_is_one_list() -> None:
    gold, result = _extract(CASES["cover_letter"])
    pages = {item.evidence[0].page for item in result.items}
    assert len(pages) >= 2, (
        "the sample's goods table must span pages for this test to mean anything"
    )
    assert [i.index for i in result.items] == list(range(1, len(gold["items"]) + 1))
    assert [i.description for i in result.items] == [g["description"] for g in gold["items"]]


def test_second_end_user_certificate_is_a_second_statement() -> None:
    gold, result = _extract(CASES["invoice"])
    assert len(gold["end_use"]) == 2
    assert [e.end_user for e in result.end_use] == [g["end_user"] for g in gold["end_use"]]


def test_foreign_labels_give_roles() -> None:
    gold, result = _extract(CASES["eu_individual"])
    assert gold["language"] == "de"
    assert {(p.role, p.name, p.country) for p in result.parties} == {
        (g["role"], g["name"], g["country"]) for g in gold["parties"]
    }


def test_total_mismatch_becomes_a_warning() -> None:
    gold, result = _extract(CASES["numbered_form"])
    assert gold["expected_warnings"] == ["total_mismatch"]
    assert [w.code for w in result.warnings if w.code == "total_mismatch"] == ["total_mismatch"]
