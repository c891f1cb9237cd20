"""Layouts from outside the sample generator: a DSP-5-like US form and its relatives.

Label-above-value boxes side by side, then a goods table whose first column is a line
number and which has a narrow classification column ("Cat.", "ECCN/USML").
"""

from __future__ import annotations

import pytest
from pagebuilder import lines, page, result

from exportdesk.extract import items as items_mod
from exportdesk.extract.fields import extract_fields
from exportdesk.extract.layout import build_layout
from exportdesk.extract.parties import parse_role_label

ROWS = [
    ("1", "40", "EA", "Night vision goggles, Gen 3 image intensifier", "312,000.00"),
    ("2", "2", "EA", "Ground surveillance radar, X-band", "1,450,000.00"),
    ("3", "500", "EA", "Ballistic helmets, NIJ level IIIA", "190,000.00"),
]
CODES = ["XII(c)", "5A002.a", "ML10"]
X = {"no": 40, "qty": 80, "uom": 120, "desc": 160, "cat": 430, "value": 500}


def _table(number_header: str, class_header: str, top: float = 300) -> list:
    cells = [
        (X["no"], top, number_header),
        (X["qty"], top, "Qty"),
        (X["uom"], top, "UoM"),
        (X["desc"], top, "Commodity"),
        (X["cat"], top, class_header),
        (X["value"], top, "Value USD"),
    ]
    for i, ((no, qty, uom, desc, value), code) in enumerate(zip(ROWS, CODES, strict=True)):
        y = top + 16 * (i + 1)
        cells += [
            (X["no"], y, no),
            (X["qty"], y, qty),
            (X["uom"], y, uom),
            (X["desc"], y, desc),
            (X["cat"], y, code),
            (X["value"], y, value),
        ]
    return cells


@pytest.mark.parametrize(
    ("number_header", "class_header"),
    [
        ("Line", "Cat."),
        ("Item", "Category"),
        ("No.", "Class."),
        ("#", "ECCN/USML"),
        ("Pos.", "Control code"),
        ("Lfd. Nr.", "Classification"),
        ("Line", "ML cat."),
    ],
)
def test_line_number_column_and_short_classification_header(
    number_header: str, class_header: str
) -> None:
    cells = _table(number_header, class_header)
    # a numbered section heading after a loose gap ends the table: "22." is no figure
    cells += [(40, 400, "22. REMARKS"), (40, 414, "Shipment in two lots.")]
    r = result(page(cells))
    extract_fields(r)
    got = [
        (i.quantity, i.unit, i.total_value, i.currency, i.declared_classification) for i in r.items
    ]
    assert got == [
        (40.0, "EA", 312000.0, "USD", "XII(c)"),
        (2.0, "EA", 1450000.0, "USD", "5A002.a"),
        (500.0, "EA", 190000.0, "USD", "ML10"),
    ]
    assert [i.description for i in r.items] == [row[3] for row in ROWS]


def test_line_number_band_is_cut_from_quantity_when_the_gutter_is_lost() -> None:
    """A line across the table's left columns hides the gutter; the header still parts them."""
    cells = _table("Line", "Cat.")
    cells.append((40, 300 + 16 * 4, "incl. spares"))
    layout = build_layout(result(page(cells)).document.pages[0])
    header_no = next(n for n, line in enumerate(layout.lines) if line.text.startswith("Line"))
    columns = items_mod.header_columns(layout.lines[header_no])
    assert columns is not None and [c.key for c in columns][:2] == ["no", "quantity"]
    body = layout.lines[header_no + 1 : header_no + 5]
    bands = items_mod.assign_bands(columns, body)
    no_band = next(b for b in bands if b[2].key == "no")
    assert no_band[1] < X["qty"]  # the "no" band stops before the quantities start
    records = items_mod.table_records(layout, columns, body)
    typed = [items_mod.to_item(rec, n, None) for n, rec in enumerate(records, 1)]
    assert [(i.quantity, i.unit) for i in typed if i is not None][:3] == [
        (40.0, "EA"),
        (2.0, "EA"),
        (500.0, "EA"),
    ]


def _box(x: float, top: float, label: str, values: list[str]) -> list:
    return [(x, top, label), *lines(x + 2, top + 13, values)]


def test_dsp5_like_boxes_with_a_combined_seller_purchaser_box() -> None:
    cells = _box(
        40,
        70,
        "7. APPLICANT (name, address)",
        ["Tarnów Defence Systems Sp. z o.o.", "ul. Krakowska 112", "33-100 Tarnów, Poland"],
    )
    cells += _box(
        310,
        70,
        "12. FOREIGN END-USER",
        ["Direção de Material do Exército", "Rua do Arsenal 45", "1100-038 Lisboa, Portugal"],
    )
    cells += _box(
        40,
        160,
        "13. FOREIGN CONSIGNEE",
        ["Lusitânia Logística Lda", "Avenida da Liberdade 190", "Lisboa, PORTUGAL"],
    )
    cells += _box(310, 160, "14. SELLER / PURCHASER", ["Tarnów Defence Systems Sp. z o.o."])
    cells += _table("Line", "Cat.", top=270)
    r = result(page(cells, width=612, height=792))
    extract_fields(r)
    parties = {p.role: p for p in r.parties}
    assert set(parties) == {"applicant", "end_user", "consignee", "purchaser"}
    assert parties["applicant"].country == "PL"
    assert parties["consignee"].name == "Lusitânia Logística Lda"
    purchaser = parties["purchaser"]
    assert purchaser.name == "Tarnów Defence Systems Sp. z o.o."
    assert purchaser.address is None
    assert [i.quantity for i in r.items] == [40.0, 2.0, 500.0]


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("14. SELLER / PURCHASER", "purchaser"),
        ("Purchaser/Consignee:", "purchaser"),
        ("Exporter / Consignee", "consignee"),
        ("Applicant / Exporter", "applicant"),
        ("Seller/Shipper:", "applicant"),
        ("Empfänger / Endverwender", "consignee"),
    ],
)
def test_slash_combined_role_labels_pick_a_role(label: str, role: str) -> None:
    parsed = parse_role_label(label)
    assert parsed is not None and parsed[0] == role
    assert parsed[1] == ""


def test_purchaser_consignee_box_is_kept() -> None:
    cells = [(40, 60, "Exporter:"), (320, 60, "Purchaser/Consignee:")]
    cells += lines(40, 72, ["Kestrel Avionics Ltd", "14 Harbour Road", "Southampton", "UK"])
    cells += lines(320, 72, ["Halcyon Trading FZE", "Al Salam Street 4", "Dubai", "UAE"])
    r = result(page(cells))
    extract_fields(r)
    roles = {p.role: p.name for p in r.parties}
    assert roles == {"applicant": "Kestrel Avionics Ltd", "purchaser": "Halcyon Trading FZE"}


def test_field_labels_with_an_enumerator_the_scan_garbled_still_read():
    """'(e) QUANTITY' read as '(@) QUANTITY', '(h) TOTAL PRICE' as 'M) TOTAL PRICE'."""
    from pagebuilder import page as make_page
    from pagebuilder import result as make_result

    from exportdesk.extract.fields import extract_fields

    cells = [
        (30, 60, "ITEM 1"),
        (30, 72, "(a) ECCN"),
        (150, 72, "(b) MODEL"),
        (30, 84, "6A003"),
        (150, 84, "TX-640"),
        (30, 100, "(@) QUANTITY"),
        (150, 100, "(f) UNITS"),
        (250, 100, "(@) UNIT PRICE"),
        (400, 100, "M) TOTAL PRICE"),
        (30, 112, "12"),
        (150, 112, "pcs"),
        (250, 112, "$150.00"),
        (400, 112, "$1,800.00"),
        (30, 128, "(i) TECHNICAL DESCRIPTION"),
        (30, 140, "Uncooled thermal imaging camera core, 640 x 512 pixels, 12 um pitch, 30 Hz."),
    ]
    r = make_result(make_page(cells))
    extract_fields(r)
    assert [(i.quantity, i.unit_price, i.total_value) for i in r.items] == [(12.0, 150.0, 1800.0)]
