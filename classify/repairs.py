"""Pure text repairs for defects in the parsed list sources: page breaks, sub-items, stubs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<mark>[a-z]|\d{1,2})\.[ \t]+(?P<rest>\S.*)$")
_CONTINUED = re.compile(r"^\s*continued\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """One line, single spaces: the form used for titles, comparison and quoting."""
    return _SPACES.sub(" ", text).strip()


def is_continued_title(title: str | None) -> bool:
    """A record titled "continued..." is the tail of the previous entry cut at a page break."""
    return bool(title) and bool(_CONTINUED.match(title or ""))


@dataclass
class SubItem:
    """A first-level sub-paragraph (``a.``, ``b.``, ...) cut out of an entry's text."""

    letter: str
    text: str


@dataclass
class MergedEntry:
    """One entry whose page-break fragments have been joined back together."""

    head: dict
    fragments: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.fragments)


def merge_continued(records: list[dict]) -> tuple[list[MergedEntry], int]:
    """Join every record titled "continued" onto the preceding record with the same code.

    Returns the merged entries in source order and how many fragments were joined.
    A "continued" record whose code was never seen keeps its place (nothing to join to),
    but loses the bogus title.
    """
    merged: list[MergedEntry] = []
    by_code: dict[str, MergedEntry] = {}
    joined = 0
    for rec in records:
        code = rec["code"]
        if is_continued_title(rec.get("title")) and code in by_code:
            body = _CONTINUED.sub("", rec.get("text") or "", count=1)
            by_code[code].fragments.append(body)
            joined += 1
            continue
        entry = MergedEntry(head=dict(rec), fragments=[rec.get("text") or ""])
        if is_continued_title(rec.get("title")):
            entry.head["title"] = ""
        merged.append(entry)
        by_code.setdefault(code, entry)
    return merged, joined


_NOTE_START = re.compile(r"^\s*(Notes?\b|N\.\s?B\.|Technical Notes?\b)")
# Three or more blank lines in a pdftotext dump mark a page break: the margin may move.
_PAGE_BREAK = re.compile(r"\n[ \t]*\n[ \t]*\n[ \t]*\n")


def _outside_notes(lines: list[str]) -> list[bool]:
    """For each line, False when it sits inside a Note / N.B. / Technical Note block.

    A note block runs from its "Note" line until a line at the note's own indentation or
    shallower; lettered lists inside notes are therefore not mistaken for sub-items.
    """
    flags: list[bool] = []
    note_indent: int | None = None
    for line in lines:
        if not line.strip():
            flags.append(note_indent is None)
            continue
        ind = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if _NOTE_START.match(line):
            note_indent = ind
            flags.append(False)
            continue
        if note_indent is not None and ind <= note_indent:
            note_indent = None
        flags.append(note_indent is None)
    return flags


def split_first_level(fragments: list[str], known: int = 0) -> tuple[str, list[SubItem]]:
    """Cut the first-level lettered sub-items out of an entry's text.

    Page breaks reset the left margin, so indentation is judged per page fragment (the
    fragments given, further cut at runs of blank lines): a line is a first-level item
    only if it starts with the *next expected* letter, lies outside any note, and sits at
    the shallowest marker indentation of its fragment. Deeper ``a.``/``b.`` lines and
    lettered lists inside notes stay inside their parent item.
    Layout varies, so the strict reading is tried first and the constraints are relaxed
    (indentation, then notes) only when it finds fewer items than the source's own parse
    (``known``). Returns the lead-in text (before ``a.``) and the sub-items in order.
    """
    best: tuple[str, list[SubItem]] = ("", [])
    for use_notes, use_indent in ((True, True), (True, False), (False, True), (False, False)):
        lead, items = _split(fragments, use_notes, use_indent)
        if len(items) >= known and items:
            return lead, items
        if len(items) > len(best[1]) or not best[0]:
            best = (lead, items)
    return best


def _split(fragments: list[str], use_notes: bool, use_indent: bool) -> tuple[str, list[SubItem]]:
    expected = "a"
    lead: list[str] = []
    bodies: list[tuple[str, list[str]]] = []
    for fragment in fragments:
        # Within one fragment a page break may move the margin a little, but a page made
        # only of deep items must not pass its deep letters off as first-level ones: the
        # next item may sit at most a few columns right of the previous first-level item.
        last: int | None = None
        for page in _PAGE_BREAK.split(fragment):
            lines = page.splitlines()
            outside = _outside_notes(lines) if use_notes else [True] * len(lines)
            # Numbered lines (technical notes, deeper levels) may sit left of the letters.
            marks = [
                len(m.group("indent").expandtabs(4))
                for i, m in enumerate(map(_MARKER.match, lines))
                if m and outside[i] and m.group("mark").isalpha()
            ]
            base = min(marks, default=0)
            for i, line in enumerate(lines):
                m = _MARKER.match(line)
                indent = len(m.group("indent").expandtabs(4)) if m else 0
                if (
                    m
                    and outside[i]
                    and m.group("mark") == expected
                    and (not use_indent or indent <= base + 4)
                    and (not use_indent or last is None or indent <= last + 4)
                ):
                    bodies.append((expected, [m.group("rest")]))
                    expected = chr(ord(expected) + 1)
                    last = indent
                    continue
                (bodies[-1][1] if bodies else lead).append(line)
    items = [SubItem(letter=letter, text=squash("\n".join(body))) for letter, body in bodies]
    return squash("\n".join(lead)), items


def split_ccl_items(items_text: str) -> list[SubItem]:
    """Split a CCL "Items:" section on its explicit first-level markers (``a.``, ``b.``)."""
    out: list[SubItem] = []
    expected = "a"
    for line in items_text.splitlines():
        m = re.match(r"^([a-z])\.\s+(\S.*)$", line.strip())
        if m and m.group(1) == expected:
            out.append(SubItem(letter=expected, text=m.group(2)))
            expected = chr(ord(expected) + 1)
        elif out and line.strip():
            out[-1].text += " " + line.strip()
    for item in out:
        item.text = squash(item.text)
    return out


_NOT_USED = re.compile(r"^\s*(\[?reserved\]?|not used\b.*)[;.]?\s*$", re.IGNORECASE)


def is_reserved(text: str) -> bool:
    """``Not used since 2015``, ``[Reserved]``: a placeholder, kept for numbering only."""
    return bool(_NOT_USED.match(squash(text)))


_ITAR_STUB = re.compile(r"subject to the ITAR", re.IGNORECASE)


def stub_reason(title: str, text: str) -> str | None:
    """Why an entry's text is a stub, or None when it has real content.

    Stubs are entries that only point elsewhere (items moved to the USML, "no software is
    currently controlled"), or whose text is no longer than their heading.
    """
    body = squash(text)
    if _ITAR_STUB.search(body) and len(body) < 400:
        return "moved to the USML: the entry only says its items are subject to the ITAR"
    if re.search(r"no \S+ is currently controlled", body, re.IGNORECASE):
        return "placeholder: nothing is currently controlled under this entry"
    if len(body) <= len(squash(title)) + 5:
        return "heading only: the source gives no text beyond the title"
    return None


def token_diff(old: str, new: str) -> float:
    """Similarity in [0, 1] of two wordings, ignoring spacing, case, quotes and dashes."""
    import difflib

    def norm(s: str) -> list[str]:
        s = s.lower().replace("“", '"').replace("”", '"').replace("’", "'")
        s = re.sub(r"[\"'‘`]", "", s)
        s = re.sub(r"(\d)[ ,](\d{3})", r"\1\2", s)  # 10 000 / 10,000 -> 10000
        s = s.replace(",", ".")
        return re.findall(r"[a-z0-9.%°µμ]+", s)

    a, b = norm(old), norm(new)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio()
