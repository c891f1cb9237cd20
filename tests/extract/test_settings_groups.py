"""Settings grouped by owner and composed in one place; overrides keep their EXPORTDESK_* names."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from exportdesk.extract import settings as s

GROUPS = (
    s.ReadingSettings,
    s.ClassificationSettings,
    s.StoreSettings,
    s.SignInSettings,
    s.ModelSettings,
)


def own_fields(cls: type) -> set[str]:
    return set(inspect.get_annotations(cls))


def test_every_field_has_one_owner_and_a_description() -> None:
    assert own_fields(s.Settings) == set(), "put new fields in their owner's group"
    owners: dict[str, list[str]] = {}
    for group in GROUPS:
        for name in own_fields(group):
            owners.setdefault(name, []).append(group.__name__)
    assert set(owners) == set(s.Settings.model_fields)
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}
    undescribed = [n for n, f in s.Settings.model_fields.items() if not f.description]
    assert undescribed == []


def test_overrides_keep_their_environment_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EXPORTDESK_MAX_PAGES", "7")  # reading
    monkeypatch.setenv("EXPORTDESK_TOP_K", "2")  # classification
    monkeypatch.setenv("EXPORTDESK_DATA_DIR", str(tmp_path))  # store
    monkeypatch.setenv("EXPORTDESK_SIGNIN_FREE_FAILURES", "9")  # sign-in
    monkeypatch.setenv("EXPORTDESK_MODELS_DIR", str(tmp_path / "m"))  # models
    settings = s.Settings()
    assert (settings.max_pages, settings.top_k, settings.signin_free_failures) == (7, 2, 9)
    assert settings.data_dir == tmp_path and settings.models_dir == tmp_path / "m"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'exportdesk.db'}"
    # A layer can read its own group alone, from the same variables.
    assert s.SignInSettings().signin_free_failures == 9
