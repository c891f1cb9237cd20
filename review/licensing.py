"""The licence decision after review: issue, correct (a new version), read back, and templates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from exportdesk.extract.hashing import sha256_bytes
from exportdesk.review import audit
from exportdesk.review.auth import ACTION_ROLES
from exportdesk.review.duties import reporting_duties
from exportdesk.review.letter import reference, render_letter
from exportdesk.review.licensing_tables import ConditionTemplate, LicenceDecision
from exportdesk.review.store import CaseStore, CaseView, NotFoundError, StoreError
from exportdesk.review.tables import Application
from exportdesk.review.values import Value

OFFICE = "Export Control Office"


class LicensingError(StoreError):
    """A licence decision the store refused; the message says why and what to do."""


class LicenceDraft(BaseModel):
    """What the licensing officer fills in; validated before anything is stored."""

    outcome: Literal["approve", "refuse", "return"]
    reasons: str = Field(min_length=1)
    condition_keys: list[str] = Field(default_factory=list)
    free_conditions: list[str] = Field(default_factory=list)
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LicenceDraft:
        self.reasons = self.reasons.strip()
        if not self.reasons:
            raise ValueError("give the reasons for the decision")
        self.free_conditions = [c.strip() for c in self.free_conditions if c.strip()]
        if self.outcome == "approve":
            if self.valid_from is None or self.valid_until is None:
                raise ValueError("an approval needs a validity period (from and until)")
            if self.valid_until <= self.valid_from:
                raise ValueError("the validity must end after it starts")
        elif self.condition_keys or self.free_conditions or self.valid_from or self.valid_until:
            raise ValueError(
                f"a decision to {self.outcome} carries no conditions or validity; remove them"
            )
        return self


class LicenceRecord(Value):
    """One stored version of a licence decision, as the page and the CLI show it."""

    id: int
    application_id: int
    version: int
    reference: str
    outcome: str
    reasons: str
    conditions: list[dict]
    reporting_duties: list[dict]
    valid_from: date | None
    valid_until: date | None
    snapshot: dict
    issued_by: str
    issued_at: datetime
    supersedes_id: int | None
    correction_reason: str | None
    letter_sha256: str


def _record(row: LicenceDecision) -> LicenceRecord:
    return LicenceRecord.of(row, reference=reference(row.application_id, row.version))


def draft_from(**fields: object) -> LicenceDraft:
    """A draft from form or CLI values, with a readable error instead of a pydantic trace."""
    try:
        return LicenceDraft.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise LicensingError(
            f"The licence decision is not complete: {first['msg'].removeprefix('Value error, ')}. "
            "Nothing was issued."
        ) from None


# --- condition templates (admin) -----------------------------------------------------------
def templates(store: CaseStore, active_only: bool = True) -> list[ConditionTemplate]:
    with store.session() as s:
        stmt = select(ConditionTemplate).order_by(ConditionTemplate.key)
        if active_only:
            stmt = stmt.where(ConditionTemplate.active.is_(True))
        return list(s.execute(stmt).scalars())


def save_template(store: CaseStore, key: str, text: str, actor: str, role: str) -> None:
    """Add a condition template or reword one; letters already issued keep their wording."""
    _require(role, "edit_conditions", "keep the condition templates")
    key, text = key.strip(), " ".join(text.split())
    if not key or any(ch.isspace() for ch in key) or not text:
        raise LicensingError("A condition template needs a key without spaces and some text.")
    with store.session() as s:
        row = s.execute(
            select(ConditionTemplate).where(ConditionTemplate.key == key)
        ).scalar_one_or_none()
        if row is None:
            s.add(ConditionTemplate(key=key, text=text, active=True, created_by=actor))
        else:
            row.text, row.active = text, True
        audit.append(s, actor, "condition_template_saved", detail={"key": key, "text": text})


def retire_template(store: CaseStore, key: str, actor: str, role: str) -> None:
    _require(role, "edit_conditions", "keep the condition templates")
    with store.session() as s:
        row = s.execute(
            select(ConditionTemplate).where(ConditionTemplate.key == key)
        ).scalar_one_or_none()
        if row is None:
            raise LicensingError(f"There is no condition template {key!r}.")
        row.active = False
        audit.append(s, actor, "condition_template_retired", detail={"key": key})


# --- the decision ---------------------------------------------------------------------------
def issue(
    store: CaseStore,
    application_id: int,
    draft: LicenceDraft,
    actor: str,
    role: str,
    correction_reason: str | None = None,
) -> LicenceRecord:
    """Issue the licence decision, or with ``correction_reason`` a new version of it.

    Only a licensing officer may sign. The application must have finished review. The record
    and its letter are written once and never changed.
    """
    _require(role, "issue_licence", "issue a licence decision")
    correction_reason = (correction_reason or "").strip() or None
    case = store.case(application_id)
    if case.status != "confirmed":
        raise LicensingError(
            f"Application {application_id} is {case.status.replace('_', ' ')}; a licence "
            "decision follows a confirmed review. Finish the review first."
        )
    snapshot = snapshot_of(case)
    with store.session() as s:
        latest = _latest(s, application_id)
        if latest is not None and correction_reason is None:
            raise LicensingError(
                f"Application {application_id} already has licence decision version "
                f"{latest.version}; to change it, issue a correction with a reason."
            )
        if latest is None and correction_reason is not None:
            raise LicensingError("There is no decision to correct yet; issue one first.")
        conditions = _conditions(s, draft)
        destinations = {
            p["country"]
            for p in snapshot["parties"]
            if p.get("country") and p["role"] in ("end_user", "consignee")
        }
        codes = [(c["catalogue"], c["code"]) for it in snapshot["items"] for c in it["codes"]]
        duties = [d.as_dict() for d in reporting_duties(draft.outcome, codes, destinations)]
        version = (latest.version + 1) if latest else 1
        issued_at = datetime.now(UTC)
        # What the letter says is what the row keeps.
        content = {
            "application_id": application_id,
            "version": version,
            "outcome": draft.outcome,
            "reasons": draft.reasons,
            "conditions": conditions,
            "valid_from": draft.valid_from,
            "valid_until": draft.valid_until,
            "snapshot": snapshot,
            "issued_by": actor,
            "issued_at": issued_at,
        }
        pdf = render_letter(
            **content,
            duties=duties,
            office=OFFICE,
            supersedes=(latest.version, correction_reason)
            if latest and correction_reason
            else None,
        )
        row = LicenceDecision(
            **content,
            reporting_duties=duties,
            supersedes_id=latest.id if latest else None,
            correction_reason=correction_reason,
            letter_sha256=sha256_bytes(pdf),
            letter_pdf=pdf,
        )
        s.add(row)
        s.flush()
        audit.append(
            s,
            actor,
            "licence_corrected" if latest else "licence_issued",
            application_id,
            {
                "licence_decision_id": row.id,
                "version": version,
                "reference": reference(application_id, version),
                "outcome": draft.outcome,
                "reasons": draft.reasons,
                "conditions": [c["template"] or "free text" for c in conditions],
                "valid_from": draft.valid_from,
                "valid_until": draft.valid_until,
                "duties": [d["key"] for d in duties],
                "supersedes_version": latest.version if latest else None,
                "correction_reason": correction_reason,
            },
        )
        audit.append(
            s,
            actor,
            "letter_generated",
            application_id,
            {"version": version, "sha256": row.letter_sha256, "bytes": len(pdf)},
        )
        return _record(row)


def versions(store: CaseStore, application_id: int) -> list[LicenceRecord]:
    """Every version of the application's licence decision, oldest first."""
    with store.session() as s:
        rows = s.execute(
            select(LicenceDecision)
            .where(LicenceDecision.application_id == application_id)
            .order_by(LicenceDecision.version)
        ).scalars()
        return [_record(r) for r in rows]


def letter(store: CaseStore, application_id: int, version: int | None = None) -> bytes:
    """The letter PDF of one version (the latest by default), checked against its digest."""
    with store.session() as s:
        stmt = select(LicenceDecision).where(LicenceDecision.application_id == application_id)
        if version is not None:
            stmt = stmt.where(LicenceDecision.version == version)
        row = s.execute(stmt.order_by(LicenceDecision.version.desc()).limit(1)).scalar_one_or_none()
        if row is None:
            raise NotFoundError(
                f"Application {application_id} has no licence decision"
                + (f" version {version}." if version else ".")
            )
        pdf = bytes(row.letter_pdf)
    if sha256_bytes(pdf) != row.letter_sha256:
        raise LicensingError(
            f"The stored letter of {reference(application_id, row.version)} does not match its "
            "digest; restore the database from a backup."
        )
    return pdf


def pending(store: CaseStore) -> list[int]:
    """Confirmed applications that have no licence decision yet, oldest first."""
    with store.session() as s:
        decided = select(LicenceDecision.application_id)
        return list(
            s.execute(
                select(Application.id)
                .where(Application.status == "confirmed", Application.id.not_in(decided))
                .order_by(Application.id)
            ).scalars()
        )


def snapshot_of(case: CaseView) -> dict:
    """Parties and items with their current decided codes, as the letter will list them."""
    result = case.result
    if result is None:
        raise LicensingError(f"Application {case.id} was never read; there is nothing to license.")
    codes: dict[int, list[dict]] = {}
    for d in case.in_force():
        codes.setdefault(d.item_index, []).append(
            {
                "catalogue": d.final_catalogue,
                "code": d.final_code,
                "edition": d.catalogue_edition,
                "decision_id": d.id,
                "decided_by": d.decided_by,
            }
        )
    return {
        "filename": case.filename,
        "sha256": case.sha256,
        "parties": [
            {"role": p.role, "name": p.name, "address": p.address, "country": p.country}
            for p in result.parties
        ],
        "items": [
            {
                "index": it.index,
                "description": it.description,
                "model": it.model,
                "manufacturer": it.manufacturer,
                "quantity": it.quantity,
                "unit": it.unit,
                "codes": codes.get(it.index, []),
            }
            for it in result.items
        ],
        "end_use": [e.statement for e in result.end_use],
    }


def _conditions(s: Session, draft: LicenceDraft) -> list[dict]:
    found = {
        t.key: t
        for t in s.execute(
            select(ConditionTemplate).where(ConditionTemplate.key.in_(draft.condition_keys))
        ).scalars()
    }
    unknown = [k for k in draft.condition_keys if k not in found or not found[k].active]
    if unknown:
        raise LicensingError(
            "These conditions are not in the admin's active template list: "
            + ", ".join(unknown)
            + ". Pick others or ask an admin to add them."
        )
    out = [{"template": k, "text": found[k].text} for k in dict.fromkeys(draft.condition_keys)]
    return out + [{"template": None, "text": text} for text in draft.free_conditions]


def _latest(s: Session, application_id: int) -> LicenceDecision | None:
    return s.execute(
        select(LicenceDecision)
        .where(LicenceDecision.application_id == application_id)
        .order_by(LicenceDecision.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _require(role: str, action: str, doing: str) -> None:
    allowed = ACTION_ROLES[action]
    if role not in allowed:
        raise LicensingError(
            f"Only a {' or '.join(sorted(allowed)).replace('_', ' ')} may {doing}; "
            f"you are signed in as {role.replace('_', ' ')}."
        )
