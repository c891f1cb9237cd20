"""How confirmed decisions are divided: by application, never into the fixed set's wording."""

from __future__ import annotations

from exportdesk.models.classification.retrain import _bucket, split_decisions


def _row(n: int, doc: str, description: str, code: str = "5A002") -> dict:
    return {
        "id": f"r{n}",
        "description": description,
        "eu": code,
        "us": None,
        "final": {"catalogue": "eu-dual-use", "code": code, "jurisdiction": "eu"},
        "provenance": {"document_sha256": doc},
    }


def test_split_keeps_applications_whole_and_drops_what_would_leak() -> None:
    docs = [f"{i:064x}" for i in range(40)]
    rows = [
        _row(i * 2 + k, d, f"encryptor model {i}-{k}") for i, d in enumerate(docs) for k in range(2)
    ]
    rows.append(_row(900, docs[0], "Exact wording from the fixed set"))
    rows.append(_row(901, docs[1], "a thing", code="9Z999"))  # not a catalogue entry
    held_doc = next(d for d in docs if _bucket(d) < 20)
    rows.append(_row(902, held_doc, "encryptor model 39-1"))  # repeats a row of another app
    sp = split_decisions(
        rows,
        base_descriptions=set(),
        fixed_descriptions={"exact wording from the fixed set"},
        heldout_percent=20,
        calibration_percent=10,
    )
    assert sp.dropped["fixed_set_overlap"] == 1
    assert sp.dropped["unknown_code"] == 1
    side = {}
    for name, part in (
        ("train", sp.train),
        ("calibration", sp.calibration),
        ("heldout", sp.heldout),
    ):
        for r in part:
            assert side.setdefault(r["provenance"]["document_sha256"], name) == name
    trained = {r["description"] for r in sp.train + sp.calibration}
    assert not trained & {r["description"] for r in sp.heldout}
    assert _bucket(docs[39]) >= 30  # document 39 trains, so row 902 repeats a trained text
    assert sp.dropped["heldout_duplicate"] == 1
    assert sp.train and sp.heldout
