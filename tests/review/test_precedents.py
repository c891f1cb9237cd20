"""Precedents: found by model number and by description, flagged, and taken in one click."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest
from casefactory import make_result, pdf_bytes

from exportdesk.extract.model import ApplicationResult, Item, Suggestion
from exportdesk.review.precedents import (
    current_edition,
    decided_items,
    find_precedents,
    normalise_part,
    precedent_of,
    take_precedent,
)
from exportdesk.review.store import CaseStore, StoreError


class BagOfWords:
    """A tiny stand-in for MiniLM: hashed word counts, L2-normalised."""

    dim = 256

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


EDITION = current_edition("eu-dual-use")


def _sug(code: str, confidence: float = 0.7, catalogue: str = "eu-dual-use") -> Suggestion:
    return Suggestion(
        catalogue=catalogue,
        code=code,
        confidence=confidence,
        rationale="test",
        catalogue_edition=EDITION,
    )


def _with_items(label: str, items: list[Item]) -> tuple[bytes, ApplicationResult]:
    data = pdf_bytes(label)
    result = make_result(data, f"{label}.pdf")
    return data, result.model_copy(update={"items": items})


def _application(store: CaseStore, label: str, items: list[Item], decide: dict | None) -> int:
    data, result = _with_items(label, items)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    store.record_extraction(receipt.sha256, result)
    app = receipt.application_id
    if decide is not None:
        v = store.case(app).version
        for index, code in decide.items():
            top = next(i for i in items if i.index == index).suggestions[0].code
            v = store.decide(
                app, v, index, "eu-dual-use", code, "alice", None if code == top else "reason"
            )
        store.finish(app, v, "confirmed", "alice")
    return app


def _item(index: int, description: str, model: str | None, maker: str | None, top: str) -> Item:
    return Item(
        index=index,
        description=description,
        model=model,
        manufacturer=maker,
        confidence=0.9,
        suggestions=[_sug(top), _sug("NOT_LISTED", 0.1)],
    )


CAMERA = "Thermal imaging camera, 640x480 uncooled microbolometer, 25 mm lens"


def test_part_numbers_compare_without_labels_case_or_punctuation() -> None:
    assert normalise_part("P/N: tws-120/a") == normalise_part("TWS 120A") == "TWS120A"
    assert normalise_part("Model No. XR-7") == "XR7"
    assert normalise_part(None) == ""


def test_precedent_found_by_model_number(store: CaseStore) -> None:
    first = _application(
        store,
        "p1",
        [_item(1, CAMERA, "TIC-640/B", "Nordlicht Optronik GmbH", "6A003")],
        {1: "6A003"},
    )
    # Same part number written differently, maker with another legal form, other wording.
    incoming = _item(
        1,
        "IR camera 640x480 for border posts, 25 mm lens",
        "tic 640 b",
        "Nordlicht Optronik AG",
        "6A003",
    )
    found = find_precedents(incoming, decided_items(store), embedder=None)
    assert len(found) == 1
    p = found[0]
    assert (p.match, p.decided.application_id, p.decided.code) == ("model", first, "6A003")
    assert p.decided.decided_by == "alice" and p.decided.catalogue_edition == EDITION
    assert p.takeable and p.disagrees_with is None and p.older_edition is None


def test_same_model_from_another_maker_is_no_precedent(store: CaseStore) -> None:
    _application(
        store, "p2", [_item(1, CAMERA, "TIC-640", "Nordlicht Optronik", "6A003")], {1: "6A003"}
    )
    other = _item(1, CAMERA, "TIC-640", "Andes Survey Ltda", "6A003")
    assert find_precedents(other, decided_items(store), embedder=None) == []


def test_precedent_found_by_description_only_when_parameters_agree(store: CaseStore) -> None:
    _application(store, "p3", [_item(1, CAMERA, None, None, "6A003")], {1: "6A003"})
    pool = decided_items(store)
    reworded = _item(
        1, "Uncooled microbolometer thermal imaging camera 640x480, 25 mm lens", None, None, "6A003"
    )
    found = find_precedents(reworded, pool, BagOfWords(), min_similarity=0.8)
    assert [(p.match, p.decided.code) for p in found] == [("description", "6A003")]
    assert not found[0].takeable  # no model to compare: shown, but chosen by hand
    other_lens = _item(1, CAMERA.replace("25 mm", "50 mm"), None, None, "6A003")
    assert find_precedents(other_lens, pool, BagOfWords(), min_similarity=0.8) == []


def test_conflicting_and_older_edition_precedents_are_flagged(store: CaseStore) -> None:
    _application(store, "p4", [_item(1, CAMERA, "TIC-640", None, "6A003")], {1: "6A002"})
    incoming = _item(1, CAMERA, "TIC-640", None, "6A003")
    (p,) = find_precedents(incoming, decided_items(store), embedder=None)
    assert p.decided.code == "6A002" and p.disagrees_with == "eu-dual-use 6A003"
    # A decision made under another edition (the case factory's) is flagged as older.
    data = pdf_bytes("old")
    receipt = store.receive(data, "old.pdf", "clerk")
    result = make_result(data)
    result.items[0].model = "OLD-1"
    store.record_extraction(receipt.sha256, result)
    v = store.decide(
        receipt.application_id,
        store.case(receipt.application_id).version,
        1,
        "eu-dual-use",
        "6A003",
        "bob",
    )
    v = store.decide(receipt.application_id, v, 2, "eu-dual-use", "NOT_LISTED", "bob")
    store.finish(receipt.application_id, v, "confirmed", "bob")
    old = _item(1, "Thermal imaging camera TIC-640", "OLD-1", None, "6A003")
    (q,) = find_precedents(old, decided_items(store), embedder=None)
    assert q.decided.catalogue_edition == "test-edition" and q.older_edition == EDITION


def test_unconfirmed_applications_give_no_precedent(store: CaseStore) -> None:
    _application(store, "p5", [_item(1, CAMERA, "TIC-640", None, "6A003")], None)
    assert decided_items(store) == []


def test_take_precedent_in_one_step_records_where_it_came_from(store: CaseStore) -> None:
    source = _application(store, "p6", [_item(1, CAMERA, "TIC-640", None, "6A003")], {1: "6A002"})
    target = _application(store, "p7", [_item(1, CAMERA, "TIC 640", None, "6A003")], None)
    (p,) = find_precedents(
        store.case(target).result.items[0], decided_items(store, target), embedder=None
    )
    version = store.case(target).version
    new_version = take_precedent(store, target, version, 1, p.decided.decision_id, "bob")
    decided = store.case(target).decisions[1]
    assert new_version == version + 1
    assert (decided.final_code, decided.decided_by) == ("6A002", "bob")
    assert f"decision {p.decided.decision_id} (application {source}" in decided.override_reason
    assert precedent_of(store, decided.id) == p.decided.decision_id
    taken = [e for e in store.history(target) if e.action == "precedent_taken"]
    assert taken[0].detail["precedent_decision_id"] == p.decided.decision_id


def test_take_precedent_refuses_a_description_only_match(store: CaseStore) -> None:
    _application(store, "p8", [_item(1, CAMERA, "TIC-640", None, "6A003")], {1: "6A003"})
    target = _application(store, "p9", [_item(1, CAMERA, "TIC-999", None, "6A003")], None)
    (d,) = decided_items(store)
    with pytest.raises(StoreError, match="same model"):
        take_precedent(store, target, store.case(target).version, 1, d.decision_id, "bob")
    assert store.case(target).decisions == {}


@pytest.mark.slow
def test_precedent_found_by_description_with_minilm(store: CaseStore) -> None:
    """The project's own embeddings find a reworded description; other goods stay apart."""
    from exportdesk.classify.embed import default_embedder

    _application(store, "m1", [_item(1, CAMERA, None, None, "6A003")], {1: "6A003"})
    _application(
        store,
        "m2",
        [_item(1, "Office swivel chairs with adjustable armrests", None, None, "NOT_LISTED")],
        {1: "NOT_LISTED"},
    )
    pool = decided_items(store)
    reworded = _item(
        1,
        "uncooled microbolometer thermal imaging camera, 640x480, 25 mm lens",
        None,
        None,
        "6A003",
    )
    found = find_precedents(reworded, pool, default_embedder())
    assert [(p.match, p.decided.code) for p in found] == [("description", "6A003")]
    assert found[0].similarity >= 0.90


def test_vectors_of_two_embedders_are_never_mixed() -> None:
    """Regression: the vector cache was keyed by text alone, so a second embedder got the
    first one's vectors for a text both had seen."""
    from exportdesk.review.precedents import _VectorCache

    class Constant:
        dim = 3

        def __init__(self, value: float) -> None:
            self.value = value

        def encode(self, texts: list[str]) -> np.ndarray:
            return np.full((len(texts), self.dim), self.value, dtype=np.float32)

    cache = _VectorCache()
    first, second = Constant(1.0), Constant(2.0)
    assert cache.vectors(first, ["same text"])[0, 0] == 1.0
    assert cache.vectors(second, ["same text"])[0, 0] == 2.0


def test_take_precedent_saves_nothing_when_its_record_fails(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision and the link to its precedent are one transaction: one fails, neither stays."""
    _application(store, "p10", [_item(1, CAMERA, "TIC-640", None, "6A003")], {1: "6A002"})
    target = _application(store, "p11", [_item(1, CAMERA, "TIC 640", None, "6A003")], None)
    (d,) = decided_items(store, target)
    history_before = len(store.history(target))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("precedent_uses is unavailable")

    monkeypatch.setattr("exportdesk.review.precedents.PrecedentUse", broken)
    with pytest.raises(RuntimeError, match="unavailable"):
        take_precedent(store, target, store.case(target).version, 1, d.decision_id, "bob")
    assert store.case(target).decisions == {}
    assert len(store.history(target)) == history_before
