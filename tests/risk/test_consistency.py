"""Each consistency check fires on a small two-document application and points at both places."""

from __future__ import annotations

from riskbuilders import application, item, page, party, statement

from exportdesk.risk.consistency import consistency_flags, page_kinds, parse_dates

FORM = page(1, ["APPLICATION FOR AN EXPORT LICENCE", "Date: 05.06.2026"])
INVOICE = page(2, ["PRO FORMA INVOICE", "Invoice date: 04.06.2026"])
CERT = page(3, ["END-USER CERTIFICATE", "Date: 01.06.2026"])


def rules(result) -> list[str]:
    return sorted(w.detail["rule"] for w in consistency_flags(result))


def two_places(warning) -> None:
    assert len(warning.evidence) == 2
    assert warning.evidence[0].page != warning.evidence[1].page


def test_pages_get_their_document_kind_and_continue_it() -> None:
    cont = page(4, ["Item 7 continued"])
    result = application([FORM, INVOICE, CERT, cont])
    assert page_kinds(result) == {1: "form", 2: "invoice", 3: "certificate", 4: "certificate"}


def test_agreeing_documents_raise_nothing() -> None:
    result = application(
        [FORM, INVOICE, CERT],
        parties=[
            party("purchaser", "Fjord Marine AS", "NO", 1),
            party("purchaser", "FJORD MARINE A/S", "NO", 2),
            party("end_user", "Fjord Marine AS", "NO", 1),
        ],
        items=[
            item(1, "Sonar transducer", 1, 4, 8000.0),
            item(1, "Sonar transducer", 2, 4, 8000.0),
        ],
        end_use=[statement("For the survey vessel.", page=3, end_user="Fjord Marine AS")],
    )
    assert rules(result) == []


def test_invoice_buyer_differs_from_form_purchaser() -> None:
    result = application(
        [FORM, INVOICE],
        parties=[
            party("purchaser", "Fjord Marine AS", "NO", 1),
            party("purchaser", "Baltic Supply OU", "EE", 2),
        ],
    )
    (flag,) = consistency_flags(result)
    assert flag.detail["rule"] == "party_name"
    two_places(flag)


def test_same_party_in_another_country() -> None:
    result = application(
        [FORM, INVOICE],
        parties=[
            party("purchaser", "Fjord Marine AS", "NO", 1),
            party("purchaser", "Fjord Marine AS", "AE", 2),
        ],
    )
    assert rules(result) == ["party_country"]


def test_certificate_end_user_not_on_the_form() -> None:
    result = application(
        [FORM, CERT],
        parties=[party("end_user", "Fjord Marine AS", "NO", 1)],
        end_use=[
            statement(
                "We certify the goods are for our plant.",
                page=3,
                end_user="Caspian Industrial Group",
            )
        ],
    )
    (flag,) = consistency_flags(result)
    assert flag.detail["rule"] == "end_user"
    two_places(flag)


def test_quantity_value_and_currency_differ_between_form_and_invoice() -> None:
    result = application(
        [FORM, INVOICE],
        items=[
            item(1, "Sonar transducer", 1, 4, 8000.0, "EUR"),
            item(1, "Sonar transducer", 2, 40, 8000.0, "EUR"),
            item(2, "Cable harness for sonar", 1, 2, 500.0, "EUR"),
            item(2, "Cable harness for sonar", 2, 2, 900.0, "EUR"),
            item(3, "Hydrophone", 1, 1, 100.0, "EUR"),
            item(3, "Hydrophone", 2, 1, 100.0, "USD"),
        ],
    )
    flags = consistency_flags(result)
    assert sorted(f.detail["rule"] for f in flags) == ["currency", "quantity", "value"]
    for flag in flags:
        two_places(flag)


def test_certificate_dated_after_the_application() -> None:
    late = page(3, ["END-USER CERTIFICATE", "Signed on 12 July 2026"])
    (flag,) = consistency_flags(application([FORM, late]))
    assert flag.detail["rule"] == "certificate_after_application"
    assert flag.evidence[0].text == "Signed on 12 July 2026"
    two_places(flag)


def test_expired_certificate() -> None:
    expired = page(3, ["END-USER CERTIFICATE", "Date: 01.02.2025", "Valid until 31.12.2025"])
    assert rules(application([FORM, expired])) == ["certificate_expired"]


def test_dates_in_several_languages_and_formats() -> None:
    days = [
        d.isoformat()
        for d, _ in parse_dates("5 juin 2026, 2026-06-05, 05/06/2026, June 5, 2026, 5. Juni 2026")
    ]
    assert days == ["2026-06-05"] * 5


def test_certificate_after_the_invoice_is_normal() -> None:
    invoice = page(1, ["PRO FORMA INVOICE", "Date: 11 April 2024"])
    cert = page(2, ["END-USER CERTIFICATE", "Stellenbosch, 27 April 2024"])
    assert rules(application([invoice, cert])) == []


def test_applicant_as_its_own_end_user_needs_no_certificate() -> None:
    result = application(
        [FORM, CERT],
        parties=[
            party("applicant", "Vastgota Marinsystem AB", "SE", 1),
            party("end_user", "Vastgota Marinsystem AB", "SE", 1),
        ],
        end_use=[
            statement(
                "We certify the goods are for our plant.",
                page=3,
                end_user="Spencer Gulf Maritime Pty Ltd",
            )
        ],
    )
    assert rules(result) == []
