"""Retraining through the case store's job system: one at a time, failures with their reason."""

from __future__ import annotations

import pytest

from exportdesk.extract.settings import Settings
from exportdesk.models import jobs
from exportdesk.review.jobs import RETRAIN, DatabaseJobQueue
from exportdesk.review.store import CaseStore


def test_launch_queues_one_retrain_at_a_time(settings: Settings) -> None:
    job_id = jobs.launch(settings, "tess", activate=False)
    job = jobs.status(settings, job_id)
    assert (job.state, job.requested_by, job.activate) == ("running", "tess", False)
    with pytest.raises(jobs.JobError, match="still running"):
        jobs.launch(settings, "other", activate=True)
    store = CaseStore(settings)
    try:
        kinds = [j.kind for j in DatabaseJobQueue(store).jobs()]
    finally:
        store.close()
    assert kinds == [RETRAIN]  # the same table and rules as reading applications


def test_failed_retrain_reads_as_failed_with_its_reason_and_frees_the_slot(
    settings: Settings,
) -> None:
    job_id = jobs.launch(settings, "tess", activate=False)
    # No confirmed decisions and a missing fixed set: training refuses, every attempt.
    for _ in range(settings.job_max_attempts):
        jobs.run_here(settings, job_id, fixed_set=settings.data_dir / "missing.jsonl")
    job = jobs.status(settings, job_id)
    assert job.state == "failed"
    assert job.error is not None and f"attempt {settings.job_max_attempts} of" in job.error
    assert any("exporting confirmed decisions" in line for line in job.progress)
    assert jobs.running(settings) is None
    assert jobs.launch(settings, "tess", activate=False) != job_id


def test_unknown_job_is_reported(settings: Settings) -> None:
    with pytest.raises(jobs.JobError, match="no retrain job"):
        jobs.status(settings, "nope")
