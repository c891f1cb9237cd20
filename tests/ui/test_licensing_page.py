"""The Licensing page: a licensing officer issues and corrects; other roles only read."""

from __future__ import annotations

from casefactory import make_result, pdf_bytes
from uihelpers import open_page, texts

from exportdesk.review import licensing
from exportdesk.review.store import CaseStore


def _confirmed(store: CaseStore) -> int:
    data = pdf_bytes("lic")
    receipt = store.receive(data, "lic.pdf", "clerk")
    store.record_extraction(receipt.sha256, make_result(data))
    app = receipt.application_id
    v = store.decide(app, store.case(app).version, 1, "eu-dual-use", "6A003", "reviewer")
    v = store.decide(app, v, 2, "eu-dual-use", "NOT_LISTED", "reviewer")
    store.finish(app, v, "confirmed", "reviewer")
    return app


def test_licensing_officer_issues_then_corrects(store: CaseStore) -> None:
    app = _confirmed(store)
    at = open_page("licensing", "licensing_officer")
    assert list(at.table[0].value["codes"]) == ["eu-dual-use 6A003", "eu-dual-use NOT_LISTED"]
    at.text_area(key="l_reasons").set_value("Police end user, vetted.")
    at.multiselect(key="l_conditions").set_value(["no-reexport"])
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert f"Issued EXD-{app:06d}-v1" in texts(at)
    (rec,) = licensing.versions(store, app)
    assert rec.issued_by == "licensing_officer" and rec.conditions[0]["template"] == "no-reexport"
    # A second submission is a correction and needs its reason.
    at.radio(key="l_outcome").set_value("refuse")
    at.text_area(key="l_reasons").set_value("End user listed.")
    at.button[-1].click().run()
    assert "to change it, issue a correction with a reason" in texts(at)
    assert len(licensing.versions(store, app)) == 1
    at.text_input(key="l_correction").set_value("New information on the end user")
    at.radio(key="l_outcome").set_value("refuse")
    at.text_area(key="l_reasons").set_value("End user listed.")
    at.button[-1].click().run()
    assert [r.outcome for r in licensing.versions(store, app)] == ["approve", "refuse"]


def test_admin_reads_but_cannot_issue(store: CaseStore) -> None:
    _confirmed(store)
    at = open_page("licensing", "admin")
    assert "only a licensing officer can issue one" in texts(at)
    submit = next(b for b in at.button if b.label == "Issue decision")
    assert submit.disabled
