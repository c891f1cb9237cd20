"""The case store: applications through their statuses with originals, results and decisions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from exportdesk.extract.errors import ExportdeskError
from exportdesk.extract.model import ApplicationResult
from exportdesk.extract.settings import Settings
from exportdesk.review import audit
from exportdesk.review.auditkeys import keyring
from exportdesk.review.db import make_engine
from exportdesk.review.migrate import upgrade
from exportdesk.review.originals import OriginalStore, display_name, sha256_of
from exportdesk.review.tables import (
    STATUSES,
    Application,
    Correction,
    Decision,
    Document,
    Extraction,
    SuggestionRow,
    utcnow,
)

# Fields a reviewer may correct, per kind of fact.
EDITABLE: dict[str, tuple[str, ...]] = {
    "parties": ("name", "address", "country"),
    "items": (
        "description",
        "quantity",
        "unit",
        "total_value",
        "currency",
        "model",
        "manufacturer",
        "declared_classification",
    ),
    "end_use": ("statement", "end_user"),
}
SortKey = Literal["oldest", "newest", "lowest_confidence"]


class StoreError(ExportdeskError):
    """A request the store refused; the message says why and what to do."""


class ConflictError(StoreError):
    """Someone else saved the application since this copy was loaded."""


class NotFoundError(StoreError):
    pass


@dataclass(frozen=True)
class Receipt:
    application_id: int
    sha256: str
    filename: str
    duplicate: bool


@dataclass
class QueueRow:
    id: int
    filename: str
    status: str
    created_at: datetime
    min_confidence: float | None
    countries: list[str]
    catalogues: list[str]
    readable: bool | None
    page_count: int | None


@dataclass
class CaseView:
    """One application as the review screen shows it: corrected result, suggestions, decisions."""

    id: int
    filename: str
    sha256: str
    status: str
    version: int
    created_at: datetime
    result: ApplicationResult | None
    versions: dict[str, Any]
    decisions: dict[int, Decision] = field(default_factory=dict)  # latest per item index
    corrected_fields: set[str] = field(default_factory=set)

    @property
    def editable(self) -> bool:
        return self.status in ("extracted", "in_review")


@dataclass
class HistoryEntry:
    seq: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]


class CaseStore:
    """Every read and write the app, the CLI and the worker make; each write is one transaction."""

    def __init__(self, settings: Settings, migrate: bool = True) -> None:
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url)
        if migrate:
            upgrade(self.engine)
        # Every session carries the audit key ring, so events are signed with this store's key.
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"audit_keys": keyring(settings)}
        )
        self.originals = OriginalStore(settings.data_dir / "originals")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    # --- intake -----------------------------------------------------------------------
    def receive(
        self,
        data: bytes,
        filename: str,
        actor: str,
        then: Callable[[Session, Receipt], None] | None = None,
    ) -> Receipt:
        """Keep the original and open an application; the same bytes again are a duplicate.

        ``then`` runs inside the same transaction (intake queues the job there), so the
        records and the job commit together or not at all.
        """
        if not data:
            raise StoreError(f"{display_name(filename)} is empty; nothing was stored.")
        digest = sha256_of(data)
        name = display_name(filename)
        # The file goes to disk before any row can point at it. Writing is idempotent (named
        # by content), so a failed transaction leaves at most a file the next upload reuses.
        self.originals.put(data)
        try:
            return self._open_application(digest, name, len(data), actor, then)
        except IntegrityError:
            # Someone stored the same bytes between our check and our insert: a duplicate.
            return self._open_application(digest, name, len(data), actor, then)

    def _open_application(
        self,
        digest: str,
        name: str,
        size: int,
        actor: str,
        then: Callable[[Session, Receipt], None] | None,
    ) -> Receipt:
        with self.session() as s:
            existing = s.execute(
                select(Application).where(Application.document_sha256 == digest)
            ).scalar_one_or_none()
            if existing is not None:
                audit.append(
                    s, actor, "duplicate_upload", existing.id, {"filename": name, "sha256": digest}
                )
                receipt = Receipt(existing.id, digest, existing.filename, duplicate=True)
                if then is not None:
                    then(s, receipt)
                return receipt
            s.add(Document(sha256=digest, filename=name, size_bytes=size, received_by=actor))
            s.flush()
            app = Application(document_sha256=digest, filename=name, status="received")
            s.add(app)
            s.flush()
            audit.append(
                s,
                actor,
                "received",
                app.id,
                {"filename": name, "sha256": digest, "size_bytes": size},
            )
            receipt = Receipt(app.id, digest, name, duplicate=False)
            if then is not None:
                then(s, receipt)
            return receipt

    def original(self, application_id: int) -> bytes:
        with self.session() as s:
            digest = self._get(s, application_id).document_sha256
        return self.originals.get(digest)

    def original_by_sha(self, sha256: str) -> tuple[bytes, str]:
        with self.session() as s:
            doc = s.get(Document, sha256)
            if doc is None:
                raise NotFoundError(f"No stored document has digest {sha256[:12]}….")
            name = doc.filename
        return self.originals.get(sha256), name

    def record_extraction(
        self,
        sha256: str,
        result: ApplicationResult,
        actor: str = "worker",
        session: Session | None = None,
    ) -> bool:
        """Store the pipeline's result. Returns False (and changes nothing) once review began.

        With ``session``, inside the caller's transaction (the job is marked done in it too).
        """
        if session is None:
            with self.session() as s:
                return self.record_extraction(sha256, result, actor, s)
        s = session
        contract = result.to_contract()
        app = s.execute(
            select(Application).where(Application.document_sha256 == sha256)
        ).scalar_one_or_none()
        if app is None:
            raise NotFoundError(f"No application holds document {sha256[:12]}….")
        if app.status not in ("received", "extracted"):
            return False
        latest = s.execute(
            select(Extraction)
            .where(Extraction.application_id == app.id)
            .order_by(Extraction.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if latest is not None and (latest.result, latest.versions) == (
            json.loads(json.dumps(contract)),
            dict(result.versions),
        ):
            return True  # a re-run that found the same: nothing new to record
        ex = Extraction(application_id=app.id, result=contract, versions=dict(result.versions))
        s.add(ex)
        s.flush()
        for item in result.items:
            for rank, sug in enumerate(item.suggestions):
                s.add(
                    SuggestionRow(
                        extraction_id=ex.id,
                        application_id=app.id,
                        item_index=item.index,
                        rank=rank,
                        catalogue=sug.catalogue,
                        code=sug.code,
                        title=sug.title,
                        confidence=sug.confidence,
                        rationale=sug.rationale,
                        model_version=sug.model_version or result.versions.get("classifier"),
                        catalogue_edition=sug.catalogue_edition
                        or result.versions.get("catalogues"),
                    )
                )
        confidences = [f.confidence for f in (*result.parties, *result.items, *result.end_use)]
        confidences += [i.suggestions[0].confidence for i in result.items if i.suggestions]
        countries = sorted({p.country for p in result.parties if p.country})
        catalogues = sorted({g.catalogue for i in result.items for g in i.suggestions[:1]})
        s.execute(
            update(Application)
            .where(Application.id == app.id)
            .values(
                status="extracted",
                readable=result.readable,
                page_count=result.document.page_count,
                min_confidence=min(confidences) if confidences else None,
                countries="," + ",".join(countries) + "," if countries else "",
                catalogues="," + ",".join(catalogues) + "," if catalogues else "",
                version=Application.version + 1,
                updated_at=utcnow(),
            )
        )
        audit.append(
            s,
            actor,
            "extracted",
            app.id,
            {
                "extraction_id": ex.id,
                "sha256_row": audit.extraction_digest(ex),
                "readable": result.readable,
                "versions": dict(result.versions),
                "warnings": [w.code for w in result.warnings],
                "parties": len(result.parties),
                "items": len(result.items),
            },
        )
        return True

    # --- reading ----------------------------------------------------------------------
    def queue(
        self,
        status: str | None = None,
        country: str | None = None,
        catalogue: str | None = None,
        sort: SortKey = "oldest",
    ) -> list[QueueRow]:
        stmt = select(Application)
        if status:
            stmt = stmt.where(Application.status == status)
        if country:
            stmt = stmt.where(Application.countries.contains(f",{country.upper()},"))
        if catalogue:
            stmt = stmt.where(Application.catalogues.contains(f",{catalogue},"))
        if sort == "lowest_confidence":
            # Applications not yet read sort last: there is nothing to check in them yet.
            stmt = stmt.order_by(
                Application.min_confidence.is_(None), Application.min_confidence, Application.id
            )
        elif sort == "newest":
            stmt = stmt.order_by(Application.id.desc())
        else:
            stmt = stmt.order_by(Application.id)
        with self.session() as s:
            return [
                QueueRow(
                    a.id,
                    a.filename,
                    a.status,
                    a.created_at,
                    a.min_confidence,
                    _split(a.countries),
                    _split(a.catalogues),
                    a.readable,
                    a.page_count,
                )
                for a in s.execute(stmt).scalars()
            ]

    def counts(self) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(
                select(Application.status, func.count()).group_by(Application.status)
            ).all()
        found = {status: int(n) for status, n in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def filter_options(self) -> tuple[list[str], list[str]]:
        """Countries and catalogues present in the queue, for the filter widgets."""
        with self.session() as s:
            rows = s.execute(select(Application.countries, Application.catalogues)).all()
        countries = sorted({c for r in rows for c in _split(r[0])})
        catalogues = sorted({c for r in rows for c in _split(r[1])})
        return countries, catalogues

    def case(self, application_id: int) -> CaseView:
        with self.session() as s:
            return self._case_in(s, application_id)

    def history(self, application_id: int) -> list[HistoryEntry]:
        with self.session() as s:
            self._get(s, application_id)
            return [
                HistoryEntry(e.seq, e.at, e.actor, e.action, json.loads(e.detail))
                for e in audit.events_for(s, application_id)
            ]

    def next_case(self, after_id: int | None = None) -> int | None:
        """The next application waiting for a reviewer, in queue order."""
        stmt = select(Application.id).where(Application.status.in_(("extracted", "in_review")))
        if after_id is not None:
            stmt = stmt.where(Application.id > after_id)
        with self.session() as s:
            return s.execute(stmt.order_by(Application.id).limit(1)).scalar_one_or_none()

    # --- reviewing (all optimistic-locked) ------------------------------------------
    def correct(
        self, application_id: int, version: int, changes: dict[str, Any], actor: str
    ) -> int:
        """Record field corrections; returns the new version. Unchanged values are skipped."""
        with self.session() as s:
            case = self._case_in(s, application_id)
            current = case.result.to_contract() if case.result else None
            if current is None:
                raise StoreError("This application has not been read yet; nothing to correct.")
            trial = json.loads(json.dumps(current))
            for path, value in changes.items():
                set_field(trial, path, None if value == "" else value)
            try:
                # Validation also converts form text to the field's type ("12" -> 12.0).
                checked = ApplicationResult.model_validate(trial).to_contract()
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise StoreError(
                    f"The correction to {where} is not valid: {first['msg']}. "
                    "Nothing was saved; fix that field and save again."
                ) from None
            recorded = []
            for path in changes:
                kind, index, name = _parse_field(path)
                old, value = current[kind][index].get(name), checked[kind][index].get(name)
                if old != value:
                    recorded.append((path, old, value))
            if not recorded:
                return version  # nothing changed, so nothing to save or to conflict with
            new_version = self._bump(s, application_id, version, actor)
            for path, old, value in recorded:
                row = Correction(
                    application_id=application_id,
                    field=path,
                    old_value=json.dumps(old),
                    new_value=json.dumps(value),
                    corrected_by=actor,
                )
                s.add(row)
                s.flush()
                audit.append(
                    s,
                    actor,
                    "field_corrected",
                    application_id,
                    {
                        "field": path,
                        "old": old,
                        "new": value,
                        "correction_id": row.id,
                        "sha256_row": audit.correction_digest(row),
                    },
                )
            return new_version

    def decide(
        self,
        application_id: int,
        version: int,
        item_index: int,
        final_catalogue: str,
        final_code: str,
        actor: str,
        reason: str | None = None,
    ) -> int:
        """Record a person's classification; anything but the top suggestion needs a reason."""
        reason = (reason or "").strip() or None
        with self.session() as s:
            new_version = self._bump(s, application_id, version, actor)
            case = self._case_in(s, application_id)
            if case.result is None or item_index not in {i.index for i in case.result.items}:
                raise StoreError(
                    f"Application {application_id} has no item {item_index}; nothing was saved."
                )
            top = s.execute(
                select(SuggestionRow)
                .where(
                    SuggestionRow.application_id == application_id,
                    SuggestionRow.item_index == item_index,
                )
                .order_by(SuggestionRow.extraction_id.desc(), SuggestionRow.rank)
                .limit(1)
            ).scalar_one_or_none()
            override = top is None or (top.catalogue, top.code) != (final_catalogue, final_code)
            if override and not reason:
                raise StoreError(
                    f"Item {item_index}: {final_catalogue} {final_code} is not the suggested "
                    "code, so an override reason is required. Nothing was saved."
                )
            ex_versions = case.versions
            decision = Decision(
                application_id=application_id,
                item_index=item_index,
                suggested_catalogue=top.catalogue if top else None,
                suggested_code=top.code if top else None,
                suggested_confidence=top.confidence if top else None,
                final_catalogue=final_catalogue,
                final_code=final_code,
                decided_by=actor,
                override_reason=reason if override else None,
                model_version=(top.model_version if top else None) or ex_versions.get("classifier"),
                catalogue_edition=(top.catalogue_edition if top else None)
                or ex_versions.get("catalogues"),
            )
            s.add(decision)
            s.flush()
            audit.append(
                s,
                actor,
                "override" if override else "confirmed_suggestion",
                application_id,
                {
                    "item": item_index,
                    "decision_id": decision.id,
                    "sha256_row": audit.decision_digest(decision),
                    "suggested": f"{top.catalogue} {top.code}" if top else None,
                    "final": f"{final_catalogue} {final_code}",
                    "reason": decision.override_reason,
                    "model_version": decision.model_version,
                    "catalogue_edition": decision.catalogue_edition,
                },
            )
            return new_version

    def finish(
        self,
        application_id: int,
        version: int,
        outcome: Literal["confirmed", "returned"],
        actor: str,
        reason: str | None = None,
    ) -> int:
        """Confirm the whole application (every item decided) or return it to the applicant."""
        reason = (reason or "").strip() or None
        with self.session() as s:
            new_version = self._bump(s, application_id, version, actor, status=outcome)
            case = self._case_in(s, application_id)
            if outcome == "returned" and not reason:
                raise StoreError("Say why the application goes back to the applicant.")
            if outcome == "confirmed":
                if case.result is None or not case.result.readable:
                    raise StoreError(
                        "An application that could not be read cannot be "
                        "confirmed; return it to the applicant instead."
                    )
                missing = [i.index for i in case.result.items if i.index not in case.decisions]
                if missing:
                    raise StoreError(
                        "These items have no decision yet: "
                        + ", ".join(map(str, missing))
                        + ". Decide them first."
                    )
            audit.append(s, actor, outcome, application_id, {"reason": reason})
            return new_version

    # --- internals -----------------------------------------------------------------
    def _get(self, s: Session, application_id: int) -> Application:
        app = s.get(Application, application_id)
        if app is None:
            raise NotFoundError(f"There is no application {application_id}.")
        return app

    def _case_in(self, s: Session, application_id: int) -> CaseView:
        """The application with its corrections applied, read inside the caller's transaction."""
        app = self._get(s, application_id)
        ex = s.execute(
            select(Extraction)
            .where(Extraction.application_id == application_id)
            .order_by(Extraction.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        corrections = (
            s.execute(
                select(Correction)
                .where(Correction.application_id == application_id)
                .order_by(Correction.id)
            )
            .scalars()
            .all()
        )
        decisions = s.execute(
            select(Decision).where(Decision.application_id == application_id).order_by(Decision.id)
        ).scalars()
        result = None
        if ex is not None:
            data = json.loads(json.dumps(ex.result))
            for c in corrections:
                set_field(data, c.field, json.loads(c.new_value) if c.new_value else None)
            data.setdefault("versions", ex.versions)
            result = ApplicationResult.model_validate(data)
        return CaseView(
            id=app.id,
            filename=app.filename,
            sha256=app.document_sha256,
            status=app.status,
            version=app.version,
            created_at=app.created_at,
            result=result,
            versions=dict(ex.versions) if ex else {},
            decisions={d.item_index: d for d in decisions},
            corrected_fields={c.field for c in corrections},
        )

    def _bump(
        self, s: Session, application_id: int, version: int, actor: str, status: str | None = None
    ) -> int:
        """Advance the version if it is still ``version``; otherwise raise ConflictError."""
        # The conditional UPDATE is what guards against lost updates: of two saves that
        # both started from ``version``, only the first matches the WHERE clause.
        current = s.execute(select(Application.status).where(Application.id == application_id))
        now_status = current.scalar_one_or_none()
        if now_status is None:
            raise NotFoundError(f"There is no application {application_id}.")
        if now_status not in ("extracted", "in_review"):
            raise StoreError(
                f"Application {application_id} is {now_status.replace('_', ' ')}; "
                "it can no longer be changed."
            )
        done = s.execute(
            update(Application)
            .where(Application.id == application_id, Application.version == version)
            .values(version=version + 1, updated_at=utcnow(), status=status or "in_review")
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            app = self._get(s, application_id)
            s.refresh(app)
            last = s.execute(
                select(audit.AuditEvent)
                .where(audit.AuditEvent.application_id == application_id)
                .order_by(audit.AuditEvent.seq.desc())
                .limit(1)
            ).scalar_one_or_none()
            who = f" by {last.actor} at {last.at[11:19]} UTC" if last else ""
            raise ConflictError(
                f"Application {application_id} was saved{who} while you were working on it "
                f"(you started from version {version}; it is now version {app.version}). "
                "Your change was not saved and is still on screen: reload the application, "
                "check their change, then apply yours again."
            )
        if now_status == "extracted":
            audit.append(s, actor, "review_started", application_id, {})
        return version + 1


def _split(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _parse_field(path: str) -> tuple[str, int, str]:
    try:
        kind, index, name = path.split(".")
        position = int(index)
    except ValueError:
        raise StoreError(
            f"{path!r} does not name a field (expected e.g. parties.0.name)."
        ) from None
    if kind not in EDITABLE or name not in EDITABLE[kind]:
        raise StoreError(f"{path!r} is not a field a reviewer can correct.")
    return kind, position, name


def set_field(data: dict[str, Any], path: str, value: Any) -> None:
    kind, index, name = _parse_field(path)
    try:
        data[kind][index][name] = value
    except (IndexError, KeyError):
        raise StoreError(f"{path!r} does not exist in this application.") from None
