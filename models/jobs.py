"""Retraining as a background process that the Trainer page starts and polls.

Each job is a folder under ``<data_dir>/training-jobs/<id>/``: ``request.json`` (who asked,
whether to activate), ``progress.log`` (the trainer's progress lines), ``status.json``
(running, succeeded or failed, with the summary or the error). The child process is
``python -m exportdesk.models.jobs <folder>``; it inherits the EXPORTDESK_* environment.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exportdesk.extract.errors import ModelError
from exportdesk.extract.settings import Settings

TAIL_LINES = 40


class JobError(ModelError):
    """A retrain job cannot be started or read; the message says what to do."""


@dataclass(frozen=True)
class RetrainJob:
    id: str
    state: str  # running | succeeded | failed
    requested_by: str
    activate: bool
    started: str
    finished: str | None
    progress: list[str]
    summary: dict | None
    error: str | None


def jobs_dir(settings: Settings) -> Path:
    return settings.data_dir / "training-jobs"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), "utf-8")
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child of this process stays a zombie until reaped; reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


def launch(settings: Settings, actor: str, activate: bool) -> str:
    """Start a retrain in its own process and return the job id. One at a time."""
    busy = running(settings)
    if busy is not None:
        raise JobError(
            f"retrain {busy.id} (started by {busy.requested_by} at {busy.started}) "
            "is still running; wait for it to finish"
        )
    job_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    folder = jobs_dir(settings) / job_id
    folder.mkdir(parents=True)
    _write(
        folder / "request.json", {"requested_by": actor, "activate": activate, "started": _now()}
    )
    log = (folder / "progress.log").open("ab")
    env = {
        **os.environ,
        "EXPORTDESK_DATA_DIR": str(settings.data_dir),
        "EXPORTDESK_MODELS_DIR": str(settings.models_dir),
    }
    if settings.database_url:
        env["EXPORTDESK_DATABASE_URL"] = settings.database_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "exportdesk.models.jobs", str(folder)],
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    log.close()
    _write(folder / "status.json", {"state": "running", "pid": proc.pid})
    return job_id


def status(settings: Settings, job_id: str) -> RetrainJob:
    folder = jobs_dir(settings) / job_id
    if not (folder / "request.json").exists():
        raise JobError(f"there is no retrain job {job_id!r} under {jobs_dir(settings)}")
    request = json.loads((folder / "request.json").read_text("utf-8"))
    st: dict[str, Any] = (
        json.loads((folder / "status.json").read_text("utf-8"))
        if (folder / "status.json").exists()
        else {"state": "running"}
    )
    if st["state"] == "running" and "pid" in st and not _alive(int(st["pid"])):
        st = {
            "state": "failed",
            "finished": None,
            "error": "the training process ended without reporting a result; "
            "see the progress log above",
        }
    log = folder / "progress.log"
    lines = (
        log.read_text("utf-8", errors="replace").splitlines()[-TAIL_LINES:] if log.exists() else []
    )
    return RetrainJob(
        job_id,
        st["state"],
        request["requested_by"],
        request["activate"],
        request["started"],
        st.get("finished"),
        lines,
        st.get("summary"),
        st.get("error"),
    )


def history(settings: Settings) -> list[RetrainJob]:
    base = jobs_dir(settings)
    if not base.is_dir():
        return []
    ids = sorted((p.name for p in base.iterdir() if (p / "request.json").exists()), reverse=True)
    return [status(settings, i) for i in ids]


def running(settings: Settings) -> RetrainJob | None:
    return next((j for j in history(settings) if j.state == "running"), None)


def run(folder: Path, settings: Settings | None = None, **train_options) -> dict:
    """The child's work: export, retrain, maybe activate; the outcome goes to status.json.
    ``train_options`` pass through to ``workflow.retrain`` (tests give a small embedder)."""
    from exportdesk.models.workflow import retrain

    settings = settings or Settings()
    request = json.loads((folder / "request.json").read_text("utf-8"))
    log = (folder / "progress.log").open("a", encoding="utf-8")

    def progress(msg: str) -> None:
        log.write(f"{_now()} {msg}\n")
        log.flush()

    try:
        summary = retrain(
            settings,
            actor=request["requested_by"],
            dataset_dir=folder / "dataset",
            activate_after=request["activate"],
            progress=progress,
            **_with_export(settings, folder, progress, train_options),
        )
    except Exception as exc:
        progress(traceback.format_exc())
        _write(
            folder / "status.json",
            {"state": "failed", "finished": _now(), "error": f"{type(exc).__name__}: {exc}"},
        )
        raise
    finally:
        log.close()
    _write(folder / "status.json", {"state": "succeeded", "finished": _now(), "summary": summary})
    return summary


def _with_export(settings: Settings, folder: Path, progress, options: dict) -> dict:
    """Export the store's confirmed decisions into the job folder, so the job keeps the exact
    dataset it trained on."""
    from exportdesk.models.workflow import export_from_store

    progress("exporting confirmed decisions")
    export_from_store(settings, folder / "dataset")
    return options


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m exportdesk.models.jobs JOB_FOLDER", file=sys.stderr)
        return 2
    try:
        run(Path(args[0]))
    except Exception:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
