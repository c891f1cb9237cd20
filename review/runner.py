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
from exportdesk.extract.ranges import dump_result, load_result, merge, page_ranges
from exportdesk.review.jobs import PROCESS, READ_PAGES, Claim, DatabaseJobQueue, LeaseLost
from exportdesk.review.store import CaseStore, StoreError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # units done, units in all


class Pipeline(Protocol):
    def __call__(
        self, data: bytes, name: str, progress: Progress | None = None
    ) -> ApplicationResult: ...


class PageStages(Protocol):
    """The pipeline cut where a long document is spread over workers: count its pages, read
    a range of them (in the isolated reader child), interpret the joined pages once."""

    def count(self, data: bytes, name: str) -> int: ...

    def read(
        self, data: bytes, name: str, pages: range, progress: Progress | None = None
    ) -> ApplicationResult: ...

    def interpret(self, result: ApplicationResult) -> ApplicationResult: ...


class TimeLimitExceeded(StoreError):
    """The attempt ran past its soft time limit (raised at the next progress report; the
    hard limit stops the process regardless)."""


def default_pipeline(data: bytes, name: str, progress: Progress | None = None) -> ApplicationResult:
    from exportdesk.review.pipeline import process_bytes

    return process_bytes(data, name, progress=progress)


class RealStages:
    """The real pipeline's stages (review/pipeline.py)."""

    def count(self, data: bytes, name: str) -> int:
        from exportdesk.review.pipeline import count_pages

        return count_pages(data, name)

    def read(
        self, data: bytes, name: str, pages: range, progress: Progress | None = None
    ) -> ApplicationResult:
        from exportdesk.review.pipeline import read_page_range

        return read_page_range(data, name, pages, progress=progress)

    def interpret(self, result: ApplicationResult) -> ApplicationResult:
        from exportdesk.review.pipeline import interpret

        return interpret(result)


default_pipeline.stages = RealStages()  # type: ignore[attr-defined]


def stages_of(pipeline: Pipeline) -> PageStages | None:
    """A pipeline that can read page ranges carries its stages; a fake engine may not."""
    return getattr(pipeline, "stages", None)


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


def process_long_document(
    queue: DatabaseJobQueue, claim: Claim, pipeline: Pipeline, stages: PageStages, beat: Heartbeat
) -> str:
    """A document job when page ranges are on: a short document is read in this job; a long
    one is split into page-range jobs (and this job waits, "waiting"); when the last range is
    done the job comes back and assembles: joins the pages, interprets them, records once."""
    store, sha = queue.store, claim.document_sha256
    assert sha is not None
    size = queue.settings.job_split_pages
    range_ids: list[int] = (claim.payload or {}).get("ranges") or []
    data, name = store.original_by_sha(sha)
    if not range_ids:
        total = stages.count(data, name)
        if total <= size:
            process_document(store, sha, pipeline, beat.progress, queue, claim)
            return "done"
        ranges = page_ranges(total, size)
        queue.split(claim, ranges, total)
        log.warning("job %s: %d pages as %d page-range jobs", claim.id, total, len(ranges))
        return "waiting"
    parts, missing = queue.range_results(range_ids)
    if missing:  # a range failed and an admin retried the document: read those again
        queue.resume(claim, range_ids, stages.count(data, name))
        return "waiting"
    merged = merge([load_result(part) for part in parts])
    pages = merged.document.page_count
    beat.progress(pages, pages, f"assembling {pages} pages from {len(parts)} ranges")
    result = stages.interpret(merged)
    with store.session() as s:
        store.record_extraction(sha, result, session=s)
        queue.complete(claim, s)
        queue.clear_range_results(s, range_ids)
    return "done"


def read_range(queue: DatabaseJobQueue, claim: Claim, stages: PageStages, beat: Heartbeat) -> str:
    """One page range of a long document: read its pages and store them on the job row."""
    assert claim.document_sha256 is not None and claim.payload is not None
    pages = range(int(claim.payload["first"]), int(claim.payload["stop"]))
    data, name = queue.store.original_by_sha(claim.document_sha256)
    done = 0

    def report(_done: int, _total: int) -> None:  # one call per page read
        nonlocal done
        done = min(done + 1, len(pages))
        beat.progress(done, len(pages))

    result = stages.read(data, name, pages, report)
    with queue.store.session() as s:
        released = queue.complete_range(claim, s, dump_result(result))
    if released is not None:
        queue.notify([released])
    return "done"


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
    """Run a claimed job to its end state: "done", "waiting" (for its page ranges), "queued"
    (retried), "failed" or "lost".

    ``train_options`` reach the handler of a retrain (tests give a small embedder)."""
    with Heartbeat(queue, claim, on_hard_limit, on_beat) as beat:
        try:
            stages = stages_of(pipeline)
            if claim.kind == PROCESS and stages and queue.settings.job_split_pages > 0:
                return process_long_document(queue, claim, pipeline, stages, beat)
            if claim.kind == PROCESS:
                assert claim.document_sha256 is not None
                process_document(
                    queue.store, claim.document_sha256, pipeline, beat.progress, queue, claim
                )
            elif claim.kind == READ_PAGES:
                return read_range(queue, claim, stages or RealStages(), beat)
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
