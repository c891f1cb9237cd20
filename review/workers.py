"""Who is working: worker processes with their heartbeats, and the local worker's supervisor."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import WorkerRow, utcnow

log = logging.getLogger(__name__)

WORKER_PID = "worker.pid"
PARENT_PID = "EXPORTDESK_WORKER_PARENT_PID"


@dataclass(frozen=True)
class WorkerView:
    name: str
    backend: str
    started_at: datetime
    heartbeat_at: datetime
    job_id: int | None
    state: str  # working, idle, silent (no heartbeat for two leases), stopped


def register(store: CaseStore, name: str, backend: str) -> None:
    host, _, pid = name.rpartition(":")
    now = utcnow()
    with store.session() as s:
        row = s.get(WorkerRow, name)
        if row is None:
            s.add(
                WorkerRow(
                    name=name,
                    backend=backend,
                    host=host,
                    pid=int(pid) if pid.isdigit() else 0,
                    started_at=now,
                    heartbeat_at=now,
                )
            )
        else:
            row.started_at, row.heartbeat_at, row.stopped_at, row.job_id = now, now, None, None


def beat(store: CaseStore, name: str, job_id: int | None = None) -> None:
    with store.session() as s:
        s.execute(
            update(WorkerRow)
            .where(WorkerRow.name == name)
            .values(heartbeat_at=utcnow(), job_id=job_id)
        )


def stopped(store: CaseStore, name: str) -> None:
    with store.session() as s:
        s.execute(
            update(WorkerRow).where(WorkerRow.name == name).values(stopped_at=utcnow(), job_id=None)
        )


def list_workers(store: CaseStore, since_hours: float = 24.0) -> list[WorkerView]:
    """Workers seen in the last day, newest heartbeat first."""
    now = utcnow()
    silent_after = timedelta(seconds=2 * store.settings.job_lease_seconds)
    with store.session() as s:
        rows = s.execute(
            select(WorkerRow)
            .where(WorkerRow.heartbeat_at > now - timedelta(hours=since_hours))
            .order_by(WorkerRow.heartbeat_at.desc())
        ).scalars()
        views = []
        for r in rows:
            beat_at = (
                r.heartbeat_at
                if r.heartbeat_at.tzinfo
                else r.heartbeat_at.replace(tzinfo=now.tzinfo)
            )
            if r.stopped_at is not None:
                state = "stopped"
            elif now - beat_at > silent_after:
                state = "silent"
            else:
                state = "working" if r.job_id else "idle"
            views.append(WorkerView(r.name, r.backend, r.started_at, beat_at, r.job_id, state))
        return views


# --- the local worker process: pid file, spawning, supervision ---------------------------
def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A finished child of this process stays a zombie until reaped; reap it if it is ours.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


def worker_running(settings: Settings) -> bool:
    """Whether the worker recorded in ``<data_dir>/worker.pid`` is alive."""
    try:
        return alive(int((settings.data_dir / WORKER_PID).read_text().strip()))
    except (OSError, ValueError):
        return False


def parent_gone() -> bool:
    """True once the app or demo that spawned this worker has exited."""
    parent = os.environ.get(PARENT_PID)
    return bool(parent) and not alive(int(parent or 0))


def claim_pid_file(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / WORKER_PID).write_text(str(os.getpid()))


def spawn_worker(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Start ``exportdesk worker`` for this data folder unless one is already running."""
    if settings.job_backend != "embedded" or worker_running(settings):
        return None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["EXPORTDESK_DATA_DIR"] = str(settings.data_dir)
    env[PARENT_PID] = str(os.getpid())  # the worker leaves when the app that started it does
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # BLAS threads spin against other workers
    if settings.database_url:
        env["EXPORTDESK_DATABASE_URL"] = settings.database_url
    log_file = open(settings.data_dir / "worker.log", "ab")  # noqa: SIM115 - the child owns it
    proc = subprocess.Popen(
        [sys.executable, "-m", "exportdesk.review.worker"],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log_file.close()
    # Written here too, so a second check right after this one does not start another.
    (settings.data_dir / WORKER_PID).write_text(str(proc.pid))
    return proc


def keep_worker_alive(settings: Settings) -> subprocess.Popen[bytes] | None:
    """The supervisor's one step: start the local worker again if it died. Cheap enough
    (a pid check) for the app to call on every page view and the demo every few seconds."""
    proc = spawn_worker(settings)
    if proc is not None:
        log.warning("started the local worker (pid %s) for %s", proc.pid, settings.data_dir)
    return proc
