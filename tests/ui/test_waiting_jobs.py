"""A long document's job waiting for its page ranges, as the intake and admin pages show it,
and the admin's retry of a failed range putting it back to waiting."""

from __future__ import annotations

import pytest
from casefactory import pdf_bytes
from uihelpers import open_page, texts

from exportdesk.extract.model import ApplicationResult, DocumentInfo
from exportdesk.extract.ranges import dump_result, page_ranges
from exportdesk.review.jobs import READ_PAGES, DatabaseJobQueue
from exportdesk.review.store import CaseStore

PAGES = 5  # read as ranges of 2: pages 1-2, 3-4 and 5


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _split(store: CaseStore, monkeypatch: pytest.MonkeyPatch) -> tuple[DatabaseJobQueue, list[int]]:
    """The uploaded document's job, claimed by a worker and split into page-range jobs."""
    monkeypatch.setattr(store.settings, "job_max_attempts", 1)
    queue = DatabaseJobQueue(store)
    parent = queue.claim("w1")
    assert parent is not None
    return queue, queue.split(parent, page_ranges(PAGES, 2), PAGES)


def _finish_range(queue: DatabaseJobQueue, job_id: int) -> None:
    claim = queue.claim("w2", job_id)
    assert claim is not None
    pages = int(claim.payload["stop"]) - int(claim.payload["first"])
    part = ApplicationResult(
        document=DocumentInfo(filename="long.pdf", sha256="0" * 64, page_count=pages)
    )
    with queue.store.session() as s:
        queue.complete_range(claim, s, dump_result(part))


def _uploaded_and_split(store: CaseStore, monkeypatch: pytest.MonkeyPatch):
    """The clerk's intake page after uploading a 5-page document, whose job a worker split
    into three ranges, the first of them read: (intake page, queue, range job ids)."""
    at = open_page("intake", "clerk")
    at.file_uploader(key="intake_files_0").set_value(
        [("long.pdf", pdf_bytes("long"), "application/pdf")]
    ).run()
    at.button[0].click().run()
    queue, ranges = _split(store, monkeypatch)
    _finish_range(queue, ranges[0])
    return at, queue, ranges


def test_intake_and_admin_show_a_document_waiting_for_its_page_ranges(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, _, _ = _uploaded_and_split(store, monkeypatch)
    intake.run()
    assert [p.proto.text for p in intake.get("progress")] == ["Application 1: read page 2 of 5"]
    admin = open_page("admin", "admin")
    metrics = _metrics(admin)
    assert (metrics["Waiting"], metrics["Queued"], metrics["Done"]) == ("1", "2", "1")
    assert "No job has failed." in texts(admin)


def test_admin_retry_of_a_failed_range_puts_its_document_back_to_waiting(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, queue, ranges = _uploaded_and_split(store, monkeypatch)
    bad = queue.claim("w3", ranges[1])
    assert bad is not None and queue.fail(bad, "RuntimeError: the reader stopped") == "failed"
    admin = open_page("admin", "admin")
    assert (_metrics(admin)["Waiting"], _metrics(admin)["Failed"]) == ("0", "2")
    intake.run()
    assert "Application 1 could not be read: pages 3-4 could not be read" in texts(intake)
    admin.button(key=f"a_retry_{ranges[1]}").click().run()
    metrics = _metrics(admin)
    assert (metrics["Waiting"], metrics["Failed"], metrics["Queued"]) == ("1", "0", "2")
    assert "No job has failed." in texts(admin)
    intake.run()
    assert not intake.error
    assert [p.proto.text for p in intake.get("progress")] == ["Application 1: read page 2 of 5"]
    for job_id in ranges[1:]:
        _finish_range(queue, job_id)
    parent = next(j for j in queue.jobs() if j.kind != READ_PAGES)
    assert queue.state(parent.id).status == "queued"  # assembles next, as any document
