"""The job rules in one process, on SQLite and PostgreSQL: leases, ownership, attempts, intake."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casefactory import fake_pipeline, make_result, pdf_bytes
from sqlalchemy import func, select, update

from exportdesk.review.intake import submit
from exportdesk.review.jobs import DatabaseJobQueue, LeaseLost, QueueFull
from exportdesk.review.runner import execute, process_document
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import Application, Extraction, Job, utcnow


def _expire(store: CaseStore, job_id: int) -> None:
    with store.session() as s:
        s.execute(
            update(Job).where(Job.id == job_id).values(lease_until=utcnow() - timedelta(seconds=1))
        )


def test_stale_owner_cannot_finish_after_another_worker_took_the_job(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    sub = submit(store, queue, pdf_bytes("lease"), "lease.pdf", "clerk")
    first = queue.claim("worker-a")
    assert first is not None and queue.claim("worker-b") is None  # one owner at a time
    _expire(store, first.id)  # worker-a stalls past its lease
    assert queue.expire_leases() == [first.id]
    second = queue.claim("worker-b")
    assert second is not None and second.attempt == 2
    with pytest.raises(LeaseLost):
        queue.progress(first, 1, 2)  # the stale owner's heartbeat is refused
    with pytest.raises(LeaseLost):
        process_document(store, sub.receipt.sha256, fake_pipeline, None, queue, first)
    with store.session() as s:  # its result was rolled back with the refused finish
        assert s.scalar(select(func.count()).select_from(Extraction)) == 0
    assert execute(queue, second, fake_pipeline) == "done"
    state = queue.state(second.id)
    assert (state.status, state.worker, state.done, state.total) == ("done", "worker-b", 1, 1)


def test_lost_lease_on_the_last_attempt_fails_with_the_reason(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    submit(store, queue, pdf_bytes("dies"), "dies.pdf", "clerk")
    for attempt in range(1, store.settings.job_max_attempts + 1):
        claim = queue.claim(f"worker-{attempt}")
        assert claim is not None and claim.attempt == attempt
        queue.progress(claim, 1, 3)
        _expire(store, claim.id)
        queue.expire_leases()
    state = queue.state(claim.id)
    assert state.status == "failed" and queue.claim("worker-x") is None
    error = state.error or ""
    assert error.startswith("attempt 3 of 3: the worker worker-3 stopped (no heartbeat for")
    assert error.endswith("after 1 of 3 units")
    queue.retry(state.id, "admin")
    assert queue.state(state.id).status == "queued"


def test_duplicate_upload_of_a_file_without_a_live_job_queues_it_again(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    data = pdf_bytes("stuck")
    first = submit(store, queue, data, "stuck.pdf", "clerk")
    again = submit(store, queue, data, "stuck.pdf", "clerk")
    assert again.job_id is None  # its job is still waiting: nothing new
    with store.session() as s:  # the job is lost (as an older version could lose it)
        s.execute(update(Job).values(status="failed"))
    third = submit(store, queue, data, "stuck.pdf", "clerk")
    assert third.job_id not in (None, first.job_id) and "queued for reading again" in third.message
    store.record_extraction(first.receipt.sha256, make_result(data, "stuck.pdf"))
    with store.session() as s:
        s.execute(update(Job).values(status="done"))
    assert submit(store, queue, data, "stuck.pdf", "clerk").job_id is None  # read already


def test_outbox_sweep_gives_a_received_application_without_a_job_one(store: CaseStore) -> None:
    queue = DatabaseJobQueue(store)
    receipt = store.receive(pdf_bytes("orphan"), "orphan.pdf", "clerk")  # stored, no job
    announced: list[int] = []
    swept = DatabaseJobQueue(store, notify=announced.extend)
    made = swept.recover(republish_after_seconds=0)
    assert len(made) == 1 and announced == made
    assert queue.state(made[0]).document_sha256 == receipt.sha256
    assert swept.recover(republish_after_seconds=3600) == []  # announced recently: not again


def test_upload_and_job_commit_together_or_not_at_all(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.settings, "job_queue_limit", 1)
    queue = DatabaseJobQueue(store)
    submit(store, queue, pdf_bytes("one"), "one.pdf", "clerk")
    with pytest.raises(QueueFull, match="queue is full"):
        submit(store, queue, pdf_bytes("two"), "two.pdf", "clerk")
    with store.session() as s:  # the refused upload left no application behind
        assert s.scalar(select(func.count()).select_from(Application)) == 1
