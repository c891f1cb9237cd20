"""Suite-wide set-up: offline model hub, single-threaded Tesseract, and test markers."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def pytest_runtest_setup(item: pytest.Item) -> None:
    # An OCR test without Tesseract must FAIL, not skip or xfail: a green run would
    # otherwise hide that OCR was never tested (CI installs it via `make setup`).
    if "ocr" in item.keywords and shutil.which("tesseract") is None:
        pytest.fail(
            "tesseract is not installed, so this OCR test cannot run; install it with "
            "`make setup` (Debian package tesseract-ocr), or deselect with -m 'not ocr'.",
            pytrace=False,
        )


# Audit keys for every store a test opens: never the real ~/.config/exportdesk/audit.key.
os.environ.setdefault(
    "EXPORTDESK_AUDIT_KEY_FILE",
    str(Path(tempfile.mkdtemp(prefix="exportdesk-test-keys-")) / "audit.key"),
)

# Derived caches (the screening index) in one folder per test session, not ~/.exportdesk.
os.environ.setdefault("EXPORTDESK_CACHE_DIR", tempfile.mkdtemp(prefix="exportdesk-test-cache-"))
# Nor a data folder of the machine's: its models/registry.json (trained versions and their
# activations live there) would change which model a test's process loads.
os.environ.setdefault("EXPORTDESK_DATA_DIR", tempfile.mkdtemp(prefix="exportdesk-test-data-"))

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
