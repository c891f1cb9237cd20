"""The licence decision: role check, validation, immutable versions, letter read back."""

from __future__ import annotations

import io
from datetime import date

import pdfplumber
import pytest
from casefactory import confirmed_case, make_result, pdf_bytes
from sqlalchemy import text

from exportdesk.review import licensing
from exportdesk.review.duties import reporting_duties
from exportdesk.review.licensing import LicensingError, draft_from
from exportdesk.review.store import CaseStore


def _confirmed(store: CaseStore, label: str = "L") -> int:
    return confirmed_case(store, label, reviewer="rev")


APPROVAL = {
    "outcome": "approve",
    "reasons": "Civil border surveillance; end user vetted.",
    "condition_keys": ["no-reexport", "records"],
    "free_conditions": ["Shipments by sea freight only."],
    "valid_from": date(2027, 1, 1),
    "valid_until": date(2028, 1, 1),
}


@pytest.mark.parametrize("role", ["reviewer", "admin", "clerk", "trainer"])
def test_only_a_licensing_officer_may_issue(store: CaseStore, role: str) -> None:
    app = _confirmed(store)
    with pytest.raises(LicensingError, match="Only a licensing officer"):
        licensing.issue(store, app, draft_from(**APPROVAL), role, role)
    assert licensing.versions(store, app) == []


def test_issue_needs_a_confirmed_review(store: CaseStore) -> None:
    data = pdf_bytes("open")
    receipt = store.receive(data, "open.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data))
    with pytest.raises(LicensingError, match="Finish the review first"):
        licensing.issue(
            store, receipt.application_id, draft_from(**APPROVAL), "lo", "licensing_officer"
        )


def test_decision_flow_issue_then_correct_keeps_both_versions(store: CaseStore) -> None:
    app = _confirmed(store)
    first = licensing.issue(store, app, draft_from(**APPROVAL), "lo", "licensing_officer")
    assert (first.version, first.outcome, first.reference) == (1, "approve", f"EXD-{app:06d}-v1")
    assert [c["template"] for c in first.conditions] == ["no-reexport", "records", None]
    # A second issue without saying it is a correction is refused.
    with pytest.raises(LicensingError, match="issue a correction"):
        licensing.issue(store, app, draft_from(**APPROVAL), "lo", "licensing_officer")
    refusal = {"outcome": "refuse", "reasons": "End user linked to a military programme."}
    second = licensing.issue(
        store, app, draft_from(**refusal), "lo2", "licensing_officer", "New intelligence"
    )
    assert (second.version, second.supersedes_id, second.outcome) == (2, first.id, "refuse")
    kept = licensing.versions(store, app)
    assert [(r.version, r.outcome) for r in kept] == [(1, "approve"), (2, "refuse")]
    actions = [e.action for e in store.history(app)]
    assert actions[-4:] == [
        "licence_issued",
        "letter_generated",
        "licence_corrected",
        "letter_generated",
    ]
    # Each version keeps its own letter.
    assert licensing.letter(store, app, 1) != licensing.letter(store, app, 2)


def test_stored_decision_cannot_be_edited_or_deleted(store: CaseStore) -> None:
    app = _confirmed(store)
    licensing.issue(store, app, draft_from(**APPROVAL), "lo", "licensing_officer")
    for statement in (
        "UPDATE licence_decisions SET outcome = 'refuse'",
        "DELETE FROM licence_decisions",
    ):
        with pytest.raises(Exception, match="append-only"), store.session() as s:
            s.execute(text(statement))
    assert licensing.versions(store, app)[0].outcome == "approve"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"valid_until": date(2026, 1, 1)}, "end after it starts"),
        ({"valid_from": None}, "validity period"),
        ({"reasons": "   "}, "reasons"),
        ({"outcome": "refuse"}, "no conditions or validity"),
    ],
)
def test_incomplete_draft_is_refused_with_reason(change: dict, message: str) -> None:
    with pytest.raises(LicensingError, match=message):
        draft_from(**{**APPROVAL, **change})


def test_unknown_or_retired_condition_is_refused(store: CaseStore) -> None:
    app = _confirmed(store)
    licensing.retire_template(store, "records", "admin", "admin")
    with pytest.raises(LicensingError, match="records"):
        licensing.issue(store, app, draft_from(**APPROVAL), "lo", "licensing_officer")
    with pytest.raises(LicensingError, match="Only a admin"):
        licensing.save_template(store, "x", "Some text", "lo", "licensing_officer")
    licensing.save_template(store, "records", "Keep records ten years.", "admin", "admin")
    issued = licensing.issue(store, app, draft_from(**APPROVAL), "lo", "licensing_officer")
    assert issued.conditions[1]["text"] == "Keep records ten years."


def test_letter_read_back_with_pdfplumber(store: CaseStore) -> None:
    app = _confirmed(store)
    licensing.issue(store, app, draft_from(**APPROVAL), "lo", "licensing_officer")
    with pdfplumber.open(io.BytesIO(licensing.letter(store, app))) as pdf:
        words = " ".join((page.extract_text() or "") for page in pdf.pages)
    flat = " ".join(words.split())
    for expected in (
        f"EXD-{app:06d}-v1",
        "APPROVED",
        "Nordlicht Optronik GmbH",
        "Andes Survey Ltda",
        "Thermal imaging camera",
        "6A003",
        "re-exported",
        "Shipments by sea freight only.",
        "Valid from 2027-01-01 until 2028-01-01",
        "signed for the licensing authority by lo".lower(),
    ):
        assert expected.lower() in flat.lower(), expected


def test_reporting_duties_follow_codes_and_destination() -> None:
    military = reporting_duties("approve", [("eu-military", "ML5.a")], {"JP"})
    assert [d.key for d in military] == ["use-report", "shipment-report"]
    crypto = reporting_duties("approve", [("eu-dual-use", "5A002.a")], {"IN"})
    assert [d.key for d in crypto] == ["use-report", "crypto-report", "end-use-confirmation"]
    assert reporting_duties("approve", [("eu-dual-use", "NOT_LISTED")], {"IN"}) == []
    refused = reporting_duties("refuse", [("eu-dual-use", "6A003")], {"IN"})
    assert [(d.key, d.owed_by) for d in refused] == [("denial-notice", "office")]
