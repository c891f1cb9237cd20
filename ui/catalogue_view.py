"""The catalogue as the review screen shows it: search, lookup, labels (over classify.catalogue)."""

from __future__ import annotations

from exportdesk.classify.catalogue import Row, find_row, search_rows


def search(query: str, limit: int = 60) -> list[Row]:
    """Catalogue rows for the override picker (code hits first)."""
    return search_rows(query, limit=limit)


def lookup(catalogue: str, code: str) -> Row | None:
    """The row quoted beside a suggestion."""
    return find_row(catalogue, code)


def label(row: Row) -> str:
    return f"{row.catalogue} {row.code} — {row.title[:90]}"
