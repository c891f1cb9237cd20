"""The office's authority decides which jurisdiction's suggestions lead (EXPORTDESK_AUTHORITY)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from exportdesk.classify import api
from exportdesk.classify.catalogue import primary_jurisdiction


@pytest.mark.parametrize(
    ("authority", "expected"),
    [("DE", "eu"), ("fr", "eu"), ("UK", "eu"), ("US", "us"), (None, None), ("", None)],
)
def test_authority_names_the_primary_jurisdiction(authority, expected) -> None:
    assert primary_jurisdiction(authority) == expected


def test_unknown_authority_says_what_to_set() -> None:
    with pytest.raises(ValueError, match="EXPORTDESK_AUTHORITY"):
        primary_jurisdiction("Atlantis")


def _ranked(*pairs: tuple[float, str]) -> list:
    return [(p, SimpleNamespace(jurisdiction=j), k, None) for k, (p, j) in enumerate(pairs)]


def test_primary_answers_lead_and_the_others_follow(monkeypatch) -> None:
    ranked = _ranked((0.9, "us"), (0.8, "eu"), (0.05, "us"), (0.1, "eu"), (0.02, "eu"))
    monkeypatch.setenv("EXPORTDESK_AUTHORITY", "DE")
    from exportdesk.extract.settings import get_settings

    get_settings.cache_clear()
    try:
        order = [t[1].jurisdiction for t in api.primary_first(ranked, top_k=5)]
    finally:
        monkeypatch.delenv("EXPORTDESK_AUTHORITY")
        get_settings.cache_clear()
    assert order[:3] == ["eu", "eu", "eu"] and order[3:] == ["us", "us"]


def test_without_authority_one_list_by_confidence() -> None:
    ranked = _ranked((0.1, "eu"), (0.9, "us"), (0.5, "eu"))
    assert [t[0] for t in api.primary_first(ranked, top_k=3)] == [0.9, 0.5, 0.1]
