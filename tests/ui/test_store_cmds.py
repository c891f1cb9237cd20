"""`exportdesk users add`, `audit verify`, `worker` and `demo --no-serve`."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from casefactory import pdf_bytes
from sqlalchemy import text, update
from typer.testing import CliRunner

from exportdesk.extract.settings import Settings
from exportdesk.review.auth import AuthError, authenticate
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import AuditEvent
from exportdesk.review.workers import spawn_worker, worker_running
from exportdesk.ui.cli import app

runner = CliRunner()


def _store(data: Path) -> CaseStore:
    return CaseStore(Settings(data_dir=data))


def test_users_add_prompts_without_echo_and_hashes(tmp_path: Path) -> None:
    secret = "Tr0ub4dor&3-long"
    result = runner.invoke(
        app,
        ["users", "add", "rita", "--role", "reviewer", "--data-dir", str(tmp_path)],
        input=f"{secret}\n{secret}\n",
    )
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    store = _store(tmp_path)
    with store.session() as s:
        assert authenticate(s, "rita", secret, hours=1).role == "reviewer"
        with pytest.raises(AuthError):
            authenticate(s, "rita", "wrong-password", hours=1)
    again = runner.invoke(
        app,
        [
            "users",
            "add",
            "rita",
            "--role",
            "clerk",
            "--password-stdin",
            "--data-dir",
            str(tmp_path),
        ],
        input="another-long-one\n",
    )
    assert again.exit_code == 1 and "already exists" in again.output
    bad_role = runner.invoke(
        app,
        ["users", "add", "sam", "--role", "boss", "--data-dir", str(tmp_path)],
        env={"EXPORTDESK_NEW_PASSWORD": "long-enough-pass"},
    )
    assert bad_role.exit_code == 1 and "Unknown role 'boss'" in bad_role.output


def test_audit_verify_cli_catches_edited_row(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.receive(pdf_bytes("cli"), "cli.pdf", "clerk")
    ok = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0 and "audit log intact: 1 events" in ok.output
    with store.session() as s:
        s.execute(text("DROP TRIGGER audit_events_no_update"))  # as someone with schema rights
        s.execute(update(AuditEvent).values(detail='{"filename": "innocent.pdf"}'))
    broken = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert broken.exit_code == 1
    assert "event 1 (received by clerk) was edited" in broken.output


def test_demo_no_serve_makes_accounts_and_queues_samples(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "a.pdf").write_bytes(pdf_bytes("demo-a"))
    (samples / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    data = tmp_path / "demo"
    result = runner.invoke(
        app, ["demo", "--data-dir", str(data), "--no-serve", "--samples", str(samples)]
    )
    assert result.exit_code == 0, result.output
    for role in ("clerk", "reviewer", "trainer", "admin"):
        assert f"  {role} " in result.output
    assert "application 1: a.pdf — extracted" in result.output
    assert "application 2: broken.pdf — unreadable" in result.output
    assert (data / "results" / "application-1.json").exists()
    assert [r.status for r in _store(data).queue()] == ["extracted", "extracted"]


def test_worker_command_until_idle(tmp_path: Path) -> None:
    store = _store(tmp_path)
    receipt = store.receive(b"this is not a pdf", "notes.pdf", "clerk")
    job = DatabaseJobQueue(store).enqueue(receipt.sha256)
    result = runner.invoke(app, ["worker", "--until-idle", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "ran 1 jobs" in result.output
    assert DatabaseJobQueue(store).state(job).status == "done"


def test_app_spawned_worker_process_runs_queued_job(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, worker_poll_seconds=0.2)
    store = _store(tmp_path)
    receipt = store.receive(b"this is not a pdf", "notes.pdf", "clerk")
    job = DatabaseJobQueue(store).enqueue(receipt.sha256)
    os.environ["EXPORTDESK_WORKER_POLL_SECONDS"] = "0.2"
    try:
        proc = spawn_worker(settings)
    finally:
        del os.environ["EXPORTDESK_WORKER_POLL_SECONDS"]
    assert proc is not None
    try:
        deadline = time.monotonic() + 60
        while DatabaseJobQueue(store).state(job).status != "done":
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker did not finish the job in 60 s"
            time.sleep(0.2)
        assert worker_running(settings)
        assert spawn_worker(settings) is None  # one worker per data folder
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    case = store.case(receipt.application_id)
    assert case.status == "extracted" and case.result is not None and not case.result.readable
