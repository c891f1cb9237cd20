"""Hand-built applications and PDFs for store and UI tests (no extraction or classifier needed)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import text
from sqlalchemy.orm import Session

from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.model import (
    ApplicationResult,
    DocumentInfo,
    EndUse,
    Evidence,
    Item,
    Page,
    Party,
    Suggestion,
)
from exportdesk.review.store import CaseStore

HOSTILE_PARTY = "<img src=x onerror=alert(1)>"
HOSTILE_FILENAME = "../../etc/<b>passwd</b>\x07.pdf"


def pdf_bytes(label: str = "A", lines: list[str] | None = None) -> bytes:
    """A one-page digital PDF; ``label`` makes the bytes (and so the SHA-256) distinct."""
    lines = lines or [
        "Applicant: Nordlicht Optronik GmbH, Munich, Germany",
        "Consignee: Andes Survey Ltda, Santiago, Chile",
        "1. Thermal imaging camera TIC-640, 12 units, EUR 51,000",
        "2. Spare lens assembly 25 mm, 24 units, EUR 7,440",
        "End use: border surveillance by the national police.",
        f"Reference {label}",
    ]
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    y = 780
    for line in lines:
        c.drawString(50, y, line)
        y -= 24
    c.showPage()
    c.save()
    return buffer.getvalue()


def _sug(catalogue: str, code: str, confidence: float, title: str) -> Suggestion:
    return Suggestion(
        catalogue=catalogue,
        code=code,
        title=title,
        confidence=confidence,
        rationale=f"The description matches the wording of {code}: {title}.",
        model_version="fake-classifier-1",
        catalogue_edition="test-edition",
    )


def make_result(
    data: bytes,
    filename: str = "app.pdf",
    party_name: str | None = None,
    us: bool = False,
    declared: str | None = None,
) -> ApplicationResult:
    """A plausible result for the PDF from ``pdf_bytes``: two parties, two items, one end use.

    ``us`` adds US suggestions to item 1 (so it needs an EU and a US decision); ``declared``
    is the code the applicant declared for item 1.
    """
    us_suggestions = (
        [
            _sug("us-ccl", "6A003.b.4", 0.74, "Cameras, thermal imaging"),
            _sug("us-usml", "XII(c)", 0.15, "Infrared focal plane arrays"),
        ]
        if us
        else []
    )

    def ev(line: int) -> list[Evidence]:
        top = 842 - 780 - 10 + line * 24
        return [Evidence(page=1, bbox=(50, top, 400, top + 12), text="…", source="text_layer")]

    return ApplicationResult(
        document=DocumentInfo(
            filename=filename,
            sha256=sha256_bytes(data),
            page_count=1,
            pages=[Page(page=1, source="text_layer", width=595, height=842)],
        ),
        parties=[
            Party(
                role="applicant",
                name=party_name or "Nordlicht Optronik GmbH",
                country="DE",
                confidence=0.95,
                evidence=ev(0),
            ),
            Party(
                role="consignee",
                name="Andes Survey Ltda",
                country="CL",
                confidence=0.42,
                evidence=ev(1),
            ),
        ],
        items=[
            Item(
                index=1,
                description="Thermal imaging camera TIC-640",
                quantity=12,
                currency="EUR",
                total_value=51000,
                confidence=0.9,
                evidence=ev(2),
                suggestions=[
                    _sug("eu-dual-use", "6A003", 0.81, "Cameras"),
                    _sug("eu-dual-use", "6A002", 0.12, "Optical sensors"),
                    _sug("eu-dual-use", "NOT_LISTED", 0.07, "Not listed"),
                    *us_suggestions,
                ],
                declared_classification=declared,
            ),
            Item(
                index=2,
                description="Spare lens assembly 25 mm",
                quantity=24,
                currency="EUR",
                total_value=7440,
                confidence=0.55,
                evidence=ev(3),
                suggestions=[
                    _sug("eu-dual-use", "NOT_LISTED", 0.48, "Not listed"),
                    _sug("eu-dual-use", "6A004", 0.30, "Optics"),
                ],
            ),
        ],
        end_use=[
            EndUse(
                statement="Border surveillance by the national police.",
                confidence=0.8,
                evidence=ev(4),
            )
        ],
        versions={"classifier": "fake-classifier-1", "catalogues": "test-edition"},
    )


def fake_pipeline(data: bytes, name: str, progress: Any = None) -> ApplicationResult:
    """Stands in for the real pipeline: same bytes, same result (the job must be pure)."""
    if progress is not None:
        progress(1, 1)
    return make_result(data, name)


def confirmed_case(store: Any, label: str = "confirmed", reviewer: str = "reviewer") -> int:
    """An application read, both items decided (6A003, NOT_LISTED) and the review confirmed."""
    data = pdf_bytes(label)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data, f"{label}.pdf"))
    app = receipt.application_id
    version = store.decide(app, store.case(app).version, 1, "eu-dual-use", "6A003", reviewer)
    version = store.decide(app, version, 2, "eu-dual-use", "NOT_LISTED", reviewer)
    store.finish(app, version, "confirmed", reviewer)
    return int(app)


def extracted_case(store: CaseStore, label: str = "A") -> int:
    """An application received and read (with the hand-built result), ready for review."""
    data = pdf_bytes(label)
    receipt = store.receive(data, f"{label}.pdf", "clerk")
    assert store.record_extraction(receipt.sha256, make_result(data, f"{label}.pdf"))
    return receipt.application_id


def allow_tampering(s: Session) -> None:
    """What someone with rights over the schema could do: lift the append-only triggers."""
    if s.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        s.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        s.execute(text("DROP TRIGGER audit_events_no_update"))
        s.execute(text("DROP TRIGGER audit_events_no_delete"))
