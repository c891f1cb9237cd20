"""The retrain job as a separate process: one at a time, and a dead process reads as failed."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from exportdesk.extract.settings import Settings
from exportdesk.models import jobs


def test_launch_starts_one_process_and_a_killed_one_reads_as_failed(settings: Settings) -> None:
    job_id = jobs.launch(settings, "tess", activate=False)
    pid = json.loads((jobs.jobs_dir(settings) / job_id / "status.json").read_text())["pid"]
    try:
        job = jobs.status(settings, job_id)
        assert (job.state, job.requested_by, job.activate) == ("running", "tess", False)
        with pytest.raises(jobs.JobError, match="still running"):
            jobs.launch(settings, "other", activate=True)
    finally:
        os.killpg(pid, signal.SIGTERM)  # the job leads its own process group
    deadline = time.monotonic() + 20
    while jobs.status(settings, job_id).state == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    job = jobs.status(settings, job_id)
    assert job.state == "failed"
    assert "ended without reporting" in (job.error or "")
    assert jobs.running(settings) is None


def test_unknown_job_is_reported(settings: Settings) -> None:
    with pytest.raises(jobs.JobError, match="no retrain job"):
        jobs.status(settings, "nope")
