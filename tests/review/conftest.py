"""Store fixtures: each store test runs on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from casefactory import PG_SERVER
from sqlalchemy import create_engine, text

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the shared server, dropped afterwards, so parallel runs never meet."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_SERVER)
    try:
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        admin.dispose()
        pytest.fail(f"PostgreSQL at {PG_SERVER} is not reachable ({exc}); start it (STACK.md).")
    yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def store(settings: Settings) -> Iterator[CaseStore]:
    s = CaseStore(settings)
    yield s
    s.close()
