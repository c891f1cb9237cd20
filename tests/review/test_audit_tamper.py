"""`audit verify` catches each way of rewriting history that SQL access allows (issue 12, #10)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from casefactory import allow_tampering, extracted_case
from sqlalchemy import delete, func, select, update

from exportdesk.review import audit, auditkeys
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import AuditEvent, AuditHead, Correction, Decision, Extraction


def _verify(store: CaseStore) -> audit.VerifyReport:
    with store.session() as s:
        return audit.verify(s, anchors=auditkeys.anchor_file(store.settings))


def _decided(store: CaseStore) -> int:
    app_id = extracted_case(store)
    case = store.case(app_id)
    version = store.correct(app_id, case.version, {"parties.1.name": "Andes Survey SpA"}, "anna")
    store.decide(app_id, version, 1, "eu-dual-use", "6A003", "anna")
    report = _verify(store)
    assert report.ok, report.problems
    assert report.anchored is not None  # a clean verification anchors the head
    return app_id


def _problems(store: CaseStore) -> str:
    report = _verify(store)
    assert not report.ok
    return "\n".join(report.problems)


def test_decision_changed_in_sql_is_detected(store: CaseStore) -> None:
    _decided(store)
    with store.session() as s:
        s.execute(update(Decision).values(final_catalogue="us-ccl", final_code="EAR99"))
    assert "decision 1 (application 1) was changed" in _problems(store)


def test_extraction_changed_in_sql_is_detected(store: CaseStore) -> None:
    _decided(store)
    with store.session() as s:
        row = s.execute(select(Extraction)).scalar_one()
        result = json.loads(json.dumps(row.result))
        result["parties"][0]["name"] = "Someone Else Ltd"
        s.execute(update(Extraction).where(Extraction.id == row.id).values(result=result))
    assert "extraction 1 (application 1) was changed" in _problems(store)


def test_correction_changed_in_sql_is_detected(store: CaseStore) -> None:
    _decided(store)
    with store.session() as s:
        s.execute(update(Correction).values(new_value=json.dumps("Mallory Trading")))
    assert "correction 1 (application 1) was changed" in _problems(store)


def test_decision_inserted_without_an_event_is_detected(store: CaseStore) -> None:
    app_id = _decided(store)
    with store.session() as s:
        s.add(
            Decision(
                application_id=app_id,
                item_index=2,
                final_catalogue="eu-dual-use",
                final_code="NOT_LISTED",
                decided_by="anna",
            )
        )
    assert "decision 2 (application 1) has no audit event" in _problems(store)


def test_newest_event_deleted_and_head_moved_back_is_detected_by_the_anchor(
    store: CaseStore,
) -> None:
    app_id = _decided(store)
    # An event with no row behind it: only the anchor can show that it existed.
    store.receive(store.original(app_id), "again.pdf", "clerk")
    assert _verify(store).ok  # anchors the head that includes the duplicate upload
    with store.session() as s:
        last = s.scalar(select(func.max(AuditEvent.seq)))
        previous = s.execute(select(AuditEvent).where(AuditEvent.seq == last - 1)).scalar_one()
        allow_tampering(s)
        s.execute(delete(AuditEvent).where(AuditEvent.seq == last))
        s.execute(update(AuditHead).values(seq=last - 1, hash=previous.hash))
    assert f"records event {last}, but the log now ends at event {last - 1}" in _problems(store)


def test_whole_chain_rehashed_without_the_key_is_detected(store: CaseStore) -> None:
    _decided(store)
    with store.session() as s:
        allow_tampering(s)
        s.execute(update(Decision).values(final_catalogue="us-ccl", final_code="EAR99"))
        events = list(s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())
        s.execute(delete(AuditEvent))
        prev = audit.GENESIS
        for e in events:  # rebuild every link and digest, as SQL access alone allows
            detail = json.loads(e.detail)
            if "decision_id" in detail:
                row = s.get(Decision, detail["decision_id"])
                detail["sha256_row"] = audit.decision_digest(row)
            body = audit.canonical(detail)
            payload = audit.link_payload(
                prev, e.seq, e.at, e.actor, e.action, e.application_id, body
            )
            digest = hashlib.sha256(payload).hexdigest()
            s.add(
                AuditEvent(
                    seq=e.seq,
                    at=e.at,
                    actor=e.actor,
                    action=e.action,
                    application_id=e.application_id,
                    detail=body,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        s.flush()
        s.execute(update(AuditHead).values(seq=events[-1].seq, hash=prev))
    problems = _problems(store)
    assert "its signature does not match" in problems
    assert "differs from the anchor" in problems


def test_rotated_key_signs_new_events_and_old_ones_still_verify(
    store: CaseStore, tmp_path: Path
) -> None:
    _decided(store)
    settings = store.settings.model_copy(update={"audit_key_file": tmp_path / "keys" / "audit.key"})
    path = auditkeys.key_file(settings)
    path.parent.mkdir()
    path.write_text(auditkeys.key_file(store.settings).read_text())
    new_id = auditkeys.rotate(settings)
    rotated = CaseStore(settings, migrate=False)
    try:
        rotated.receive(b"%PDF-1.4 another", "other.pdf", "clerk")
        with rotated.session() as s:
            newest = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
            ring = auditkeys.keyring(settings)
            assert ring.current == new_id
            assert audit.verify(s).ok
            payload = audit.link_payload(
                newest.prev_hash,
                newest.seq,
                newest.at,
                newest.actor,
                newest.action,
                newest.application_id,
                newest.detail,
            )
            assert ring.signer_of(payload, newest.hash) == new_id
    finally:
        rotated.close()
    # Without the old key, the events it signed no longer verify: keep old keys after rotation.
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with store.session() as s:
        assert not audit.verify(s, keys=auditkeys.keyring(settings)).ok
