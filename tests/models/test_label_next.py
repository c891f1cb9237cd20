"""The label-next queue: margins within a catalogue family, full codes, item descriptions."""

from __future__ import annotations

from fakes import _result

from exportdesk.extract.model import Suggestion
from exportdesk.models import insights
from exportdesk.models.queries import undecided_items
from exportdesk.review.store import CaseStore


def _sug(catalogue: str, code: str, confidence: float) -> Suggestion:
    return Suggestion(
        catalogue=catalogue, code=code, confidence=confidence, rationale="t", model_version="f-1"
    )


def _receive(store: CaseStore, data: bytes, suggestions: list[list[Suggestion]]) -> int:
    result = _result(data, [f"item {n}" for n in range(len(suggestions))], "Acme GmbH", "Acme")
    result.items[0].description = "Infrared focal plane array, 640x512, 12 µm pitch"
    for item, sugs in zip(result.items, suggestions, strict=True):
        item.suggestions = sugs
    receipt = store.receive(data, "a.pdf", actor="clerk")
    store.record_extraction(receipt.sha256, result)
    return receipt.application_id


def test_same_entry_in_two_families_is_no_runner_up(store: CaseStore) -> None:
    # The run that broke: us-ccl 6A001 directly under eu-dual-use 6A001.a (0.0004 apart)
    # topped the smallest-margin queue, though they are two decisions, not rivals.
    _receive(
        store,
        b"two families",
        [
            [
                _sug("eu-dual-use", "6A001.a", 0.4000),
                _sug("us-ccl", "6A001", 0.3996),
                _sug("eu-dual-use", "6A002.a", 0.1000),
                _sug("us-ccl", "6A002", 0.0500),
            ],
            [_sug("eu-military", "ML1.c", 0.50), _sug("eu-military", "ML2.a", 0.30)],
        ],
    )
    rows = insights.uncertainty_queue(undecided_items(store), by="margin")
    got = [(r["item"], r["family"], r["top suggestion"], r["margin"]) for r in rows]
    assert got == [
        (2, "EU", "eu-military ML1.c", 0.2),
        (1, "EU", "eu-dual-use 6A001.a", 0.3),
        (1, "US", "us-ccl 6A001", 0.3496),
    ]
    assert rows[1]["description"] == "Infrared focal plane array, 640x512, 12 µm pitch"
    assert rows[0]["description"] == "item 1"


def test_a_family_already_decided_leaves_the_queue_but_the_other_stays(store: CaseStore) -> None:
    app = _receive(
        store,
        b"decided eu",
        [[_sug("eu-dual-use", "6A001.a", 0.40), _sug("us-ccl", "6A001", 0.39)]],
    )
    version = store.case(app).version
    store.decide(app, version, 1, "eu-dual-use", "6A001.a", "ann", reason="data sheet")
    rows = insights.uncertainty_queue(undecided_items(store), by="margin")
    assert [(r["item"], r["family"], r["top suggestion"]) for r in rows] == [
        (1, "US", "us-ccl 6A001")
    ]
