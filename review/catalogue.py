"""Catalogue entries for the override picker and for quoting entry text beside a suggestion."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    catalogue: str
    code: str
    title: str
    text: str

    @property
    def label(self) -> str:
        return f"{self.catalogue} {self.code} — {self.title[:90]}"


def _default_dir() -> Path:
    return Path(str(files("exportdesk.classify"))) / "catalogues"


@lru_cache(maxsize=4)
def load_entries(folder: Path | None = None) -> tuple[Entry, ...]:
    """Every entry of every ``*.jsonl`` catalogue; none (with a log line) if they are missing."""
    folder = folder or _default_dir()
    entries: list[Entry] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    row = json.loads(line)
                    entries.append(
                        Entry(
                            catalogue=str(row["catalogue"]),
                            code=str(row["code"]),
                            title=str(row.get("title") or ""),
                            text=str(row.get("text") or row.get("title") or ""),
                        )
                    )
                except (ValueError, KeyError, TypeError):
                    log.warning("%s line %d is not a catalogue entry; skipped", path.name, number)
    if not entries:
        log.warning("no catalogue entries found in %s; the override picker will be empty", folder)
    return tuple(entries)


def search(query: str, entries: tuple[Entry, ...], limit: int = 50) -> list[Entry]:
    """Entries whose code starts with, or whose title/text contains, every word of ``query``."""
    words = query.lower().split()
    if not words:
        return list(entries[:limit])
    code_hits, text_hits = [], []
    for entry in entries:
        code = entry.code.lower()
        if len(words) == 1 and code.startswith(words[0]):
            code_hits.append(entry)
        elif all(w in f"{code} {entry.title.lower()} {entry.text.lower()}" for w in words):
            text_hits.append(entry)
    return (code_hits + text_hits)[:limit]


def lookup(catalogue: str, code: str, entries: tuple[Entry, ...]) -> Entry | None:
    return next((e for e in entries if e.catalogue == catalogue and e.code == code), None)
