"""The lists' notes that exclude ("This entry does not control ..."), parsed and applied."""

from __future__ import annotations

import numpy as np

from exportdesk.classify.catalogue import load_entries
from exportdesk.classify.criteria import parse_row, stated
from exportdesk.classify.exclusions import note_exclusion
from exportdesk.classify.walk import walk

ENTRIES = load_entries()

# Written for these tests in the lists' style: an entry's notes after its text.
ROW = (
    "Hard widget plates that provide ballistic protection less than NIJ level III. "
    "Note 1: This entry does not control widget vests when accompanying their user. "
    "Note 2: This entry does not apply to widget vests designed to provide protection "
    "only from knife, spike or blunt trauma."
)


def test_an_item_only_the_note_describes_is_excluded() -> None:
    tree = parse_row("9Z999.b", ROW, decimal_comma=False)
    stab = stated("Stab-resistant widget vest for custody staff, tested against knife attack")
    assert note_exclusion([tree], stab) == tree.excludes[1]


def test_an_item_claiming_what_the_entry_measures_is_not_excluded() -> None:
    tree = parse_row("9Z999.b", ROW, decimal_comma=False)
    both = stated("Widget vest resisting knife attack, ballistic protection NIJ level IIIA")
    assert note_exclusion([tree], both) is None
    other = stated("Widget vest with knife pocket")  # names no protection, but "only" says so
    assert note_exclusion([tree], stated("Widget panels for a knife block")) is None
    assert note_exclusion([tree], other) == tree.excludes[1]


def test_what_follows_other_than_does_not_place_an_item_under_the_note() -> None:
    tree = parse_row(
        "9Z998",
        "Widget accelerators as follows. Note: This entry does not control widget "
        "accelerators that are parts of devices designed for purposes other than radiation "
        "testing.",
        decimal_comma=False,
    )
    assert tree.excludes
    assert note_exclusion([tree], stated("Widget accelerators for radiation testing")) is None


def _index(catalogue: str, code: str) -> int:
    return next(i for i, e in enumerate(ENTRIES) if e.catalogue == catalogue and e.code == code)


def test_the_walk_rejects_an_excluded_entry_and_quotes_the_note() -> None:
    for catalogue in ("eu-dual-use",):
        armour = _index(catalogue, "1A005")
        text = (
            "Stab-resistant body armour vest for custody officers, protects against knife "
            "and needle attacks; no bullet resistance"
        )
        row_cos = lambda e: {r.code: 0.8 for r in ENTRIES[e].rows}  # noqa: E731
        w = walk(ENTRIES, [armour, -1], np.array([0.9, 0.1]), row_cos, stated(text))
        chk = w.checks[armour]
        assert chk.status is False, catalogue
        assert chk.failed[0].startswith("Excluded by Note: “body arm"), chk.failed
        assert "knife" in chk.failed[0]
        assert w.entries[int(np.argmax(w.probs))] != armour  # the walk's fall-through
        assert w.probs[w.entries.index(armour)] < 0.1


def test_the_walk_keeps_soft_ballistic_armour() -> None:
    armour = _index("eu-dual-use", "1A005")
    text = "Soft body armour vest, aramid panels, NIJ level IIIA, for police patrols"
    row_cos = lambda e: {r.code: 0.8 for r in ENTRIES[e].rows}  # noqa: E731
    w = walk(ENTRIES, [armour, -1], np.array([0.9, 0.1]), row_cos, stated(text))
    assert w.checks[armour].status is not False
    assert w.entries[int(np.argmax(w.probs))] == armour
