"""Extraction on hand-built pages whose layouts the sample generator never makes."""

from __future__ import annotations

import math

import pytest
from pagebuilder import lines, page, result

from exportdesk.extract.enduse import flags_for
from exportdesk.extract.fields import extract_fields
from exportdesk.extract.layout import build_layout, estimate_skew
from exportdesk.extract.model import Page, Word


def test_page_with_nothing_to_extract() -> None:
    r = result(
        page([(60, 80, "Annex B"), (60, 100, "Photographs of the equipment follow.")]),
        Page(page=2, source="ocr", width=595, height=842, words=[]),
    )
    extract_fields(r)
    assert (r.parties, r.items, r.end_use) == ([], [], [])
    # nothing found is said, so the clerk knows to enter parties and items by hand
    assert sorted(w.code for w in r.warnings) == ["no_items_found", "no_parties_found"]


def test_caps_label_with_inline_value_and_address_under_the_value() -> None:
    address = ["14 Harbour Road", "Southampton SO14 2AA", "United Kingdom"]
    cells = [(50, 100, "SHIP TO: Kestrel Avionics Ltd"), *lines(108, 112, address)]
    r = result(page(cells))
    extract_fields(r)
    [party] = r.parties
    assert (party.role, party.name, party.country) == ("consignee", "Kestrel Avionics Ltd", "GB")
    assert party.address == "14 Harbour Road, Southampton SO14 2AA"
    ev = party.evidence[0]
    assert ev.page == 1 and ev.bbox[1] == pytest.approx(100) and ev.bbox[3] > 136


def test_sub_labelled_party_with_country_in_german() -> None:
    block = [
        "Name: Lindqvist Messtechnik GmbH",
        "Anschrift: Mühlenweg 4, 80331 München",
        "Land: Deutschland",
        "Tel. +49 89 555 0101",
    ]
    cells = [(40, 60, "Endverwender:"), *lines(40, 72, block)]
    r = result(page(cells))
    extract_fields(r)
    [party] = r.parties
    assert (party.role, party.name, party.country) == (
        "end_user",
        "Lindqvist Messtechnik GmbH",
        "DE",
    )
    assert party.address == "Mühlenweg 4, 80331 München"


def test_two_parties_side_by_side_do_not_mix() -> None:
    cells = [(40, 60, "Buyer:"), (320, 60, "Consignee:")]
    cells += lines(40, 72, ["Halcyon Trading FZE", "Al Salam Street 4", "Dubai", "UAE"])
    cells += lines(
        320, 72, ["Orion Naval Systems S.A.", "Rua do Porto 12", "4000-123 Porto", "Portugal"]
    )
    r = result(page(cells))
    extract_fields(r)
    got = {(p.role, p.name, p.country) for p in r.parties}
    assert got == {
        ("purchaser", "Halcyon Trading FZE", "AE"),
        ("consignee", "Orion Naval Systems S.A.", "PT"),
    }


def _table_page(
    rows: list[list[tuple[float, str]]], number: int = 1, top: float = 200, header: bool = True
) -> Page:
    cells: list[tuple[float, float, str]] = []
    if header:
        for x, text in [
            (40, "Item"),
            (75, "Part No."),
            (150, "Description"),
            (380, "Qty"),
            (420, "Unit Price"),
            (500, "Extended Price"),
        ]:
            cells.append((x, top, text))
        top += 16
    for row in rows:
        for x, text in row:
            cells.append((x, top, text))
        top += 13
    return page(cells, number=number)


def _row(n: int, part: str, desc: str, qty: str, price: str, total: str) -> list[tuple[float, str]]:
    return [(40, str(n)), (75, part), (150, desc), (385, qty), (420, price), (500, total)]


def test_table_with_other_column_order_and_wrapped_description() -> None:
    rows = [
        _row(1, "HX-200", "Hydrophone preamplifier board", "10", "$1,200.00", "$12,000.00"),
        [(150, "with shielded housing")],
        _row(2, "CB-7", "Interconnect cable set", "25", "$40.00", "$1,000.00"),
    ]
    r = result(_table_page(rows))
    extract_fields(r)
    assert [i.description for i in r.items] == [
        "Hydrophone preamplifier board with shielded housing",
        "Interconnect cable set",
    ]
    first = r.items[0]
    assert (first.quantity, first.unit_price, first.total_value, first.currency, first.model) == (
        10,
        1200.0,
        12000.0,
        "USD",
        "HX-200",
    )
    assert first.evidence and first.evidence[0].page == 1


def test_table_continued_on_next_page_without_repeated_header_is_one_list() -> None:
    page1 = _table_page(
        [
            _row(1, "A-1", "Gimbal motor", "2", "EUR 500.00", "EUR 1,000.00"),
            _row(2, "A-2", "Gimbal controller", "2", "EUR 800.00", "EUR 1,600.00"),
        ],
        top=700,
    )
    page2 = _table_page(
        [_row(3, "A-3", "Camera mount", "4", "EUR 50.00", "EUR 200.00")],
        number=2,
        top=60,
        header=False,
    )
    r = result(page1, page2)
    extract_fields(r)
    assert [i.index for i in r.items] == [1, 2, 3]
    assert r.items[2].description == "Camera mount"
    assert r.items[2].evidence[0].page == 2


def test_key_value_items_and_total_mismatch_warning() -> None:
    cells = lines(
        50,
        100,
        [
            "Line 1",
            "Description: Thermal camera core, 640x512",
            "Quantity: 4 pcs",
            "Unit price: GBP 2.500,00",
            "Total value: GBP 12.000,00",
            "Line 2",
            "Description: Lens, 35 mm germanium",
            "Quantity: 4 pcs",
            "Unit price: GBP 700,00",
            "Total value: GBP 2.800,00",
        ],
    )
    r = result(page(cells))
    extract_fields(r)
    assert [(i.quantity, i.unit, i.unit_price, i.total_value, i.currency) for i in r.items] == [
        (4, "pcs", 2500.0, 12000.0, "GBP"),
        (4, "pcs", 700.0, 2800.0, "GBP"),
    ]
    # the page names no party, which is now said too
    assert sorted(w.code for w in r.warnings) == ["no_parties_found", "total_mismatch"]
    [warning] = [w for w in r.warnings if w.code == "total_mismatch"]
    assert "Item 1" in warning.message


def test_prose_only_certificate_without_heading() -> None:
    text = [
        "We, Halvard Marine AS, of Strandveien 12, 9008 Tromsø, Norway, certify that the sonar",
        "spare parts ordered from Quadrant Acoustics Ltd will be used solely for the repair of",
        "our research vessel. The goods will not be re-exported without the prior written",
        "consent of the exporting government.",
    ]
    r = result(page(lines(50, 120, text)))
    extract_fields(r)
    [statement] = r.end_use
    assert statement.end_user == "Halvard Marine AS"
    assert "no_reexport_assurance" in statement.flags
    assert "missing_no_wmd_assurance" in statement.flags
    party = next(p for p in r.parties if p.role == "end_user")
    assert (party.name, party.country) == ("Halvard Marine AS", "NO")


def test_second_certificate_names_a_second_end_user() -> None:
    def certificate(number: int, who: str, where: str) -> Page:
        body = [
            f"We, {who}, of {where}, hereby certify that the goods will be used solely",
            "for training of our maintenance staff and will not be used for any military",
            "end use.",
        ]
        return page([(50, 60, "END-USER CERTIFICATE"), *lines(50, 100, body)], number=number)

    r = result(
        certificate(1, "Borealis Instruments AB", "Storgatan 3, 411 38 Göteborg, Sweden"),
        certificate(2, "Meridian Optics Pte. Ltd.", "5 Kallang Avenue, Singapore 339411"),
    )
    extract_fields(r)
    assert [e.end_user for e in r.end_use] == [
        "Borealis Instruments AB",
        "Meridian Optics Pte. Ltd.",
    ]
    assert {(p.name, p.country) for p in r.parties if p.role == "end_user"} == {
        ("Borealis Instruments AB", "SE"),
        ("Meridian Optics Pte. Ltd.", "SG"),
    }
    assert all("no_military_end_use_assurance" in e.flags for e in r.end_use)


@pytest.mark.parametrize(
    ("statement", "present", "absent"),
    [
        (
            "The goods will not be re-exported without authorisation.",
            {"no_reexport_assurance"},
            {"no_wmd_assurance"},
        ),
        (
            "Not for use in weapons of mass destruction.",
            {"no_wmd_assurance"},
            {"no_military_end_use_assurance"},
        ),
        (
            "Die Güter werden nicht für militärische Zwecke verwendet.",
            {"no_military_end_use_assurance"},
            {"no_reexport_assurance"},
        ),
        ("The goods will be used for military purposes.", set(), {"no_military_end_use_assurance"}),
        ("For general purposes and various other applications.", {"vague_wording"}, set()),
    ],
)
def test_end_use_flags(statement: str, present: set[str], absent: set[str]) -> None:
    flags = set(flags_for(statement))
    assert present <= flags
    assert not absent & flags
    for name in absent:
        assert f"missing_{name}" in flags


def test_skewed_ocr_page_is_read_in_lines() -> None:
    angle = math.radians(1.2)
    words = []
    for row, text in enumerate(
        [
            "Consignee: Vantor Photonics Oy",
            "Teollisuustie 9 B 12",
            "33100 Tampere Pirkanmaa region",
            "Finland by road freight",
        ]
    ):
        x = 60.0
        for block_word in text.split():
            top = 100 + row * 14 + x * math.tan(angle)
            words.append(
                Word(
                    text=block_word,
                    x0=x,
                    top=top,
                    x1=x + 40,
                    bottom=top + 9,
                    source="ocr",
                    confidence=0.9,
                    block=1,
                    line=row,
                )
            )
            x += 46
    layout = build_layout(Page(page=1, source="ocr", width=595, height=842, words=words))
    assert estimate_skew(words) == pytest.approx(1.2, abs=0.2)
    assert [line.text for line in layout.lines][:2] == [
        "Consignee: Vantor Photonics Oy",
        "Teollisuustie 9 B 12",
    ]


def test_whole_party_on_one_line_after_a_long_label() -> None:
    r = result(
        page(
            [
                (
                    40,
                    80,
                    "Name and address of the consignee: Aurelian Optics S.p.A., "
                    "Via Roma 4, 10121 Torino, Italy",
                )
            ]
        )
    )
    extract_fields(r)
    [party] = r.parties
    assert (party.role, party.name, party.country) == ("consignee", "Aurelian Optics S.p.A.", "IT")
    assert party.address == "Via Roma 4, 10121 Torino"


def test_one_field_per_line_with_the_role_repeated() -> None:
    cells = lines(
        40,
        80,
        [
            "Ultimate consignee name: Fernhill Maritime Ltd",
            "Ultimate consignee address: 3 Dock Road, Cork T12 X8",
            "Ultimate consignee country: Ireland",
            "End user name: Irish Naval Service",
        ],
    )
    r = result(page(cells))
    extract_fields(r)
    got = {(p.role, p.name, p.address, p.country) for p in r.parties}
    assert ("consignee", "Fernhill Maritime Ltd", "3 Dock Road, Cork T12 X8", "IE") in got
    assert any(p.role == "end_user" and p.name == "Irish Naval Service" for p in r.parties)


def test_header_cells_wrapped_onto_two_lines() -> None:
    cells = [
        (40, 200, "Pos"),
        (80, 200, "Goods"),
        (330, 200, "Quantity"),
        (400, 200, "Unit"),
        (470, 200, "Total"),
        (400, 210, "price"),
        (470, 210, "value"),
        (40, 226, "1"),
        (80, 226, "Pressure transducer"),
        (345, 226, "12"),
        (400, 226, "EUR 90.00"),
        (470, 226, "EUR 1,080.00"),
    ]
    r = result(page(cells))
    extract_fields(r)
    [item] = r.items
    assert (item.description, item.quantity, item.unit_price, item.total_value, item.currency) == (
        "Pressure transducer",
        12,
        90.0,
        1080.0,
        "EUR",
    )


def test_unreadable_quantity_is_derived_from_total_and_said_so() -> None:
    cells = lines(
        50, 100, ["Description: Rugged tablet", "Unit price: EUR 1.500,00", "Total: EUR 6.000,00"]
    )
    r = result(page(cells))
    extract_fields(r)
    [item] = r.items
    assert item.quantity == 4
    assert [w.code for w in r.warnings] == ["quantity_derived", "no_parties_found"]


def _as_scanned(p: Page) -> Page:
    """The page as Tesseract boxes it: boxes hug the ink (a word without ascenders is low),
    so word gaps grow, and every word comes from OCR."""
    words = []
    for w in p.words:
        tall = any(c.isupper() or c.isdigit() or c in "bdfhklt$€" for c in w.text)
        size = w.bottom - w.top
        top = w.top + (0.1 if tall else 0.3) * size
        bottom = w.bottom - 0.2 * size
        words.append(
            w.model_copy(
                update={"top": top, "bottom": bottom, "x1": w.x1 - 0.08 * size, "source": "ocr"}
            )
        )
    return p.model_copy(update={"words": words, "source": "ocr"})


def test_scanned_table_continued_on_a_page_with_its_header_repeated_is_one_list() -> None:
    page1 = _table_page(
        [
            _row(1, "A-1", "Gimbal motor", "2", "EUR 500.00", "EUR 1,000.00"),
            _row(2, "A-2", "Gimbal controller", "2", "EUR 800.00", "EUR 1,600.00"),
        ],
        top=700,
    )
    page2 = _table_page(
        [
            _row(3, "A-3", "Camera mount", "4", "EUR 50.00", "EUR 200.00"),
            _row(4, "A-4", "Slip ring assembly", "1", "EUR 1,250.00", "EUR 1,250.00"),
        ],
        number=2,
        top=60,
    )
    r = result(_as_scanned(page1), _as_scanned(page2))
    extract_fields(r)
    got = [(i.index, i.description, i.quantity, i.total_value) for i in r.items]
    assert got == [
        (1, "Gimbal motor", 2, 1000.0),
        (2, "Gimbal controller", 2, 1600.0),
        (3, "Camera mount", 4, 200.0),
        (4, "Slip ring assembly", 1, 1250.0),
    ]
    assert r.items[3].evidence[0].page == 2
