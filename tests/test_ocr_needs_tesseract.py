"""Without Tesseract, OCR tests fail the run instead of passing as skipped or xfailed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OCR_TEST = (
    "tests/hostile/test_hostile_text_layer.py"
    "::test_shifted_tounicode_falls_back_to_ocr_with_a_warning"
)


def test_ocr_test_fails_when_tesseract_is_missing() -> None:
    # A PATH holding only the interpreter's folder: `tesseract` cannot be found.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", OCR_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert "tesseract is not installed" in proc.stdout
    assert "xfail" not in proc.stdout and "skipped" not in proc.stdout
