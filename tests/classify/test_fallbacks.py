"""The catch-all map: which entry takes what a specific entry does not control."""

from __future__ import annotations

from exportdesk.classify.catalogue import load_entries
from exportdesk.classify.fallbacks import backed_by, derive

ENTRIES = load_entries()


def _entry(catalogue: str, code: str):
    return next(e for e in ENTRIES if e.catalogue == catalogue and e.code == code)


def _links(catalogue: str, code: str) -> set[str]:
    return {f.catch_all for f in backed_by(_entry(catalogue, code))}


def test_catch_alls_are_read_however_the_heading_names_the_entry() -> None:
    assert _links("us-ccl", "3A001") >= {"3A991"}  # "not controlled by 3A001"
    assert _links("us-ccl", "7A003") == {"7A994"}  # "not controlled under 7A003 or 7A103"
    assert _links("us-ccl", "8A002") == {"8A992"}  # the second of "8A001 or 8A002"
    assert _links("us-ccl", "1A004") == {"1A995"}  # "not controlled by ECCN 1A004"
    assert _links("us-ccl", "3B994") == {"3B991", "3B992"}  # "3B001, 3B993, or 3B994"
    assert _links("us-ccl", "5A002") == {"5A992"}  # mass market, Note 3 to Cat. 5 Part 2


def test_a_munitions_category_is_backed_by_its_600_series_entry() -> None:
    assert _links("us-usml", "VII") == {"0A606"}
    assert _links("us-usml", "XIX") == {"9A619"}  # equipment (9A619), not materials (9C619)
    assert _links("us-usml", "VIII") == {"9A610"}


def test_each_link_quotes_the_words_it_was_read_from() -> None:
    (f,) = backed_by(_entry("us-ccl", "7A003"))
    assert "not controlled under 7A003" in f.source and f.kind == "not-controlled-by"
    # Another product group's entry named in a heading is not a fallback.
    assert "6A002" not in {x.entry for x in derive(ENTRIES) if x.catch_all == "6C992"}


def test_committed_map_matches_the_catalogue() -> None:
    """fallbacks.jsonl is rebuilt with the criteria (build_catalogues --criteria-only)."""
    from exportdesk.classify.fallbacks import load_fallbacks

    stored = sorted(f for fs in load_fallbacks().values() for f in fs)
    assert stored == sorted(derive(ENTRIES))
