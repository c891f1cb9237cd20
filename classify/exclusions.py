"""The lists' notes that exclude ("This entry does not control body armour designed to
provide protection only from knife, spike, needle or blunt trauma"), applied to a
description the way a classifier reads them.

A note excludes a described item when

* the description names the note's subject (its first words, "body armour"), every word;
* it names at least one of the note's own qualifying words that the entry's operative text
  does not use ("knife", "spike": words that set the excluded items apart from the
  controlled ones), and every limiting word the note has ("civil", "certified");
* for a note that excludes items "only" for something, the description claims nothing the
  entry measures beyond it: no word of the parameters the entry compares that the note
  lacks ("ballistic"), and no stated value of a kind the entry compares (an NIJ level).

Notes whose conditions are lost in the text ("which meet all of the following: a") or
that name no item are not applied.
"""

from __future__ import annotations

import re
from functools import lru_cache

from exportdesk.classify.criteria import STOP, WORD, Clause, Stated, no_values, stems

# Where a note's subject ends and its qualifiers begin.
_HEAD_END = re.compile(
    r"[,;:()\"']|\b(?:designed|specially|when|which|that|having|with|for|used|made|in|from|"
    r"of|other|not|if|where|whose|being|intended|destined|limited|incorporated|contained|"
    r"containing|employing|to|by|on|as)\b",
    re.I,
)
# Words of a note that name neither an item nor what sets it apart.
_GENERIC = frozenset(
    _s
    for _w in [
        *("designed", "specially", "provide", "providing", "protection", "only", "from"),
        *("when", "which", "that", "used", "use", "user", "own", "its", "their", "being"),
        *("application", "applications", "equipment", "system", "systems", "item", "items"),
        *("component", "components", "part", "parts", "specified", "entry", "entries"),
        *("controlled", "control", "following", "having", "also", "other", "any", "all"),
        *("one", "more", "less", "than", "not", "this", "these", "such", "purpose", "type"),
        *("thereof", "therefor", "modified", "intended", "destined", "limited", "solely"),
    ]
    for _s in stems(_w)
)
# A note's own limits: the description must say them too ("designed for civil ...").
_LIMITING = frozenset(["civil", "civilian", "certified", "non-military"])
_OTHER_THAN = re.compile(r"\b(?:other than|except)\b.*?(?=\bnor\b|;|$)", re.I)
# A note whose list of conditions did not survive the text.
_TRUNCATED = re.compile(r"\bfollowing\b|:\s*\w?\s*$", re.I)


def _norm(w: str) -> str:
    """One spelling for the lists' two Englishes: "armour" and "armor" are one word."""
    return re.sub(r"our(ed|s)?$", r"or\1", w) if len(w) > 5 else w


@lru_cache(maxsize=65536)
def _content(text: str) -> frozenset[str]:
    """Content words, stemmed, one spelling (cached: the lists' texts recur in every walk)."""
    words = [w for w in WORD.findall(no_values(text)) if w.lower() not in STOP]
    return frozenset(_norm(s) for w in words for s in stems(w))


def _described(s: Stated) -> frozenset[str]:
    """The description's words, without the ones it denies ("no bullet-resistance")."""
    return _described_text(s.text, tuple(s.negated.items()))


@lru_cache(maxsize=256)
def _described_text(text: str, negated: tuple[tuple[str, str], ...]) -> frozenset[str]:
    denied = {_norm(w) for w, _ in negated}
    for _, said in negated:
        denied |= _content(said)
    return _content(text) - denied


def excluded_by(note: str, entry_words: frozenset[str], trees: list[Clause], s: Stated) -> bool:
    """Whether the described item is what ``note`` (the text after "does not control")
    excludes. ``entry_words``: the content words of the entry's operative text."""
    if _TRUNCATED.search(note):
        return False
    head_text = _HEAD_END.split(note, maxsplit=1)[0]
    head = _content(head_text) - _GENERIC
    if not head:
        return False
    said = _described(s)
    if not head <= said:
        return False
    # "... designed for purposes other than electron beam ...": what follows "other than"
    # is what the excluded items are NOT for, so it cannot place an item under the note.
    rest = _OTHER_THAN.sub(" ", note[len(head_text) :])
    quals = _content(rest) - _GENERIC - head
    limits = {w for w in quals if w in _LIMITING}
    own = quals - entry_words - limits
    if not own or not own & said or not limits <= said:
        return False
    if re.search(r"\bonly\b", note, re.I):
        compared = [c for t in trees for n in t.walk() for c in n.comparisons]
        measured = _content(" ".join(c.param for c in compared))
        if (measured - head - _GENERIC - _content(note)) & said:
            return False
        if any(q.dim in {c.dim for c in compared} for q in s.quantities):
            return False
    return True


def note_exclusion(trees: list[Clause], s: Stated) -> str | None:
    """The first note of the entry's clause trees that excludes the described item."""
    entry_words = frozenset().union(*(_content(n.text) for t in trees for n in t.walk()))
    for t in trees:
        for node in t.walk():
            for note in node.excludes:
                if excluded_by(note, entry_words, trees, s):
                    return note
    return None
