"""Which decisions an item needs (one per catalogue family) and where the applicant disagrees.

An office applies more than one jurisdiction: an item gets an EU code and, where US content
is involved, a US code. Suggestions compete within a family (``classify.catalogue``), so a
decision is made per (item, family) and a later one for the same pair replaces it only
through an explicit change with a reason.
"""

from __future__ import annotations

import re

from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED, entry_code, jurisdiction_of
from exportdesk.extract.model import ApplicationResult, Item, Suggestion

FAMILY_NAMES = {"eu": "EU", "us": "US"}
# What applicants write around a code: "ECCN 5A002", "USML Cat. XI(a)", "Category ML13".
_NOISE = re.compile(r"^(?:ECCN|USML|EAR|CCL|CATEGORY|CAT\.?|ENTRY|CODE)[:\s]*", re.IGNORECASE)
_NOT_LISTED_WORDS = {"NLR", "EAR99", "NOTLISTED", "NOT_LISTED", "NONE", "N/A", "UNCONTROLLED"}


def family_of(catalogue: str) -> str:
    return jurisdiction_of(catalogue)


def family_name(family: str) -> str:
    return FAMILY_NAMES.get(family, family.upper())


def families(item: Item) -> list[str]:
    """The families the item was classified in, in the office's order (EU before US)."""
    present = {family_of(s.catalogue) for s in item.suggestions}
    return [f for f in JURISDICTIONS if f in present]


def top_suggestions(item: Item) -> dict[str, Suggestion]:
    """The model's first suggestion in each family."""
    top: dict[str, Suggestion] = {}
    for sug in item.suggestions:
        top.setdefault(family_of(sug.catalogue), sug)
    return top


def normalise_code(text: str) -> str:
    """A declared code as the catalogues write it: ``ECCN 5a002.a`` -> ``5A002.A``."""
    code = text.strip()
    while True:
        stripped = _NOISE.sub("", code).strip()
        if stripped == code:
            break
        code = stripped
    code = re.sub(r"\s+", "", code).upper()
    return NOT_LISTED if code.replace(" ", "") in _NOT_LISTED_WORDS else code


def declared_conflict(item: Item) -> Suggestion | None:
    """The top suggestion that contradicts the applicant's declared code, or None.

    The declared code agrees when it names the same entry as the top suggestion of any family
    (``ML13`` agrees with ``ML13.d``); "not listed" agrees only with ``NOT_LISTED``. With no
    declared code, or no suggestion, there is nothing to contradict.
    """
    if not item.declared_classification or not item.suggestions:
        return None
    declared = entry_code(normalise_code(item.declared_classification)).upper()
    tops = top_suggestions(item)
    if any(entry_code(s.code).upper() == declared for s in tops.values()):
        return None
    return next(iter(tops.values()))


def conflict_count(result: ApplicationResult | None) -> int:
    """How many items' declared codes contradict the suggestion (the queue puts these first)."""
    if result is None:
        return 0
    return sum(1 for item in result.items if declared_conflict(item) is not None)
