"""Compare two editions of a control list: entries added, removed, changed or renumbered."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from exportdesk.classify.catalogue import CATALOGUE_DIR, CATALOGUES, editions, entry_code
from exportdesk.classify.repairs import token_diff

COMPARE_DIR = CATALOGUE_DIR / "compare"
Status = Literal[
    "unchanged",
    "changed",
    "renumbered",
    "removed",
    "added",
    "placeholder",
    "out_of_scope",
    "not_comparable",
]
# "Not used since 2003", "LASERS - None": a number kept free, not a control.
_PLACEHOLDER = re.compile(r"^\W*(?:(?i:not used)\b|[A-Z ,]+ - None\b)")
# At or above this similarity two wordings count as the same entry (the build script's
# threshold for flagging a changed Wassenaar wording).
SAME = 0.90
# An entry missing under its old code is taken as renumbered when a new entry's wording is
# at least this close; below it, the old entry counts as removed.
MOVED = 0.80


@dataclass(frozen=True)
class EditionEntry:
    code: str
    title: str
    text: str
    complete: bool = True


@dataclass
class Edition:
    """One edition's top-level entries, with what it covers and what it could not parse."""

    name: str
    label: str
    entries: dict[str, EditionEntry]
    # Categories and entry numbers the edition covers; None covers every code.
    scope: dict | None = None
    # Codes the edition names but whose wording is missing from the parse.
    unparsed: set[str] = field(default_factory=set)
    # The product catalogue whose decisions this edition would replace (for impact).
    replaces: str | None = None

    def covers(self, code: str) -> bool:
        if self.scope is None:
            return True
        m = re.fullmatch(r"(\d)([A-E])(\d{3})", code)
        if m is None:
            return False
        lo, hi = self.scope["numbers"]
        return m[1] in self.scope["categories"] and lo <= int(m[3]) <= hi


@dataclass(frozen=True)
class EntryChange:
    status: Status
    old_code: str | None
    new_code: str | None
    similarity: float | None
    title: str
    note: str = ""

    @property
    def code(self) -> str:
        return self.old_code or self.new_code or ""


@dataclass
class EditionDiff:
    old: str
    new: str
    changes: list[EntryChange]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.status] = out.get(c.status, 0) + 1
        return out

    def changed_meaning(self) -> dict[str, EntryChange]:
        """Old codes whose meaning changed: reworded, renumbered or removed."""
        return {
            c.old_code: c
            for c in self.changes
            if c.old_code and c.status in ("changed", "renumbered", "removed")
        }


def available() -> list[str]:
    """Edition names ``load_edition`` accepts without a path."""
    return list(CATALOGUES) + sorted(p.stem for p in COMPARE_DIR.glob("*.jsonl"))


def load_edition(name: str) -> Edition:
    """A product catalogue (``eu-dual-use``), a stored later edition, or a JSONL path."""
    if name in CATALOGUES:
        e = editions()[name]
        rows = [json.loads(line) for line in (CATALOGUE_DIR / f"{name}.jsonl").open()]
        return Edition(name, f"{e['edition']}, {e['date']}", _entries(rows))
    path = COMPARE_DIR / f"{name}.jsonl" if (COMPARE_DIR / f"{name}.jsonl").exists() else None
    path = path or (Path(name) if Path(name).is_file() else None)
    if path is None:
        raise ValueError(
            f"No edition {name!r}: give one of {', '.join(available())} or a JSONL file of "
            "entries (code, title, text per line)."
        )
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    try:
        rows = [json.loads(line) for line in path.open() if line.strip()]
        entries = _entries(rows)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{path} is not a list of entries ({type(exc).__name__}: {exc}); each line must be "
            'a JSON object with at least "code" and "text".'
        ) from None
    label = f"{meta['edition']}, {meta['date']}" if "edition" in meta else path.stem
    return Edition(
        meta.get("name", path.stem),
        label,
        entries,
        scope=meta.get("scope"),
        unparsed=set(meta.get("named_in_text_not_parsed", [])),
        replaces=meta.get("replaces"),
    )


def _entries(rows: list[dict]) -> dict[str, EditionEntry]:
    out: dict[str, EditionEntry] = {}
    for r in rows:
        if r.get("level", 1) != 1:
            continue
        out[entry_code(r["code"])] = EditionEntry(
            code=entry_code(r["code"]),
            title=str(r.get("title") or ""),
            text=str(r["text"]),
            # A one-sentence entry is complete even where the build marks it "heading only".
            complete=bool(r.get("complete", True)),
        )
    return out


def _not_comparable(code: str, entry: EditionEntry, why: str) -> EntryChange:
    """An entry kept under its code whose wording cannot be compared, and why."""
    return EntryChange("not_comparable", code, code, None, entry.title, why)


def diff(old: Edition, new: Edition) -> EditionDiff:
    """Match entries by code, then the leftovers by wording; say what became of each."""
    changes: list[EntryChange] = []
    gone: list[EditionEntry] = []
    for code, entry in sorted(old.entries.items()):
        other = new.entries.get(code)
        if other is None:
            if not new.covers(code):
                changes.append(
                    EntryChange(
                        "out_of_scope", code, None, None, entry.title, "not in the new list's scope"
                    )
                )
            elif code in new.unparsed:
                changes.append(
                    _not_comparable(code, entry, "named in the new list, wording not parsed")
                )
            else:
                gone.append(entry)
            continue
        if not (entry.complete and other.complete):
            changes.append(_not_comparable(code, entry, "wording incomplete in one edition"))
            continue
        sim = token_diff(entry.text, other.text)
        status: Status = "unchanged" if sim >= SAME else "changed"
        changes.append(EntryChange(status, code, code, round(sim, 3), entry.title))
    fresh = {c: e for c, e in new.entries.items() if c not in old.entries}
    for entry in gone:
        best, best_sim = None, 0.0
        for code, candidate in fresh.items():
            sim = token_diff(entry.text, candidate.text)
            if sim > best_sim:
                best, best_sim = code, sim
        if best is not None and best_sim >= MOVED:
            changes.append(
                EntryChange("renumbered", entry.code, best, round(best_sim, 3), entry.title)
            )
            fresh.pop(best)
        else:
            note = f"closest new entry {best} at {best_sim:.2f}" if best else ""
            changes.append(
                EntryChange(
                    "removed",
                    entry.code,
                    None,
                    round(best_sim, 3) if best else None,
                    entry.title,
                    note,
                )
            )
    for code, entry in sorted(fresh.items()):
        status = "placeholder" if _PLACEHOLDER.match(entry.text) else "added"
        changes.append(EntryChange(status, None, code, None, entry.title))
    return EditionDiff(old.label, new.label, changes)
