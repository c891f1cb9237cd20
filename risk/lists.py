"""Where the screening list lives: the committed edition, newer editions an officer imported."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from exportdesk.extract.hashing import sha256_file
from exportdesk.risk.sdn import ListEntry, read_sdn

COMMITTED_DIR = Path(__file__).resolve().parent / "lists"
LIST_FILE = "ofac-sdn.jsonl.gz"
EDITION_FILE = "editions.json"


class Edition(BaseModel):
    """Which list file the screening used: its date, source, hash and size."""

    model_config = ConfigDict(extra="forbid")

    name: str = "OFAC SDN"
    date: str
    source: str
    licence: str = "US Government work, public domain"
    sha256: str
    entries: int
    imported_at: str | None = None
    imported_by: str | None = None

    @classmethod
    def for_file(cls, path: Path, **fields: object) -> Edition:
        digest = sha256_file(path)
        return cls(sha256=digest, **fields)

    @property
    def label(self) -> str:
        return f"{self.name} {self.date} ({self.entries} entries)"


def write_list(
    folder: Path, entries: list[ListEntry], edition: Edition, previous: list[Edition] | None = None
) -> None:
    """The list (gzipped JSON lines, byte-identical for one source) and its edition record."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(e.model_dump_json() + "\n" for e in entries).encode()
    # mtime=0 keeps the file byte-identical when rebuilt from the same source.
    with gzip.GzipFile(folder / LIST_FILE, "wb", mtime=0) as fh:
        fh.write(lines)
    payload = {
        "current": edition.model_dump(),
        "previous": [p.model_dump() for p in previous or []],
    }
    (folder / EDITION_FILE).write_text(json.dumps(payload, indent=2) + "\n")


def imported_dir(data_dir: Path) -> Path:
    return data_dir / "screening"


def import_list(path: Path, data_dir: Path, date: str | None, user: str | None) -> Edition:
    """Record a newer sdn.csv as the edition screening uses from now on (for this data dir)."""
    entries = read_sdn(path)
    when = date or dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    dt.date.fromisoformat(when)  # a clear ValueError for a malformed --date
    current = current_edition(data_dir)
    if when < current.date:
        raise ValueError(
            f"{path.name} is dated {when}, older than the edition in use ({current.date}); "
            "screen against the newest list, or pass the right --date."
        )
    edition = Edition.for_file(
        path,
        date=when,
        source=f"imported file {path.name}",
        entries=len(entries),
        imported_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        imported_by=user,
    )
    write_list(imported_dir(data_dir), entries, edition, [*previous_editions(data_dir), current])
    load_entries.cache_clear()
    return edition


def _active_dir(data_dir: Path | None) -> Path:
    if data_dir is not None and (imported_dir(data_dir) / EDITION_FILE).exists():
        return imported_dir(data_dir)
    return COMMITTED_DIR


def previous_editions(data_dir: Path | None = None) -> list[Edition]:
    folder = _active_dir(data_dir)
    return [Edition(**p) for p in json.loads((folder / EDITION_FILE).read_text())["previous"]]


def current_edition(data_dir: Path | None = None) -> Edition:
    folder = _active_dir(data_dir)
    return Edition(**json.loads((folder / EDITION_FILE).read_text())["current"])


@lru_cache(maxsize=2)
def load_entries(folder: Path) -> tuple[ListEntry, ...]:
    with gzip.open(folder / LIST_FILE, "rt", encoding="utf-8") as fh:
        return tuple(ListEntry.model_validate_json(line) for line in fh if line.strip())


def active_list(data_dir: Path | None = None) -> tuple[Edition, tuple[ListEntry, ...]]:
    folder = _active_dir(data_dir)
    return current_edition(data_dir), load_entries(folder)
