"""Processing as jobs: a queue interface, its database implementation, the job, and a worker."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import select, update

from exportdesk.extract.model import ApplicationResult
from exportdesk.extract.settings import Settings
from exportdesk.review import audit
from exportdesk.review.store import CaseStore, StoreError
from exportdesk.review.tables import Application, Job, utcnow

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # pages done, pages in all


class Pipeline(Protocol):
    def __call__(
        self, data: bytes, name: str, progress: Progress | None = None
    ) -> ApplicationResult: ...


PROCESS = "process_document"
WORKER_PID = "worker.pid"
PARENT_PID = "EXPORTDESK_WORKER_PARENT_PID"


@dataclass(frozen=True)
class JobState:
    id: int
    status: str  # queued, running, done, failed
    attempts: int
    error: str | None
    progress: str | None


class JobQueue(Protocol):
    """What the app needs from a queue. A Celery+Redis queue would implement the same two calls."""

    def enqueue(self, document_sha256: str) -> int: ...

    def state(self, job_id: int) -> JobState: ...


class DatabaseJobQueue:
    """Jobs as rows in the case store, claimed by local worker processes."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.settings = store.settings

    def enqueue(self, document_sha256: str) -> int:
        with self.store.session() as s:
            job = Job(kind=PROCESS, document_sha256=document_sha256, status="queued")
            s.add(job)
            s.flush()
            return job.id

    def state(self, job_id: int) -> JobState:
        with self.store.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise KeyError(f"no job {job_id}")
            return JobState(job.id, job.status, job.attempts, job.error, job.progress)

    def claim(self, worker: str) -> Job | None:
        """Take the oldest queued job; two workers can never take the same one."""
        self._requeue_stale()
        with self.store.session() as s:
            candidate = s.execute(
                select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
            ).scalar_one_or_none()
            if candidate is None:
                return None
            taken = s.execute(
                update(Job)
                .where(Job.id == candidate, Job.status == "queued")
                .values(
                    status="running",
                    worker=worker,
                    started_at=utcnow(),
                    attempts=Job.attempts + 1,
                )
            )
            if taken.rowcount != 1:
                return None
            return s.get(Job, candidate)

    def progress(self, job_id: int, text: str) -> None:
        with self.store.session() as s:
            s.execute(update(Job).where(Job.id == job_id).values(progress=text))

    def finish(self, job_id: int, error: str | None = None) -> None:
        with self.store.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return
            if error is None:
                job.status, job.error = "done", None
            elif job.attempts < self.settings.job_max_attempts:
                job.status, job.error = "queued", error  # retried: the job is idempotent
            else:
                job.status, job.error = "failed", error
            job.finished_at = utcnow()

    def failed(self) -> list[JobState]:
        with self.store.session() as s:
            jobs = s.execute(select(Job).where(Job.status == "failed").order_by(Job.id)).scalars()
            return [JobState(j.id, j.status, j.attempts, j.error, j.progress) for j in jobs]

    def retry(self, job_id: int, actor: str) -> None:
        """Queue a failed job again with fresh attempts (after the cause was fixed)."""
        with self.store.session() as s:
            job = s.get(Job, job_id)
            if job is None or job.status != "failed":
                raise StoreError(f"Job {job_id} has not failed; there is nothing to retry.")
            job.status, job.attempts, job.error = "queued", 0, None
            app_id = s.execute(
                select(Application.id).where(Application.document_sha256 == job.document_sha256)
            ).scalar_one_or_none()
            audit.append(s, actor, "job_retried", app_id, {"job": job_id})

    def _requeue_stale(self) -> None:
        # A worker that died mid-job leaves it "running" forever; hand it to someone else.
        cutoff = utcnow() - timedelta(seconds=self.settings.job_stale_seconds)
        with self.store.session() as s:
            s.execute(
                update(Job)
                .where(Job.status == "running", Job.started_at < cutoff)
                .values(status="queued", error="the worker stopped before finishing")
            )


def default_pipeline(data: bytes, name: str, progress: Progress | None = None) -> ApplicationResult:
    from exportdesk.review.pipeline import process_bytes

    return process_bytes(data, name, progress=progress)


def process_document(
    store: CaseStore, document_sha256: str, pipeline: Pipeline, progress: Progress | None = None
) -> bool:
    """The job: read the stored original and record what the pipeline found.

    A pure function of the document id: running it twice records the same result, and once
    a reviewer has started it changes nothing.
    """
    data, name = store.original_by_sha(document_sha256)
    return store.record_extraction(document_sha256, pipeline(data, name, progress))


def run_one(queue: DatabaseJobQueue, pipeline: Pipeline, worker: str) -> bool:
    """Claim and run one job; False when there was none."""
    job = queue.claim(worker)
    if job is None:
        return False
    try:
        process_document(
            queue.store,
            job.document_sha256,
            pipeline,
            lambda done, total: queue.progress(job.id, f"{done}/{total}"),
        )
    except Exception as exc:
        log.exception("job %s failed", job.id)
        queue.finish(job.id, error=f"{type(exc).__name__}: {exc}")
    else:
        queue.finish(job.id)
    return True


def run_worker(
    queue: DatabaseJobQueue,
    pipeline: Pipeline = default_pipeline,
    until_idle: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Run jobs until stopped (or, with ``until_idle``, until the queue is empty)."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    done = 0
    while not should_stop():
        if run_one(queue, pipeline, worker):
            done += 1
        elif until_idle:
            break
        else:
            time.sleep(queue.settings.worker_poll_seconds)
    return done


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def worker_running(settings: Settings) -> bool:
    """Whether the worker recorded in ``<data_dir>/worker.pid`` is alive."""
    try:
        return alive(int((settings.data_dir / WORKER_PID).read_text().strip()))
    except (OSError, ValueError):
        return False


def parent_gone() -> bool:
    """True once the app or demo that spawned this worker has exited."""
    parent = os.environ.get(PARENT_PID)
    return bool(parent) and not alive(int(parent or 0))


def claim_pid_file(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / WORKER_PID).write_text(str(os.getpid()))


def spawn_worker(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Start ``exportdesk worker`` for this data folder unless one is already running."""
    if worker_running(settings):
        return None
    env = dict(os.environ)
    env["EXPORTDESK_DATA_DIR"] = str(settings.data_dir)
    env[PARENT_PID] = str(os.getpid())  # the worker leaves when the app that started it does
    if settings.database_url:
        env["EXPORTDESK_DATABASE_URL"] = settings.database_url
    log_file = open(settings.data_dir / "worker.log", "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-m", "exportdesk.review.worker"],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
