"""The Licensing page: a licensing officer issues and corrects; other roles only read."""

from __future__ import annotations

from casefactory import confirmed_case
from uihelpers import open_page, texts

from exportdesk.review import licensing
from exportdesk.review.store import CaseStore


def _confirmed(store: CaseStore) -> int:
    return confirmed_case(store, "lic")


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


def test_history_shows_the_whole_life_with_letter_versions(store: CaseStore) -> None:
    from datetime import date

    app = _confirmed(store)
    draft = licensing.draft_from(
        outcome="approve",
        reasons="ok",
        valid_from=date(2027, 1, 1),
        valid_until=date(2027, 6, 1),
    )
    licensing.issue(store, app, draft, "lo", "licensing_officer")
    licensing.issue(store, app, draft, "lo", "licensing_officer", correction_reason="dates")
    at = open_page("history", "licensing_officer")
    actions = list(at.table[0].value["what"])
    for step in (
        "received",
        "extracted",
        "review started",
        "confirmed suggestion",
        "confirmed",
        "licence issued",
        "letter generated",
        "licence corrected",
    ):
        assert step in actions, step
    assert actions.count("letter generated") == 2
    labels = [b.label for b in at.get("download_button")]
    assert labels == [f"Letter EXD-{app:06d}-v1 (PDF)", f"Letter EXD-{app:06d}-v2 (PDF)"]
