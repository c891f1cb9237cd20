"""Intake: store an uploaded file and queue its processing in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from exportdesk.review.jobs import PROCESS, DatabaseJobQueue
from exportdesk.review.store import CaseStore, Receipt
from exportdesk.review.tables import Application


@dataclass(frozen=True)
class Submitted:
    receipt: Receipt
    job_id: int | None  # None for a duplicate that was read already or is being read

    @property
    def message(self) -> str:
        r = self.receipt
        if r.duplicate and self.job_id is not None:
            return (
                f"Already received as application {r.application_id} ({r.filename}) but not "
                "read yet; it is queued for reading again."
            )
        if r.duplicate:
            return (
                f"Already received as application {r.application_id} ({r.filename}); "
                "the same file was not stored twice."
            )
        return f"Stored as application {r.application_id}; reading it now."


def submit(
    store: CaseStore, queue: DatabaseJobQueue, data: bytes, filename: str, actor: str
) -> Submitted:
    """Keep the original, open its application and queue its job, committed together.

    A duplicate of a file that was never read and has no live job (its job failed, or was
    lost by an older version) is queued again rather than left waiting for ever.
    """
    queued: list[int] = []

    def queue_job(s: Session, receipt: Receipt) -> None:
        queued.clear()  # a retried transaction starts over
        if receipt.duplicate:
            status = s.scalar(
                select(Application.status).where(Application.id == receipt.application_id)
            )
            if status != "received" or queue.live_job_for(s, receipt.sha256) is not None:
                return
        queue.check_capacity(s)
        queued.append(queue.add(s, PROCESS, receipt.sha256).id)

    receipt = store.receive(data, filename, actor, then=queue_job)
    queue.notify(queued)
    return Submitted(receipt, queued[0] if queued else None)
