"""Retraining as a job of the case store's job system, as the Trainer page starts and reads it.

A retrain is a ``retrain`` row in the jobs table (``review/jobs.py``): the same leases,
attempts, failure reasons and workers (embedded or Celery) as reading an application. Its
progress lines are the job's log, its summary the job's result; the exported dataset stays
under ``<data_dir>/training-jobs/<job id>/`` so the job keeps what it trained on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from exportdesk.extract.errors import ModelError
from exportdesk.extract.settings import Settings

HANDLER = "exportdesk.models.jobs:run_retrain"  # what a worker calls for a retrain job
STATES = {"queued": "running", "running": "running", "done": "succeeded", "failed": "failed"}


class JobError(ModelError):
    """A retrain job cannot be started or read; the message says what to do."""


@dataclass(frozen=True)
class RetrainJob:
    id: str
    state: str  # running (queued or running) | succeeded | failed
    requested_by: str
    activate: bool
    started: str
    finished: str | None
    progress: list[str]
    summary: dict | None
    error: str | None


def _open(settings: Settings):
    from exportdesk.review.jobs import queue_for
    from exportdesk.review.store import CaseStore

    store = CaseStore(settings)
    return store, queue_for(store)


def _view(job: Any) -> RetrainJob:
    return RetrainJob(
        str(job.id),
        STATES[job.status],
        job.requested_by or "",
        bool((job.payload or {}).get("activate")),
        job.queued_at.isoformat(timespec="seconds") if job.queued_at else "",
        job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
        job.log,
        job.result,
        job.error if job.status == "failed" else None,
    )


def launch(settings: Settings, actor: str, activate: bool) -> str:
    """Queue a retrain and return its job id. One at a time."""
    from exportdesk.review.jobs import RETRAIN

    busy = running(settings)
    if busy is not None:
        raise JobError(
            f"retrain {busy.id} (started by {busy.requested_by} at {busy.started}) "
            "is still running; wait for it to finish"
        )
    store, queue = _open(settings)
    try:
        with store.session() as s:
            payload = {"activate": activate, "handler": HANDLER}
            job_id = queue.add(s, RETRAIN, payload=payload, requested_by=actor).id
        queue.notify([job_id])
    finally:
        store.close()
    return str(job_id)


def status(settings: Settings, job_id: str) -> RetrainJob:
    from exportdesk.review.jobs import RETRAIN

    store, queue = _open(settings)
    try:
        job = queue.state(int(job_id)) if job_id.isdigit() else None
    except KeyError:
        job = None
    finally:
        store.close()
    if job is None or job.kind != RETRAIN:
        raise JobError(f"there is no retrain job {job_id!r}")
    return _view(job)


def history(settings: Settings) -> list[RetrainJob]:
    from exportdesk.review.jobs import RETRAIN

    store, queue = _open(settings)
    try:
        return [_view(j) for j in queue.jobs(kind=RETRAIN)]
    finally:
        store.close()


def running(settings: Settings) -> RetrainJob | None:
    return next((j for j in history(settings) if j.state == "running"), None)


def run_here(settings: Settings, job_id: str, **train_options: Any) -> RetrainJob:
    """Claim retrain ``job_id`` and run it in this process (tests pass a small embedder and
    data through ``train_options``); workers run it the same way without options."""
    from exportdesk.review.runner import execute, worker_name

    store, queue = _open(settings)
    try:
        claim = queue.claim(worker_name(), int(job_id))
        if claim is None:
            raise JobError(f"retrain {job_id} is not waiting to run")
        execute(queue, claim, train_options=train_options)
    finally:
        store.close()
    return status(settings, job_id)


def run_retrain(queue: Any, claim: Any, beat: Any, train_options: dict[str, Any]) -> None:
    """A worker's work for a retrain job: export confirmed decisions, retrain, maybe activate.
    The summary becomes the job's result, recorded only while the worker owns the job."""
    from exportdesk.models.workflow import export_from_store, retrain

    settings = queue.settings
    request = claim.payload or {}
    folder = settings.data_dir / "training-jobs" / str(claim.id)
    steps = 0

    def progress(message: str) -> None:
        nonlocal steps
        steps += 1
        beat.progress(steps, None, message)

    progress("exporting confirmed decisions")
    export_from_store(settings, folder / "dataset")
    summary = retrain(
        settings,
        actor=claim.requested_by or "trainer",
        dataset_dir=folder / "dataset",
        activate_after=bool(request.get("activate")),
        progress=progress,
        **train_options,
    )
    with queue.store.session() as s:
        queue.complete(claim, s, result=json.loads(json.dumps(summary, default=str)))
