"""The screening index cache: the same index as a fresh build, and never a reason to fail."""

from __future__ import annotations

import os

import pytest

from exportdesk.extract.settings import get_settings
from exportdesk.risk import screening
from exportdesk.risk.lists import active_list


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTDESK_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    yield tmp_path / "cache"
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def committed():
    return active_list(None)


def test_cached_index_is_the_built_index(cache_dir, committed):
    edition, entries = committed
    built = screening._cached_index(entries, edition)  # builds and writes
    files = list(cache_dir.glob("screening-index-*.marshal"))
    assert len(files) == 1
    loaded = screening._cached_index(entries, edition)  # reads
    assert loaded.forms == built.forms
    assert dict(loaded.blocks) == dict(built.blocks)
    assert loaded._idf == built._idf and loaded._max_idf == built._max_idf
    for name in ("Rosoboronexport", "Mohammad Reza Sadeghi", "Kim Jong"):
        assert loaded.score_name(name) == built.score_name(name)
    # a key nobody indexed still reads as empty, as in a fresh build
    assert loaded.blocks["t:zzzzqqq"] == [] and built.blocks["t:zzzzqqq"] == []


def test_damaged_cache_is_rebuilt(cache_dir, committed):
    edition, entries = committed
    screening._cached_index(entries, edition)
    path = screening._cache_file(edition)
    path.write_bytes(b"\x00not marshal")
    index = screening._cached_index(entries, edition)
    assert index.score_name("Rosoboronexport")[0].score >= 0.9
    assert screening._cached_index(entries, edition).forms == index.forms  # rewritten whole


def test_cache_for_another_list_length_is_not_used(cache_dir, committed):
    edition, entries = committed
    screening._cached_index(entries, edition)
    fewer = entries[:50]
    index = screening._cached_index(fewer, edition)
    assert {f.entry for f in index.forms} <= set(range(50))


def test_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch, committed):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("EXPORTDESK_CACHE_DIR", str(blocked / "cache"))
    get_settings.cache_clear()
    try:
        edition, entries = committed
        index = screening._cached_index(entries, edition)
        assert index.score_name("Rosoboronexport")[0].score >= 0.9
    finally:
        get_settings.cache_clear()


def test_key_changes_with_the_list(cache_dir, committed):
    edition, _ = committed
    other = edition.model_copy(update={"sha256": "0" * 64})
    assert screening._cache_file(edition) != screening._cache_file(other)
    assert str(screening._cache_file(edition)).startswith(os.fspath(cache_dir))
