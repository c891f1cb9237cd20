"""Suite-wide set-up: offline model hub, single-threaded Tesseract, and test markers."""

from __future__ import annotations

import os
import shutil

import pytest

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
