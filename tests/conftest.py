"""Suite-wide set-up: offline model hub, single-threaded Tesseract, and test markers."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # An OCR test without Tesseract must fail loudly, not skip: CI installs it via `make setup`.
    if shutil.which("tesseract") is None:
        for item in items:
            if "ocr" in item.keywords:
                item.add_marker(
                    pytest.mark.xfail(
                        reason="tesseract is not installed; run `make setup`", strict=True
                    )
                )


PG_SERVER = os.environ.get(
    "EXPORTDESK_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


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
