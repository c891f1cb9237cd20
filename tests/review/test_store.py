"""Case store behaviour on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import json
import re
import threading

import pytest
from casefactory import (
    HOSTILE_FILENAME,
    allow_tampering,
    extracted_case,
    fake_pipeline,
    make_result,
    pdf_bytes,
)
from sqlalchemy import delete, func, inspect, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.names import display_name
from exportdesk.extract.settings import Settings
from exportdesk.review import audit
from exportdesk.review.auditkeys import keyring
from exportdesk.review.db import make_engine
from exportdesk.review.intake import submit
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.migrate import current_revision, downgrade, head_revision, upgrade
from exportdesk.review.runner import process_document
from exportdesk.review.store import CaseStore, ConflictError, StoreError
from exportdesk.review.tables import (
    Application,
    AuditEvent,
    Correction,
    Decision,
    Document,
    Extraction,
)
from exportdesk.review.worker import run_worker


def test_migration_empty_to_head(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    assert current_revision(engine) is None  # empty database
    upgrade(engine)
    assert current_revision(engine) == head_revision() is not None
    tables = set(inspect(engine).get_table_names())
    assert {"applications", "documents", "decisions", "audit_events"} <= tables
    assert "suggestions" not in tables  # one copy: inside the extraction's result
    upgrade(engine)  # an up-to-date database is left alone
    downgrade(engine, "base")
    assert "applications" not in inspect(engine).get_table_names()
    upgrade(engine)  # and back: every migration can be undone and redone
    store = CaseStore(settings)
    assert store.receive(pdf_bytes("m"), "m.pdf", "clerk").application_id == 1
    store.close()
    engine.dispose()


def test_duplicate_upload_is_recognised_without_second_record(store: CaseStore) -> None:
    data = pdf_bytes("dup")
    first = store.receive(data, "first.pdf", "clerk")
    second = store.receive(data, "renamed copy.pdf", "clerk")
    assert not first.duplicate and second.duplicate
    assert second.application_id == first.application_id
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 1
        assert s.scalar(select(func.count()).select_from(Document)) == 1
    assert [h.action for h in store.history(first.application_id)] == [
        "received",
        "duplicate_upload",
    ]
    stored = list((store.settings.data_dir / "originals").rglob("*.pdf"))
    assert len(stored) == 1 and stored[0].read_bytes() == data


def test_same_file_uploaded_at_once_by_several_clerks(store: CaseStore) -> None:
    data = pdf_bytes("race")
    barrier = threading.Barrier(4)
    receipts = []

    def upload(n: int) -> None:
        barrier.wait()
        receipts.append(store.receive(data, f"copy{n}.pdf", f"clerk{n}"))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(r.duplicate for r in receipts) == [False, True, True, True]
    assert len({r.application_id for r in receipts}) == 1
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 1
        assert audit.verify(s).ok


def test_hostile_file_name_is_never_a_path(store: CaseStore) -> None:
    receipt = store.receive(pdf_bytes("h"), HOSTILE_FILENAME, "clerk")
    # The one cleaner (extract.names.display_name): base name, controls escaped, never a path.
    assert receipt.filename == display_name(HOSTILE_FILENAME) == "b>\\x07.pdf"
    files = [p for p in store.settings.data_dir.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(store.settings.data_dir.resolve()) for p in files)
    assert not any("passwd" in p.name for p in files)


def test_concurrent_save_conflict_loses_nothing(store: CaseStore) -> None:
    app_id = extracted_case(store)
    loaded_by_anna = store.case(app_id).version
    loaded_by_ben = store.case(app_id).version
    store.decide(app_id, loaded_by_anna, 1, "eu-dual-use", "6A003", "anna")
    with pytest.raises(ConflictError, match="was saved by anna"):
        store.decide(app_id, loaded_by_ben, 1, "eu-dual-use", "6A002", "ben", reason="optics")
    case = store.case(app_id)
    assert case.decisions[1].final_code == "6A003" and case.decisions[1].decided_by == "anna"
    # Ben reloads; replacing Anna's decision is an explicit change, and hers is kept.
    store.decide(app_id, case.version, 1, "eu-dual-use", "6A002", "ben", change_reason="optics")
    with store.session() as s:
        rows = s.execute(select(Decision.decided_by).order_by(Decision.id)).scalars().all()
    assert rows == ["anna", "ben"]


def test_override_needs_a_reason_and_is_kept_apart_from_suggestions(store: CaseStore) -> None:
    app_id = extracted_case(store)
    version = store.case(app_id).version
    with pytest.raises(StoreError, match="override reason is required"):
        store.decide(app_id, version, 2, "eu-dual-use", "6A005", "anna")
    version = store.decide(app_id, version, 2, "eu-dual-use", "6A005", "anna", reason="optics")
    decision = store.case(app_id).decisions[2]
    assert decision.suggested is not None
    assert (decision.suggested.code, decision.final_code) == ("NOT_LISTED", "6A005")
    assert decision.suggested.model_version == "fake-classifier-1"
    assert decision.override_reason == "optics"
    assert decision.model_version == "fake-classifier-1"
    assert decision.catalogue_edition == "test-edition"
    item = next(i for i in store.case(app_id).result.items if i.index == 2)
    assert [g.code for g in item.suggestions][:2] == ["NOT_LISTED", "6A004"]  # untouched
    extraction_id = store.case(app_id).extraction_id
    with store.session() as s:  # the decision names the suggestion; it does not copy it
        row = s.execute(select(Decision).where(Decision.item_index == 2)).scalar_one()
        assert (row.extraction_id, row.suggestion_rank) == (extraction_id, 0)
        columns = {c["name"] for c in inspect(s.connection()).get_columns("decisions")}
        assert not {c for c in columns if c.startswith("suggested_")}
        assert "suggestions" not in inspect(s.connection()).get_table_names()


def test_decision_for_an_item_that_does_not_exist_is_refused(store: CaseStore) -> None:
    app_id = extracted_case(store)
    with pytest.raises(StoreError, match="has no item 9"):
        store.decide(app_id, store.case(app_id).version, 9, "eu-dual-use", "6A003", "anna", "x")
    assert store.case(app_id).decisions == {}


def test_correction_is_recorded_and_validated(store: CaseStore) -> None:
    app_id = extracted_case(store)
    version = store.case(app_id).version
    with pytest.raises(StoreError, match="not a two-letter country code"):
        store.correct(app_id, version, {"parties.1.country": "Chile"}, "anna")
    store.correct(
        app_id,
        version,
        {"parties.1.country": "AR", "parties.0.name": "Nordlicht Optronik GmbH"},
        "anna",
    )
    case = store.case(app_id)
    assert case.result is not None and case.result.parties[1].country == "AR"
    assert case.corrected_fields == {"parties.1.country"}  # unchanged values are not recorded


def test_confirm_requires_every_item_decided(store: CaseStore) -> None:
    app_id = extracted_case(store)
    version = store.decide(app_id, store.case(app_id).version, 1, "eu-dual-use", "6A003", "a")
    with pytest.raises(StoreError, match="no decision yet: 2"):
        store.finish(app_id, version, "confirmed", "a")
    version = store.case(app_id).version  # the refused save changed nothing
    version = store.decide(app_id, version, 2, "eu-dual-use", "NOT_LISTED", "a")
    store.finish(app_id, version, "confirmed", "a")
    assert store.case(app_id).status == "confirmed"
    with pytest.raises(StoreError, match="can no longer be changed"):
        store.decide(app_id, version + 1, 1, "eu-dual-use", "6A003", "a")


def test_return_to_applicant_needs_a_reason(store: CaseStore) -> None:
    app_id = extracted_case(store)
    version = store.case(app_id).version
    with pytest.raises(StoreError, match="Say why"):
        store.finish(app_id, version, "returned", "anna", reason="  ")
    store.finish(app_id, version, "returned", "anna", reason="End-user certificate unsigned")
    assert store.case(app_id).status == "returned"
    assert store.history(app_id)[-1].detail == {"reason": "End-user certificate unsigned"}


def test_simultaneous_saves_one_wins_one_conflicts(store: CaseStore) -> None:
    """Two threads save from the same version at once; the database, not luck, decides."""
    app_id = extracted_case(store)
    version = store.case(app_id).version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(who: str, code: str) -> None:
        barrier.wait()
        try:
            store.decide(app_id, version, 1, "eu-dual-use", code, who, reason="parallel")
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=save, args=(w, c)) for w, c in (("anna", "6A002"), ("ben", "6A004"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 1
        assert audit.verify(s).ok


def test_audit_chain_survives_concurrent_writers(store: CaseStore) -> None:
    def receive(n: int) -> None:
        for i in range(5):
            store.receive(pdf_bytes(f"w{n}-{i}"), f"w{n}-{i}.pdf", f"clerk{n}")

    threads = [threading.Thread(target=receive, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with store.session() as s:
        report = audit.verify(s)
    assert report.ok and report.events == 20, report


def test_audit_log_refuses_update_and_delete(store: CaseStore) -> None:
    extracted_case(store)
    for statement in (update(AuditEvent).values(actor="mallory"), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"), store.session() as s:
            s.execute(statement)
    with store.session() as s:
        assert audit.verify(s).ok


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last"])
def test_audit_verify_catches_tampered_row(store: CaseStore, tamper: str) -> None:
    app_id = extracted_case(store)
    store.decide(app_id, store.case(app_id).version, 1, "eu-dual-use", "6A003", "anna")
    with store.session() as s:
        assert audit.verify(s).ok
        last = s.scalar(select(func.max(AuditEvent.seq)))
        allow_tampering(s)
        if tamper == "edit":
            s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="mallory"))
        elif tamper == "delete_middle":
            s.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
        else:
            s.execute(delete(AuditEvent).where(AuditEvent.seq == last))
    with store.session() as s:
        report = audit.verify(s)
    assert not report.ok
    expected = {
        "edit": "event 2 .* was edited",
        "delete_middle": "missing",
        "delete_last": "newest events were deleted",
    }[tamper]
    assert any(re.search(expected, p) for p in report.problems), report


def test_job_is_idempotent_and_stops_once_review_began(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    data = pdf_bytes("job")
    submitted = submit(store, queue, data, "job.pdf", "clerk")
    assert submitted.job_id is not None
    assert run_worker(queue, fake_pipeline, until_idle=True) == 1
    assert queue.state(submitted.job_id).status == "done"
    before = store.case(submitted.receipt.application_id)
    assert process_document(store, submitted.receipt.sha256, fake_pipeline)  # a retry
    again = store.case(submitted.receipt.application_id)
    assert again.result == before.result and again.status == "extracted"
    assert again.version == before.version  # nothing new, so no reviewer is disturbed
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Extraction)) == 1
    store.decide(again.id, again.version, 1, "eu-dual-use", "6A003", "anna")
    assert not process_document(store, submitted.receipt.sha256, fake_pipeline)
    assert store.case(again.id).decisions[1].final_code == "6A003"


def test_failing_job_is_retried_then_marked_failed(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    submitted = submit(store, queue, pdf_bytes("bad"), "bad.pdf", "clerk")
    calls = []

    def broken(data: bytes, name: str, progress=None):  # type: ignore[no-untyped-def]
        calls.append(name)
        raise RuntimeError("engine exploded")

    run_worker(queue, broken, until_idle=True)
    state = queue.state(submitted.job_id or 0)
    assert state.status == "failed" and "engine exploded" in (state.error or "")
    assert len(calls) == store.settings.job_max_attempts
    assert store.case(submitted.receipt.application_id).status == "received"


def test_queue_filters_sorts_and_counts(store: CaseStore) -> None:
    low = extracted_case(store, "low")
    data = pdf_bytes("high")
    high = store.receive(data, "high.pdf", "clerk")
    result = make_result(data)
    result.parties[1].confidence = 0.99
    result.items[1].confidence = 0.99
    result.parties[1].country = "NO"
    store.record_extraction(high.sha256, result)
    store.receive(pdf_bytes("waiting"), "waiting.pdf", "clerk")
    assert [r.id for r in store.queue(sort="lowest_confidence")][:2] == [low, high.application_id]
    assert [r.id for r in store.queue(country="CL")] == [low]
    assert [r.id for r in store.queue(catalogue="eu-dual-use")] == [low, high.application_id]
    assert [r.filename for r in store.queue(status="received")] == ["waiting.pdf"]
    assert store.counts()["extracted"] == 2 and store.counts()["received"] == 1


def _with(store: CaseStore, label: str, **kwargs: object) -> int:
    data = pdf_bytes(label)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    assert store.record_extraction(receipt.sha256, make_result(data, f"{label}.pdf", **kwargs))  # type: ignore[arg-type]
    return receipt.application_id


def test_second_save_without_change_flow_is_refused(store: CaseStore) -> None:
    """The bug: a second Confirm silently replaced a recorded override and its reason."""
    app_id = extracted_case(store)
    version = store.decide(
        app_id,
        store.case(app_id).version,
        1,
        "eu-dual-use",
        "6A005",
        "anna",
        reason="Camera is below the 6A003 threshold",
    )
    with pytest.raises(StoreError, match=r"already decided.*Change decision"):
        store.decide(app_id, version, 1, "eu-dual-use", "6A003", "ben")
    with pytest.raises(StoreError, match="say why the decision changes"):
        store.decide(app_id, version, 1, "eu-dual-use", "6A003", "ben", change_reason="  ")
    case = store.case(app_id)
    assert case.version == version  # refused saves changed nothing
    assert case.decisions[1].final_code == "6A005" and case.decisions[1].decided_by == "anna"
    version = store.decide(
        app_id,
        version,
        1,
        "eu-dual-use",
        "6A003",
        "ben",
        change_reason="Datasheet shows 640x512 at 30 Hz",
    )
    case = store.case(app_id)
    first, second = case.all_decisions
    assert first.override_reason == "Camera is below the 6A003 threshold"
    assert second.replaces_id == first.id and second.change_reason.startswith("Datasheet")
    assert second.override_reason is None  # 6A003 is the top suggestion
    changed = store.history(app_id)[-1]
    assert changed.action == "decision_changed"
    assert changed.detail["previous"] == "eu-dual-use 6A005"
    with pytest.raises(StoreError, match="no decision to change"):
        store.decide(app_id, version, 2, "eu-dual-use", "6A004", "ben", change_reason="x")


def test_any_suggestion_can_be_confirmed_without_a_reason(store: CaseStore) -> None:
    app_id = extracted_case(store)
    store.decide(app_id, store.case(app_id).version, 2, "eu-dual-use", "6A004", "anna")
    decision = store.case(app_id).decisions[2]
    assert decision.override_reason is None and decision.suggested.code == "NOT_LISTED"
    event = store.history(app_id)[-1]
    assert event.action == "confirmed_suggestion" and event.detail["rank"] == 2


def test_item_is_decided_per_catalogue_family(store: CaseStore) -> None:
    app_id = _with(store, "fam", us=True)
    version = store.decide(app_id, store.case(app_id).version, 1, "eu-dual-use", "6A003", "a")
    version = store.decide(app_id, version, 1, "us-usml", "XII(c)", "a")  # the US second one
    version = store.decide(app_id, version, 2, "eu-dual-use", "NOT_LISTED", "a")
    case = store.case(app_id)
    assert case.by_family[(1, "eu")].final_code == "6A003"
    us_decision = case.by_family[(1, "us")]
    assert us_decision.final_code == "XII(c)" and us_decision.suggested.code == "6A003.b.4"
    assert us_decision.override_reason is None
    store.finish(app_id, version, "confirmed", "a")


def test_confirm_names_the_missing_family(store: CaseStore) -> None:
    app_id = _with(store, "fam2", us=True)
    version = store.decide(app_id, store.case(app_id).version, 1, "eu-dual-use", "6A003", "a")
    version = store.decide(app_id, version, 2, "eu-dual-use", "NOT_LISTED", "a")
    with pytest.raises(StoreError, match=r"no decision yet: 1 \(US\)"):
        store.finish(app_id, version, "confirmed", "a")


def test_declared_code_conflict_counts_in_queue_order(store: CaseStore) -> None:
    agreeing = _with(store, "agree", declared="6A003")
    plain = extracted_case(store, "plain")
    conflicting = _with(store, "clash", declared="ML13.d")
    order = [r.id for r in store.queue(sort="attention")]
    assert order[0] == conflicting
    assert {r.id: r.declared_conflicts for r in store.queue()} == {
        agreeing: 0,
        plain: 0,
        conflicting: 1,
    }
    # Correcting the declared code to agree clears the flag.
    store.correct(
        conflicting,
        store.case(conflicting).version,
        {"items[1].declared_classification": "ECCN 6A003"},
        "anna",
    )
    assert {r.id: r.declared_conflicts for r in store.queue()}[conflicting] == 0


def test_migration_gives_existing_decisions_a_family_and_their_order(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine, "0002")
    data = pdf_bytes("old")
    result = make_result(data, "old.pdf", us=True, declared="ML13.d")
    now = "2026-11-29 10:00:00"
    with engine.begin() as c:  # rows as the 0002 schema held them: no family, silent replacement
        c.execute(
            text(
                "INSERT INTO documents (sha256, filename, size_bytes, received_at, received_by) "
                "VALUES (:sha, 'old.pdf', 1, :now, 'clerk')"
            ),
            {"sha": result.document.sha256, "now": now},
        )
        c.execute(
            text(
                "INSERT INTO applications (id, document_sha256, filename, status, version, "
                "created_at, updated_at, countries, catalogues) "
                "VALUES (1, :sha, 'old.pdf', 'in_review', 4, :now, :now, '', '')"
            ),
            {"sha": result.document.sha256, "now": now},
        )
        c.execute(
            text(
                "INSERT INTO extractions (application_id, result, versions, created_at) "
                "VALUES (1, :r, '{}', :now)"
            ),
            {"r": json.dumps(result.to_contract()), "now": now},
        )
        for code, catalogue in (
            ("6A002", "eu-dual-use"),
            ("6A003", "eu-dual-use"),
            ("6A003.b.4", "us-ccl"),
        ):
            c.execute(
                text(
                    "INSERT INTO decisions (application_id, item_index, final_catalogue, "
                    "final_code, decided_by, decided_at) VALUES (1, 1, :cat, :code, 'anna', :now)"
                ),
                {"cat": catalogue, "code": code, "now": now},
            )
    upgrade(engine)
    store = CaseStore(settings)
    case = store.case(1)
    assert [(d.family, d.final_code) for d in case.all_decisions] == [
        ("eu", "6A002"),
        ("eu", "6A003"),
        ("us", "6A003.b.4"),
    ]
    first, second, us = case.all_decisions
    assert (first.replaces_id, second.replaces_id, us.replaces_id) == (None, first.id, None)
    assert case.by_family[(1, "eu")].final_code == "6A003"
    assert store.queue()[0].declared_conflicts == 1
    store.close()
    engine.dispose()


def test_correction_errors_are_plain_language_and_numbers_as_typed(store: CaseStore) -> None:
    app_id = extracted_case(store)
    version = store.case(app_id).version
    with pytest.raises(StoreError) as bad_country:
        store.correct(app_id, version, {"parties.1.country": "Chile"}, "anna")
    assert str(bad_country.value).startswith(
        "Party 2 (consignee), country: “Chile” is not a two-letter country code"
    )
    assert "(for Chile that is CL)" in str(bad_country.value)
    with pytest.raises(StoreError) as bad_number:
        store.correct(app_id, version, {"items[1].quantity": "twelve"}, "anna")
    assert "“twelve” is not a number" in str(bad_number.value)
    assert "pattern" not in str(bad_country.value) and "parse" not in str(bad_number.value)
    version = store.correct(
        app_id, version, {"items[1].total_value": "51.500,50"}, "anna", locale="de"
    )
    assert store.case(app_id).result.items[0].total_value == 51500.5  # type: ignore[union-attr]
    # Saving the same values again is not a change.
    assert store.correct(app_id, version, {"items[1].total_value": "51500.5"}, "anna") == version


def test_parties_and_items_added_and_removed_by_hand(store: CaseStore) -> None:
    app_id = extracted_case(store)
    version = store.case(app_id).version
    version = store.correct(
        app_id,
        version,
        {"parties.0.name": "Nordlicht Optronik AG"},
        "anna",
        added={
            "parties": [{"role": "end_user", "name": "Policía Nacional", "country": "CL"}],
            "items": [{"description": "Battery pack", "quantity": "1,200"}],
        },
        removed={"parties": [1]},
    )
    result = store.case(app_id).result
    assert result is not None
    assert [(p.role, p.name) for p in result.parties] == [
        ("applicant", "Nordlicht Optronik AG"),
        ("end_user", "Policía Nacional"),
    ]
    added = result.items[-1]
    assert (added.index, added.quantity, added.confidence, added.evidence) == (3, 1200.0, 1.0, [])
    actions = [h.action for h in store.history(app_id)]
    assert actions[-3:] == ["field_corrected", "facts_changed", "facts_changed"]
    # An item with a decision cannot be removed.
    version = store.decide(app_id, version, 1, "eu-dual-use", "6A003", "anna")
    with pytest.raises(StoreError, match="Item 1 already has a decision"):
        store.correct(app_id, version, {}, "anna", removed={"items": [1]})
    with pytest.raises(StoreError, match=r"Party 3 .*name is required"):
        store.correct(app_id, version, {}, "anna", added={"parties": [{"role": "other"}]})


def test_an_upload_is_hashed_once(store: CaseStore, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counting(data: bytes) -> str:
        calls.append(len(data))
        return sha256_bytes(data)

    monkeypatch.setattr("exportdesk.review.store.sha256_bytes", counting)
    monkeypatch.setattr("exportdesk.review.originals.sha256_bytes", counting)
    data = pdf_bytes("once")
    receipt = store.receive(data, "once.pdf", "clerk")
    assert calls == [len(data)]
    assert receipt.sha256 == sha256_bytes(data)
    assert store.originals.path_for(receipt.sha256).read_bytes() == data


def test_migration_keeps_one_copy_of_each_suggestion_and_the_audit_chain(
    settings: Settings,
) -> None:
    """Decisions recorded under 0006 (suggestion copied into suggested_* and the suggestions
    table) name their suggestion after 0007, and the audit chain still verifies."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine, "0006_13")
    data = pdf_bytes("copies")
    result = make_result(data, "copies.pdf", us=True)
    contract = result.to_contract()
    now = "2026-11-29 10:00:00"
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO documents (sha256, filename, size_bytes, received_at, received_by) "
                "VALUES (:sha, 'copies.pdf', 1, :now, 'clerk')"
            ),
            {"sha": result.document.sha256, "now": now},
        )
        c.execute(
            text(
                "INSERT INTO applications (id, document_sha256, filename, status, version, "
                "created_at, updated_at, countries, catalogues) "
                "VALUES (1, :sha, 'copies.pdf', 'in_review', 4, :now, :now, '', '')"
            ),
            {"sha": result.document.sha256, "now": now},
        )
        c.execute(
            text(
                "INSERT INTO extractions (id, application_id, result, versions, created_at) "
                "VALUES (7, 1, :r, '{}', :now)"
            ),
            {"r": json.dumps(contract), "now": now},
        )
        for item in contract["items"]:
            for rank, sug in enumerate(item["suggestions"]):
                c.execute(
                    text(
                        "INSERT INTO suggestions (extraction_id, application_id, item_index, "
                        "rank, catalogue, code, confidence, rationale) "
                        "VALUES (7, 1, :i, :r, :cat, :code, :conf, '')"
                    ),
                    {
                        "i": item["index"],
                        "r": rank,
                        "cat": sug["catalogue"],
                        "code": sug["code"],
                        "conf": sug["confidence"],
                    },
                )
        us_top = contract["items"][0]["suggestions"]
        us_rank = next(r for r, g in enumerate(us_top) if g["catalogue"].startswith("us-"))
        old_rows = [  # (id, item, family, suggested rank or None, final catalogue, code)
            (1, 1, "eu", 0, "eu-dual-use", "6A003"),
            (2, 1, "us", us_rank, "us-usml", "XII(c)"),
            (3, 2, "eu", None, "eu-dual-use", "6A005"),
        ]
        digests = {}
        for row_id, item_index, family, rank, catalogue, code in old_rows:
            item = next(i for i in contract["items"] if i["index"] == item_index)
            sug = item["suggestions"][rank] if rank is not None else {}
            values = {
                "id": row_id,
                "application_id": 1,
                "item_index": item_index,
                "suggested_catalogue": sug.get("catalogue"),
                "suggested_code": sug.get("code"),
                "suggested_confidence": sug.get("confidence"),
                "final_catalogue": catalogue,
                "final_code": code,
                "decided_by": "anna",
                "override_reason": None,
                "model_version": None,
                "catalogue_edition": None,
            }
            c.execute(
                text(
                    "INSERT INTO decisions (id, application_id, item_index, family, "
                    "suggested_catalogue, suggested_code, suggested_confidence, final_catalogue, "
                    "final_code, decided_by, decided_at) VALUES (:id, 1, :item_index, :family, "
                    ":suggested_catalogue, :suggested_code, :suggested_confidence, "
                    ":final_catalogue, :final_code, 'anna', :now)"
                ),
                {**values, "family": family, "now": now},
            )
            digests[row_id] = audit._digest(values)  # what 0006's decision_digest recorded
    with Session(engine) as s, s.begin():
        s.info["audit_keys"] = keyring(settings)
        bound = {"id": 7, "application_id": 1, "result": contract, "versions": {}}
        detail = {"extraction_id": 7, "sha256_row": audit._digest(json.loads(json.dumps(bound)))}
        audit.append(s, "worker", "extracted", 1, detail)
        for row_id, digest in digests.items():
            audit.append(
                s, "anna", "confirmed_suggestion", 1, {"decision_id": row_id, "sha256_row": digest}
            )
    upgrade(engine)
    store = CaseStore(settings)
    case = store.case(1)
    eu, us, hand = case.all_decisions
    assert (eu.suggested.catalogue, eu.suggested.code) == ("eu-dual-use", us_top[0]["code"])
    assert us.suggested.code == us_top[us_rank]["code"] and hand.suggested is None
    with store.session() as s:
        assert audit.verify(s).ok
        assert "suggestions" not in inspect(s.connection()).get_table_names()
        allow_tampering(s)
        s.execute(update(Decision).where(Decision.id == 1).values(suggestion_rank=1))
    with store.session() as s:
        assert any("decision 1" in p or "was edited" in p for p in audit.verify(s).problems)
    downgrade(engine, "0006_13")  # and back: the copies are rebuilt from the result
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM suggestions")).scalar() == sum(
            len(i["suggestions"]) for i in contract["items"]
        )
        assert (
            c.execute(text("SELECT suggested_code FROM decisions WHERE id = 2")).scalar()
            == (us_top[us_rank]["code"])
        )
    store.close()
    engine.dispose()


def test_items_are_named_by_their_index_and_keep_their_suggestions(store: CaseStore) -> None:
    app_id = extracted_case(store)
    case = store.case(app_id)
    second = case.result.items[1]  # type: ignore[union-attr]
    assert second.index == 2 and second.suggestions
    with pytest.raises(StoreError, match=r"items\[INDEX\]"):  # positions no longer name items
        store.correct(app_id, case.version, {"items.1.quantity": "3"}, "anna")
    # Item 1 goes; item 2 is still item 2 (now first in the list) with its own suggestions.
    version = store.correct(app_id, case.version, {}, "anna", removed={"items": [1]})
    version = store.correct(app_id, version, {"items[2].quantity": "7"}, "anna")
    case = store.case(app_id)
    (item,) = case.result.items  # type: ignore[union-attr]
    assert (item.index, item.quantity) == (2, 7.0)
    assert item.suggestions == second.suggestions
    assert "items[2].quantity" in case.corrected_fields
    with store.session() as s:  # stored once: the correction of the list holds no suggestions
        stored = s.execute(select(Correction.new_value).where(Correction.field == "items"))
        assert "suggestions" not in stored.scalar_one()
    # Decided against the suggestions the screen shows for item 2.
    version = store.decide(app_id, version, 2, "eu-dual-use", second.suggestions[1].code, "anna")
    assert store.case(app_id).decisions[2].suggested == second.suggestions[0]
    # A hand-added item never takes the index (and suggestions) of one removed before.
    store.correct(app_id, version, {}, "anna", added={"items": [{"description": "Cable"}]})
    added = store.case(app_id).result.items[-1]  # type: ignore[union-attr]
    assert (added.index, added.suggestions) == (3, [])


def test_a_correction_stored_by_position_is_replayed_as_recorded(store: CaseStore) -> None:
    app_id = extracted_case(store)
    with store.session() as s:  # as corrections were stored before items had one identity
        s.add(
            Correction(
                application_id=app_id,
                field="items.1.description",
                old_value=json.dumps("x"),
                new_value=json.dumps("Lens assembly"),
                corrected_by="anna",
            )
        )
    case = store.case(app_id)
    assert case.result.items[1].description == "Lens assembly"  # type: ignore[union-attr]
    assert case.corrected_fields == {"items[2].description"}
