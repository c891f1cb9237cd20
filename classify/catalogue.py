"""The committed control-list catalogues as the product reads them (never the shared sources)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from exportdesk.extract.errors import ExportdeskError

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogues"
CATALOGUES = ("eu-dual-use", "eu-military", "us-ccl", "us-usml")
MILITARY = frozenset({"eu-military", "us-usml"})
NOT_LISTED = "NOT_LISTED"


class ClassifyError(ExportdeskError, ValueError):
    """A classification request that cannot be served (e.g. an unknown catalogue)."""


# Suggestions compete within a jurisdiction: an item has one EU answer and one US answer.
JURISDICTIONS: dict[str, tuple[str, ...]] = {
    "eu": ("eu-dual-use", "eu-military"),
    "us": ("us-ccl", "us-usml"),
}


def jurisdiction_of(catalogue: str) -> str:
    return "eu" if catalogue.startswith("eu-") else "us"


def entry_code(code: str) -> str:
    """The entry a code belongs to: ``ML10.a`` -> ``ML10``, ``5A002.a.1`` -> ``5A002``,
    ``XII(c)(1)`` -> ``XII``. ``NOT_LISTED`` stays as it is."""
    code = code.strip()
    if code.upper() in {NOT_LISTED, "EAR99"}:
        return NOT_LISTED
    return re.split(r"[.(]", code, maxsplit=1)[0]


@dataclass
class Row:
    """One catalogue row: an entry or one of its sub-paragraphs."""

    catalogue: str
    code: str
    parent: str | None
    level: int
    title: str
    text: str
    notes: list[str] = field(default_factory=list)
    edition: str = ""
    reserved: bool = False
    stub: str | None = None
    # Similarity of the Wassenaar 2025 wording when it differs from this (2021 EU) text.
    wassenaar_2025_similarity: float | None = None


@dataclass
class Entry:
    """A top-level entry (``5A002``, ``ML10``, USML Category ``XII``) and all its rows."""

    catalogue: str
    code: str
    title: str
    rows: list[Row]

    @property
    def head(self) -> Row:
        return self.rows[0]


@lru_cache(maxsize=1)
def editions() -> dict[str, dict]:
    return json.loads((CATALOGUE_DIR / "editions.json").read_text())


@lru_cache(maxsize=8)
def load_rows(catalogue: str) -> tuple[Row, ...]:
    if catalogue not in CATALOGUES:
        raise ClassifyError(f"unknown catalogue {catalogue!r}; choose from {', '.join(CATALOGUES)}")
    out = []
    with (CATALOGUE_DIR / f"{catalogue}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out.append(
                Row(
                    catalogue=r["catalogue"],
                    code=r["code"],
                    parent=r["parent"],
                    level=r["level"],
                    title=r["title"],
                    text=r["text"],
                    notes=r.get("notes", []),
                    edition=r.get("edition", ""),
                    reserved=bool(r.get("reserved")),
                    stub=r.get("stub"),
                    wassenaar_2025_similarity=(
                        r["wassenaar_2025"]["similarity"]
                        if r.get("wassenaar_2025", {}).get("differs")
                        else None
                    ),
                )
            )
    return tuple(out)


@lru_cache(maxsize=1)
def load_entries() -> tuple[Entry, ...]:
    """All top-level entries of the four catalogues, each with its rows in source order."""
    entries: list[Entry] = []
    for cat in CATALOGUES:
        by_top: dict[str, Entry] = {}
        for row in load_rows(cat):
            top = entry_code(row.code)
            if top not in by_top:
                by_top[top] = Entry(catalogue=cat, code=top, title=row.title, rows=[])
                entries.append(by_top[top])
            by_top[top].rows.append(row)
    return tuple(entries)


@lru_cache(maxsize=1)
def all_rows() -> tuple[Row, ...]:
    """Every row (entries and their sub-paragraphs) of the four catalogues, in list order."""
    return tuple(row for catalogue in CATALOGUES for row in load_rows(catalogue))


@lru_cache(maxsize=1)
def _rows_by_code() -> dict[tuple[str, str], Row]:
    return {(row.catalogue, row.code): row for row in reversed(all_rows())}


def find_row(catalogue: str, code: str) -> Row | None:
    """The row with this code in this catalogue, if the catalogue has it."""
    return _rows_by_code().get((catalogue, code))


def search_rows(query: str, rows: tuple[Row, ...] | None = None, limit: int = 50) -> list[Row]:
    """Rows whose code starts with, or whose title and text contain, every word of ``query``;
    code hits first. An empty query gives the first rows."""
    rows = all_rows() if rows is None else rows
    words = query.lower().split()
    if not words:
        return list(rows[:limit])
    code_hits, text_hits = [], []
    for row in rows:
        code = row.code.lower()
        if len(words) == 1 and code.startswith(words[0]):
            code_hits.append(row)
        elif all(w in f"{code} {row.title.lower()} {row.text.lower()}" for w in words):
            text_hits.append(row)
    return (code_hits + text_hits)[:limit]


def entry_document(entry: Entry, max_chars: int = 6000) -> str:
    """The text lexical retrieval indexes for an entry: heading, then its rows."""
    parts = [entry.title] + [f"{r.title} {r.text}" for r in entry.rows if not r.reserved]
    return " ".join(parts)[:max_chars]


def row_passage(row: Row, max_chars: int = 400) -> str:
    """The short passage embedded for a row: what an applicant's wording should resemble."""
    text = row.text if row.text.startswith(row.title[:20]) else f"{row.title} {row.text}"
    return text[:max_chars]


def index_rows(entries: tuple[Entry, ...]) -> list[tuple[int, Row]]:
    """The rows embedded for retrieval, in index order: every non-reserved row of every
    entry, or the head row when an entry has nothing else. Training and the runtime
    rationale both use this order, so a row number means the same row in both."""
    out: list[tuple[int, Row]] = []
    for i, e in enumerate(entries):
        live = [r for r in e.rows if not r.reserved]
        out.extend((i, r) for r in (live or [e.head]))
    return out


# EU member states (ISO 3166-1 alpha-2): their authorities apply the EU lists.
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def primary_jurisdiction(authority: str | None) -> str | None:
    """The jurisdiction whose catalogues an office applies first: ``eu`` for an EU member
    state and for the UK (whose lists follow the same Wassenaar/EU texts; no separate UK
    catalogue is held), ``us`` for the US; None when no authority is set."""
    if authority is None or not authority.strip():
        return None
    a = authority.strip().upper()
    if a in {"US", "USA"}:
        return "us"
    if a in {"UK", "GB"} or a in EU_MEMBER_STATES or a == "EU":
        return "eu"
    raise ValueError(
        f"unknown authority {authority!r}: set EXPORTDESK_AUTHORITY to an EU member state "
        "(ISO alpha-2 such as DE or FR), UK or US"
    )
