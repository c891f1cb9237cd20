"""Store fixtures: each store test runs on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    return Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def store(settings: Settings) -> Iterator[CaseStore]:
    s = CaseStore(settings)
    yield s
    s.close()
