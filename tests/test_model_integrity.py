"""A classifier whose files no longer match its manifest is refused cleanly (#11)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import builders
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_flipped_bit_in_the_classifier_is_a_clear_warning_without_traceback(
    tmp_path: Path,
) -> None:
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models, ignore=shutil.ignore_patterns("evaluations"))
    active = json.loads((models / "registry.json").read_text())["active"]["classifier"]
    folder = models / "classifier" / active
    manifest = json.loads((folder / "manifest.json").read_text())
    victim = folder / sorted(manifest["files"])[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    pdf = tmp_path / "application.pdf"
    pdf.write_bytes(builders.text_pdf())
    proc = subprocess.run(
        [sys.executable, "-m", "exportdesk.ui.cli", "process", str(pdf), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "EXPORTDESK_MODELS_DIR": str(models)},
        cwd=ROOT,
    )
    out = json.loads(proc.stdout)
    assert out["items"], "the builders' application has items to classify"
    assert [w["code"] for w in out["warnings"]] == ["model_integrity_failed"]
    assert victim.name in out["warnings"][0]["message"]
    assert "Traceback" not in proc.stderr
