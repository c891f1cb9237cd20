"""Workers as real processes on the real PostgreSQL and Redis: killed, crashing, in parallel.

Every test runs in its own PostgreSQL schema, Redis database, Celery queue and key prefix,
and kills every process group it started, so parallel runs never meet and nothing is left
behind. Leases are short (settings), so a dead worker's job is taken over in seconds.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exportdesk.extract.settings import Settings
from exportdesk.review.intake import submit
from exportdesk.review.jobs import READ_PAGES, DatabaseJobQueue, JobState, queue_for
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import AuditEvent, Extraction
from exportdesk.review.workers import keep_worker_alive

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "pdfs"
LEASE = 4.0
REDIS = "redis://127.0.0.1:6379"

pytestmark = pytest.mark.postgres


class Cluster:
    """Starts workers of one back end with the test's settings; kills them all at the end."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.procs: list[subprocess.Popen[bytes]] = []
        self.env = dict(os.environ)

    def start(self, name: str) -> subprocess.Popen[bytes]:
        if self.backend == "embedded":
            cmd = [sys.executable, "-m", "exportdesk.review.worker"]
        else:
            queue = os.environ["EXPORTDESK_CELERY_QUEUE"]
            cmd = [
                sys.executable, "-m", "celery", "-A", "exportdesk.review.celery_app", "worker",
                "-Q", queue, "-c", "1", "--pool", "prefork", "-n", f"{name}@{queue}",
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
            ]  # fmt: skip
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        proc = subprocess.Popen(
            cmd, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.procs.append(proc)
        return proc

    def adopt(self, proc: subprocess.Popen[bytes] | None) -> None:
        if proc is not None:
            self.procs.append(proc)

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and every process it started (pool children, Tesseract)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.tmp.glob("*.log"))

    def close(self) -> None:
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture(params=["embedded", pytest.param("celery", marks=pytest.mark.celery)])
def cluster(
    request: pytest.FixtureRequest,
    pg_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Cluster]:
    backend = request.param
    queue = f"exportdesk-test-{uuid.uuid4().hex[:12]}"
    redis_db = random.randint(1, 15)
    for key, value in {
        "EXPORTDESK_DATA_DIR": str(tmp_path / "data"),
        "EXPORTDESK_DATABASE_URL": pg_url,
        "EXPORTDESK_JOB_BACKEND": backend,
        "EXPORTDESK_BROKER_URL": f"{REDIS}/{redis_db}",
        "EXPORTDESK_CELERY_QUEUE": queue,
        "EXPORTDESK_JOB_LEASE_SECONDS": str(LEASE),
        "EXPORTDESK_JOB_TIME_LIMIT_SECONDS": "900",
        "EXPORTDESK_WORKER_POLL_SECONDS": "0.3",
        "EXPORTDESK_OCR_WORKERS": "1",  # pages one after another, so "mid-way" exists
        "EXPORTDESK_START_WORKER": "false",
        "EXPORTDESK_TEST_CALLS": str(tmp_path / "calls.txt"),
        "OPENBLAS_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "review"), str(ROOT / "tests")]),
    }.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "calls.txt").write_text("")
    made = Cluster(backend, tmp_path)
    try:
        yield made
    finally:
        made.close()
        if backend == "celery":
            import redis

            client = redis.Redis.from_url(f"{REDIS}/{redis_db}")
            for key in client.scan_iter(f"{queue}*"):
                client.delete(key)
            client.close()


def open_queue() -> tuple[CaseStore, DatabaseJobQueue]:
    store = CaseStore(Settings())
    return store, queue_for(store)


def wait_for(
    what: str, check: Callable[[], bool], timeout: float, cluster: Cluster, every: float = 0.1
) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(
                f"gave up waiting for {what} after {timeout:.0f} s\n{cluster.logs()[-4000:]}"
            )
        time.sleep(every)
    return time.monotonic() - start


def counts(store: CaseStore, application_id: int) -> tuple[int, int]:
    with store.session() as s:
        extractions = s.scalar(
            select(func.count())
            .select_from(Extraction)
            .where(Extraction.application_id == application_id)
        )
        recorded = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.application_id == application_id, AuditEvent.action == "extracted")
        )
    return int(extractions or 0), int(recorded or 0)


@pytest.mark.ocr
def test_worker_killed_mid_scan_another_completes_it_exactly_once(cluster: Cluster) -> None:
    store, queue = open_queue()
    scan = SAMPLES / "eu_individual-100005-scan.pdf"
    first = cluster.start("first")
    sub = submit(store, queue, scan.read_bytes(), scan.name, "clerk")
    job = sub.job_id
    assert job is not None

    def mid_way() -> bool:
        state = queue.state(job)
        assert state.status != "done", "the first worker finished before it could be killed"
        return state.status == "running" and state.done >= 1 and (state.total or 0) > state.done

    wait_for("the first worker to be mid-way through the scan", mid_way, 600, cluster, 0.05)
    owner = queue.state(job).worker
    second = cluster.start("second")
    cluster.kill(first)
    killed = time.monotonic()

    def taken_over() -> bool:
        state = queue.state(job)
        return state.attempts == 2 and state.status in ("running", "done")

    takeover = wait_for("another worker to take the job over", taken_over, LEASE + 30, cluster)
    wait_for("the job to finish", lambda: queue.state(job).status == "done", 600, cluster)
    done = queue.state(job)
    print(f"{cluster.backend}: taken over {takeover:.1f} s after the kill (lease {LEASE} s), "
          f"done {time.monotonic() - killed:.1f} s after it")  # fmt: skip
    assert done.worker != owner and done.attempts == 2 and done.done == done.total
    assert counts(store, sub.receipt.application_id) == (1, 1)  # recorded exactly once
    case = store.case(sub.receipt.application_id)
    assert case.status == "extracted" and case.result is not None and case.result.readable
    assert second.poll() is None  # the survivor is still serving
    store.close()


@pytest.mark.ocr
def test_worker_killed_mid_range_of_a_long_scan_the_document_completes_exactly_once(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scan read as page ranges (pages 1-2 and 3): the worker reading pages 1-2 is killed
    after page 1; another takes the range over, and the document is assembled once."""
    monkeypatch.setenv("EXPORTDESK_JOB_SPLIT_PAGES", "2")
    store, queue = open_queue()
    scan = SAMPLES / "invoice-100023-scan.pdf"  # three scanned pages
    first = cluster.start("first")
    sub = submit(store, queue, scan.read_bytes(), scan.name, "clerk")
    parent = sub.job_id
    assert parent is not None

    def mid_range() -> JobState | None:
        for job in queue.jobs(kind=READ_PAGES):
            assert job.status != "done" or job.total == 1, "range read before it was killed"
            if job.status == "running" and job.total == 2 and job.done == 1:
                return job
        return None

    wait_for(
        "a worker to be mid-way through pages 1-2", lambda: bool(mid_range()), 600, cluster, 0.05
    )
    victim = mid_range()
    assert victim is not None
    assert queue.state(parent).status == "waiting"
    second = cluster.start("second")
    cluster.kill(first)
    wait_for(
        "the document's job to finish", lambda: queue.state(parent).status == "done", 600, cluster
    )
    ranges = sorted(queue.jobs(kind=READ_PAGES), key=lambda j: j.id)
    assert [(r.payload or {}).get("first") for r in ranges] == [0, 2]
    assert all(r.status == "done" for r in ranges)
    taken = queue.state(victim.id)
    assert taken.attempts == 2 and taken.worker != victim.worker and taken.done == 2
    done = queue.state(parent)
    assert (done.done, done.total) == (3, 3)
    assert counts(store, sub.receipt.application_id) == (1, 1)  # recorded exactly once
    case = store.case(sub.receipt.application_id)
    assert case.status == "extracted" and case.result is not None and case.result.readable
    assert [p.page for p in case.result.document.pages] == [1, 2, 3]
    assert case.result.items  # interpreted after assembly
    assert second.poll() is None
    store.close()


def test_job_that_kills_its_worker_fails_after_max_attempts_others_go_on(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPORTDESK_JOB_PIPELINE", "job_engines:crash_or_read")
    monkeypatch.setenv("EXPORTDESK_JOB_MAX_ATTEMPTS", "2")
    store, queue = open_queue()
    from casefactory import pdf_bytes

    crash = submit(store, queue, pdf_bytes("poison"), "crash.pdf", "clerk")
    good = [
        submit(store, queue, pdf_bytes(f"good {i}"), f"good-{i}.pdf", "clerk") for i in range(3)
    ]
    settings = Settings()
    if cluster.backend == "celery":
        cluster.start("one")  # Celery's pool replaces a killed child by itself
    else:
        cluster.adopt(keep_worker_alive(settings))

    def settled() -> bool:
        if cluster.backend == "embedded":  # the supervisor's loop, as the demo and app run it
            cluster.adopt(keep_worker_alive(settings))
        states = [queue.state(s.job_id or 0) for s in (crash, *good)]
        return all(st.status in ("done", "failed") for st in states)

    wait_for("every job to end", settled, 600, cluster, 0.3)
    poisoned: JobState = queue.state(crash.job_id or 0)
    assert poisoned.status == "failed" and poisoned.attempts == 2
    assert poisoned.error is not None and "attempt 2 of 2" in poisoned.error
    assert "stopped" in poisoned.error  # the reason: its worker died, as the Admin page says
    assert [queue.state(s.job_id or 0).status for s in good] == ["done"] * 3
    assert store.case(crash.receipt.application_id).status == "received"
    store.close()


@pytest.mark.celery
def test_two_celery_workers_read_twenty_uploads_each_exactly_once(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if cluster.backend != "celery":
        pytest.skip("this scenario is about the Celery back end")
    monkeypatch.setenv("EXPORTDESK_JOB_PIPELINE", "job_engines:counted")
    from casefactory import pdf_bytes

    store, queue = open_queue()
    cluster.start("one")
    cluster.start("two")
    subs = [
        submit(store, queue, pdf_bytes(f"app {i}"), f"app-{i:02}.pdf", "clerk") for i in range(20)
    ]
    ids = [s.job_id or 0 for s in subs]
    wait_for(
        "twenty jobs done",
        lambda: all(queue.state(i).status == "done" for i in ids),
        600,
        cluster,
        0.3,
    )
    calls = (tmp_path / "calls.txt").read_text().split("\n")
    names = sorted(line.split()[0] for line in calls if line)
    assert names == sorted(f"app-{i:02}.pdf" for i in range(20))  # each read once, none twice
    assert len({line.split()[1] for line in calls if line}) == 2  # both workers took part
    assert all(queue.state(i).attempts == 1 for i in ids)
    assert all(counts(store, s.receipt.application_id) == (1, 1) for s in subs)
    logs = cluster.logs().lower()
    assert "lock" not in logs and "deadlock" not in logs and "traceback" not in logs, logs
    store.close()


def test_memory_ceiling_fails_the_greedy_job_with_its_reason_and_the_worker_goes_on(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cluster.backend != "embedded":
        pytest.skip("the ceiling is applied the same way in Celery's pool children")
    monkeypatch.setenv("EXPORTDESK_JOB_PIPELINE", "job_engines:hungry")
    monkeypatch.setenv("EXPORTDESK_MAX_WORKER_MEMORY_MB", "1024")
    monkeypatch.setenv("EXPORTDESK_JOB_MAX_ATTEMPTS", "1")
    from casefactory import pdf_bytes

    store, queue = open_queue()
    big = submit(store, queue, pdf_bytes("huge"), "big.pdf", "clerk")
    small = submit(store, queue, pdf_bytes("small"), "small.pdf", "clerk")
    worker = cluster.start("capped")
    wait_for(
        "both jobs to end",
        lambda: {queue.state(s.job_id or 0).status for s in (big, small)} <= {"done", "failed"},
        300,
        cluster,
        0.3,
    )
    greedy = queue.state(big.job_id or 0)
    assert greedy.status == "failed"
    assert "EXPORTDESK_MAX_WORKER_MEMORY_MB" in (greedy.error or "")
    assert queue.state(small.job_id or 0).status == "done"
    assert worker.poll() is None  # the worker survived its job's failure
    store.close()
