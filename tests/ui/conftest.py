"""AppTest fixtures: a fresh store per test, one account per role, pages opened as a role."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The hand-built applications live beside the store tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "review"))

from uihelpers import PASSWORD

from exportdesk.extract.settings import Settings
from exportdesk.review.auth import add_user
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES


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


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty model folder the app reads (EXPORTDESK_MODELS_DIR)."""
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setenv("EXPORTDESK_MODELS_DIR", str(folder))
    return folder
