"""The scale-out back end: Celery workers over a Redis broker, the case store in PostgreSQL.

Run workers with ``celery -A exportdesk.review.celery_app worker -Q <celery_queue>`` (see
``make workers``). A message carries only a job id; the job's row in the case store holds its
lease, attempts and result, exactly as with the embedded back end, so both behave the same:
a redelivered or duplicate message finds the job running or done and returns at once.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from celery import Celery, signals

from exportdesk.extract.settings import Settings
from exportdesk.review import workers
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.runner import apply_memory_ceiling, execute, load_pipeline, worker_name
from exportdesk.review.store import CaseStore

log = logging.getLogger(__name__)

TASK = "exportdesk.run_job"


def make_app(settings: Settings) -> Celery:
    limit = settings.job_time_limit_seconds
    app = Celery("exportdesk", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # a message is acknowledged only after its job ended
        task_reject_on_worker_lost=True,  # a killed child's message goes back to the queue
        worker_prefetch_multiplier=1,  # a busy worker holds no one else's message
        task_ignore_result=True,  # results live in the case store
        task_default_queue=settings.celery_queue,
        task_soft_time_limit=0.9 * limit,
        task_time_limit=limit,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        broker_transport_options={
            # An unacknowledged message returns to the queue after this; the lease, not
            # this, decides who may run the job, so a late copy does no harm.
            "visibility_timeout": limit + 2 * settings.job_lease_seconds,
            "global_keyprefix": f"{settings.celery_queue}:",
        },
    )
    app.task(name=TASK, ignore_result=True)(run_job)
    return app


@lru_cache(maxsize=4)
def _publisher_app(broker_url: str, queue: str, limit: float, lease: float) -> Celery:
    return make_app(
        Settings(
            broker_url=broker_url,
            celery_queue=queue,
            job_time_limit_seconds=limit,
            job_lease_seconds=lease,
        )
    )


def publisher(settings: Settings):
    """The app side: announce committed jobs to the broker."""
    app = _publisher_app(
        settings.broker_url,
        settings.celery_queue,
        settings.job_time_limit_seconds,
        settings.job_lease_seconds,
    )

    def notify(job_ids: list[int]) -> None:
        for job_id in job_ids:
            app.send_task(TASK, args=[job_id], queue=settings.celery_queue)

    return notify


# --- the worker side ---------------------------------------------------------------------
_state: dict[str, object] = {}


def _queue() -> DatabaseJobQueue:
    """One store per worker process (prefork children each open their own)."""
    queue = _state.get("queue")
    if queue is None:
        settings = Settings()
        queue = _state["queue"] = DatabaseJobQueue(CaseStore(settings), publisher(settings))
    return queue


def run_job(job_id: int) -> str:
    queue = _queue()
    name = worker_name()
    claim = queue.claim(name, job_id)
    if claim is None:
        return "not claimable"  # done, failed, or running under a live lease elsewhere
    pipeline = _state.get("pipeline") or load_pipeline(queue.settings.job_pipeline)
    _state["pipeline"] = pipeline
    return execute(queue, claim, pipeline)


def _sweep_forever(stop: threading.Event) -> None:
    """The main worker process's supervisor duty: report itself, hand back jobs whose worker
    died (lease expired), and publish jobs whose announcement may be lost (the outbox)."""
    settings = Settings()
    store = CaseStore(settings)
    queue = DatabaseJobQueue(store, publisher(settings))
    name = f"celery:{worker_name()}"
    workers.register(store, name, "celery")
    every = max(0.5, settings.job_lease_seconds / 3)
    republish = settings.job_time_limit_seconds + 2 * settings.job_lease_seconds
    queue.recover(republish_after_seconds=0)
    while not stop.wait(every):
        try:
            workers.beat(store, name)
            queue.expire_leases()
            queue.recover(republish_after_seconds=republish)
        except Exception:
            log.exception("sweep failed; trying again")
    workers.stopped(store, name)
    store.close()


_stop_sweeping = threading.Event()


@signals.worker_ready.connect
def _start_sweeper(**_kwargs: object) -> None:
    threading.Thread(target=_sweep_forever, args=(_stop_sweeping,), daemon=True).start()


@signals.worker_shutdown.connect
def _stop_sweeper(**_kwargs: object) -> None:
    _stop_sweeping.set()


@signals.worker_process_init.connect
def _child_start(**_kwargs: object) -> None:
    _state.clear()  # never share the parent's database connections
    apply_memory_ceiling(Settings().max_worker_memory_mb)


app = make_app(Settings())
