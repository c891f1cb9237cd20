"""The one registry reader: active versions of every kind, and the NER extraction uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportdesk.extract import nlp
from exportdesk.extract.registry import RegistryError, RegistryReader, sha256_tree
from exportdesk.extract.settings import Settings


def _version(root: Path, kind: str, version: str) -> Path:
    folder = root / kind / version
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "meta.json").write_text(json.dumps({"version": version}))
    files = sha256_tree(folder, relative_to=folder)
    (folder / "manifest.json").write_text(json.dumps({"version": version, "files": files}))
    return folder


def test_active_is_the_named_version_else_the_newest(tmp_path: Path) -> None:
    reader = RegistryReader(tmp_path)
    assert reader.active("ner") is None
    _version(tmp_path, "ner", "1.0.0")
    _version(tmp_path, "ner", "2026.01.01-1")
    assert reader.active("ner") == "2026.01.01-1"
    (tmp_path / "registry.json").write_text(json.dumps({"active": {"ner": "1.0.0"}}))
    assert reader.active("ner") == "1.0.0"
    assert reader.active_folder("ner") == tmp_path / "ner" / "1.0.0"
    assert reader.active("classifier") is None  # kinds are independent


def test_a_registry_naming_a_missing_version_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "registry.json").write_text(json.dumps({"active": {"ner": "9.9.9"}}))
    with pytest.raises(RegistryError, match="activate an existing version"):
        RegistryReader(tmp_path).active("ner")


def test_unknown_kind_and_broken_registry_are_explained(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="known kinds"):
        RegistryReader(tmp_path).versions("nonsense")
    (tmp_path / "registry.json").write_text("{not json")
    with pytest.raises(RegistryError, match="restore it from git"):
        RegistryReader(tmp_path).active("ner")


def test_extraction_uses_the_active_ner_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nlp, "get_settings", lambda: Settings(models_dir=tmp_path), raising=False)
    monkeypatch.setattr(
        "exportdesk.extract.settings.get_settings", lambda: Settings(models_dir=tmp_path)
    )
    _version(tmp_path, "ner", "1.0.0")
    _version(tmp_path, "ner", "2026.01.01-1")
    (tmp_path / "registry.json").write_text(json.dumps({"active": {"ner": "1.0.0"}}))
    assert nlp.ner_model_dir() == tmp_path / "ner" / "1.0.0" / "model"


def test_an_altered_ner_version_is_not_loaded(tmp_path: Path) -> None:
    folder = _version(tmp_path, "ner", "1.0.0")
    (folder / "model" / "meta.json").write_text(json.dumps({"version": "edited"}))
    nlp._load_ner.cache_clear()
    with pytest.raises(RegistryError, match="does not match the SHA-256"):
        nlp._load_ner(folder / "model")
