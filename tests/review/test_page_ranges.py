"""Long documents as page-range jobs, in one process on SQLite and PostgreSQL: the split, the
release of the document's job by the last range (exactly once, also when ranges finish at
the same moment), a range that fails for good, and the admin's retry."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from casefactory import pdf_bytes
from sqlalchemy import func, select

from exportdesk.extract.model import ApplicationResult, DocumentInfo, Page, Word
from exportdesk.extract.ranges import merge, page_ranges
from exportdesk.review.intake import submit
from exportdesk.review.jobs import PROCESS, READ_PAGES, DatabaseJobQueue
from exportdesk.review.runner import dump_result, execute
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import Extraction

PAGES = 5


def _page(number: int) -> Page:
    word = Word(text=f"page{number}", x0=10, top=10, x1=50, bottom=20, source="text_layer")
    return Page(page=number, source="text_layer", width=595, height=842, words=[word])


class FakeStages:
    """A document of PAGES pages; records which pages each read covered."""

    def __init__(self, fail_reads: int = 0) -> None:
        self.reads: list[range] = []
        self.fail_reads = fail_reads
        self.interpreted = 0

    def count(self, data: bytes, name: str) -> int:
        return PAGES

    def read(self, data: bytes, name: str, pages: range, progress: Any = None) -> ApplicationResult:
        if self.fail_reads:
            self.fail_reads -= 1
            raise RuntimeError("the reader stopped")
        self.reads.append(pages)
        for done in range(1, len(pages) + 1):
            if progress:
                progress(done, len(pages))
        return _read(name, pages)

    def interpret(self, result: ApplicationResult) -> ApplicationResult:
        self.interpreted += 1
        return result


def _read(name: str, pages: range) -> ApplicationResult:
    document = DocumentInfo(
        filename=name,
        sha256="0" * 64,
        page_count=len(pages),
        pages=[_page(i + 1) for i in pages],
    )
    return ApplicationResult(document=document)


def _pipeline(stages: FakeStages):
    def pipeline(data: bytes, name: str, progress: Any = None) -> ApplicationResult:
        return stages.interpret(_read(name, range(stages.count(data, name))))

    pipeline.stages = stages  # type: ignore[attr-defined]
    return pipeline


def _extractions(store: CaseStore) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(Extraction)) or 0)


def test_page_ranges_cover_every_page_once_in_order() -> None:
    assert page_ranges(5, 2) == [range(0, 2), range(2, 4), range(4, 5)]
    assert page_ranges(4, 4) == [range(0, 4)]
    assert [i for r in page_ranges(203, 20) for i in r] == list(range(203))
    with pytest.raises(ValueError):
        page_ranges(3, 0)


def test_long_document_is_split_and_assembled_once_when_the_last_range_is_done(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.settings, "job_split_pages", 2)
    queue = DatabaseJobQueue(store)
    stages = FakeStages()
    pipeline = _pipeline(stages)
    sub = submit(store, queue, pdf_bytes("long"), "long.pdf", "clerk")
    parent = queue.claim("w1")
    assert parent is not None and parent.kind == PROCESS
    assert execute(queue, parent, pipeline) == "waiting"
    state = queue.state(parent.id)
    assert (state.status, state.done, state.total, state.attempts) == ("waiting", 0, PAGES, 0)
    ranges = sorted(queue.jobs(kind=READ_PAGES, status="queued"), key=lambda j: j.id)
    assert [(j.payload or {}).get("first") for j in ranges] == [0, 2, 4]
    assert queue.claim("w2", parent.id) is None  # waiting is not claimable
    # The ranges finish out of order, on different workers.
    for job, worker, pages_done in ((ranges[2], "w2", 1), (ranges[0], "w3", 3)):
        claim = queue.claim(worker, job.id)
        assert claim is not None
        assert execute(queue, claim, pipeline) == "done"
        state = queue.state(parent.id)
        assert (state.status, state.done, state.total) == ("waiting", pages_done, PAGES)
    assert stages.interpreted == 0 and _extractions(store) == 0
    last = queue.claim("w4", ranges[1].id)
    assert last is not None and execute(queue, last, pipeline) == "done"
    assert queue.state(last.id).done == 2  # a range's progress: its own pages
    assert queue.state(parent.id).status == "queued"  # released by the last range
    again = queue.claim("w5")
    assert again is not None and again.id == parent.id
    assert execute(queue, again, pipeline) == "done"
    done = queue.state(parent.id)
    assert (done.status, done.done, done.total, done.worker) == ("done", PAGES, PAGES, "w5")
    assert stages.interpreted == 1 and _extractions(store) == 1
    assert sorted(r.start for r in stages.reads) == [0, 2, 4]
    result = store.case(sub.receipt.application_id).result
    assert result is not None
    assert [p.page for p in result.document.pages] == [1, 2, 3, 4, 5]
    assert result.document.page_count == PAGES
    assert queue.claim("w6") is None  # nothing left


def test_a_short_document_is_read_in_its_own_job(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.settings, "job_split_pages", PAGES)
    queue = DatabaseJobQueue(store)
    stages = FakeStages()
    submit(store, queue, pdf_bytes("short"), "short.pdf", "clerk")
    claim = queue.claim("w1")
    assert claim is not None and execute(queue, claim, _pipeline(stages)) == "done"
    assert queue.jobs(kind=READ_PAGES) == [] and _extractions(store) == 1


def test_ranges_finishing_together_release_the_document_exactly_once(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.settings, "job_split_pages", 1)
    queue = DatabaseJobQueue(store)
    released: list[int | None] = []
    for round_ in range(5):
        submit(store, queue, pdf_bytes(f"race{round_}"), f"race{round_}.pdf", "clerk")
        parent = queue.claim("w0")
        assert parent is not None
        queue.split(parent, page_ranges(2, 1), 2)
        claims = [queue.claim(f"w{i}") for i in (1, 2)]
        assert all(c is not None and c.kind == READ_PAGES for c in claims)
        start = threading.Barrier(2)
        found: list[int | None] = []

        def finish(claim: Any, start: threading.Barrier, found: list[int | None]) -> None:
            start.wait()
            with store.session() as s:
                found.append(queue.complete_range(claim, s, dump_result(_read("x", range(1)))))

        threads = [threading.Thread(target=finish, args=(c, start, found)) for c in claims]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(found, key=lambda x: x is None) == [parent.id, None], found
        assert queue.state(parent.id).status == "queued"
        released.extend(found)
        again = queue.claim("w9", parent.id)
        assert again is not None
        with store.session() as s:
            queue.complete(again, s)
    assert sum(r is not None for r in released) == 5


def _split_document(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch, split: int, attempts: int, name: str
) -> tuple[DatabaseJobQueue, FakeStages, Any, Any, Any]:
    """A document submitted and its job split into ranges of ``split`` pages: (queue, stages,
    pipeline, the intake receipt, the document's claim, now waiting)."""
    monkeypatch.setattr(store.settings, "job_split_pages", split)
    monkeypatch.setattr(store.settings, "job_max_attempts", attempts)
    queue = DatabaseJobQueue(store)
    stages = FakeStages()
    pipeline = _pipeline(stages)
    sub = submit(store, queue, pdf_bytes(name), f"{name}.pdf", "clerk")
    parent = queue.claim("w1")
    assert parent is not None and execute(queue, parent, pipeline) == "waiting"
    return queue, stages, pipeline, sub, parent


def test_a_range_failing_for_good_fails_the_document_and_retry_reads_it_again(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue, stages, pipeline, sub, parent = _split_document(store, monkeypatch, 3, 2, "bad")
    first, second = sorted(queue.jobs(kind=READ_PAGES), key=lambda j: j.id)
    claim = queue.claim("w2", first.id)
    assert claim is not None and execute(queue, claim, pipeline) == "done"
    stages.fail_reads = 2  # the second range's reader stops on both attempts
    for attempt in (1, 2):
        claim = queue.claim("w3", second.id)
        assert claim is not None and claim.attempt == attempt
        assert execute(queue, claim, pipeline) == ("queued" if attempt == 1 else "failed")
    state = queue.state(parent.id)
    assert state.status == "failed"
    assert state.error is not None and state.error.startswith("pages 4-5 could not be read")
    assert "RuntimeError: the reader stopped" in state.error
    assert _extractions(store) == 0
    queue.retry(parent.id, "admin")  # the admin retries the document's job
    again = queue.claim("w4")
    assert again is not None and again.id == parent.id
    assert execute(queue, again, pipeline) == "waiting"  # re-queued the failed range only
    state = queue.state(parent.id)
    assert (state.status, state.done, state.total) == ("waiting", 3, PAGES)
    assert queue.state(first.id).status == "done"
    claim = queue.claim("w5")
    assert claim is not None and claim.id == second.id
    assert execute(queue, claim, pipeline) == "done"
    claim = queue.claim("w6")
    assert claim is not None and claim.id == parent.id
    assert execute(queue, claim, pipeline) == "done"
    assert _extractions(store) == 1 and store.case(sub.receipt.application_id).status == "extracted"
    assert sorted(r.start for r in stages.reads) == [0, 3]


def _stored_pages(queue: DatabaseJobQueue) -> list[int]:
    """Ids of range jobs that still hold their pages."""
    return [j.id for j in queue.jobs(kind=READ_PAGES) if j.result is not None]


def _run_next(queue: DatabaseJobQueue, pipeline: Any, worker: str, job_id: int) -> str:
    claim = queue.claim(worker, job_id)
    assert claim is not None, f"job {job_id} is not claimable: {queue.state(job_id).status}"
    return execute(queue, claim, pipeline)


def test_assembly_clears_the_pages_stored_on_its_ranges(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue, _, pipeline, _, parent = _split_document(store, monkeypatch, 2, 3, "clear")
    ranges = [j.id for j in queue.jobs(kind=READ_PAGES)]
    for job_id in ranges:
        assert _run_next(queue, pipeline, "w2", job_id) == "done"
    assert sorted(_stored_pages(queue)) == sorted(ranges)  # kept until they are joined
    assert _run_next(queue, pipeline, "w3", parent.id) == "done"
    assert _stored_pages(queue) == []
    assert [queue.state(i).status for i in ranges] == ["done"] * 3  # the jobs themselves stay
    assert _extractions(store) == 1


def test_retrying_a_failed_range_alone_reopens_the_document_and_assembles_it(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue, stages, pipeline, sub, parent = _split_document(store, monkeypatch, 2, 1, "one-range")
    first, second, third = sorted(j.id for j in queue.jobs(kind=READ_PAGES))
    assert _run_next(queue, pipeline, "w2", first) == "done"
    stages.fail_reads = 2  # the second and the third range fail on their only attempt
    assert _run_next(queue, pipeline, "w2", second) == "failed"
    assert queue.state(parent.id).status == "failed"
    assert _run_next(queue, pipeline, "w2", third) == "failed"
    queue.retry(second, "admin")  # from the Admin page's failed jobs
    assert queue.state(parent.id).status == "failed"  # the third range still failed
    queue.retry(third, "admin")
    state = queue.state(parent.id)
    assert (state.status, state.error) == ("waiting", None)
    assert _run_next(queue, pipeline, "w3", third) == "done"
    assert queue.state(parent.id).status == "waiting"
    assert _run_next(queue, pipeline, "w4", second) == "done"
    assert queue.state(parent.id).status == "queued"  # released by the last range
    assert _run_next(queue, pipeline, "w5", parent.id) == "done"
    assert _extractions(store) == 1
    assert store.case(sub.receipt.application_id).status == "extracted"
    assert sorted(r.start for r in stages.reads) == [0, 2, 4]


def test_merge_keeps_document_warnings_once_and_page_warnings_in_page_order() -> None:
    from exportdesk.extract.model import Warning

    doc_warning = Warning(code="pdf_repaired", message="x")
    parts = []
    for pages in page_ranges(4, 2):
        part = _read("m.pdf", pages)
        part.warnings = [doc_warning] + [
            Warning(code="low_confidence", page=i + 1, message=f"p{i + 1}") for i in pages
        ]
        parts.append(part)
    merged = merge(parts)
    assert [w.page for w in merged.warnings] == [None, 1, 2, 3, 4]
    assert merged.document.page_count == 4


def _without_timings(data: dict[str, Any]) -> dict[str, Any]:
    for page in data["document"]["pages"]:
        page.pop("seconds", None)  # how long a page took is a measurement, not a result
    return data


@pytest.mark.parametrize(
    ("sample", "size"),
    [
        pytest.param("invoice-100023-scan.pdf", 1, marks=pytest.mark.ocr),
        ("numbered_form-100000.pdf", 2),
    ],
)
def test_ranges_read_apart_and_assembled_equal_the_whole_document(sample: str, size: int) -> None:
    """The real reader: each range in its isolated child, joined, then interpreted, gives
    the same pages, words, fields, suggestions and warnings as reading the file at once."""
    from pathlib import Path

    from exportdesk.review.pipeline import count_pages, interpret, process_bytes, read_page_range

    path = Path(__file__).resolve().parents[2] / "samples" / "pdfs" / sample
    data = path.read_bytes()
    count = count_pages(data, sample)
    assert count == 3
    parts = [read_page_range(data, sample, pages) for pages in page_ranges(count, size)]
    assert [[p.page for p in part.document.pages] for part in parts] == [
        [i + 1 for i in r] for r in page_ranges(count, size)
    ]
    merged = merge(parts)
    assembled = interpret(merged)
    whole = process_bytes(data, sample)
    assert whole.items and whole.parties  # a real comparison, not two empty results
    assert _without_timings(dump_result(assembled)) == _without_timings(dump_result(whole))


def test_count_pages_of_a_file_that_is_no_pdf_is_zero() -> None:
    from exportdesk.review.pipeline import count_pages

    assert count_pages(b"not a pdf at all", "x.pdf") == 0


class HungryStages(FakeStages):
    def read(self, data: bytes, name: str, pages: range, progress: Any = None) -> ApplicationResult:
        raise MemoryError  # what RLIMIT_DATA (EXPORTDESK_MAX_WORKER_MEMORY_MB) raises


def test_a_range_over_the_memory_ceiling_fails_the_document_with_the_setting_named(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.settings, "job_split_pages", 3)
    monkeypatch.setattr(store.settings, "job_max_attempts", 1)
    monkeypatch.setattr(store.settings, "max_worker_memory_mb", 700)
    queue = DatabaseJobQueue(store)
    pipeline = _pipeline(HungryStages())
    submit(store, queue, pdf_bytes("hungry"), "hungry.pdf", "clerk")
    parent = queue.claim("w1")
    assert parent is not None and execute(queue, parent, pipeline) == "waiting"
    claim = queue.claim("w2")
    assert claim is not None and claim.kind == READ_PAGES
    assert execute(queue, claim, pipeline) == "failed"
    error = queue.state(parent.id).error or ""
    assert error.startswith("pages 1-3 could not be read")
    assert "ceiling of 700 MB" in error and "EXPORTDESK_MAX_WORKER_MEMORY_MB" in error


def test_waiting_documents_and_their_ranges_count_against_the_queue_limit(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportdesk.review.jobs import QueueFull

    monkeypatch.setattr(store.settings, "job_split_pages", 2)
    monkeypatch.setattr(store.settings, "job_queue_limit", 4)
    queue = DatabaseJobQueue(store)
    submit(store, queue, pdf_bytes("first"), "first.pdf", "clerk")
    parent = queue.claim("w1")
    assert parent is not None and execute(queue, parent, _pipeline(FakeStages())) == "waiting"
    assert queue.depth()["waiting"] == 1 and queue.depth()["queued"] == 3
    with pytest.raises(QueueFull):  # 1 waiting + 3 ranges = 4 live jobs
        submit(store, queue, pdf_bytes("second"), "second.pdf", "clerk")
