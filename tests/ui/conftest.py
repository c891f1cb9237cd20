"""AppTest fixtures: a fresh store per test, one account per role, pages opened as a role."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

# The hand-built applications live beside the store tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))

from exportdesk.extract.settings import Settings
from exportdesk.review.auth import Identity, add_user
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES

UI = Path(__file__).resolve().parents[2] / "ui"
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CaseStore]:
    monkeypatch.setenv("EXPORTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("EXPORTDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("EXPORTDESK_START_WORKER", "false")
    s = CaseStore(Settings())
    with s.session() as session:
        for role in ROLES:
            add_user(session, role, role, PASSWORD, actor="test")
    yield s
    s.close()


def open_page(page: str, role: str | None) -> AppTest:
    """Run one page file directly, as a direct URL would, signed in as ``role`` (or not)."""
    at = AppTest.from_file(str(UI / "pages" / f"{page}.py"), default_timeout=30)
    if role is not None:
        at.session_state["identity"] = Identity(role, role, datetime.now(UTC) + timedelta(hours=1))
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page shows as text, one long string, for assertions."""
    parts = []
    for kind in (
        "title",
        "subheader",
        "markdown",
        "caption",
        "text",
        "success",
        "info",
        "warning",
        "error",
        "exception",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    # Pages escape markdown punctuation in user text; read it as the screen shows it.
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))
