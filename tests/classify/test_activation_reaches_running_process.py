"""Activating a version in the registry reaches a process that already loaded the old one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exportdesk.classify import api
from exportdesk.extract.settings import get_settings

ROOT = Path(__file__).resolve().parents[2] / "models"


@pytest.mark.slow
def test_suggestions_follow_the_registry_without_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = json.loads((ROOT / "registry.json").read_text())
    first = registry["active"]["classifier"]
    others = sorted(
        p.name
        for p in (ROOT / "classifier").iterdir()
        if (p / "manifest.json").exists() and p.name != first
    )
    assert others, "needs a second trained version under models/classifier"
    second = others[0]
    models = tmp_path / "models"
    (models / "classifier").mkdir(parents=True)
    for version in (first, second):
        shutil.copytree(ROOT / "classifier" / version, models / "classifier" / version)
    (models / "registry.json").write_text(json.dumps({"active": {"classifier": first}}))
    monkeypatch.setenv("EXPORTDESK_MODELS_DIR", str(models))
    monkeypatch.delenv("EXPORTDESK_CLASSIFIER_VERSION", raising=False)
    get_settings.cache_clear()
    try:
        before = api.suggest("Thermal imaging camera, 640 x 480, 30 Hz")[0].model_version
        (models / "registry.json").write_text(json.dumps({"active": {"classifier": second}}))
        after = api.suggest("Thermal imaging camera, 640 x 480, 30 Hz")[0].model_version
    finally:
        get_settings.cache_clear()
    assert (before, after) == (first, second)
