"""Running one claimed job: its heartbeat, its time limits, the memory ceiling, and its result.

Both back ends call ``execute``: the embedded worker after claiming from the table, a Celery
task after claiming the id its message named. Whatever happens, the job ends in exactly one
of: recorded and done (only while this worker still owns it), queued again, or failed.
"""

from __future__ import annotations

import importlib
import logging
import os
import resource
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from exportdesk.extract.model import ApplicationResult
from exportdesk.review.jobs import PROCESS, Claim, DatabaseJobQueue, LeaseLost
from exportdesk.review.store import CaseStore, StoreError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # units done, units in all


class Pipeline(Protocol):
    def __call__(
        self, data: bytes, name: str, progress: Progress | None = None
    ) -> ApplicationResult: ...


class TimeLimitExceeded(StoreError):
    """The attempt ran past its soft time limit (raised at the next progress report; the
    hard limit stops the process regardless)."""


def default_pipeline(data: bytes, name: str, progress: Progress | None = None) -> ApplicationResult:
    from exportdesk.review.pipeline import process_bytes

    return process_bytes(data, name, progress=progress)


def load_pipeline(path: str | None) -> Pipeline:
    """``module:function`` (settings.job_pipeline) or the real pipeline when None."""
    if not path:
        return default_pipeline
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def handler(claim: Claim) -> Callable[..., None]:
    """The function that runs a job of another kind than reading, named in its payload by
    whoever queued it (``module:function`` inside exportdesk): the case store runs work of
    the layers above it, such as retraining, without importing them."""
    path = (claim.payload or {}).get("handler", "")
    module, _, name = path.partition(":")
    if not module.startswith("exportdesk.") or not name:
        raise ValueError(f"job {claim.id} ({claim.kind}) names no handler; queue it again")
    return getattr(importlib.import_module(module), name)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def apply_memory_ceiling(megabytes: int) -> None:
    """Cap this process's data segment (heap and anonymous maps); children inherit it, so a
    Tesseract run on a huge page is capped too. Going past it raises MemoryError."""
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    log.warning("memory ceiling: %d MB per worker process", megabytes)


def process_document(
    store: CaseStore,
    document_sha256: str,
    pipeline: Pipeline,
    progress: Progress | None = None,
    queue: DatabaseJobQueue | None = None,
    claim: Claim | None = None,
) -> bool:
    """The job: read the stored original and record what the pipeline found.

    A pure function of the document: running it twice records the same result, and once a
    reviewer has started it changes nothing. With a claim, the result is recorded in the same
    transaction that marks the job done, and only if this worker still owns the job.
    """
    data, name = store.original_by_sha(document_sha256)
    result = pipeline(data, name, progress)
    with store.session() as s:
        recorded = store.record_extraction(document_sha256, result, session=s)
        if queue is not None and claim is not None:
            queue.complete(claim, s)
    return recorded


class Heartbeat:
    """Renews the job's lease every third of it while the attempt runs, records progress,
    and enforces the time limits (soft: the next progress raises; hard: ``on_hard_limit``)."""

    def __init__(
        self,
        queue: DatabaseJobQueue,
        claim: Claim,
        on_hard_limit: Callable[[], None] | None = None,
        on_beat: Callable[[], None] | None = None,
    ) -> None:
        self.queue, self.claim = queue, claim
        self.on_beat = on_beat
        settings = queue.settings
        self.limit = settings.job_time_limit_seconds
        self.every = max(0.2, settings.job_lease_seconds / 3)
        self.started = time.monotonic()
        self.on_hard_limit = on_hard_limit
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{claim.id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            if self.elapsed() > self.limit:
                # No more renewals: the lease runs out and another worker may take the job.
                log.error("job %s passed its hard time limit", self.claim.id)
                if self.on_hard_limit is not None:
                    self.on_hard_limit()
                return
            try:
                self.queue.progress(self.claim)
                if self.on_beat is not None:
                    self.on_beat()
            except LeaseLost:
                self.lost = True
                return
            except Exception:  # a database hiccup: try again at the next beat
                log.exception("heartbeat for job %s failed", self.claim.id)

    def progress(self, done: int, total: int | None, line: str = "") -> None:
        if self.lost:
            raise LeaseLost(f"job {self.claim.id} was taken over by another worker")
        if self.elapsed() > 0.9 * self.limit:
            raise TimeLimitExceeded(
                f"ran past its soft time limit ({0.9 * self.limit:.0f} s; "
                "EXPORTDESK_JOB_TIME_LIMIT_SECONDS sets the hard limit)"
            )
        self.queue.progress(self.claim, done, total, line)


def execute(
    queue: DatabaseJobQueue,
    claim: Claim,
    pipeline: Pipeline = default_pipeline,
    on_hard_limit: Callable[[], None] | None = None,
    on_beat: Callable[[], None] | None = None,
    train_options: dict[str, Any] | None = None,
) -> str:
    """Run a claimed job to its end state: "done", "queued" (retried), "failed" or "lost".

    ``train_options`` reach the handler of a retrain (tests give a small embedder)."""
    with Heartbeat(queue, claim, on_hard_limit, on_beat) as beat:
        try:
            if claim.kind == PROCESS:
                assert claim.document_sha256 is not None
                process_document(
                    queue.store, claim.document_sha256, pipeline, beat.progress, queue, claim
                )
            else:
                handler(claim)(queue, claim, beat, train_options or {})
        except LeaseLost:
            log.warning("job %s: lost its lease; its work was discarded", claim.id)
            return "lost"
        except TimeLimitExceeded as exc:
            return queue.fail(claim, str(exc))
        except MemoryError:
            ceiling = queue.settings.max_worker_memory_mb
            return queue.fail(
                claim,
                f"needed more memory than the ceiling of {ceiling} MB per worker "
                "(EXPORTDESK_MAX_WORKER_MEMORY_MB); raise it, or split the document",
            )
        except Exception as exc:
            log.exception("job %s failed", claim.id)
            return queue.fail(claim, f"{type(exc).__name__}: {exc}")
    return "done"
