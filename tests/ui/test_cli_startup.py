"""The command line starts without the libraries a command does not use (spaCy, torch)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "pdfs"
HEAVY = (
    "spacy",
    "thinc",
    "torch",
    "transformers",
    "streamlit",
    "pandas",
    "sklearn",
    "scipy.sparse",
    "pint",
    "pdfplumber",
    "cv2",
)

# Runs the CLI in a fresh interpreter, then reports which heavy modules got imported.
PROBE = """
import json, sys
from exportdesk.ui.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted(m for m in {heavy!r} if m in sys.modules)
    sys.stderr.write("\\nLOADED " + json.dumps(heavy) + "\\n")
"""


def loaded(args: list[str], stdin: str = "") -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    marker = [line for line in run.stderr.splitlines() if line.startswith("LOADED ")]
    assert marker, f"the probe did not finish: {run.stderr[-2000:]}"
    return json.loads(marker[-1].removeprefix("LOADED "))


def test_help_loads_no_heavy_library() -> None:
    assert loaded(["--help"]) == []


def test_classify_loads_neither_spacy_nor_torch() -> None:
    item = json.dumps({"id": "1", "description": "thermal imaging camera, cooled focal plane"})
    assert loaded(["classify", "--jsonl"], stdin=item + "\n") == []


@pytest.mark.slow
def test_process_of_a_digital_pdf_loads_spacy_but_not_torch() -> None:
    pdf = next(p for p in sorted(SAMPLES.glob("*.pdf")) if not p.stem.endswith("-scan"))
    found = loaded(["process", str(pdf), "--json"])
    assert "spacy" in found  # the check can fail: the probe does see libraries it loads
    assert "torch" not in found and "pandas" not in found
    # the linker's models are read as plain arrays (extract/linear.py), not unpickled
    assert "sklearn" not in found
    # the reading modules load in the reader child, beside spaCy loading here
    assert "pdfplumber" not in found and "cv2" not in found
