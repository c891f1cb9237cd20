"""Control-list catalogues and calibrated classification suggestions (issue 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exportdesk.extract.model import Suggestion


def suggest(
    description: str, catalogues: list[str] | None = None, top_k: int = 5
) -> list[Suggestion]:
    """Best-first suggestions for one item description (see ``classify.api``)."""
    from exportdesk.classify.api import suggest as _suggest

    return _suggest(description, catalogues, top_k)


def suggest_many(
    descriptions: list[str], catalogues: list[str] | None = None, top_k: int = 5
) -> list[list[Suggestion]]:
    """Batched ``suggest``: one list per description, in order."""
    from exportdesk.classify.api import suggest_many as _suggest_many

    return _suggest_many(descriptions, catalogues, top_k)


def warm_up() -> None:
    """Load the active classifier and the catalogue criteria now (see ``classify.api``)."""
    from exportdesk.classify.api import warm_up as _warm_up

    _warm_up()


__all__ = ["suggest", "suggest_many", "warm_up"]
