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
    """classify/train.py caches vectors by text alone in the user's cache folder; the tests'
    hashing vectors must never land there, where real MiniLM training would read them."""
    from exportdesk.classify import train

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


PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[CaseStore]:
    """A store in a fresh schema on the shared PostgreSQL server, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_SERVER)
    try:
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        admin.dispose()
        pytest.fail(f"PostgreSQL at {PG_SERVER} is not reachable ({exc}); start it (STACK.md).")
    url = f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    s = CaseStore(Settings(data_dir=tmp_path / "pgdata", database_url=url))
    yield s
    s.close()
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
