"""Rationale for a suggestion: the matched sub-paragraph, decisive terms, parameters, edition."""

from __future__ import annotations

import re
from functools import lru_cache

from exportdesk.classify.catalogue import Entry, Row
from exportdesk.classify.cues import civil_cue, military_cue, parameters, threshold_match

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]{2,}")
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "than",
        "into",
        "onto",
        "over",
        "under",
        "which",
        "have",
        "having",
        "has",
        "any",
        "all",
        "our",
        "their",
        "its",
        "are",
        "was",
        "were",
        "been",
        "being",
        "not",
        "per",
        "incl",
        "including",
        "equipment",
        "systems",
        "system",
        "items",
        "item",
        "specially",
        "designed",
        "use",
        "used",
        "other",
        "following",
        "follows",
        "such",
        "type",
        "types",
        "model",
        "units",
        "unit",
        "supply",
        "export",
        "spare",
        "parts",
        "part",
        "components",
        "component",
        "qty",
        "pcs",
        "set",
        "sets",
        "new",
    ]
)


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ies", "es", "s"):
        if w.endswith(suffix) and len(w) > len(suffix) + 3:
            return w[: -len(suffix)]
    return w


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """Stemmed words that carry meaning (no stop words)."""
    return frozenset(s for s in map(_stem, _WORD.findall(text)) if s not in _STOP)


def quote(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def decisive_terms(description: str, passage: str, limit: int = 5) -> list[str]:
    """Words of the description that the matched passage also uses (crudely stemmed)."""
    have = {_stem(w) for w in _WORD.findall(passage)}
    out: list[str] = []
    for w in _WORD.findall(description):
        s = _stem(w)
        if s not in _STOP and s in have and w.lower() not in (x.lower() for x in out):
            out.append(w)
    return out[:limit]


@lru_cache(maxsize=4096)
def _params_of(text: str) -> tuple:
    return tuple(parameters(text))


def parameter_comparisons(description: str, passages: tuple[str, ...], limit: int = 2) -> list[str]:
    """Each stated parameter beside the entry wording that sets a limit in the same unit
    (the matched sub-paragraph first, then the rest of the entry)."""
    found = []
    for p in parameters(description):
        same = [(t, q) for t in passages for q in _params_of(t) if q.unit == p.unit]
        if not same:
            continue
        entry_text, q = same[0]
        pos = entry_text.find(q.text)
        start = max(0, entry_text.rfind(" ", 0, max(0, pos - 60)))
        context = " ".join(entry_text[start : pos + len(q.text)].split())
        found.append(f"stated “{p.text}” against the entry's “…{context}”")
        if len(found) >= limit:
            break
    return found


def for_entry(description: str, entry: Entry, row: Row, edition: str) -> str:
    where = row.code if row.code != entry.code else entry.code
    parts = [f"{entry.catalogue} {where} ({edition}): “{quote(row.text or row.title)}”."]
    if row.code != entry.code:
        parts.insert(0, f"Entry {entry.code} “{quote(entry.title, 100)}”;")
    terms = decisive_terms(description, f"{row.title} {row.text} {entry.title}")
    if terms:
        parts.append("Decisive terms: " + ", ".join(f"“{t}”" for t in terms) + ".")
    comps = parameter_comparisons(description, (row.text, *(r.text for r in entry.rows)))
    _, rule = threshold_match(description, entry.catalogue, entry.code)
    if rule:
        comps.insert(0, rule)
    if comps:
        parts.append("Parameters: " + "; ".join(comps) + ".")
    mil = military_cue(description)
    if entry.catalogue in ("eu-military", "us-usml") and mil:
        parts.append("The description states a military purpose or design.")
    elif entry.catalogue not in ("eu-military", "us-usml") and not mil:
        parts.append("No military design is stated, so the dual-use list applies.")
    changed = entry.head.wassenaar_2025_similarity
    if changed is not None:
        parts.append(
            f"Caution: the Wassenaar 2025 wording of {entry.code} differs from this text "
            f"(similarity {changed:.2f}); the entry may have changed since this edition."
        )
    if row.stub:
        parts.append(f"Note: this entry is a stub in the source ({row.stub}).")
    return " ".join(parts)


def for_not_listed(
    description: str,
    catalogues: list[str],
    editions: list[str],
    closest: Entry | None,
    closest_similarity: float | None,
) -> str:
    searched = ", ".join(catalogues)
    parts = [f"No entry of {searched} ({'; '.join(editions)}) fits this description."]
    if closest is not None and closest_similarity is not None:
        parts.append(
            f"The closest, {closest.code} “{quote(closest.title, 90)}”, "
            f"has only {closest_similarity:.2f} text similarity."
        )
    if civil_cue(description):
        parts.append("The description reads as an ordinary civil or consumer product.")
    stated = [p.text for p in parameters(description)][:3]
    if stated:
        parts.append("Stated parameters considered: " + ", ".join(f"“{t}”" for t in stated) + ".")
    if "us-ccl" in catalogues:
        parts.append("Under the EAR this is EAR99 (not listed on the CCL).")
    return " ".join(parts)


def _failed_sentence(entry: Entry, check) -> str:
    reasons = "; ".join(check.failed) or "its criteria are not met"
    return f"{check.code} — {reasons} → not met"


def with_check(text: str, check, fell: list) -> str:
    """Add the criteria verdict (met / needs / failed) and what fell through to here."""
    parts = [text]
    if check.status is True and check.met:
        parts.append("Criteria met: " + "; ".join(check.met) + ".")
    elif check.status is False:
        parts.append("Criteria not met: " + _failed_sentence(None, check) + ".")
    elif check.needs:
        parts.append("Needs: " + "; ".join(check.needs) + " (not stated; confidence lowered).")
    for e, c in fell:
        parts.append(f"Falls here from {e.code}: {_failed_sentence(e, c)}.")
    return " ".join(parts)


def with_rejections(text: str, fell: list, us: bool) -> str:
    """NOT_LISTED / EAR99 reached because the proposed entries' criteria were failed."""
    where = "EAR99" if us else "not listed"
    parts = [text] + [f"Rejected {_failed_sentence(e, c)}; falls to {where}." for e, c in fell]
    return " ".join(parts)


def with_open(text: str, code: str, opened: list) -> str:
    """Name the entries left open that passed part of their probability here: their deciding
    value is not stated, so the item may sit on the uncontrolled side of their thresholds."""
    parts = [text]
    for e, c in opened[:2]:  # the most probable ones; the rest add nothing new
        needs = f" (needs {'; '.join(c.needs)}: not stated)" if c.needs else ""
        parts.append(
            f"Takes part of {e.code}'s probability: {c.code} is left open by the stated "
            f"parameters{needs}, and {code} is where the item falls if {e.code} does not "
            "control it."
        )
    return " ".join(parts)
