"""The append-only audit log: every event hash-chained to the one before, and its verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from exportdesk.review.tables import AuditEvent, AuditHead

GENESIS = "0" * 64


def canonical(detail: dict[str, Any]) -> str:
    return json.dumps(
        detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def link_hash(
    prev_hash: str, seq: int, at: str, actor: str, action: str, app_id: int | None, detail: str
) -> str:
    payload = json.dumps([prev_hash, seq, at, actor, action, app_id, detail], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
        hash=link_hash(head.hash, head.seq, at, actor, action, application_id, body),
    )
    session.add(event)
    head.hash = event.hash
    session.flush()
    return event


@dataclass
class VerifyReport:
    events: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> VerifyReport:
    """Walk the chain from the start; report every gap, edited row and mismatch with the head."""
    report = VerifyReport(events=0)
    prev_hash, expected_seq = GENESIS, 1
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        report.events += 1
        if event.seq != expected_seq:
            report.problems.append(
                f"events {expected_seq}..{event.seq - 1} are missing (deleted rows)"
            )
        elif event.prev_hash != prev_hash:
            report.problems.append(f"event {event.seq} does not link to event {event.seq - 1}")
        recomputed = link_hash(
            event.prev_hash,
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.application_id,
            event.detail,
        )
        if recomputed != event.hash:
            report.problems.append(
                f"event {event.seq} ({event.action} by {event.actor}) was edited after it was "
                "written: its content no longer matches its hash"
            )
        prev_hash, expected_seq = event.hash, event.seq + 1
    head = session.get(AuditHead, 1)
    if head is None:
        report.problems.append("the audit head row is missing")
    elif head.seq != expected_seq - 1 or head.hash != prev_hash:
        report.problems.append(
            f"the log ends at event {expected_seq - 1} but the head records event {head.seq}: "
            "the newest events were deleted or the head was altered"
        )
    return report


def events_for(session: Session, application_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.application_id == application_id)
        .order_by(AuditEvent.seq)
    )
    return list(session.execute(stmt).scalars())
