"""Screening: names written the way applicants write them still find the listed party."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportdesk.risk import lists
from exportdesk.risk.names import name_tokens, skeleton
from exportdesk.risk.screening import ScreeningIndex, threshold
from exportdesk.risk.sdn import ListEntry, ListFormatError, parse_sdn

# uid, name, kind, programs, countries, aliases
LISTED = [
    ("t-1", "ROSOBORONEKSPORT OAO", "entity", ["RUSSIA-EO14024"], ["RU"], []),
    ("t-2", "MAHAN AIR", "entity", ["SDGT", "NPWMD"], ["IR"], ["MAHAN AIRLINES"]),
    ("t-3", "PRIGOZHIN, Yevgeniy Viktorovich", "individual", ["RUSSIA-EO14024"], ["RU"], []),
    ("t-4", "HOSSEINI, Mohammad Ali", "individual", ["NPWMD"], ["IR"], []),
    (
        "t-5",
        "ISLAMIC REPUBLIC OF IRAN SHIPPING LINES",
        "entity",
        ["IRAN", "NPWMD"],
        ["IR"],
        ["IRISL"],
    ),
    ("t-6", "INTERNATIONAL ELECTRONIC TRADING COMPANY LLC", "entity", ["NPWMD"], ["AE"], []),
    ("t-7", "BANK MELLAT", "entity", ["IRAN"], ["IR"], []),
]
ENTRIES = [
    ListEntry(
        uid=uid, name=name, kind=kind, programs=programs, countries=countries, aliases=aliases
    )
    for uid, name, kind, programs, countries, aliases in LISTED
]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    return ScreeningIndex(ENTRIES)


def best(index: ScreeningIndex, name: str, country: str | None = None) -> tuple[str, float]:
    hits = index.score_name(name, country)
    assert hits, f"no candidate at all for {name!r}"
    return hits[0].entry.uid, hits[0].score


@pytest.mark.parametrize(
    ("name", "uid"),
    [
        ("Rosoboronexport JSC", "t-1"),  # legal form swapped, x/ks spelling
        ("rosoboronexport, o.a.o.", "t-1"),  # case and punctuation
        ("ООО Рособоронэкспорт", "t-1"),  # Cyrillic script
        ("Махан Эйр", "t-2"),  # Cyrillic rendering of a Persian name
        ("Mahan Airlines Co.", "t-2"),  # the alias
        ("Yevgeny Prigozhin", "t-3"),  # word order, no patronymic, other transliteration
        ("Евгений Пригожин", "t-3"),
        ("Mohamed Ali Husseini", "t-4"),  # Persian name in another Latin rendering
        ("محمد علي حسيني", "t-4"),  # Arabic script
        ("IRISL", "t-5"),
        ("Intl Electronic Trdg Co", "t-6"),  # abbreviations
        ("International Electornic Trading", "t-6"),  # a typo
    ],
)
def test_variant_of_a_listed_name_scores_above_the_threshold(index, name, uid) -> None:
    found, score = best(index, name)
    assert found == uid
    assert score >= threshold(), f"{name!r} scored {score}"


@pytest.mark.parametrize("name", ["Bank Melli", "Mahan Textiles Trading", "Mohammad Rezaei"])
def test_look_alike_of_another_party_stays_below_the_threshold(index, name) -> None:
    hits = index.score_name(name)
    assert all(h.score < threshold() for h in hits), [(h.matched_name, h.score) for h in hits]


def test_country_mismatch_lowers_the_score(index) -> None:
    _, same = best(index, "Mahan Air", "IR")
    _, other = best(index, "Mahan Air", "DE")
    assert other < same
    assert index.score_name("Mahan Air", "DE")[0].country_mismatch


def test_legal_forms_and_scripts_normalise_to_the_same_words() -> None:
    assert name_tokens("Limited Liability Company Voskhod") == name_tokens("ООО Восход")
    assert name_tokens("AL-RASHID TRADING GmbH") == ("rashid", "trading")
    assert skeleton("mohammed") == skeleton("muhamad")


SDN_CSV = (
    b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    b'9999,"EXAMPLE TRADING FZE",-0- ,"NPWMD] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    b"\"Registration Number 1 (United Arab Emirates); a.k.a. 'EXTRA FZE'.\"\r\n\x1a"
)


def test_sdn_csv_parses_programs_aliases_and_countries() -> None:
    cuba, trading = parse_sdn(SDN_CSV)
    assert cuba.programs == ["CUBA"] and cuba.countries == ["CU"]  # from the program
    assert trading.programs == ["NPWMD", "IFSR"]
    assert trading.aliases == ["EXTRA FZE"]
    assert trading.countries == ["AE"]


def test_a_file_that_is_not_sdn_csv_is_refused_with_what_to_download() -> None:
    with pytest.raises(ListFormatError, match=r"sdn\.csv"):
        parse_sdn(b"ent_num,address,city\n1,Main St,Havana\n")


def test_update_records_a_newer_edition_and_refuses_an_older_one(tmp_path: Path) -> None:
    newer = tmp_path / "sdn.csv"
    newer.write_bytes(SDN_CSV)
    edition = lists.import_list(newer, tmp_path, "2026-11-01", "officer")
    assert lists.current_edition(tmp_path).date == "2026-11-01"
    assert edition.entries == 2 and edition.imported_by == "officer"
    assert [e.date for e in lists.previous_editions(tmp_path)] == ["2024-05-03"]
    _, entries = lists.active_list(tmp_path)
    assert {e.name for e in entries} == {"AEROCARIBBEAN AIRLINES", "EXAMPLE TRADING FZE"}
    with pytest.raises(ValueError, match="older than the edition in use"):
        lists.import_list(newer, tmp_path, "2025-01-01", "officer")


def test_committed_list_records_its_edition_and_provenance() -> None:
    record = json.loads((lists.COMMITTED_DIR / lists.EDITION_FILE).read_text())["current"]
    assert record["date"] == "2024-05-03" and "OFAC" in record["source"]
    assert record["entries"] > 10_000 and len(record["sha256"]) == 64
