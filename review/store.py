"""The case store: applications through their statuses with originals, results and decisions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from exportdesk.extract.errors import ExportdeskError
from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.model import ApplicationResult, Item, Suggestion
from exportdesk.extract.names import display_name
from exportdesk.extract.settings import Settings
from exportdesk.review import audit
from exportdesk.review.auditkeys import keyring
from exportdesk.review.corrections import (
    EDITABLE,
    NUMBER_FIELDS,
    CorrectionError,
    FieldPath,
    new_fact,
    parse_number,
    plain_error,
    where,
)
from exportdesk.review.db import make_engine
from exportdesk.review.decisions import conflict_count, families, family_name, family_of
from exportdesk.review.migrate import upgrade
from exportdesk.review.originals import OriginalStore
from exportdesk.review.tables import (
    STATUSES,
    Application,
    Correction,
    Document,
    Extraction,
    suggestion_in,
    utcnow,
)
from exportdesk.review.tables import Decision as DecisionRecord
from exportdesk.review.values import CaseView, Decision, HistoryEntry, QueueRow, Receipt

__all__ = [
    "EDITABLE",
    "CaseStore",
    "CaseView",
    "Decision",
    "FieldPath",
    "HistoryEntry",
    "QueueRow",
    "Receipt",
]

SortKey = Literal["oldest", "newest", "lowest_confidence", "attention"]


class StoreError(ExportdeskError):
    """A request the store refused; the message says why and what to do."""


class ConflictError(StoreError):
    """Someone else saved the application since this copy was loaded."""


class NotFoundError(StoreError):
    pass


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
        digest = sha256_bytes(data)  # the one hash of this upload; handed on from here
        name = display_name(filename)
        # The file goes to disk before any row can point at it. Writing is idempotent (named
        # by content), so a failed transaction leaves at most a file the next upload reuses.
        self.originals.put(data, digest)
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
                receipt = Receipt(
                    application_id=existing.id,
                    sha256=digest,
                    filename=existing.filename,
                    duplicate=True,
                )
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
            receipt = Receipt(application_id=app.id, sha256=digest, filename=name, duplicate=False)
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
                declared_conflicts=conflict_count(result),
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
        if sort == "attention":
            # Declared codes that contradict the suggestion first, then the least certain.
            stmt = stmt.order_by(
                Application.declared_conflicts.desc(),
                Application.min_confidence.is_(None),
                Application.min_confidence,
                Application.id,
            )
        elif sort == "lowest_confidence":
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
                QueueRow.of(
                    a,
                    countries=_split(a.countries),
                    catalogues=_split(a.catalogues),
                    declared_conflicts=a.declared_conflicts or 0,
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
                HistoryEntry.of(e, detail=json.loads(e.detail))
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
        self,
        application_id: int,
        version: int,
        changes: dict[str, Any],
        actor: str,
        added: dict[str, list[dict[str, Any]]] | None = None,
        removed: dict[str, list[int]] | None = None,
        locale: str = "en",
    ) -> int:
        """Record field corrections and facts added or removed by hand; returns the new version.

        ``changes`` maps field paths (``FieldPath`` or its text: ``items[1].quantity`` names
        item 1 by its index, ``parties.0.name`` the first party) to values as typed (numbers
        in ``locale``); ``removed`` lists item indices, and positions of parties and end-use
        statements; ``added`` new facts per kind.
        Unchanged values are skipped, so saving an untouched form changes nothing.
        """
        added, removed = added or {}, removed or {}
        with self.session() as s:
            case = self._case_in(s, application_id)
            current = case.result.to_contract() if case.result else None
            if current is None:
                raise StoreError("This application has not been read yet; nothing to correct.")
            trial = json.loads(json.dumps(current))
            located: list[tuple[FieldPath, int]] = []
            try:
                for path, value in changes.items():
                    field_path = FieldPath.parse(path)
                    kind, name = field_path.kind, field_path.name
                    position = field_path.position(current[kind])
                    located.append((field_path, position))
                    if name in NUMBER_FIELDS:
                        try:
                            value = parse_number(value, locale)
                        except CorrectionError as exc:
                            place = where(kind, position, name, current[kind][position])
                            raise CorrectionError(f"{place}: {exc}") from None
                    trial[kind][position][name] = None if value == "" else value
                # Field edits are checked first: their paths name facts before removals.
                trial = _validated(trial).to_contract()
                edited = json.loads(json.dumps(trial))
                for kind, keys in removed.items():
                    for position in sorted(_positions(kind, keys, edited[kind]), reverse=True):
                        index = edited[kind][position].get("index")
                        if kind == "items" and index in case.decisions:
                            raise CorrectionError(
                                f"Item {index} already has a decision, so it cannot be removed."
                            )
                        del edited[kind][position]
                # A new item is numbered after every item ever read, so it never takes the
                # index (and with it the suggestions) of one removed before.
                extracted = s.get(Extraction, case.extraction_id)
                read_items = list(extracted.result.get("items") or []) if extracted else []
                for kind, facts in added.items():
                    for values in facts:
                        for name in NUMBER_FIELDS & values.keys():
                            values = {**values, name: parse_number(values[name], locale)}
                        taken = edited[kind] + (read_items if kind == "items" else [])
                        edited[kind].append(new_fact(kind, values, taken))
                corrected = _validated(edited)
            except CorrectionError as exc:
                raise StoreError(f"{exc} Nothing was saved; fix it and save again.") from None
            checked = corrected.to_contract()
            recorded = []
            for field_path, position in located:
                kind, name = field_path.kind, field_path.name
                old, value = current[kind][position].get(name), trial[kind][position].get(name)
                if old != value:
                    recorded.append((str(field_path), old, value))
            lists = [k for k in EDITABLE if k in added or k in removed]
            if not recorded and not lists:
                return version  # nothing changed, so nothing to save or to conflict with
            new_version = self._bump(s, application_id, version, actor)
            s.execute(
                update(Application)
                .where(Application.id == application_id)
                .values(declared_conflicts=conflict_count(corrected))
            )
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
            for kind in lists:
                # The whole list after this save: replayed after the field corrections above.
                s.add(
                    Correction(
                        application_id=application_id,
                        field=kind,
                        old_value=json.dumps(_without_suggestions(current[kind])),
                        new_value=json.dumps(_without_suggestions(checked[kind])),
                        corrected_by=actor,
                    )
                )
                audit.append(
                    s,
                    actor,
                    "facts_changed",
                    application_id,
                    {
                        "kind": kind,
                        "removed": [
                            _fact_title(kind, current[kind][p]) for p in removed.get(kind, [])
                        ],
                        "added": [
                            _fact_title(kind, f)
                            for f in checked[kind][len(checked[kind]) - len(added.get(kind, [])) :]
                        ],
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
        change_reason: str | None = None,
        *,
        also: Callable[[Session, int], None] | None = None,
    ) -> int:
        """Record a person's classification of one item in one catalogue family (EU or US).

        Any of the model's suggestions can be confirmed as it is; another code is an override
        and needs ``reason``. An item already decided in that family is changed only through
        the explicit change: ``change_reason`` says why, and both decisions stay on record.
        A second save without it is refused, so a decision is never replaced silently.
        ``also(session, decision_id)`` records what goes with the decision (such as the
        precedent it was taken from) in the same transaction: if it fails, nothing is saved.
        """
        reason = (reason or "").strip() or None
        change = None if change_reason is None else change_reason.strip()
        family = family_of(final_catalogue)
        with self.session() as s:
            new_version = self._bump(s, application_id, version, actor)
            case = self._case_in(s, application_id)
            if case.result is None or item_index not in {i.index for i in case.result.items}:
                raise StoreError(
                    f"Application {application_id} has no item {item_index}; nothing was saved."
                )
            current = case.by_family.get((item_index, family))
            subject = f"Item {item_index} ({family_name(family)})"
            if current is not None and change is None:
                raise StoreError(
                    f"{subject} is already decided: {current.final_catalogue} "
                    f"{current.final_code} by {current.decided_by}. To replace it, use "
                    "“Change decision” and say why. Nothing was saved."
                )
            if current is not None and not change:
                raise StoreError(f"{subject}: say why the decision changes. Nothing was saved.")
            if current is None and change is not None:
                raise StoreError(f"{subject} has no decision to change yet. Nothing was saved.")
            # The suggestions the screen shows are the ones checked here: the item's, in the
            # newest extraction (the one stored copy), ranked as the model ranked them.
            item = next(i for i in case.result.items if i.index == item_index)
            in_family = [
                (rank, sug)
                for rank, sug in enumerate(item.suggestions)
                if family_of(sug.catalogue) == family
            ]
            top_rank, top = in_family[0] if in_family else (None, None)
            chosen = next(
                (
                    rank
                    for rank, sug in in_family
                    if (sug.catalogue, sug.code) == (final_catalogue, final_code)
                ),
                None,
            )
            override = chosen is None
            reason = reason or (change if override else None)
            if override and not reason:
                raise StoreError(
                    f"{subject}: {final_catalogue} {final_code} is not among the suggestions, "
                    "so an override reason is required. Nothing was saved."
                )
            ex_versions = case.versions
            decision = DecisionRecord(
                application_id=application_id,
                item_index=item_index,
                family=family,
                extraction_id=case.extraction_id,
                suggestion_rank=top_rank,
                final_catalogue=final_catalogue,
                final_code=final_code,
                decided_by=actor,
                override_reason=reason if override else None,
                model_version=(top.model_version if top else None) or ex_versions.get("classifier"),
                catalogue_edition=(top.catalogue_edition if top else None)
                or ex_versions.get("catalogues"),
                replaces_id=current.id if current else None,
                change_reason=change or None,
            )
            s.add(decision)
            s.flush()
            action = "override" if override else "confirmed_suggestion"
            detail: dict[str, Any] = {
                "item": item_index,
                "family": family,
                "decision_id": decision.id,
                "sha256_row": audit.decision_digest(decision),
                "suggested": f"{top.catalogue} {top.code}" if top else None,
                "final": f"{final_catalogue} {final_code}",
                "rank": chosen + 1 if chosen is not None else None,
                "reason": decision.override_reason,
                "model_version": decision.model_version,
                "catalogue_edition": decision.catalogue_edition,
            }
            if current is not None:
                action = "decision_changed"
                detail |= {
                    "previous": f"{current.final_catalogue} {current.final_code}",
                    "previous_by": current.decided_by,
                    "change_reason": change,
                }
            audit.append(s, actor, action, application_id, detail)
            if also is not None:
                also(s, decision.id)
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
                missing = [
                    f"{item.index} ({family_name(f)})" if f else str(item.index)
                    for item in case.result.items
                    for f in families(item) or [""]
                    if (
                        (item.index, f) not in case.by_family
                        if f
                        else item.index not in case.decisions
                    )
                ]
                if missing:
                    raise StoreError(
                        "These items have no decision yet: "
                        + ", ".join(missing)
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
        records = list(
            s.execute(
                select(DecisionRecord)
                .where(DecisionRecord.application_id == application_id)
                .order_by(DecisionRecord.id)
            ).scalars()
        )
        result, corrected = replay(ex, corrections) if ex is not None else (None, frozenset())
        return CaseView.of(
            app,
            sha256=app.document_sha256,
            result=result,
            versions=dict(ex.versions) if ex else {},
            extraction_id=ex.id if ex else None,
            corrected_fields=corrected,
            all_decisions=decision_values(s, records),
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


def _without_suggestions(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facts as a correction stores them: items without their suggestions, which stay only
    in the extraction (``_attach_suggestions`` puts them back by index)."""
    return [{k: v for k, v in f.items() if k != "suggestions"} for f in facts]


def _attach_suggestions(data: dict[str, Any], extracted: dict[str, Any]) -> None:
    """Give each item of a corrected result its suggestions from the extraction (their one
    stored copy), by item index; an item typed in by hand has none."""
    stored = {item.get("index"): item.get("suggestions") or [] for item in extracted["items"]}
    for item in data.get("items") or []:
        item["suggestions"] = json.loads(json.dumps(stored.get(item.get("index"), [])))


def _suggestion(raw: dict[str, Any], versions: dict[str, Any]) -> Suggestion:
    """A stored suggestion, with the run's versions where it names none itself."""
    sug = Suggestion.model_validate(raw)
    return sug.model_copy(
        update={
            "model_version": sug.model_version or versions.get("classifier"),
            "catalogue_edition": sug.catalogue_edition or versions.get("catalogues"),
        }
    )


def decision_values(s: Session, records: list[DecisionRecord]) -> list[Decision]:
    """Decisions as typed values, each with the suggestion it names read from its extraction."""
    wanted = {r.extraction_id for r in records if r.extraction_id is not None}
    extractions = {
        ex.id: ex for ex in s.execute(select(Extraction).where(Extraction.id.in_(wanted))).scalars()
    }
    out = []
    for r in records:
        ex = extractions.get(r.extraction_id) if r.extraction_id is not None else None
        raw = suggestion_in(ex.result, r.item_index, r.suggestion_rank) if ex else None
        suggested = _suggestion(raw, ex.versions) if raw and ex else None
        out.append(Decision.of(r, suggested=suggested))
    return out


def latest_items(s: Session, application_ids: list[int]) -> dict[tuple[int, int], Item]:
    """Each item as its application's newest extraction read it, keyed by (application id,
    item index), with its suggestions ranked as the model ranked them (their one copy)."""
    newest = (
        select(func.max(Extraction.id))
        .where(Extraction.application_id.in_(application_ids))
        .group_by(Extraction.application_id)
    )
    out: dict[tuple[int, int], Item] = {}
    for ex in s.execute(select(Extraction).where(Extraction.id.in_(newest))).scalars():
        for raw in ex.result.get("items") or []:
            item = Item.model_validate(raw)
            item.suggestions = [_suggestion(g.model_dump(), ex.versions) for g in item.suggestions]
            out[(ex.application_id, item.index)] = item
    return out


def _split(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _validated(data: dict[str, Any]) -> ApplicationResult:
    try:
        # Validation also converts form text to the field's type ("12" -> 12.0).
        return ApplicationResult.model_validate(data)
    except ValidationError as exc:
        raise CorrectionError(plain_error(exc.errors()[0], data)) from None


def _fact_title(kind: str, fact: dict[str, Any]) -> str:
    if kind == "parties":
        return f"{str(fact.get('role', '')).replace('_', ' ')}: {fact.get('name', '')}"
    if kind == "items":
        return f"item {fact.get('index')}: {fact.get('description', '')}"
    return str(fact.get("statement", ""))[:80]


def _positions(kind: str, keys: list[int], facts: list[dict[str, Any]]) -> set[int]:
    """Where the facts to remove stand: items named by index, the others by position."""
    name = EDITABLE[kind][0]
    return {FieldPath(kind=kind, key=key, name=name).position(facts) for key in set(keys)}


def replay(
    extraction: Extraction, corrections: Sequence[Correction]
) -> tuple[ApplicationResult, frozenset[str]]:
    """The extraction's result with the corrections applied in order, and the fields they
    corrected (items by index). Suggestions come from the extraction, never a correction."""
    data = json.loads(json.dumps(extraction.result))
    corrected: set[str] = set()
    for c in corrections:
        value = json.loads(c.new_value) if c.new_value else None
        if c.field in EDITABLE:  # a whole list: facts were added or removed by hand
            data[c.field] = value if isinstance(value, list) else []
            continue
        try:
            path = FieldPath.parse(c.field, stored=True)
            facts = data[path.kind]
            facts[path.position(facts)][path.name] = value
        except CorrectionError as exc:
            raise StoreError(
                f"Correction {c.id} of application {c.application_id} cannot be applied ({exc}); "
                "report it to the exportdesk team."
            ) from None
        corrected.add(str(path.by_index(facts)))
    data.setdefault("versions", extraction.versions)
    _attach_suggestions(data, extraction.result)
    return ApplicationResult.model_validate(data), frozenset(corrected)


def latest_results(s: Session, application_ids: list[int]) -> dict[int, ApplicationResult]:
    """Each application's newest extraction with its corrections applied, in one pass."""
    newest = (
        select(func.max(Extraction.id))
        .where(Extraction.application_id.in_(application_ids))
        .group_by(Extraction.application_id)
    )
    extractions = list(s.execute(select(Extraction).where(Extraction.id.in_(newest))).scalars())
    corrections: dict[int, list[Correction]] = {}
    for c in s.execute(
        select(Correction)
        .where(Correction.application_id.in_(application_ids))
        .order_by(Correction.id)
    ).scalars():
        corrections.setdefault(c.application_id, []).append(c)
    return {
        ex.application_id: replay(ex, corrections.get(ex.application_id, []))[0]
        for ex in extractions
    }
