"""Dataset export: what is included, the card, byte-for-byte reproducibility, DocBin offsets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from fakes import _result, confirm, pools

from exportdesk.extract.settings import Settings
from exportdesk.models import dataset
from exportdesk.review.store import CaseStore


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_export_takes_the_newest_decision_of_confirmed_applications_only(
    store: CaseStore, tmp_path: Path
) -> None:
    _base, batch, _fixed = pools()
    confirm(store, batch[:6])  # two confirmed applications, three items each
    # A changed mind before confirming: the newer decision is the one exported.
    data = b"changed mind"
    receipt = store.receive(data, "c.pdf", actor="clerk")
    store.record_extraction(receipt.sha256, _result(data, ["Thermal weapon sight"], "X", "X"))
    v = store.case(receipt.application_id).version
    v = store.decide(receipt.application_id, v, 1, "eu-dual-use", "6A003", "ann", reason="a")
    v = store.decide(receipt.application_id, v, 1, "eu-military", "ML15", "bob", change_reason="b")
    store.finish(receipt.application_id, v, "confirmed", "bob")
    # An application still in review, with one decided item, stays out by default.
    data = b"in review"
    receipt = store.receive(data, "r.pdf", actor="clerk")
    store.record_extraction(receipt.sha256, _result(data, ["Night vision goggles"], "X", "X"))
    v = store.case(receipt.application_id).version
    store.decide(receipt.application_id, v, 1, "eu-military", "ML15", "ann", reason="seen")

    out = dataset.export(store, tmp_path / "ds")
    items, card = dataset.load(tmp_path / "ds")
    assert [i["id"] for i in items] == [
        *(f"app{a}/item{n}" for a in (1, 2) for n in (1, 2, 3)),
        "app3/item1",
    ]
    assert [i["description"] for i in items[:6]] == [r["description"] for r in batch[:6]]
    assert [i["eu"] for i in items[:6]] == [r["eu"] for r in batch[:6]]
    assert all(i["us"] is None for i in items)
    assert items[6]["final"] == {"catalogue": "eu-military", "code": "ML15", "jurisdiction": "eu"}
    assert items[6]["provenance"]["decided_by"] == "bob"
    assert items[0]["provenance"]["evidence"][0]["page"] == 1
    assert card == out.card
    assert card["items"]["count"] == 7 and card["items"]["applications"] == 3

    wider = dataset.export(store, tmp_path / "ds2", statuses=("confirmed", "in_review"))
    assert wider.card["items"]["count"] == 8
    assert wider.card["items"]["by_code"]["eu-military ML15"] == 2


def test_card_counts_dates_and_hashes(store: CaseStore, tmp_path: Path) -> None:
    import hashlib
    from collections import Counter

    _base, batch, _fixed = pools()
    confirm(store, batch[:9])
    card = dataset.export(store, tmp_path / "ds").card
    expected = Counter()
    for r in batch[:9]:
        cat = "eu-military" if r["eu"].startswith("ML") else "eu-dual-use"
        expected[cat] += 1
    assert card["items"]["by_catalogue"] == dict(expected)
    assert sum(card["items"]["by_code"].values()) == 9
    for name, meta in card["files"].items():
        assert meta["sha256"] == hashlib.sha256((tmp_path / "ds" / name).read_bytes()).hexdigest()
    first, last = card["decided_at"]["first"], card["decided_at"]["last"]
    assert first <= last and first.endswith("+00:00")
    assert "DATASET_CARD.md" in os.listdir(tmp_path / "ds")


def test_export_is_byte_reproducible_across_processes(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    """Same store state, same bytes, even in another process with another hash seed (spaCy's
    string table is a set; JSON keys and rows must not follow dict or set order)."""
    _base, batch, _fixed = pools()
    confirm(store, batch[:6])
    dataset.export(store, tmp_path / "a")
    dataset.export(store, tmp_path / "b")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "EXPORTDESK_DATA_DIR": str(settings.data_dir)}
    env.pop("EXPORTDESK_DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "exportdesk.ui.cli",
            "dataset",
            "export",
            "--out",
            str(tmp_path / "c"),
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert _files(tmp_path / "a") == _files(tmp_path / "b") == _files(tmp_path / "c")


def test_load_refuses_an_edited_export(store: CaseStore, tmp_path: Path) -> None:
    _base, batch, _fixed = pools()
    confirm(store, batch[:3])
    dataset.export(store, tmp_path / "ds")
    path = tmp_path / "ds" / "items.jsonl"
    edited = path.read_text().replace('"description":"', '"description":"Edited ', 1)
    assert edited != path.read_text()
    path.write_text(edited)
    with pytest.raises(dataset.DatasetError, match="differs from the SHA-256"):
        dataset.load(tmp_path / "ds")


TEXTS = [
    # Latin with precomposed diacritics, and the same in decomposed (NFD) form.
    ("Consignee: Société Générale d'Équipements SA, Lyon", "Société Générale d'Équipements SA"),
    (
        unicodedata.normalize("NFD", "Empfänger: Müller & Söhne GmbH, Zürich"),
        unicodedata.normalize("NFD", "Müller & Söhne GmbH"),
    ),
    # Arabic and Hebrew (right to left), with a right-to-left mark and Latin around them.
    ("End user: \u200fشركة الأمل للتجارة العامة\u200f, Dubai", "شركة الأمل للتجارة العامة"),
    ("Purchaser: חברת אלביט מערכות בע״מ (Haifa)", "חברת אלביט מערכות בע״מ"),
]


@pytest.mark.parametrize(("text", "name"), TEXTS)
def test_docbin_round_trip_keeps_character_offsets(text: str, name: str, tmp_path: Path) -> None:
    start = text.index(name)
    doc, widened = dataset.make_doc(text, [(start, start + len(name), "ORG")], {"k": "v"})
    assert widened == 0
    db = dataset.DocBin(store_user_data=True)
    db.add(doc)
    (tmp_path / "s.spacy").write_bytes(db.to_bytes())
    [back] = dataset.read_spans(tmp_path / "s.spacy")
    assert back.text == text
    assert [(e.start_char, e.end_char, e.label_) for e in back.ents] == [
        (start, start + len(name), "ORG")
    ]
    assert back.ents[0].text == name
    assert [list(x) for x in back.user_data["spans"]] == [[start, start + len(name), "ORG"]]


def test_exported_spans_survive_non_ascii_party_names(store: CaseStore, tmp_path: Path) -> None:
    _base, batch, _fixed = pools()
    confirm(store, batch[:3])  # the party is "Société Générale d'Optique SA"
    dataset.export(store, tmp_path / "ds")
    docs = dataset.read_spans(tmp_path / "ds" / "spans.spacy")
    orgs = [(d.text, e) for d in docs for e in d.ents if e.label_ == "ORG"]
    assert orgs, "the party name was not exported"
    for text, ent in orgs:
        assert text[ent.start_char : ent.end_char] == "Société Générale d'Optique SA"
    items = [e.text for d in docs for e in d.ents if e.label_ == "ITEM"]
    assert sorted(items) == sorted(r["description"] for r in batch[:3])
    card = json.loads((tmp_path / "ds" / "dataset_card.json").read_text())
    assert card["spans"]["by_label"] == {"END_USE": 1, "ITEM": 3, "ORG": 1}


def test_named_exports_are_content_addressed(store: CaseStore, settings: Settings) -> None:
    from exportdesk.models.workflow import export_named

    _base, batch, _fixed = pools()
    confirm(store, batch[:3])
    first = export_named(settings)
    assert export_named(settings) == first  # same store state, same folder
    confirm(store, batch[3:6])
    second = export_named(settings)
    assert second != first and first.exists()
    assert dataset.load(second)[1]["items"]["count"] == 6
    assert sorted(p.name for p in first.parent.iterdir()) == sorted([first.name, second.name])


@pytest.mark.postgres
def test_export_and_statistics_on_postgresql(pg_store: CaseStore, tmp_path: Path) -> None:
    from fakes import decided_store_rows

    from exportdesk.models import insights

    _base, batch, _fixed = pools()
    confirm(pg_store, batch[:6])
    decided_store_rows(pg_store)
    dataset.export(pg_store, tmp_path / "a")
    dataset.export(pg_store, tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    items, card = dataset.load(tmp_path / "a")
    assert [i["description"] for i in items] == [r["description"] for r in batch[:6]]
    assert card["decided_at"]["first"].endswith("+00:00")
    seen = insights.overview(pg_store)
    assert seen["stats"]["decided_items"] == 6 + 4
    assert seen["agreement"].items == 4 and len(seen["queue"]) == 3
