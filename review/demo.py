"""What `exportdesk demo` puts in a store: one account per role and the bundled sample PDFs."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select

from exportdesk.review.auth import add_user, set_password
from exportdesk.review.intake import submit
from exportdesk.review.jobs import DatabaseJobQueue
from exportdesk.review.runner import Pipeline, default_pipeline
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES, User
from exportdesk.review.worker import run_worker


def bundled_samples() -> Path:
    return Path(str(files("exportdesk.samples"))) / "pdfs"


def make_accounts(store: CaseStore, new_password: Callable[[], str]) -> list[tuple[str, str, str]]:
    """One account per role, named after it; a rerun gives each a fresh password."""
    made = []
    with store.session() as s:
        for role in ROLES:
            password = new_password()
            if s.execute(select(User).where(User.username == role)).scalar_one_or_none():
                set_password(s, role, password, actor="demo")
            else:
                add_user(s, role, role, password, actor="demo")
            made.append((role, password, role))
    return made


def load_samples(
    store: CaseStore,
    folder: Path,
    pipeline: Pipeline = default_pipeline,
    progress: Callable[[str], None] = lambda _text: None,
) -> list[tuple[int, str]]:
    """Submit every PDF in ``folder`` and run the jobs here, so the queue is ready to review."""
    pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
    queue = DatabaseJobQueue(store)
    submitted = []
    for path in pdfs:
        progress(f"queued {path.name}")
        submitted.append(submit(store, queue, path.read_bytes(), path.name, actor="demo"))
    run_worker(queue, pipeline, until_idle=True)
    lines = []
    for item in submitted:
        case = store.case(item.receipt.application_id)
        if case.result is None:
            what = f"{case.status} (not read; see the worker log)"
        elif not case.result.readable:
            what = "unreadable: " + "; ".join(w.code for w in case.result.warnings)
        else:
            r = case.result
            what = (
                f"{case.status}: {len(r.parties)} parties, {len(r.items)} items, "
                f"{len(r.end_use)} end-use statements"
            )
        again = " (already in the store)" if item.receipt.duplicate else ""
        lines.append((case.id, f"application {case.id}: {case.filename}{again} — {what}"))
    return lines
