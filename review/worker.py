"""The local worker process: `python -m exportdesk.review.worker` (or `exportdesk worker`)."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable

from exportdesk.extract.settings import Settings
from exportdesk.review import workers
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.runner import (
    Pipeline,
    apply_memory_ceiling,
    execute,
    load_pipeline,
    worker_name,
)
from exportdesk.review.store import CaseStore

log = logging.getLogger(__name__)

HARD_LIMIT_EXIT = 70  # the worker ends itself when a job passes its hard time limit


def run_worker(
    queue: DatabaseJobQueue,
    pipeline: Pipeline | None = None,
    until_idle: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    on_hard_limit: Callable[[], None] | None = None,
) -> int:
    """Run jobs until stopped (or, with ``until_idle``, until none is queued); returns how
    many attempts it ran. Each loop first hands back jobs whose worker stopped."""
    pipeline = pipeline or load_pipeline(queue.settings.job_pipeline)
    name = worker_name()
    store = queue.store
    workers.register(store, name, "embedded")
    ran = 0
    try:
        while not should_stop():
            queue.expire_leases()
            claim = queue.claim(name)
            if claim is None:
                if until_idle:
                    break
                workers.beat(store, name)
                time.sleep(queue.settings.worker_poll_seconds)
                continue
            workers.beat(store, name, claim.id)
            execute(
                queue,
                claim,
                pipeline,
                on_hard_limit,
                on_beat=lambda job=claim.id: workers.beat(store, name, job),
            )
            workers.beat(store, name)
            ran += 1
    finally:
        workers.stopped(store, name)
    return ran


def _hard_limit() -> None:
    # The job's thread cannot be stopped from outside; leaving is the only sure way, as
    # Celery's hard limit kills its child. The supervisor starts a fresh worker.
    log.error("a job passed its hard time limit; this worker exits")
    os._exit(HARD_LIMIT_EXIT)


def serve(settings: Settings, until_idle: bool = False) -> int:
    """Run jobs until SIGTERM, until the app that spawned it exits, or (until_idle) none wait."""
    apply_memory_ceiling(settings.max_worker_memory_mb)
    store = CaseStore(settings)
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    if not until_idle:
        workers.claim_pid_file(settings)
    log.warning("worker %s: watching %s", worker_name(), store.engine.url)
    queue = DatabaseJobQueue(store)
    queue.recover(republish_after_seconds=0)  # received applications that have no job
    try:
        return run_worker(
            queue,
            until_idle=until_idle,
            should_stop=lambda: bool(stopping) or workers.parent_gone(),
            on_hard_limit=_hard_limit,
        )
    finally:
        store.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    done = serve(Settings())
    log.warning("worker: ran %d jobs", done)


if __name__ == "__main__":
    main()
