"""Intake: store an uploaded file and queue its processing, in one call the page can make."""

from __future__ import annotations

from dataclasses import dataclass

from exportdesk.review.jobs import JobQueue
from exportdesk.review.store import CaseStore, Receipt


@dataclass(frozen=True)
class Submitted:
    receipt: Receipt
    job_id: int | None  # None for a duplicate: it was processed the first time

    @property
    def message(self) -> str:
        r = self.receipt
        if r.duplicate:
            return (
                f"Already received as application {r.application_id} ({r.filename}); "
                "the same file was not stored twice."
            )
        return f"Stored as application {r.application_id}; reading it now."


def submit(store: CaseStore, queue: JobQueue, data: bytes, filename: str, actor: str) -> Submitted:
    receipt = store.receive(data, filename, actor)
    if receipt.duplicate:
        return Submitted(receipt, None)
    return Submitted(receipt, queue.enqueue(receipt.sha256))
