"""Jobs in the case store: queue, claim with a lease, heartbeat, and finish only while owning.

The database row is the job in both back ends. The embedded back end's workers poll it; the
Celery back end publishes the job's id to the broker, and its workers claim the same row the
same way. A broker message only says "job N may be ready": a duplicate or late message finds
the job taken or done and does nothing, so every job runs to completion once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from exportdesk.extract.settings import Settings
from exportdesk.review import audit
from exportdesk.review.store import CaseStore, StoreError
from exportdesk.review.tables import Application, Job, utcnow
from exportdesk.review.values import Value

log = logging.getLogger(__name__)

PROCESS = "process_document"
READ_PAGES = "read_pages"  # one page range of a long document (payload: parent, first, stop)
RETRAIN = "retrain"
# "waiting": a long document's job while its page-range jobs run; the last range to finish
# queues it again, and it then assembles the pages (fields, classification, risk).
LIVE = ("queued", "running", "waiting")
LOG_LINES = 40  # progress lines a job keeps (the Trainer page shows them)

Notify = Callable[[list[int]], None]  # tells the back end that these jobs may be claimed


class LeaseLost(StoreError):
    """This worker no longer owns the job (its lease ran out and another took it).

    Raised by a heartbeat to stop the work early. Should a stage swallow it, the job still
    cannot end wrongly: finishing checks the token again and raises it once more, so a
    stale worker's result is never recorded.
    """


class QueueFull(StoreError):
    """More jobs wait than ``job_queue_limit`` allows; the upload was not stored."""


class JobState(Value):
    """A job as the pages and the CLI see it; progress is whole units, never text."""

    id: int
    kind: str
    status: str  # queued, running, waiting (for its page ranges), done, failed
    attempts: int
    max_attempts: int
    error: str | None
    done: int = Field(ge=0)  # units done (pages read, or training steps)
    total: int | None = Field(default=None, ge=0)  # units in all, once known
    worker: str | None = None
    document_sha256: str | None = None
    requested_by: str | None = None
    payload: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    log: list[str] = Field(default_factory=list)
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    lease_until: datetime | None = None

    @property
    def fraction(self) -> float | None:
        """Share of the work done (0 to 1), or None while the total is unknown."""
        return min(self.done / self.total, 1.0) if self.total else None


@dataclass(frozen=True)
class Claim:
    """A job as one worker holds it: the token proves ownership on every later write."""

    id: int
    token: str
    kind: str
    attempt: int
    max_attempts: int
    document_sha256: str | None
    payload: dict[str, Any] | None
    requested_by: str | None


def _state(job: Job) -> JobState:
    return JobState.of(
        job,
        done=job.done_units or 0,
        total=job.total_units,
        log=(job.log or "").splitlines(),
    )


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=utcnow().tzinfo)
    return moment


class DatabaseJobQueue:
    """The jobs table and its rules; ``notify`` is the back end's way of announcing work."""

    def __init__(self, store: CaseStore, notify: Notify | None = None) -> None:
        self.store = store
        self.settings: Settings = store.settings
        self._notify = notify

    # --- producing ------------------------------------------------------------------
    def add(
        self,
        s: Session,
        kind: str,
        document_sha256: str | None = None,
        payload: dict[str, Any] | None = None,
        requested_by: str | None = None,
    ) -> Job:
        """A queued job inside the caller's transaction (intake commits it with the upload)."""
        job = Job(
            kind=kind,
            document_sha256=document_sha256,
            payload=payload,
            requested_by=requested_by,
            status="queued",
            attempts=0,
            max_attempts=self.settings.job_max_attempts,
            done_units=0,
        )
        s.add(job)
        s.flush()
        return job

    def check_capacity(self, s: Session) -> None:
        waiting = s.scalar(select(func.count()).select_from(Job).where(Job.status.in_(LIVE))) or 0
        if waiting >= self.settings.job_queue_limit:
            raise QueueFull(
                f"The reading queue is full ({waiting} jobs waiting or running, the limit is "
                f"{self.settings.job_queue_limit}); nothing was stored. Try again in a few "
                "minutes, or ask the admin to add workers."
            )

    def enqueue(self, document_sha256: str) -> int:
        with self.store.session() as s:
            job_id = self.add(s, PROCESS, document_sha256).id
        self.notify([job_id])
        return job_id

    def notify(self, job_ids: list[int]) -> None:
        """Announce committed jobs to the back end; a failure leaves them for the sweep."""
        if not job_ids or self._notify is None:
            return
        try:
            self._notify(job_ids)
        except Exception:  # the rows are committed: recover() publishes them later
            log.exception("could not publish jobs %s; the next sweep will", job_ids)
            return
        with self.store.session() as s:
            s.execute(update(Job).where(Job.id.in_(job_ids)).values(published_at=utcnow()))

    # --- consuming ------------------------------------------------------------------
    def claim(self, worker: str, job_id: int | None = None) -> Claim | None:
        """Take the oldest queued job (or job ``job_id``); two workers never take the same."""
        now = utcnow()
        token = uuid.uuid4().hex
        with self.store.session() as s:
            query = select(Job.id).where(Job.status == "queued")
            if job_id is not None:
                query = query.where(Job.id == job_id)
            candidate = s.execute(query.order_by(Job.id).limit(1)).scalar_one_or_none()
            if candidate is None:
                return None
            taken = s.execute(
                update(Job)
                .where(Job.id == candidate, Job.status == "queued")
                .values(
                    status="running",
                    worker=worker,
                    token=token,
                    attempts=Job.attempts + 1,
                    started_at=now,
                    heartbeat_at=now,
                    lease_until=now + timedelta(seconds=self.settings.job_lease_seconds),
                    done_units=0,
                    total_units=None,
                )
            )
            if taken.rowcount != 1:
                return None
            job = s.get(Job, candidate)
            assert job is not None
            return Claim(
                job.id,
                token,
                job.kind,
                job.attempts,
                job.max_attempts,
                job.document_sha256,
                job.payload,
                job.requested_by,
            )

    def progress(
        self, claim: Claim, done: int | None = None, total: int | None = None, line: str = ""
    ) -> None:
        """Heartbeat: renew the lease, record progress; raises LeaseLost if no longer ours."""
        now = utcnow()
        values: dict[str, Any] = {
            "heartbeat_at": now,
            "lease_until": now + timedelta(seconds=self.settings.job_lease_seconds),
        }
        if done is not None:
            values["done_units"] = done
        if total is not None:
            values["total_units"] = total
        with self.store.session() as s:
            if line:
                old = s.scalar(select(Job.log).where(Job.id == claim.id)) or ""
                stamped = f"{now.isoformat(timespec='seconds')} {line}"
                values["log"] = "\n".join([*old.splitlines(), stamped][-LOG_LINES:])
            renewed = s.execute(
                update(Job)
                .where(Job.id == claim.id, Job.token == claim.token, Job.status == "running")
                .values(**values)
            )
            if renewed.rowcount != 1:
                raise LeaseLost(f"job {claim.id} was taken over by another worker")

    def complete(self, claim: Claim, s: Session, result: dict[str, Any] | None = None) -> None:
        """Mark the job done inside the transaction that records its result.

        Raises LeaseLost when another worker owns the job by now; the caller's transaction
        then rolls back, so a stale worker's result is never recorded.
        """
        done = s.execute(
            update(Job)
            .where(Job.id == claim.id, Job.token == claim.token, Job.status == "running")
            .values(
                status="done",
                error=None,
                token=None,
                result=result,
                finished_at=utcnow(),
                lease_until=None,
                done_units=func.coalesce(Job.total_units, Job.done_units),
            )
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLost(f"job {claim.id} was taken over by another worker")

    def fail(self, claim: Claim, reason: str) -> str:
        """Record a failed attempt: queued again while attempts remain, else failed."""
        last = claim.attempt >= claim.max_attempts
        status = "failed" if last else "queued"
        text = f"attempt {claim.attempt} of {claim.max_attempts}: {reason}"
        with self.store.session() as s:
            changed = s.execute(
                update(Job)
                .where(Job.id == claim.id, Job.token == claim.token, Job.status == "running")
                .values(
                    status=status,
                    error=text,
                    token=None,
                    lease_until=None,
                    finished_at=utcnow() if last else None,
                )
            )
            if changed.rowcount != 1:
                return "lost"
            if last and claim.kind == READ_PAGES:
                _fail_parent(s, claim.payload, text)
        if status == "queued":
            self.notify([claim.id])
        return status

    # --- long documents: page ranges ------------------------------------------------
    def split(self, claim: Claim, ranges: list[range], total: int) -> list[int]:
        """Turn a long document's running job into page-range jobs and park it ``waiting``.

        One transaction, only while this worker owns the job (else LeaseLost and nothing is
        created). Parking is not a failed try, so it gives the attempt back.
        """
        with self.store.session() as s:
            ids = [
                self.add(
                    s,
                    READ_PAGES,
                    claim.document_sha256,
                    {"parent": claim.id, "first": r.start, "stop": r.stop},
                    claim.requested_by,
                ).id
                for r in ranges
            ]
            self._park(s, claim, ids, total)
        self.notify(ids)
        return ids

    def resume(self, claim: Claim, range_ids: list[int], total: int) -> list[int]:
        """The document's job came back before all its ranges were done (an admin retried it
        after a range failed): queue the failed ranges again with fresh attempts, park it."""
        with self.store.session() as s:
            failed = list(
                s.execute(
                    select(Job.id).where(Job.id.in_(range_ids), Job.status == "failed")
                ).scalars()
            )
            if failed:
                s.execute(
                    update(Job)
                    .where(Job.id.in_(failed))
                    .values(status="queued", attempts=0, error=None, finished_at=None)
                )
            done_pages = sum(
                (p or {}).get("stop", 0) - (p or {}).get("first", 0)
                for p in s.execute(
                    select(Job.payload).where(Job.id.in_(range_ids), Job.status == "done")
                ).scalars()
            )
            self._park(s, claim, range_ids, total, done_pages)
        self.notify(failed)
        return failed

    def _park(
        self, s: Session, claim: Claim, range_ids: list[int], total: int, done: int = 0
    ) -> None:
        parked = s.execute(
            update(Job)
            .where(Job.id == claim.id, Job.token == claim.token, Job.status == "running")
            .values(
                status="waiting",
                payload={**(claim.payload or {}), "ranges": range_ids},
                token=None,
                lease_until=None,
                attempts=Job.attempts - 1,
                done_units=done,
                total_units=total,
            )
        )
        if parked.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLost(f"job {claim.id} was taken over by another worker")

    def complete_range(self, claim: Claim, s: Session, result: dict[str, Any]) -> int | None:
        """Record a page range's pages and mark it done; the last range of its document
        queues the document's job again (returned, to announce after the commit).

        Exactly once, also when ranges finish at the same moment on different machines: each
        completion first locks its document's job row (the ``done_units`` update), so the
        completions run one after another and the last one sees all the others done.
        """
        self.complete(claim, s, result)
        payload = claim.payload or {}
        parent = int(payload["parent"])
        s.execute(
            update(Job)
            .where(Job.id == parent)
            .values(done_units=Job.done_units + (payload["stop"] - payload["first"]))
        )
        ranges = (s.scalar(select(Job.payload).where(Job.id == parent)) or {}).get("ranges", [])
        unfinished = s.scalar(
            select(func.count()).select_from(Job).where(Job.id.in_(ranges), Job.status != "done")
        )
        if unfinished:
            return None
        released = s.execute(
            update(Job)
            .where(Job.id == parent, Job.status == "waiting")
            .values(status="queued", error=None)
        )
        return parent if released.rowcount == 1 else None  # type: ignore[attr-defined]

    def clear_range_results(self, s: Session, range_ids: list[int]) -> None:
        """Drop the pages stored on a document's range jobs, in the transaction that records
        the assembled result: they were only kept to be joined, and a long scan's pages
        (every word with its box) would otherwise stay in the jobs table for good."""
        if range_ids:
            s.execute(
                update(Job).where(Job.id.in_(range_ids), Job.kind == READ_PAGES).values(result=None)
            )

    def range_results(self, range_ids: list[int]) -> tuple[list[dict[str, Any]], list[int]]:
        """The stored results of these range jobs in page order, and the ids not done."""
        with self.store.session() as s:
            rows = s.execute(select(Job.id, Job.status, Job.result).where(Job.id.in_(range_ids)))
            found = {job_id: (status, result) for job_id, status, result in rows}
        missing = [i for i in range_ids if found.get(i, ("", None))[0] != "done"]
        return [found[i][1] for i in range_ids if i not in missing], missing

    def expire_leases(self) -> list[int]:
        """Jobs whose worker stopped heart-beating: queue them again, or fail the last try."""
        now = utcnow()
        requeued = []
        with self.store.session() as s:
            stale = s.execute(
                select(Job).where(Job.status == "running", Job.lease_until < now)
            ).scalars()
            for job in list(stale):
                beat = _aware(job.heartbeat_at)
                quiet = f"{(now - beat).total_seconds():.0f} s" if beat else "ever"
                what = (
                    f"the worker {job.worker} stopped (no heartbeat for {quiet}) after "
                    f"{job.done_units} of {job.total_units or '?'} units"
                )
                last = job.attempts >= job.max_attempts
                changed = s.execute(
                    update(Job)
                    .where(Job.id == job.id, Job.token == job.token, Job.status == "running")
                    .values(
                        status="failed" if last else "queued",
                        error=f"attempt {job.attempts} of {job.max_attempts}: {what}",
                        token=None,
                        lease_until=None,
                        finished_at=now if last else None,
                    )
                )
                if changed.rowcount == 1 and not last:
                    requeued.append(job.id)
                elif changed.rowcount == 1 and job.kind == READ_PAGES:
                    _fail_parent(s, job.payload, f"attempt {job.attempts}: {what}")
        if requeued:
            log.warning("re-queued jobs %s: their worker stopped", requeued)
            self.notify(requeued)
        return requeued

    def recover(self, republish_after_seconds: float) -> list[int]:
        """The outbox sweep: announce again queued jobs whose announcement may be lost, and
        give a job to every received application that has none (stored before this change,
        or whose job an older version lost)."""
        cutoff = utcnow() - timedelta(seconds=republish_after_seconds)
        with self.store.session() as s:
            live_docs = select(Job.document_sha256).where(
                Job.status.in_(LIVE), Job.document_sha256.is_not(None)
            )
            orphans = s.execute(
                select(Application.document_sha256).where(
                    Application.status == "received",
                    Application.document_sha256.not_in(live_docs),
                )
            ).scalars()
            created = [self.add(s, PROCESS, sha).id for sha in list(orphans)]
            stale = s.execute(
                select(Job.id).where(
                    Job.status == "queued",
                    (Job.published_at.is_(None)) | (Job.published_at < cutoff),
                )
            ).scalars()
            ids = sorted(set(stale) | set(created))
        if created:
            log.warning("created jobs %s for received applications that had none", created)
        self.notify(ids)
        return ids

    # --- reading and admin ----------------------------------------------------------
    def state(self, job_id: int) -> JobState:
        with self.store.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise KeyError(f"no job {job_id}")
            return _state(job)

    def jobs(self, kind: str | None = None, status: str | None = None) -> list[JobState]:
        query = select(Job).order_by(Job.id.desc())
        if kind:
            query = query.where(Job.kind == kind)
        if status:
            query = query.where(Job.status == status)
        with self.store.session() as s:
            return [_state(j) for j in s.execute(query).scalars()]

    def failed(self) -> list[JobState]:
        return sorted(self.jobs(status="failed"), key=lambda j: j.id)

    def depth(self) -> dict[str, int]:
        with self.store.session() as s:
            rows = s.execute(select(Job.status, func.count()).group_by(Job.status)).all()
        found = {status: int(n) for status, n in rows}
        statuses = ("queued", "running", "waiting", "done", "failed")
        return {status: found.get(status, 0) for status in statuses}

    def live_job_for(self, s: Session, document_sha256: str) -> int | None:
        return s.execute(
            select(Job.id)
            .where(Job.document_sha256 == document_sha256, Job.status.in_(LIVE))
            .limit(1)
        ).scalar_one_or_none()

    def retry(self, job_id: int, actor: str) -> None:
        """Queue a failed job again with fresh attempts (after the cause was fixed)."""
        with self.store.session() as s:
            job = s.get(Job, job_id)
            if job is None or job.status != "failed":
                raise StoreError(f"Job {job_id} has not failed; there is nothing to retry.")
            job.status, job.attempts, job.error, job.finished_at = "queued", 0, None, None
            if job.kind == READ_PAGES:
                _reopen_parent(s, job)
            app_id = s.execute(
                select(Application.id).where(Application.document_sha256 == job.document_sha256)
            ).scalar_one_or_none()
            audit.append(s, actor, "job_retried", app_id, {"job": job_id})
        self.notify([job_id])


def _fail_parent(s: Session, payload: dict[str, Any] | None, reason: str) -> None:
    """A page range failed for good: its document's job fails with the range named (the
    admin's Retry of that job queues the failed ranges again)."""
    p = payload or {}
    s.execute(
        update(Job)
        .where(Job.id == int(p["parent"]), Job.status == "waiting")
        .values(
            status="failed",
            error=f"pages {p['first'] + 1}-{p['stop']} could not be read ({reason}); "
            "Retry reads them again",
            finished_at=utcnow(),
        )
    )


def _reopen_parent(s: Session, range_job: Job) -> None:
    """A failed range is retried on its own: its document's job, failed because of it, waits
    again for its ranges, so the last one to finish queues it for assembly as usual. While
    another of its ranges is still failed it stays failed (that range's Retry reopens it)."""
    parent = int((range_job.payload or {})["parent"])
    ranges = (s.scalar(select(Job.payload).where(Job.id == parent)) or {}).get("ranges", [])
    others_failed = s.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.id.in_(ranges), Job.id != range_job.id, Job.status == "failed")
    )
    if others_failed:
        return
    s.execute(
        update(Job)
        .where(Job.id == parent, Job.status == "failed")
        .values(status="waiting", error=None, finished_at=None)
    )


def queue_for(store: CaseStore) -> DatabaseJobQueue:
    """The queue with the configured back end's announcer."""
    if store.settings.job_backend == "celery":
        from exportdesk.review.celery_app import publisher

        return DatabaseJobQueue(store, publisher(store.settings))
    return DatabaseJobQueue(store)
