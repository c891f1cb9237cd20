"""Reviewer decisions on screening hits: every hit confirmed or cleared with a reason, audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from exportdesk.extract.model import Warning
from exportdesk.review import audit
from exportdesk.review.store import CaseStore, CaseView, StoreError
from exportdesk.review.tables import Base, Extraction, utcnow

Outcome = Literal["cleared", "confirmed"]


class _HasId(Protocol):
    id: int


T = TypeVar("T", bound=_HasId)
SCREENING_HIT = "party_screening_hit"


class ScreeningReview(Base):
    """One reviewer's word on one hit; rows are only added, the latest per hit counts."""

    __tablename__ = "screening_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    party: Mapped[str] = mapped_column(String(500))
    entry_uid: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScreeningError(StoreError):
    """A screening review the store refused; the message says what to do."""


@dataclass(frozen=True)
class HitView:
    """A screening hit of an application with the latest reviewer decision on it, if any."""

    party: str
    entry_uid: str
    entry_name: str
    score: float
    programs: list[str]
    message: str
    outcome: str | None = None
    reason: str | None = None
    decided_by: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.party, self.entry_uid)


def _hits(case: CaseView) -> list[Warning]:
    if case.result is None:
        return []
    return [w for w in case.result.warnings if w.code == SCREENING_HIT and w.detail]


def screening_hits(store: CaseStore, case: CaseView) -> list[HitView]:
    """The application's hits, each with its latest decision (None while open)."""
    with store.session() as s:
        rows = s.scalars(
            select(ScreeningReview)
            .where(ScreeningReview.application_id == case.id)
            .order_by(ScreeningReview.id)
        ).all()
        latest = {(r.party, r.entry_uid): r for r in rows}
    views = []
    for w in _hits(case):
        d = w.detail or {}
        row = latest.get((d["party"], d["entry_uid"]))
        views.append(
            HitView(
                party=d["party"],
                entry_uid=d["entry_uid"],
                entry_name=d.get("entry_name", ""),
                score=float(d.get("score", 0.0)),
                programs=list(d.get("programs", [])),
                message=w.message,
                outcome=row.outcome if row else None,
                reason=row.reason if row else None,
                decided_by=row.decided_by if row else None,
            )
        )
    return views


def open_hits(store: CaseStore, case: CaseView) -> int:
    return sum(1 for h in screening_hits(store, case) if h.outcome is None)


def review_hit(
    store: CaseStore,
    application_id: int,
    party: str,
    entry_uid: str,
    outcome: Outcome,
    reason: str,
    actor: str,
) -> None:
    """Record that a hit is a false match (cleared) or the listed party (confirmed)."""
    reason = reason.strip()
    if outcome not in ("cleared", "confirmed"):
        raise ScreeningError(f"outcome must be 'cleared' or 'confirmed', not {outcome!r}")
    if not reason:
        raise ScreeningError("give the reason for clearing or confirming the hit")
    case = store.case(application_id)
    hit = next(
        (
            w
            for w in _hits(case)
            if (w.detail or {}).get("party") == party
            and (w.detail or {}).get("entry_uid") == entry_uid
        ),
        None,
    )
    if hit is None:
        raise ScreeningError(
            f"application {application_id} has no screening hit of '{party}' on {entry_uid}; "
            "reload the case"
        )
    with store.session() as s:
        s.add(
            ScreeningReview(
                application_id=application_id,
                party=party,
                entry_uid=entry_uid,
                outcome=outcome,
                reason=reason,
                decided_by=actor,
            )
        )
        detail = hit.detail or {}
        audit.append(
            s,
            actor,
            f"screening_hit_{outcome}",
            application_id,
            {
                "party": party,
                "entry": f"{detail.get('entry_name')} ({entry_uid})",
                "score": detail.get("score"),
                "list_edition": detail.get("list_edition"),
                "reason": reason,
            },
        )


@dataclass(frozen=True)
class RiskSummary:
    """What the Queue shows of an application's risk findings, and the order it sorts by."""

    open_hits: int = 0
    confirmed_hits: int = 0
    red_flags: int = 0
    inconsistencies: int = 0

    @property
    def score(self) -> int:
        # An open or confirmed hit outweighs any number of flags: it blocks the decision.
        hits = self.open_hits + self.confirmed_hits
        return 1000 * hits + 10 * self.red_flags + 5 * self.inconsistencies

    @property
    def badge(self) -> str:
        parts = []
        if self.open_hits:
            parts.append(f"⛔ {self.open_hits} open hit(s)")
        if self.confirmed_hits:
            parts.append(f"⛔ {self.confirmed_hits} confirmed hit(s)")
        if self.red_flags:
            parts.append(f"⚠ {self.red_flags} flag(s)")
        if self.inconsistencies:
            parts.append(f"≠ {self.inconsistencies}")
        return " · ".join(parts) or "—"


def risk_summaries(store: CaseStore, application_ids: list[int]) -> dict[int, RiskSummary]:
    """Risk of each application from its latest extraction and the screening decisions."""
    if not application_ids:
        return {}
    with store.session() as s:
        latest = (
            select(func.max(Extraction.id))
            .where(Extraction.application_id.in_(application_ids))
            .group_by(Extraction.application_id)
        )
        extractions = s.scalars(select(Extraction).where(Extraction.id.in_(latest))).all()
        reviews = s.scalars(
            select(ScreeningReview)
            .where(ScreeningReview.application_id.in_(application_ids))
            .order_by(ScreeningReview.id)
        ).all()
        decided = {(r.application_id, r.party, r.entry_uid): r.outcome for r in reviews}
        out = {}
        for ex in extractions:
            warnings = (ex.result or {}).get("warnings", [])
            codes = Counter(w.get("code") for w in warnings)
            outcomes = [
                decided.get((ex.application_id, w["detail"]["party"], w["detail"]["entry_uid"]))
                for w in warnings
                if w.get("code") == SCREENING_HIT and w.get("detail")
            ]
            out[ex.application_id] = RiskSummary(
                open_hits=sum(1 for o in outcomes if o is None),
                confirmed_hits=sum(1 for o in outcomes if o == "confirmed"),
                red_flags=codes.get("end_use_red_flag", 0),
                inconsistencies=codes.get("inconsistent_documents", 0),
            )
    return out


def by_risk(rows: list[T], summaries: dict[int, RiskSummary]) -> list[T]:
    """Queue rows, highest risk first (ties keep their order)."""
    return sorted(rows, key=lambda r: -summaries.get(r.id, RiskSummary()).score)
