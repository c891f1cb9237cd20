"""Goods-line figures that broke on outside layouts: run-together and swapped number columns."""

from __future__ import annotations

from pagebuilder import page, result

from exportdesk.extract.fields import extract_fields
from exportdesk.extract.items import reconcile_figures


def test_two_number_columns_run_together_are_split_by_the_arithmetic():
    # "116 000" and "348 000" in adjacent columns read as one cell
    assert reconcile_figures(3, None, None, "116 000 348 000", None) == (116000.0, 348000.0)
    assert reconcile_figures(920, None, None, "3 450,75 3 174 690", None) == (3450.75, 3174690.0)


def test_figures_cut_at_the_wrong_space_are_cut_again():
    assert reconcile_figures(9, 121000001.0, 89000.0, "121 000 1", "089 000") == (
        121000.0,
        1089000.0,
    )


def test_unit_price_and_total_swapped_are_put_back():
    assert reconcile_figures(4, 308000.0, 77000.0, "308,000.00", "77,000.00") == (
        77000.0,
        308000.0,
    )


def test_figures_that_agree_or_cannot_agree_are_left_alone():
    assert reconcile_figures(2, 10.0, 20.0, "10", "20") == (10.0, 20.0)
    assert reconcile_figures(2, 10.0, 99.0, "10", "99") == (10.0, 99.0)


def _table(header_second_line: list[tuple[float, str]], row: list[tuple[float, str]]):
    cells = [
        (39, 400, "No."),
        (61, 400, "Description of goods"),
        (372, 400, "Quantity Unit"),
        (456, 400, "Unit value"),
        (519, 400, "Total value"),
    ]
    cells += [(x, 410, t) for x, t in header_second_line]
    cells += [(x, 426, t) for x, t in row]
    return cells


def test_currency_under_a_wrapped_header_names_its_own_column():
    cells = _table(
        [(469, "(SEK)"), (535, "(SEK)")],
        [
            (39, "1"),
            (61, "Hydrophone for acoustic measurements"),
            (382, "1,800 pcs"),
            (465, "508.00"),
            (515, "914,400.00"),
        ],
    )
    r = result(page(cells))
    extract_fields(r)
    [item] = r.items
    assert (item.quantity, item.unit_price, item.total_value) == (1800.0, 508.0, 914400.0)
    assert item.currency == "SEK"


def test_fractional_quantity_that_adds_up_is_not_rounded():
    cells = _table(
        [],
        [
            (39, "1"),
            (61, "Small turbojet engine"),
            (382, "427,1 kg"),
            (458, "115,92"),
            (515, "49 509,43"),
        ],
    )
    r = result(page(cells))
    extract_fields(r)
    assert r.items[0].quantity == 427.1


def test_datasheet_without_parties_or_goods_lines_says_so():
    cells = [
        (40, 40, "MX-400 Thermal Camera Core"),
        (40, 70, "Technical data"),
        (40, 90, "Resolution"),
        (200, 90, "640 x 512"),
        (40, 104, "Frame rate"),
        (200, 104, "60 Hz"),
        (40, 118, "Spectral band"),
        (200, 118, "8-14 um"),
        (40, 150, "Operating temperature -40 to +70 C. Weight 48 g without lens."),
    ]
    r = result(page(cells))
    extract_fields(r)
    codes = {w.code for w in r.warnings}
    assert {"no_parties_found", "no_items_found"} <= codes
    assert not r.parties and not r.items


def test_application_with_parties_and_items_has_no_nothing_found_warning():
    cells = _table(
        [],
        [
            (39, "1"),
            (61, "Hydrophone for acoustic measurements"),
            (382, "2 pcs"),
            (465, "10.00"),
            (515, "20.00"),
        ],
    )
    cells += [
        (40, 100, "Consignee:"),
        (120, 100, "Ostrava Lasertech s.r.o."),
        (120, 112, "Czech Republic"),
    ]
    r = result(page(cells))
    extract_fields(r)
    codes = {w.code for w in r.warnings}
    assert not codes & {"no_parties_found", "no_items_found"}
