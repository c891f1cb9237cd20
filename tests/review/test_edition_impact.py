"""`catalogues impact`: decisions and open cases on 2021 codes whose 2025 wording changed."""

from __future__ import annotations

from casefactory import make_result, pdf_bytes

from exportdesk.classify.edition_diff import diff, load_edition
from exportdesk.review.edition_impact import impact
from exportdesk.review.store import CaseStore

CHANGED, UNCHANGED = "1A004", "1B003"  # reworded in 2025 / word for word the same


def _app(store: CaseStore, label: str, codes: tuple[str, str], confirm: bool) -> int:
    data = pdf_bytes(label)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data))
    app = receipt.application_id
    v = store.case(app).version
    v = store.decide(app, v, 1, "eu-dual-use", codes[0], "alice", "by hand")
    if confirm:
        v = store.decide(app, v, 2, "eu-dual-use", codes[1], "alice", "by hand")
        store.finish(app, v, "confirmed", "alice")
    return app


def test_impact_on_the_2021_list_when_wassenaar_2025_applies(store: CaseStore) -> None:
    done = _app(store, "i1", (f"{CHANGED}.a", UNCHANGED), confirm=True)
    still_open = _app(store, "i2", (CHANGED, UNCHANGED), confirm=False)
    untouched = _app(store, "i3", (UNCHANGED, "0A001"), confirm=True)  # 0A001: EU-only
    changes = diff(load_edition("eu-dual-use"), load_edition("wassenaar-dual-use-2025"))
    rows = impact(store, changes, "eu-dual-use")
    found = {(r.kind, r.application_id, r.item_index, r.code) for r in rows}
    assert found == {
        ("confirmed_decision", done, 1, f"{CHANGED}.a"),
        ("open_decision", still_open, 1, CHANGED),
        # The open case's top suggestion (the case factory's 6A003) was reworded too.
        ("open_suggestion", still_open, 1, "6A003"),
    }
    assert untouched not in {r.application_id for r in rows}
    assert all(r.change.status == "changed" for r in rows)
    assert {r.who for r in rows if r.kind != "open_suggestion"} == {"alice"}
    # Another catalogue's decisions are never matched against this list.
    assert impact(store, changes, "us-ccl") == []
