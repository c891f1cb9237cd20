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


def _process(models: Path, pdf: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exportdesk.ui.cli", "process", str(pdf), "--json", *flags],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "EXPORTDESK_MODELS_DIR": str(models)},
        cwd=ROOT,
    )


def test_corrupted_ner_weights_are_refused_said_and_rules_still_read_parties(
    tmp_path: Path,
) -> None:
    # Issue 12 item 11: corrupted NER weights silently cut parties from 4 to 1 under the same
    # version label. The altered NER is not used, each result says so, and --strict-models
    # turns it into exit 3 (the contract's exit 0 stays for a run whose files were read).
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models" / "ner", models / "ner")
    weights = models / "ner" / "1.0.0" / "model" / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    pdf = tmp_path / "application.pdf"
    pdf.write_bytes(builders.text_pdf())
    proc = _process(models, pdf, "--no-suggestions")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    refused = [w for w in out["warnings"] if w["code"] == "model_integrity_failed"]
    assert len(refused) == 1
    assert refused[0]["message"].startswith("The organisation NER was not used:")
    assert "model/ner/model" in refused[0]["message"]
    assert out["parties"], "the rules still read the parties"
    assert "ner" not in out["versions"]  # no version label for a model that was not used
    assert "Traceback" not in proc.stderr
    assert "error: a model failed its integrity check" in proc.stderr
    strict = _process(models, pdf, "--no-suggestions", "--strict-models")
    assert strict.returncode == 3
    assert json.loads(strict.stdout)["warnings"] == out["warnings"]


def test_strict_models_changes_nothing_when_the_models_are_intact(tmp_path: Path) -> None:
    pdf = tmp_path / "application.pdf"
    pdf.write_bytes(builders.text_pdf())
    proc = _process(ROOT / "models", pdf, "--no-suggestions", "--strict-models")
    assert proc.returncode == 0, proc.stderr
    assert "model_integrity_failed" not in proc.stdout
    assert json.loads(proc.stdout)["versions"]["ner"]
