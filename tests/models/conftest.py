"""Fixtures for the trainer workflow: a fresh store and models folder per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore


@pytest.fixture(autouse=True)
def private_embedding_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """models/classification/train.py caches vectors by text alone in the user's cache folder;
    the tests'
    hashing vectors must never land there, where real MiniLM training would read them."""
    from exportdesk.models.classification import train

    monkeypatch.setattr(train, "CACHE_DIR", tmp_path / "embedding-cache")


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


@pytest.fixture
def pg_store(tmp_path: Path, pg_url: str) -> Iterator[CaseStore]:
    """A store in a fresh schema on the shared PostgreSQL server (root conftest's pg_url)."""
    s = CaseStore(Settings(data_dir=tmp_path / "pgdata", database_url=pg_url))
    yield s
    s.close()
