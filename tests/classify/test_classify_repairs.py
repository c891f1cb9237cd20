"""Catalogue build repairs: page-break fragments, unsplit sub-items, stubs, and their results."""

from __future__ import annotations

import json

from exportdesk.classify.catalogue import CATALOGUE_DIR
from exportdesk.classify.repairs import (
    is_reserved,
    merge_continued,
    split_ccl_items,
    split_first_level,
    stub_reason,
    token_diff,
)


def _rows(name: str) -> dict[str, dict]:
    with (CATALOGUE_DIR / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return {r["code"]: r for r in map(json.loads, fh)}


def test_continued_fragment_is_joined_to_its_entry() -> None:
    records = [
        {"code": "1X001", "title": "Widgets, as follows:", "text": "a. Red widgets;"},
        {"code": "1X002", "title": "Gadgets", "text": "Gadgets"},
        {"code": "1X001", "title": "continued", "text": "continued\nb. Blue widgets."},
    ]
    merged, joined = merge_continued(records)
    assert joined == 1
    assert [m.head["code"] for m in merged] == ["1X001", "1X002"]
    assert merged[0].fragments == ["a. Red widgets;", "\nb. Blue widgets."]


def test_subitems_after_a_page_break_are_split_despite_a_new_margin() -> None:
    first = "Heading, as follows:\n  a.  Alpha item;\n       1. deeper one;\n       b. deeper b;"
    second = "      b.   Bravo item on the next page;\n      c.   Charlie item."
    lead, items = split_first_level([first, second])
    assert lead == "Heading, as follows:"
    assert [i.letter for i in items] == ["a", "b", "c"]
    assert items[0].text.startswith("Alpha item; 1. deeper one; b. deeper b")
    assert items[1].text == "Bravo item on the next page;"


def test_deep_letters_after_a_page_break_are_not_first_level() -> None:
    text = (
        "Generators:\n"
        "1. Technical note at the margin.\n"
        "      a.   Alpha generators:\n"
        "                    a.  deep one;\n"
        "\n\n\n\n"
        "                    b.  deep two, first line of a new page;\n"
        "         b.   Bravo analysers;\n"
    )
    _, items = split_first_level([text])
    assert [(i.letter, i.text[:5]) for i in items] == [("a", "Alpha"), ("b", "Bravo")]


def test_lettered_lists_inside_notes_are_not_subitems() -> None:
    text = (
        "Weapons as follows:\n"
        "    Note This entry does not apply to:\n"
        "         a. Antiques;\n"
        "         b. Replicas.\n"
        "    a. Rifles;\n"
        "    b. Pistols."
    )
    _, items = split_first_level([text])
    assert [(i.letter, i.text) for i in items] == [("a", "Rifles;"), ("b", "Pistols.")]


def test_relaxed_split_is_used_when_strict_finds_fewer_than_the_source() -> None:
    # A note swallowing the rest of the page hides "b." from the strict reading.
    text = "Things:\n a. One;\n Note: see below\n   b. Two;\n   c. Three."
    _, strict = split_first_level([text])
    _, relaxed = split_first_level([text], known=3)
    assert len(strict) == 1
    assert [i.letter for i in relaxed] == ["a", "b", "c"]


def test_ccl_items_split_on_first_level_markers_only() -> None:
    items = split_ccl_items("a. Cameras as follows:\n\na.1. Streak cameras;\n\nb. Lenses.")
    assert [(i.letter, i.text) for i in items] == [
        ("a", "Cameras as follows: a.1. Streak cameras;"),
        ("b", "Lenses."),
    ]


def test_stubs_and_placeholders_are_recognised() -> None:
    assert stub_reason(
        "Solid rocket propulsion systems.",
        'Solid rocket propulsion systems. (These items are "subject to the '
        'ITAR." See 22 CFR parts 120 through 130.)',
    ).startswith("moved to the USML")
    assert stub_reason(
        "Software", "Software. No software is currently controlled under this entry."
    ).startswith("placeholder")
    assert stub_reason("Heading", "Heading").startswith("heading only")
    assert stub_reason("Lasers", "Lasers as follows: a. CW lasers above 1 kW output;") is None
    assert is_reserved("Not used since 2015") and is_reserved("[Reserved]")
    assert not is_reserved("Not exceeding 5 kW")


def test_wording_comparison_ignores_layout_and_quotes_only() -> None:
    assert token_diff('"Lasers" having  10 000 W', "“Lasers” having 10,000 W") == 1.0
    assert token_diff("exceeding 1 kW", "exceeding 2 kW") < 1.0


def test_no_committed_entry_is_titled_continued_or_untitled() -> None:
    for name in ("eu-dual-use", "eu-military", "us-ccl", "us-usml"):
        for row in _rows(name).values():
            assert row["title"].strip(), (name, row["code"])
            assert not row["title"].lower().startswith("continued"), (name, row["code"])


def test_page_break_repair_recovers_the_later_subitems_of_3a002() -> None:
    eu = _rows("eu-dual-use")
    # The source parse stopped at 3A002.c; the rest sat in "continued" records.
    assert {"3A002.d", "3A002.g", "3A002.h"} <= set(eu)
    assert "joined" in " ".join(eu["3A002"].get("repairs", []))
    assert eu["3A002.g"]["text"].startswith("Atomic frequency standards")
    assert eu["3A002.e"]["text"].startswith("Network analysers")
    assert eu["6A005.b"]["text"].startswith('Non-"tunable" "pulsed lasers"')
    assert eu["3A001.b"]["text"].startswith("Microwave or millimetre wave items")


def test_munitions_subitems_keep_the_parse_and_notes_lose_leaked_items() -> None:
    ml = _rows("eu-military")
    assert {f"ML9.{c}" for c in "abcdefgh"} <= set(ml)
    assert ml["ML9.b"]["text"].startswith("Engines and propulsion systems")
    assert ml["ML10.c"]["text"].startswith('Unmanned "aircraft"')
    assert sorted(c for c in ml if c.startswith("ML6.")) == ["ML6.a", "ML6.b"]
    # The parse put "b. Engines and propulsion systems ..." into ML9's notes.
    assert not any("Engines and propulsion" in n for n in ml["ML9"]["notes"])


def test_stub_entries_are_flagged() -> None:
    ccl = _rows("us-ccl")
    assert ccl["9A007"]["stub"].startswith("moved to the USML")
    assert "stub" not in ccl["6A005"]


def test_wassenaar_2025_differences_carry_the_new_wording() -> None:
    flagged = [
        r for r in _rows("eu-dual-use").values() if r.get("wassenaar_2025", {}).get("differs")
    ]
    assert flagged
    assert all(
        r["wassenaar_2025"]["text"] and r["wassenaar_2025"]["similarity"] < 0.9 for r in flagged
    )


def test_editions_name_edition_date_source_and_licence() -> None:
    editions = json.loads((CATALOGUE_DIR / "editions.json").read_text())
    assert set(editions) == {"eu-dual-use", "eu-military", "us-ccl", "us-usml"}
    for meta in editions.values():
        assert all(meta[k] for k in ("edition", "date", "source", "licence", "entries"))
