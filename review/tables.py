"""The case store's tables. Suggestions (a model's, inside the extraction's result) and
decisions (a person's, naming the suggestion they were made against) live apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STATUSES = ("received", "extracted", "in_review", "confirmed", "returned")
ROLES = ("clerk", "reviewer", "trainer", "admin", "licensing_officer")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    # None for accounts that only ever sign in through OIDC.
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """An original file, immutable, named on disk only by its SHA-256."""

    __tablename__ = "documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))  # display text only, never a path
    size_bytes: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str] = mapped_column(String(200))


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"), unique=True)
    filename: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    # Optimistic lock: every save names the version it started from.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    readable: Mapped[bool | None] = mapped_column(Boolean)
    page_count: Mapped[int | None] = mapped_column(Integer)
    # Denormalised for the queue's filters and sorting; rewritten with every extraction.
    min_confidence: Mapped[float | None] = mapped_column(Float)
    countries: Mapped[str] = mapped_column(String(500), default="")
    catalogues: Mapped[str] = mapped_column(String(500), default="")
    # Items whose applicant-declared code contradicts the suggestion; the queue puts these first.
    declared_conflicts: Mapped[int] = mapped_column(Integer, default=0)


class Extraction(Base):
    """One run of the pipeline over a document: contract JSON plus the versions behind it."""

    __tablename__ = "extractions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def suggestion_in(result: dict[str, Any], item_index: int, rank: int | None) -> dict | None:
    """The suggestion at ``rank`` of item ``item_index`` in a stored result, or None."""
    if rank is None:
        return None
    for item in result.get("items") or []:
        if item.get("index") == item_index:
            ranked = item.get("suggestions") or []
            return ranked[rank] if 0 <= rank < len(ranked) else None
    return None


class Decision(Base):
    """A person's classification of one item in one catalogue family (EU, US).

    A later decision for the same item and family supersedes, never overwrites: it names the
    one it replaces and why (``replaces_id``, ``change_reason``).
    """

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    item_index: Mapped[int] = mapped_column(Integer)
    family: Mapped[str] = mapped_column(String(10), default="eu")
    # The suggestion it was made against: the family's top one, at this rank among the
    # item's suggestions in this extraction (the one stored copy); NULL rank: there was none.
    extraction_id: Mapped[int | None] = mapped_column(ForeignKey("extractions.id"))
    suggestion_rank: Mapped[int | None] = mapped_column(Integer)
    final_catalogue: Mapped[str] = mapped_column(String(40))
    final_code: Mapped[str] = mapped_column(String(60))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    override_reason: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str | None] = mapped_column(String(200))
    catalogue_edition: Mapped[str | None] = mapped_column(String(300))
    replaces_id: Mapped[int | None] = mapped_column(Integer)
    change_reason: Mapped[str | None] = mapped_column(Text)


class Correction(Base):
    """A reviewer's change to one extracted field; the extraction itself stays as read."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    field: Mapped[str] = mapped_column(String(200))  # e.g. "parties.0.name"
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    corrected_by: Mapped[str] = mapped_column(String(200))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """One unit of background work (reading a document, retraining) with its lease.

    A worker owns a running job while ``token`` is its own and ``lease_until`` is ahead;
    every heartbeat pushes the lease on. Only the owner may record a result or finish it.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    document_sha256: Mapped[str | None] = mapped_column(ForeignKey("documents.sha256"), index=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. a retrain request
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. a retrain summary
    requested_by: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))
    token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    done_units: Mapped[int] = mapped_column(Integer, default=0)  # pages read, or steps done
    total_units: Mapped[int | None] = mapped_column(Integer)
    log: Mapped[str | None] = mapped_column(Text)  # the last progress lines, newest last
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class WorkerRow(Base):
    """A worker process, as it last reported itself: the Admin page's view of supervision."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    backend: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_id: Mapped[int | None] = mapped_column(Integer)
    stopped_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """Append-only. Each row's hash covers its content and the previous row's hash."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, hashed exactly as stored
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    application_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's last link, so deleting the newest rows is detected too."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
