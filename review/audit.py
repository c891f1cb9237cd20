"""The append-only audit log: every event chained to the one before by a keyed hash (HMAC).

Decisions, corrections and extractions are bound into the chain by the SHA-256 of their
content, so `verify` can recompute them from their tables: a row changed in SQL no longer
matches the event that recorded it. The HMAC key and the anchors of the head live outside
the database (review/auditkeys.py), so rewriting the whole chain needs more than SQL access.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from exportdesk.extract.settings import get_settings
from exportdesk.review import auditkeys
from exportdesk.review.auditkeys import KeyRing
from exportdesk.review.tables import (
    AuditEvent,
    AuditHead,
    Correction,
    Decision,
    Extraction,
    suggestion_in,
)

GENESIS = "0" * 64


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(
        detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def link_payload(
    prev_hash: str, seq: int, at: str, actor: str, action: str, app_id: int | None, detail: str
) -> bytes:
    return json.dumps(
        [prev_hash, seq, at, actor, action, app_id, detail], ensure_ascii=False
    ).encode("utf-8")


def _keys(session: Session) -> KeyRing:
    """The key ring the store put on the session, else the process settings' one."""
    ring = session.info.get("audit_keys")
    return ring if isinstance(ring, KeyRing) else auditkeys.keyring(get_settings())


# --- content digests: what binds a table row to the event that recorded it ----------------


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(values).encode("utf-8")).hexdigest()


def extraction_digest(row: Extraction) -> str:
    return _digest(
        {
            "id": row.id,
            "application_id": row.application_id,
            "result": json.loads(json.dumps(row.result)),
            "versions": json.loads(json.dumps(row.versions)),
        }
    )


def decision_digest(row: Decision) -> str:
    """The decision's content, with the suggestion it names read from its extraction (so the
    digest of a decision recorded before that suggestion stopped being copied is unchanged,
    and an edited rank or extraction no longer matches)."""
    names = (
        "id application_id item_index final_catalogue final_code decided_by override_reason "
        "model_version catalogue_edition"
    )
    values = {name: getattr(row, name) for name in names.split()}
    suggested: dict[str, Any] = {}
    session = object_session(row)
    if row.extraction_id is not None and session is not None:
        ex = session.get(Extraction, row.extraction_id)
        found = suggestion_in(ex.result, row.item_index, row.suggestion_rank) if ex else None
        suggested = found or {}
    for name in ("catalogue", "code", "confidence"):
        values[f"suggested_{name}"] = suggested.get(name)
    return _digest(values)


def correction_digest(row: Correction) -> str:
    names = "id application_id field old_value new_value corrected_by"
    return _digest({name: getattr(row, name) for name in names.split()})


# Which event detail key names the row, for each table bound into the chain.
BOUND_ROWS: tuple[tuple[str, Any, Any], ...] = (
    ("extraction_id", Extraction, extraction_digest),
    ("decision_id", Decision, decision_digest),
    ("correction_id", Correction, correction_digest),
)


def append(
    session: Session,
    actor: str,
    action: str,
    application_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction, so it commits or rolls back with the change."""
    # Bumping the head first takes its row lock (PostgreSQL) before the head is read, so two
    # writers can never hang their events on the same link.
    bumped = session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError(
            "The audit log has no head row; the database was not created by exportdesk's "
            "migrations. Run `exportdesk audit verify` and restore from backup."
        )
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    session.refresh(head)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    body = canonical(detail or {})
    event = AuditEvent(
        seq=head.seq,
        at=at,
        actor=actor,
        action=action,
        application_id=application_id,
        detail=body,
        prev_hash=head.hash,
        hash=_keys(session).sign(
            link_payload(head.hash, head.seq, at, actor, action, application_id, body)
        ),
    )
    session.add(event)
    head.hash = event.hash
    session.flush()
    return event


@dataclass
class VerifyReport:
    events: int
    problems: list[str] = field(default_factory=list)
    anchored: auditkeys.Anchor | None = None  # the anchor written by this verification

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    session: Session, keys: KeyRing | None = None, anchors: Path | None = None
) -> VerifyReport:
    """Walk the chain, recompute the rows bound into it, and compare the head with its anchors.

    Reports every gap, edited or forged event, row changed or added behind the log's back,
    and head that no longer reaches an anchored one. A clean run appends a new anchor.
    """
    keys = keys or _keys(session)
    report = VerifyReport(events=0)
    bound: dict[tuple[str, int], str] = {}
    hashes: dict[int, str] = {}
    prev_hash, expected_seq = GENESIS, 1
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        report.events += 1
        if event.seq != expected_seq:
            report.problems.append(
                f"events {expected_seq}..{event.seq - 1} are missing (deleted rows)"
            )
        elif event.prev_hash != prev_hash:
            report.problems.append(f"event {event.seq} does not link to event {event.seq - 1}")
        payload = link_payload(
            event.prev_hash,
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.application_id,
            event.detail,
        )
        if keys.signer_of(payload, event.hash) is None:
            report.problems.append(
                f"event {event.seq} ({event.action} by {event.actor}) was edited after it was "
                "written, or the chain was rewritten without the audit key: its signature "
                "does not match"
            )
        _collect_bound(event, bound)
        hashes[event.seq] = event.hash
        prev_hash, expected_seq = event.hash, event.seq + 1
    head = session.get(AuditHead, 1)
    if head is None:
        report.problems.append("the audit head row is missing")
    elif head.seq != expected_seq - 1 or head.hash != prev_hash:
        report.problems.append(
            f"the log ends at event {expected_seq - 1} but the head records event {head.seq}: "
            "the newest events were deleted or the head was altered"
        )
    report.problems += _check_rows(session, bound)
    if anchors is not None:
        report.problems += _check_anchors(anchors, hashes, expected_seq - 1)
        if report.ok and expected_seq > 1:
            report.anchored = auditkeys.write_anchor(anchors, expected_seq - 1, prev_hash)
    return report


def _collect_bound(event: AuditEvent, bound: dict[tuple[str, int], str]) -> None:
    try:
        detail = json.loads(event.detail)
    except ValueError:
        return  # the signature check has already reported an unreadable event
    if not isinstance(detail, dict) or not isinstance(detail.get("sha256_row"), str):
        return
    for key, _table, _digest_of in BOUND_ROWS:
        if isinstance(detail.get(key), int):
            bound[(key, detail[key])] = detail["sha256_row"]


def _check_rows(session: Session, bound: dict[tuple[str, int], str]) -> list[str]:
    problems = []
    for key, table, digest_of in BOUND_ROWS:
        label = key.removesuffix("_id")
        for row in session.execute(select(table).order_by(table.id)).scalars():
            recorded = bound.get((key, row.id))
            if recorded is None:
                problems.append(
                    f"{label} {row.id} (application {row.application_id}) has no audit event: "
                    "it was added behind the log's back, or its event was deleted"
                )
            elif recorded != digest_of(row):
                problems.append(
                    f"{label} {row.id} (application {row.application_id}) was changed after "
                    "it was recorded: its content no longer matches the audit log"
                )
    return problems


def _check_anchors(path: Path, hashes: dict[int, str], last: int) -> list[str]:
    problems = []
    for anchor in auditkeys.read_anchors(path):
        if anchor.seq > last:
            problems.append(
                f"the anchor of {anchor.at} records event {anchor.seq}, but the log now ends "
                f"at event {last}: newer events were deleted"
            )
        elif hashes.get(anchor.seq) != anchor.hash:
            problems.append(
                f"event {anchor.seq} differs from the anchor of {anchor.at}: the chain was "
                "rewritten since then"
            )
    return problems


def events_for(session: Session, application_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.application_id == application_id)
        .order_by(AuditEvent.seq)
    )
    return list(session.execute(stmt).scalars())
