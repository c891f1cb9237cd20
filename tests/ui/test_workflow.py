"""Intake, queue, review and history doing their work, with hostile text kept as text."""

from __future__ import annotations

import re

from casefactory import HOSTILE_FILENAME, HOSTILE_PARTY, fake_pipeline, make_result, pdf_bytes
from streamlit.testing.v1 import AppTest
from uihelpers import UI, open_page, texts

from exportdesk.extract.model import Warning as ReadWarning
from exportdesk.extract.names import display_name
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.runner import default_pipeline
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES
from exportdesk.review.worker import run_worker


def _extracted(store: CaseStore, label: str = "A", party: str | None = None) -> int:
    data = pdf_bytes(label)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data, f"{label}.pdf", party_name=party))
    return receipt.application_id


def _no_html(at: AppTest) -> int:
    """No element may render HTML; user text with markup must arrive escaped. Returns hits."""
    hits = 0
    for element in [*at.markdown, *at.caption]:
        assert not element.proto.allow_html, f"HTML allowed in {element.value!r}"
    for element in [*at.markdown, *at.caption, *at.success, *at.info, *at.warning, *at.error]:
        if "onerror" in element.value or "passwd" in element.value:
            hits += 1
            unescaped = re.sub(r"\\[<>]", "", element.value)
            assert "<img" not in unescaped and "<b>" not in unescaped, element.value
    return hits


def test_intake_upload_progress_duplicate_and_unreadable(store: CaseStore) -> None:
    good = pdf_bytes("intake")
    at = open_page("intake", "clerk")
    at.file_uploader(key="intake_files_0").set_value(
        [
            ("good.pdf", good, "application/pdf"),
            (HOSTILE_FILENAME, pdf_bytes("hostile"), "application/pdf"),
            ("notes.pdf", b"just some notes, not a PDF", "application/pdf"),
        ]
    ).run()
    at.button[0].click().run()
    shown = texts(at)
    assert shown.count("reading it now") == 0  # progress replaces the receipt message
    assert [p.proto.text for p in at.get("progress")][:1] == [
        "Application 1: waiting for the reader"
    ]
    # The worker runs elsewhere; here it runs inline with the fake pipeline for PDFs.
    queue = DatabaseJobQueue(store)

    def pipeline(data: bytes, name: str, progress=None):  # type: ignore[no-untyped-def]
        return (
            fake_pipeline(data, name) if data.startswith(b"%PDF") else default_pipeline(data, name)
        )

    assert run_worker(queue, pipeline, until_idle=True) == 3
    at.run()
    progress = [p.proto.text for p in at.get("progress")]
    assert "Application 1: read, waiting in the queue" in progress
    assert any("Application 3 is unreadable" in e.value for e in at.error)
    shown_name = display_name(HOSTILE_FILENAME)  # base name only, the bell escaped
    assert shown_name == "b>\\x07.pdf" and any(t.value == shown_name for t in at.text)
    # The same bytes again: recognised, not stored twice.
    assert not at.file_uploader(key="intake_files_1").value  # a fresh, empty uploader
    at.file_uploader(key="intake_files_1").set_value([("again.pdf", good, "application/pdf")]).run()
    at.button[0].click().run()
    assert "Already received as application 1 (good.pdf)" in texts(at)
    assert len(store.queue()) == 3
    _no_html(at)


def test_intake_shows_page_progress_while_reading(store: CaseStore) -> None:
    at = open_page("intake", "clerk")
    at.file_uploader(key="intake_files_0").set_value(
        [("big.pdf", pdf_bytes("big"), "application/pdf")]
    )
    at.run()
    at.button[0].click().run()
    queue = DatabaseJobQueue(store)
    job = queue.claim("test-worker")
    assert job is not None
    queue.progress(job, 2, 3)
    at.run()
    assert [p.proto.text for p in at.get("progress")] == ["Application 1: read page 2 of 3"]


def test_queue_counts_filters_and_sort(store: CaseStore) -> None:
    first = _extracted(store, "one")
    store.receive(pdf_bytes("two"), "two.pdf", "clerk")
    at = open_page("queue", "clerk")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Extracted"] == "1" and metrics["Received"] == "1"
    frame = at.dataframe[0].value
    assert list(frame["id"]) == [first, first + 1]
    at.selectbox(key="q_status").set_value("received").run()
    assert list(at.dataframe[0].value["file"]) == ["two.pdf"]
    at.selectbox(key="q_status").set_value("any")
    at.selectbox(key="q_country").set_value("CL").run()
    assert list(at.dataframe[0].value["id"]) == [first]
    at.selectbox(key="q_country").set_value("any")
    at.radio(key="q_sort").set_value("Newest first").run()
    assert list(at.dataframe[0].value["id"]) == [first + 1, first]


def test_queue_offers_declared_code_clashes_first(store: CaseStore) -> None:
    plain_case = _extracted(store, "plain")
    data = pdf_bytes("clash")
    receipt = store.receive(data, "clash.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data, "clash.pdf", declared="ML13.d"))
    at = open_page("queue", "reviewer")
    assert list(at.dataframe[0].value["id"]) == [plain_case, receipt.application_id]
    at.radio(key="q_sort").set_value("Declared-code clashes first").run()
    frame = at.dataframe[0].value
    assert list(frame["id"]) == [receipt.application_id, plain_case]
    assert list(frame["declared-code clashes"]) == [1, 0]


def _review(store: CaseStore, app_id: int) -> AppTest:
    at = AppTest.from_file(str(UI / "pages" / "review.py"), default_timeout=30)
    from datetime import UTC, datetime, timedelta

    from exportdesk.review.auth import Identity

    at.session_state["identity"] = Identity(
        "reviewer", "reviewer", datetime.now(UTC) + timedelta(1)
    )
    at.session_state["case_id"] = app_id
    return at.run()


def test_review_confirm_override_and_history(store: CaseStore) -> None:
    app_id = _extracted(store, "rev")
    at = _review(store, app_id)
    assert not at.exception
    assert at.get("imgs") or at.get("image"), "the page image is shown"
    # Low-confidence facts are marked (the consignee was read at 42%).
    assert any("⚠ 42%" in o for o in at.selectbox(key=f"r_fact_{app_id}").options)
    at.button(key="r_confirm_1_eu_0").click().run()
    assert "Item 1 (EU): confirmed eu-dual-use 6A003" in texts(at)
    assert "Decided: eu-dual-use 6A003" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("r_confirm_1_")]
    at.button(key="r_next").click().run()
    assert "Item 2 of 2" in texts(at)
    at.toggle(key=f"r_other_{app_id}_2_eu").set_value(True).run()
    at.text_input(key=f"r_search_{app_id}_2_eu").set_value("6A005").run()
    at.selectbox(key=f"r_pick_{app_id}_2_eu").set_value(("eu-dual-use", "6A005"))
    at.button(key="r_override_2_eu").click().run()
    assert "override reason is required" in texts(at)
    # The form stays open with the choice in it, and the error sits in the item's section.
    assert at.toggle(key=f"r_other_{app_id}_2_eu").value
    assert at.selectbox(key=f"r_pick_{app_id}_2_eu").value == ("eu-dual-use", "6A005")
    at.text_area(key=f"r_reason_{app_id}_2_eu").set_value("Lens is specially designed for 6A003")
    at.button(key="r_override_2_eu").click().run()
    assert "Item 2 (EU): recorded eu-dual-use 6A005" in texts(at)
    case = store.case(app_id)
    assert case.decisions[1].override_reason is None
    assert case.decisions[2].override_reason == "Lens is specially designed for 6A003"

    history = open_page("history", "trainer")
    history.selectbox(key="h_case").set_value(app_id).run()
    whats = list(history.table[0].value["what"])
    assert whats[-2:] == ["confirmed suggestion", "override"]
    details = " ".join(history.table[0].value["details"])
    assert "Item 1 (EU): confirmed eu-dual-use 6A003." in details
    assert "{" not in details and "[" not in details and "True" not in details


def test_review_confirms_second_suggestion_without_typing(store: CaseStore) -> None:
    app_id = _extracted(store, "second")
    at = _review(store, app_id)
    at.button(key="r_confirm_1_eu_1").click().run()
    assert "Item 1 (EU): confirmed eu-dual-use 6A002" in texts(at)
    decision = store.case(app_id).decisions[1]
    assert decision.final_code == "6A002" and decision.override_reason is None


def test_review_decided_item_changes_only_through_change_flow(store: CaseStore) -> None:
    app_id = _extracted(store, "change")
    version = store.case(app_id).version
    store.decide(app_id, version, 1, "eu-dual-use", "6A005", "anna", reason="below threshold")
    at = _review(store, app_id)
    shown = texts(at)
    assert "Decided: eu-dual-use 6A005** by anna" in shown and "below threshold" in shown
    assert not [b for b in at.button if b.key and b.key.startswith("r_confirm_1_")]
    at.button(key="r_change_1_eu").click().run()
    at.selectbox(key=f"r_newcode_{app_id}_1_eu").set_value(("eu-dual-use", "6A003"))
    at.button(key="r_change_save_1_eu").click().run()
    assert "say why the decision changes" in texts(at)
    assert at.selectbox(key=f"r_newcode_{app_id}_1_eu").value == ("eu-dual-use", "6A003")
    at.text_area(key=f"r_why_{app_id}_1_eu").set_value("Datasheet: 640x512 sensor")
    at.button(key="r_change_save_1_eu").click().run()
    shown = texts(at)
    assert "Item 1 (EU): changed to eu-dual-use 6A003" in shown
    assert "Earlier: eu-dual-use 6A005 by anna" in shown
    assert [d.final_code for d in store.case(app_id).all_decisions] == ["6A005", "6A003"]


def test_review_decides_both_catalogue_families(store: CaseStore) -> None:
    data = pdf_bytes("families")
    receipt = store.receive(data, "families.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data, us=True, declared="ML13.d"))
    app_id = receipt.application_id
    at = _review(store, app_id)
    shown = texts(at)
    assert "EU decision" in shown and "US decision" in shown
    assert "The applicant declared ML13.d, but the suggestion is eu-dual-use 6A003" in shown
    at.button(key="r_confirm_1_eu_0").click().run()
    at.button(key="r_confirm_1_us_1").click().run()
    case = store.case(app_id)
    assert case.by_family[(1, "eu")].final_code == "6A003"
    assert case.by_family[(1, "us")].final_code == "XII(c)"


def test_review_warning_shown_beside_its_item(store: CaseStore) -> None:
    data = pdf_bytes("warn")
    receipt = store.receive(data, "warn.pdf", "clerk")
    result = make_result(data)
    result.warnings = [
        ReadWarning(
            code="total_mismatch", message="Item 2: total 7,440.00 is not 24 x 300.", page=1
        ),
        ReadWarning(
            code="low_ocr_confidence", message="Page 1 was read with low confidence.", page=1
        ),
    ]
    store.record_extraction(receipt.sha256, result)
    at = _review(store, receipt.application_id)
    assert "Page 1 was read with low confidence" in texts(at)  # above the page image
    assert "Item 2: total" not in texts(at)  # not on item 1
    at.button(key="r_next").click().run()
    assert "Item 2: total 7,440.00" in texts(at)


def test_review_second_reviewer_gets_conflict_and_keeps_entries(store: CaseStore) -> None:
    app_id = _extracted(store, "conflict")
    at = _review(store, app_id)
    other = store.case(app_id)
    store.decide(app_id, other.version, 1, "eu-dual-use", "6A005", "anna", reason="optics only")
    at.button(key="r_confirm_1_eu_0").click().run()
    shown = texts(at)
    assert "was saved by anna" in shown and "Your change was not saved" in shown
    assert store.case(app_id).decisions[1].decided_by == "anna"  # hers stands
    at.button(key="r_reload").click().run()
    # After reloading, her decision is on screen; replacing it is the explicit change.
    assert "Decided: eu-dual-use 6A005** by anna" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("r_confirm_1_")]


def _fields(at: AppTest, app_id: int) -> AppTest:
    at.segmented_control(key="r_view").set_value("Fields").run()
    return at


def test_review_field_correction_is_recorded(store: CaseStore) -> None:
    app_id = _extracted(store, "fields")
    at = _fields(_review(store, app_id), app_id)
    items = at.dataframe(key=f"r_table_{app_id}_items_0").value
    assert list(items["total_value"]) == ["51,000", "7,440"]  # not 51000.0
    parties = at.dataframe(key=f"r_table_{app_id}_parties_0").value
    assert list(parties["role"]) == ["applicant", "consignee"]
    at.session_state[f"r_table_{app_id}_parties_0"] = {
        "edited_rows": {1: {"country": "AR"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key=f"FormSubmitter:r_fields_{app_id}-Save corrections").click().run()
    assert "Corrections saved" in texts(at)
    assert at.segmented_control(key="r_view").value == "Fields"  # still on the tab
    assert store.case(app_id).result.parties[1].country == "AR"  # type: ignore[union-attr]
    assert [h.action for h in store.history(app_id)][-1] == "field_corrected"


def test_review_bad_number_is_plain_language_and_stays_on_fields(store: CaseStore) -> None:
    app_id = _extracted(store, "badnum")
    at = _fields(_review(store, app_id), app_id)
    at.session_state[f"r_table_{app_id}_items_0"] = {
        "edited_rows": {0: {"quantity": "twelve"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key=f"FormSubmitter:r_fields_{app_id}-Save corrections").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "“twelve” is not a number" in errors
    assert "parse" not in errors and "items.0" not in errors
    assert at.segmented_control(key="r_view").value == "Fields"
    assert store.case(app_id).result.items[0].quantity == 12  # type: ignore[union-attr]


def test_review_untouched_fields_save_says_nothing_changed(store: CaseStore) -> None:
    app_id = _extracted(store, "untouched")
    at = _fields(_review(store, app_id), app_id)
    at.button(key=f"FormSubmitter:r_fields_{app_id}-Save corrections").click().run()
    assert "Nothing changed" in texts(at) and "Corrections saved" not in texts(at)


def test_review_party_added_by_hand(store: CaseStore) -> None:
    app_id = _extracted(store, "addparty")
    at = _fields(_review(store, app_id), app_id)
    at.session_state[f"r_table_{app_id}_parties_0"] = {
        "edited_rows": {},
        "added_rows": [{"role": "end_user", "name": "Policía Nacional", "country": "CL"}],
        "deleted_rows": [],
    }
    at.button(key=f"FormSubmitter:r_fields_{app_id}-Save corrections").click().run()
    assert "Corrections saved" in texts(at)
    parties = store.case(app_id).result.parties  # type: ignore[union-attr]
    assert parties[-1].role == "end_user" and parties[-1].name == "Policía Nacional"
    assert list(at.dataframe(key=f"r_table_{app_id}_parties_1").value["name"])[-1] == (
        "Policía Nacional"
    )


def test_hostile_party_name_never_renders_as_html(store: CaseStore) -> None:
    app_id = _extracted(store, "xss", party=HOSTILE_PARTY)
    store.receive(pdf_bytes("xss-name"), HOSTILE_FILENAME, "clerk")
    for page, role in (("review", "reviewer"), ("queue", "clerk"), ("history", "admin")):
        at = _review(store, app_id) if page == "review" else open_page(page, role)
        assert not at.exception
        _no_html(at)
    at = _review(store, app_id)
    assert any(HOSTILE_PARTY in o for o in at.selectbox(key=f"r_fact_{app_id}").options)
    # A reviewer's own text comes back on screen too: the override reason.
    at.toggle(key=f"r_other_{app_id}_1_eu").set_value(True).run()
    at.text_input(key=f"r_search_{app_id}_1_eu").set_value("6A005").run()
    at.selectbox(key=f"r_pick_{app_id}_1_eu").set_value(("eu-dual-use", "6A005"))
    at.text_area(key=f"r_reason_{app_id}_1_eu").set_value(HOSTILE_PARTY)
    at.button(key="r_override_1_eu").click().run()
    assert store.case(app_id).decisions[1].override_reason == HOSTILE_PARTY
    assert _no_html(at) >= 1


def test_review_next_application_and_item_follows_highlight(store: CaseStore) -> None:
    first = _extracted(store, "first")
    second = _extracted(store, "second")
    at = _review(store, first)
    at.selectbox(key=f"r_fact_{first}").set_value("items.1").run()
    assert "Item 2 of 2" in texts(at)  # choosing an item to highlight also selects it
    at.segmented_control(key="r_view").set_value("Finish").run()
    at.button(key="r_next_case").click().run()
    assert at.selectbox(key="r_case").value == second
    at.button(key="r_next_case").click().run()
    assert at.selectbox(key="r_case").value == first  # wraps round to the start


def test_review_finish_confirm_needs_all_items_return_needs_reason(store: CaseStore) -> None:
    app_id = _extracted(store, "finish")
    at = _review(store, app_id)
    at.segmented_control(key="r_view").set_value("Finish").run()
    at.button(key="r_finish").click().run()
    assert "These items have no decision yet: 1 (EU), 2 (EU)" in texts(at)
    at.button(key="r_return").click().run()
    assert "Say why the application goes back" in texts(at)
    at.text_input(key=f"r_return_reason_{app_id}").set_value("End-user certificate missing")
    at.button(key="r_return").click().run()
    assert store.case(app_id).status == "returned"
    at.segmented_control(key="r_view").set_value("Classification").run()
    assert at.button(key="r_confirm_1_eu_0").disabled  # a returned application is read-only


def test_admin_verifies_audit_lists_accounts_and_retries_failed_job(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    receipt = store.receive(pdf_bytes("fails"), "fails.pdf", "clerk")
    job_id = queue.enqueue(receipt.sha256)

    def broken(data: bytes, name: str, progress=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("OCR engine missing")

    run_worker(queue, broken, until_idle=True)
    at = open_page("admin", "admin")
    at.button(key="a_verify").click().run()
    assert "The audit log is intact" in texts(at)
    assert set(at.table[0].value["user"]) == set(ROLES)
    shown = texts(at)
    assert (
        f"Job {job_id} (document {receipt.sha256[:12]}) failed after 3 attempts: "
        "attempt 3 of 3: RuntimeError: OCR engine missing"
    ) in shown
    assert [m.value for m in at.metric if m.label == "Failed"] == ["1"]
    assert list(at.table[1].value["state"]) == ["stopped"]  # the worker that ran it
    assert "No worker is alive" in shown
    at.button(key=f"a_retry_{job_id}").click().run()
    assert queue.state(job_id).status == "queued"
    assert "No job has failed." in texts(at)
    assert store.history(receipt.application_id)[-1].action == "job_retried"


def test_review_of_unreadable_file_explains_and_can_be_returned(store: CaseStore) -> None:
    data = b"GIF89a not an application"
    receipt = store.receive(data, "photo.pdf", "clerk")
    store.record_extraction(receipt.sha256, default_pipeline(data, "photo.pdf"))
    at = _review(store, receipt.application_id)
    assert not at.exception
    shown = texts(at)
    assert "There is no page image" in shown and "not a PDF" in shown
    at.segmented_control(key="r_view").set_value("Finish").run()
    at.button(key="r_finish").click().run()
    assert "could not be read cannot be confirmed" in texts(at)


def test_review_shows_the_prediction_set_and_says_when_it_holds_more_than_shown(
    store: CaseStore,
) -> None:
    data = pdf_bytes("sets")
    receipt = store.receive(data, "sets.pdf", "clerk")
    result = make_result(data)
    in_set = {"prediction_set_coverage": 0.9, "prediction_set_size": 2}
    first = result.items[0]
    first.suggestions = [
        s.model_copy(update=in_set) if s.code in ("6A003", "6A002") else s
        for s in first.suggestions
    ]
    wide = {"prediction_set_coverage": 0.9, "prediction_set_size": 7}
    second = result.items[1]
    second.suggestions = [s.model_copy(update=wide) for s in second.suggestions]
    store.record_extraction(receipt.sha256, result)
    at = _review(store, receipt.application_id)
    bars = [re.sub(r"\\(.)", r"\1", p.proto.text) for p in at.get("progress")]  # unescape
    assert "1. eu-dual-use 6A003 — 81% · in the 90% set" in bars
    assert "3. eu-dual-use NOT_LISTED — 7% ⚠ low confidence" in bars  # outside the set
    assert "With 90% certainty the right entry is one of: 6A003, 6A002." in texts(at)
    at.button(key="r_next").click().run()
    assert "Item 2 of 2" in texts(at)
    assert "one of 7 candidates; 2 are shown (NOT_LISTED, 6A004)" in texts(at)
