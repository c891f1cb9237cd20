"""Fixtures for the trainer workflow: a fresh store and models folder per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("EXPORTDESK_DATABASE_URL", raising=False)
    (tmp_path / "models").mkdir()
    return Settings(data_dir=tmp_path / "data", models_dir=tmp_path / "models")


@pytest.fixture
def store(settings: Settings) -> Iterator[CaseStore]:
    s = CaseStore(settings)
    yield s
    s.close()
