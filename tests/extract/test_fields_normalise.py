"""Unit tests: numbers, money, currencies, codes, countries and labels, with no PDF involved."""

from __future__ import annotations

import pytest

from exportdesk.extract.countries import find_country, resolve_country
from exportdesk.extract.nlp import leading_label
from exportdesk.extract.normalise import (
    currency_of,
    fix_email,
    normalise_code,
    parse_money,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,250.00", 1250.0),
        ("1.250,00", 1250.0),
        ("1 250,00", 1250.0),
        ("12 500", 12500.0),
        ("1'250.50", 1250.5),
        ("27", 27.0),
        ("12,5", 12.5),
        ("0,125", 0.125),
        ("1,250", 1250.0),
        ("45.925.243,48", 45925243.48),
        ("1O0", 100.0),  # OCR letter O inside a number
        ("2S0", 250.0),  # OCR S for 5
    ],
)
def test_parse_number_reads_every_locale(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["27 12", "abc", "", "12-34-56", "ML13"])
def test_parse_number_refuses_what_is_not_one_number(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("EUR 1.250,00", 1250.0, "EUR"),
        ("€1,250.00", 1250.0, "EUR"),
        ("1 250,00 EUR", 1250.0, "EUR"),
        ("£ 99.5", 99.5, "GBP"),
        ("USD 62,407,590.12", 62407590.12, "USD"),
        ("CHF 1'250.00", 1250.0, "CHF"),
        ("3 855,66", 3855.66, None),
    ],
)
def test_parse_money(text: str, value: float, currency: str | None) -> None:
    got_value, got_currency = parse_money(text)
    assert got_value == pytest.approx(value)
    assert got_currency == currency


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("EUR", "EUR"),
        ("€", "EUR"),
        ("$", "USD"),
        ("£", "GBP"),
        ("¥", "JPY"),
        ("SEK", "SEK"),
        ("euros", "EUR"),
        ("PCS", None),
        ("ALL", None),
        ("kg", None),
    ],
)
def test_currency_to_iso_4217(token: str, code: str | None) -> None:
    assert currency_of(token) == code


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("EARQ99", "EAR99"),
        ("EAR O99", "EAR99"),
        ("5AOO2.a", "5A002.a"),
        ("ml13.d", "ML13.d"),
        ("|6A001.a.2", "6A001.a.2"),
        ("—", None),
        ("N/A", None),
        ("3A002.d.1", "3A002.d.1"),
    ],
)
def test_declared_codes_survive_ocr_slips(raw: str, code: str | None) -> None:
    assert normalise_code(raw) == code


def test_split_email_is_rejoined() -> None:
    assert fix_email("Contact: anna.ionescu @ example.org") == "Contact: anna.ionescu@example.org"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("España", "ES"),
        ("Espagne", "ES"),
        ("Österreich", "AT"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("Česko", "CZ"),
        ("Czech Republic", "CZ"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("UAE", "AE"),
        ("USA", "US"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("FR", "FR"),
        ("SE", "SE"),
        ("DEU", "DE"),
        ("Magyarország", "HU"),
        ("Polska", "PL"),
        ("Brasil", "BR"),
        ("Pays-Bas", "NL"),
    ],
)
def test_country_in_any_language_to_alpha2(written: str, code: str) -> None:
    assert resolve_country(written) == code


def test_country_inside_an_address_line() -> None:
    found = find_country("204 Jurong Industrial Road, Singapore 690887")
    assert found is not None and found[0] == "SG"
    # a US state abbreviation is not Alabama's country code
    assert find_country("Huntsville, AL 35801") is None
    assert find_country("Huntsville, AL 35801", allow_code=True) is None


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("14. Applicant", "role", "applicant"),
        ("Block 18 Ultimate consignee", "role", "consignee"),
        ("(3) Intermediate consignee:", "role", "intermediate_consignee"),
        ("Destinataire", "role", "consignee"),
        ("Empfänger:", "role", "consignee"),
        ("Endverwender", "role", "end_user"),
        ("Utilisateur final", "role", "end_user"),
        ("Usuario final:", "role", "end_user"),
        ("Ship to", "role", "consignee"),
        ("Facturer à:", "role", "purchaser"),
        ("4, Zwischenempfanger", "role", "intermediate_consignee"),  # OCR lost the umlaut
        ("1. Ausfiihrer", "role", "applicant"),  # OCR read ü as ii
        ("END-USER CERTIFICATE", "heading", "heading"),
        ("Endverbleibserklärung", "heading", "heading"),
        ("21. Specific end use", "end_use", "end_use"),
    ],
)
def test_foreign_and_numbered_labels(text: str, kind: str, key: str) -> None:
    hit = leading_label(text, ("role", "heading", "end_use"))
    assert hit is not None and (hit.kind, hit.key) == (kind, key)


@pytest.mark.parametrize(
    "text",
    [
        "The consignee will",
        "Application control number",
        "International Machines Ltd",
        "Munich Electronics",
    ],
)
def test_prose_and_names_are_not_labels(text: str) -> None:
    assert leading_label(text, ("role", "heading", "end_use")) is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("aeeee", None),
        ("oo", None),
        ("1€350.b", "1C350.b"),
        ("XI(a)", "XI(a)"),
        ("(5A002)", "5A002"),
    ],
)
def test_ocr_debris_is_no_declared_code(raw: str, code: str | None) -> None:
    assert normalise_code(raw) == code


def test_a_spanish_amount_column_is_not_an_importer() -> None:
    from exportdesk.extract.parties import parse_role_label

    assert parse_role_label("Importe (CHF)") is None
    assert parse_role_label("Importer of record:") == ("consignee", "")
    hit = leading_label("NONTRANSFER AND USE CERTIFICATE", ("role", "heading", "end_use"))
    assert hit is not None and hit.kind == "heading"
