"""Several workers starting together on a fresh PostgreSQL schema all end up at head (#9)."""

from __future__ import annotations

import threading

import pytest

from exportdesk.review.db import make_engine
from exportdesk.review.migrate import current_revision, head_revision, upgrade


@pytest.mark.postgres
def test_workers_migrating_a_fresh_schema_at_once_all_succeed(pg_url: str) -> None:
    engines = [make_engine(pg_url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def start(engine) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            upgrade(engine)
        except BaseException as exc:  # the test reports it below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        assert current_revision(engines[0]) == head_revision()
    finally:
        for e in engines:
            e.dispose()
