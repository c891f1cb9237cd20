"""The full pipeline on the four kinds of document the foundation must read, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import builders
import jsonschema
import pytest

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "extract" / "application-result.schema.json").read_text()
)


@pytest.mark.ocr
@pytest.mark.slow
def test_digital_scanned_rotated_and_mixed_documents_give_valid_json_with_sources(
    tmp_path: Path,
) -> None:
    files = {
        "digital.pdf": builders.text_pdf(),
        "scanned.pdf": builders.scanned_pdf(seed=21),
        "rotated.pdf": builders.scanned_pdf(seed=22, rotate90={1: 270}),
        "mixed.pdf": builders.mixed_pdf(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "exportdesk.ui.cli", "process", *sorted(files), "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    results = {r["document"]["filename"]: r for r in json.loads(proc.stdout)}
    for result in results.values():
        jsonschema.validate(result, SCHEMA)
    sources = {name: [p["source"] for p in r["document"]["pages"]] for name, r in results.items()}
    assert sources == {
        "digital.pdf": ["text_layer", "text_layer"],
        "mixed.pdf": ["text_layer", "ocr"],
        "rotated.pdf": ["ocr"],
        "scanned.pdf": ["ocr"],
    }
    assert (
        results["rotated.pdf"]["document"]["pages"][0]["rotation"] == 270
    )  # turned 270 counter-clockwise; 270 clockwise undoes it
