"""Which catch-all takes what a specific entry does not control, read from the list's own words.

A classifier who rejects a specific entry goes next to the entry that takes what it leaves:
the US ``x9xx`` entry whose heading says so ("Electronic devices ... not controlled by
3A001", "... not controlled under 7A003 or 7A103"), or, for a munitions-list category, the
600-series entry that names it ("not enumerated or otherwise described in USML Category VII").
The map is derived once when the catalogues are built (``build_catalogues``, also with
``--criteria-only``) and committed as ``catalogues/fallbacks.jsonl`` with the words it was
read from, so the walk looks it up instead of parsing headings per item.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exportdesk.classify.catalogue import CATALOGUE_DIR, Entry

FALLBACKS_FILE = "fallbacks.jsonl"

# "not controlled by 8A001 or 8A002", "not controlled under 7A003 or 7A103",
# "not controlled by ECCN 1A004 or ECCN 2B351", "not specified by ECCN 3A001"
_NOT_CONTROLLED = re.compile(
    r"not (?:controlled|specified|described) (?:by|under|in) "
    r"((?:(?:ECCNs?\s+)?\d[A-E]\d{3}\b(?:\.[\w.]+)?(?:,\s*(?:or|and)\s+|,\s*|\s+(?:or|and)\s+)?)+)",
    re.I,
)
_CODE = re.compile(r"\b(\d[A-E]\d{3})\b")
_USML_CATEGORY = re.compile(r"USML (?:Category|paragraph) ([IVX]+)\b")
# A 600-series entry backs a munitions-list category it names at least this often (a
# passing cross-reference names another category once).
USML_MIN_MENTIONS = 2


@dataclass(frozen=True, order=True)
class Fallback:
    """``catch_all`` (in ``catalogue``) takes what ``entry`` does not control; ``source``
    quotes the words of the list that say so."""

    catalogue: str
    entry: str
    catch_all_catalogue: str
    catch_all: str
    kind: str  # "not-controlled-by" | "usml-600-series"
    source: str


def _is_catch_all_series(code: str) -> bool:
    """US ``x9xx`` entries (3A991, 7A994, 3A901): the series that takes what the
    Wassenaar-based entries of its product group leave."""
    return len(code) == 5 and code[0].isdigit() and code[2] == "9"


def _is_600_series(code: str) -> bool:
    return len(code) == 5 and code[0].isdigit() and code[2] == "6" and code[1] in "AC"


def derive(entries: tuple[Entry, ...]) -> list[Fallback]:
    """All fallbacks the list text states (see module doc), in list order."""
    out: list[Fallback] = []
    for e in entries:
        if e.catalogue == "us-ccl" and _is_catch_all_series(e.code):
            named = [
                c for m in _NOT_CONTROLLED.finditer(e.title) for c in _CODE.findall(m.group(1))
            ]
            for code in dict.fromkeys(named):
                # Only within the product group: "6C992 ... not controlled by 6A002.d.3"
                # is about material for another group's equipment, not a fallback.
                if code[:2] == e.code[:2] and code != e.code:
                    source = f"{e.code} heading: “{e.title}”"
                    out.append(
                        Fallback("us-ccl", code, "us-ccl", e.code, "not-controlled-by", source)
                    )
    return out + _usml_600_series(entries)


def _usml_600_series(entries: tuple[Entry, ...]) -> list[Fallback]:
    """Per munitions-list category, the 600-series entry that names it most (equipment,
    group A, before materials, group C): it takes the military items the category does not
    enumerate ("not enumerated or otherwise described in USML Category VII")."""
    usml = {e.code for e in entries if e.catalogue == "us-usml"}
    best: dict[str, tuple[tuple[bool, int], Entry, str]] = {}
    for e in entries:
        if e.catalogue != "us-ccl" or not _is_600_series(e.code):
            continue
        text = " ".join(r.text for r in e.rows)
        for cat, n in Counter(_USML_CATEGORY.findall(text)).items():
            key = (e.code[1] != "A", -n)
            if n >= USML_MIN_MENTIONS and cat in usml and (cat not in best or key < best[cat][0]):
                m = re.search(rf"USML (?:Category|paragraph) {cat}\b", text)
                start = max(0, (m.start() if m else 0) - 100)
                quote = " ".join(text[start : start + 180].split())
                best[cat] = (key, e, f"{e.code} names USML Category {cat} {n} times: “…{quote}…”")
    return [
        Fallback("us-usml", cat, "us-ccl", e.code, "usml-600-series", source)
        for cat, (_, e, source) in sorted(best.items(), key=lambda kv: kv[1][1].code)
    ]


def write(entries: tuple[Entry, ...], out_dir: Path = CATALOGUE_DIR) -> int:
    """Write the derived map as ``fallbacks.jsonl``; returns the number of records."""
    found = derive(entries)
    with (out_dir / FALLBACKS_FILE).open("w", encoding="utf-8") as fh:
        for f in found:
            fh.write(json.dumps(f.__dict__, ensure_ascii=False) + "\n")
    return len(found)


@lru_cache(maxsize=1)
def load_fallbacks() -> dict[tuple[str, str], tuple[Fallback, ...]]:
    """(catalogue, entry code) -> the catch-alls that take what the entry does not control."""
    out: dict[tuple[str, str], list[Fallback]] = {}
    path = CATALOGUE_DIR / FALLBACKS_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            f = Fallback(**json.loads(line))
            out.setdefault((f.catalogue, f.entry), []).append(f)
    return {k: tuple(v) for k, v in out.items()}


def backed_by(entry: Entry) -> tuple[Fallback, ...]:
    """The catch-alls the list names for what ``entry`` does not control."""
    return load_fallbacks().get((entry.catalogue, entry.code), ())


@lru_cache(maxsize=1)
def _by_catch_all() -> dict[tuple[str, str], tuple[Fallback, ...]]:
    out: dict[tuple[str, str], list[Fallback]] = {}
    for fs in load_fallbacks().values():
        for f in fs:
            out.setdefault((f.catch_all_catalogue, f.catch_all), []).append(f)
    return {k: tuple(v) for k, v in out.items()}


def takes_from(catch_all: Entry) -> tuple[Fallback, ...]:
    """The specific entries whose leftovers ``catch_all`` takes ("not controlled by 8A001
    or 8A002": 8A001 and 8A002)."""
    return _by_catch_all().get((catch_all.catalogue, catch_all.code), ())
