"""`catalogues diff`: the real 2021 EU Annex I against the Wassenaar 2025 list, and the rules."""

from __future__ import annotations

import pytest

from exportdesk.classify.edition_diff import Edition, EditionEntry, diff, load_edition


@pytest.fixture(scope="module")
def eu_vs_wassenaar():  # type: ignore[no-untyped-def]
    return diff(load_edition("eu-dual-use"), load_edition("wassenaar-dual-use-2025"))


def test_every_2021_entry_is_accounted_for(eu_vs_wassenaar) -> None:  # type: ignore[no-untyped-def]
    old = load_edition("eu-dual-use")
    olds = [c.old_code for c in eu_vs_wassenaar.changes if c.old_code]
    assert sorted(olds) == sorted(old.entries) and len(olds) == 366


def test_eu_only_entries_are_out_of_scope_not_removed(eu_vs_wassenaar) -> None:  # type: ignore[no-untyped-def]
    by_code = {c.old_code: c for c in eu_vs_wassenaar.changes if c.old_code}
    for code in ("0A001", "1C350", "9A104"):  # nuclear, chemical precursors, MTCR
        assert by_code[code].status == "out_of_scope"
    assert eu_vs_wassenaar.counts().get("removed", 0) == 0


def test_known_2025_changes_are_found(eu_vs_wassenaar) -> None:  # type: ignore[no-untyped-def]
    by_new = {c.new_code: c for c in eu_vs_wassenaar.changes if c.new_code}
    # The GAAFET design software entry came into the Wassenaar list after 2021.
    assert by_new["3D006"].status == "added"
    assert by_new["4A002"].status == "placeholder"  # "Not used since 2003"
    by_old = {c.old_code: c for c in eu_vs_wassenaar.changes if c.old_code}
    assert by_old["1B003"].status == "unchanged" and by_old["1B003"].similarity == 1.0
    assert by_old["1A004"].status == "changed" and by_old["1A004"].similarity < 0.9
    # In the 2025 text but missing from its parse: not comparable, never "removed".
    assert by_old["4A001"].status == "not_comparable"
    assert "wording not parsed" in by_old["4A001"].note


def _edition(name: str, entries: dict[str, str]) -> Edition:
    return Edition(name, name, {c: EditionEntry(c, t[:20], t) for c, t in entries.items()})


def test_renumbered_entry_matched_by_wording_and_real_removal() -> None:
    lasers = "Lasers with an average output power exceeding 20 W and a wavelength below 400 nm"
    old = _edition("old", {"6A005": lasers, "6A099": "Gravity meters for land use", "1A001": "x"})
    new = _edition(
        "new", {"6A050": lasers.replace("20 W", "25 W"), "1A001": "x", "2A001": "Bearings"}
    )
    changes = {(c.status, c.old_code, c.new_code) for c in diff(old, new).changes}
    assert changes == {
        ("renumbered", "6A005", "6A050"),
        ("removed", "6A099", None),
        ("unchanged", "1A001", "1A001"),
        ("added", None, "2A001"),
    }
    assert set(diff(old, new).changed_meaning()) == {"6A005", "6A099"}


def test_unknown_edition_name_says_what_exists() -> None:
    with pytest.raises(ValueError, match="wassenaar-dual-use-2025"):
        load_edition("eu-dual-use-2031")
