"""Structured criteria: quantities with units, clause trees of list text, and their test."""

from __future__ import annotations

import pytest

from exportdesk.classify.criteria import (
    Clause,
    Comparison,
    comparisons_in,
    criteria_text,
    evaluate,
    parse_row,
    stated,
)
from exportdesk.classify.quantities import find_quantities, parse_number

# Written for these tests in the lists' style (decimal comma, spaced thousands, nesting).
ROW = (
    "Widget amplifiers having any of the following: 1. Rated for operation at frequencies "
    "exceeding 2,7 GHz but not exceeding 6 GHz and having all of the following: a. An output "
    "power exceeding 40 W; and b. A gain of 30 dB or more; 2. An output power exceeding 1 500 W; "
    "Technical Notes: 1. Output power is measured at the connector. 2. Gain is small-signal gain."
)


def test_units_normalise_to_one_base_unit() -> None:
    (a,) = find_quantities("rated output 1.5 kW")
    (b,) = find_quantities("a power exceeding 1 500 W", decimal_comma=True)
    assert a.dim == b.dim and a.value == pytest.approx(1500.0) == b.value


def test_decimal_comma_only_in_list_text() -> None:
    assert parse_number("1,6", decimal_comma=True) == pytest.approx(1.6)
    assert parse_number("1 150", decimal_comma=True) == pytest.approx(1150.0)
    assert parse_number("1,500") == pytest.approx(1500.0)


def test_lost_superscript_in_list_text_is_a_power_of_ten() -> None:
    (q,) = find_quantities("a total dose of 5 x 103 Gy (silicon) or higher", decimal_comma=True)
    assert q.value == pytest.approx(5000.0)


def test_compound_adjectives_and_nautical_miles_are_quantities() -> None:
    got = {q.text: (q.low, q.dim) for q in find_quantities("4-hour dives, range 10 nautical miles")}
    assert got["4-hour"] == (14400.0, "[time]")
    assert got["10 nautical miles"] == (18520.0, "[length]")
    # "nm" stays a nanometre; a hyphenated unit needs its number ("the one-hour mark": none)
    assert [q.dim for q in find_quantities("1 070 nm")] == ["[length]"]
    assert find_quantities("1 070 nm")[0].low == pytest.approx(1.07e-06)
    assert find_quantities("the hour-long test") == []


def test_stress_linear_density_and_weight_percent_are_quantities() -> None:
    (stress,) = find_quantities("a 'proof test' tensile stress of 2 x 109 N/m2 or more")
    assert stress.value == pytest.approx(2e9) and stress.dim == find_quantities("1 GPa")[0].dim
    (load,) = find_quantities("explosive core load greater than 64 g/m")
    assert load.value == pytest.approx(0.064) and load.dim == "[mass] / [length]"
    (hf,) = find_quantities("hafnium 1.5-2.5 wt %")  # by weight, not weighted TFLOPS
    assert (hf.low, hf.high, hf.dim) == (1.5, 2.5, "[percent]")


def test_calibres_as_ammunition_is_named() -> None:
    def mm(text: str) -> list[float]:
        return [round(q.low * 1000, 2) for q in find_quantities(text) if q.dim == "[length]"]

    assert mm("7.62 x 51 mm NATO ball") == [7.62]  # the calibre, not the case length
    assert mm("Bolt-action rifle .50 BMG") == [12.7]
    assert mm("12 gauge pump-action shotgun") == [18.52]
    assert mm("16 gauge steel sheet") == []  # a gauge without a firearm is not a bore


def test_ranges_keep_both_ends_and_units() -> None:
    (q,) = find_quantities("tunable 20 MHz-6 GHz")
    assert (q.low, q.high) == (pytest.approx(2e7), pytest.approx(6e9))
    (t,) = find_quantities("accelerometer, range +/-10 g")
    assert t.value == pytest.approx(98.0665)


def test_angular_rate_is_not_a_frequency() -> None:
    (deg,) = find_quantities("rate up to 1,500 deg/s")
    (hz,) = find_quantities("bandwidth 1,500 Hz")
    assert deg.dim != hz.dim


def test_alloy_names_are_not_voltages() -> None:
    assert find_quantities("Ti-6Al-4V bar") == []


def test_row_parses_into_nested_all_and_any() -> None:
    tree = parse_row("9Z999.a", ROW, decimal_comma=True)
    assert [c.path for c in tree.children] == ["9Z999.a.1", "9Z999.a.2"]
    first = tree.children[0]
    assert first.mode == "all" and [c.path for c in first.children] == [
        "9Z999.a.1.a",
        "9Z999.a.1.b",
    ]
    ops = [(c.op, round(c.value)) for c in first.comparisons]
    assert ops == [(">", 2_700_000_000), ("<=", 6_000_000_000)]
    assert first.children[1].comparisons[0].op == ">="


def test_a_notes_numbered_list_is_not_a_level_of_the_row() -> None:
    tree = parse_row("9Z999.a", ROW, decimal_comma=True)
    assert all(c.path.count(".") <= 3 for c in tree.walk())


def test_met_names_the_deepest_sub_paragraph() -> None:
    tree = parse_row("9Z999.a", ROW, decimal_comma=True)
    v = evaluate(tree, stated("Widget amplifier, 3.5 GHz, output power 60 W, gain 32 dB"))
    assert v.status is True and v.path in {"9Z999.a.1.a", "9Z999.a.1.b", "9Z999.a.1"}


def test_failed_when_every_tested_alternative_fails() -> None:
    tree = parse_row("9Z999.a", ROW, decimal_comma=True)
    v = evaluate(tree, stated("Widget amplifier, 3.5 GHz, output power 10 W, gain 32 dB"))
    assert v.status is False and any("stated 10 W" in f for f in v.failed)


def test_missing_deciding_value_is_named_not_guessed() -> None:
    tree = parse_row("9Z999.a", ROW, decimal_comma=True)
    v = evaluate(tree, stated("Widget amplifier, 3.5 GHz, gain 32 dB"))
    assert v.status is None and any("output power" in n for n in v.needs)


def test_a_value_named_as_another_parameter_is_not_used() -> None:
    node = Clause(
        path="X.a",
        text="",
        comparisons=[Comparison("output power", ">", 40.0, find_quantities("1 W")[0].dim, "")],
    )
    v = evaluate(node, stated("Widget, standby consumption 5 W"))
    assert v.status is None


def test_a_value_qualified_only_by_generic_words_stands_for_the_parameter() -> None:
    # "range 10 g" names no parameter of its own: it is the acceleration the item works at.
    tree = parse_row(
        "9Z998.a",
        "Widget sensors specified to function at linear acceleration levels exceeding 100 g;",
        decimal_comma=True,
    )
    assert evaluate(tree, stated("Widget sensor, range +/-10 g, bias 2 mg")).status is False
    assert evaluate(tree, stated("Widget sensor, range +/-200 g, bias 2 mg")).status is True
    assert evaluate(tree, stated("Gadget, range +/-10 g, bias stability 2 mg")).status is False


def test_plural_and_hyphenated_words_name_the_same_parameter() -> None:
    # "operating frequencies" in the list, "frequency" in the text; "scale factor" in the
    # list, "scale-factor" in the text.
    text = "Widgets having a maximum operating frequencies of 10 GHz or more;"
    node = parse_row("9Z997.a", text, True)
    assert evaluate(node, stated("Widget, frequency 2 GHz, 4 W")).status is False
    node = parse_row("9Z997.b", "Widgets having a scale factor stability less than 100 ppm;", True)
    assert evaluate(node, stated("Widget, scale-factor stability 1,500 ppm")).status is False


def test_counts_of_axes_are_compared_as_the_list_writes_them() -> None:
    tree = parse_row("9Z996.a", "Widget tables having two or more axes;", True)
    assert [(c.op, c.value) for c in tree.comparisons] == [(">=", 2.0)]
    assert evaluate(tree, stated("Single-axis widget table, 1,000 deg/s")).status is False
    assert evaluate(tree, stated("3-axis widget table")).status is True
    assert evaluate(tree, stated("Widget table with 4 simultaneously interpolated axes")).status


def test_ballistic_protection_levels_are_an_ordered_scale() -> None:
    text = (
        "Hard widget plates providing ballistic protection equal to or less than level IIIA "
        "(NIJ 0101.06, July 2008);"
    )
    tree = parse_row("9Z995.b", text, True)
    assert evaluate(tree, stated("Widget plate, NIJ Level IV, UHMWPE")).status is False
    assert evaluate(tree, stated("Widget plate certified NIJ 0101.06 Level IIIA")).status is True
    assert find_quantities("Maintenance Level II workshop") == []  # not about armour


# US style: markers carry their path, a reserved item keeps its number, and a technical
# note's numbered sentences sit between two items of the row's own list.
US_ROW = (
    "Widgets as follows: a.1. Small widgets; a.2. [Reserved] a.3. Converters, as follows: "
    "Technical Notes: 1. A first note. 2. A second note. 3. For multiple channel converters "
    "the rate is not aggregated. a.3.a. Converters having a resolution of 14 bit or more; "
    "a.3.b. Converters having a resolution of 16 bit or more;"
)


def test_markers_written_with_their_path_place_the_clause() -> None:
    tree = parse_row("9Z999.a", US_ROW, decimal_comma=False)
    assert [c.path for c in tree.children] == ["9Z999.a.1", "9Z999.a.2", "9Z999.a.3"]
    assert tree.children[1].text == "[Reserved]"
    conv = tree.children[2]
    assert conv.text.startswith("Converters, as follows")  # the note's "3." is the note's
    assert [c.path for c in conv.children] == ["9Z999.a.3.a", "9Z999.a.3.b"]
    assert conv.children[1].comparisons[0].value == 16


def _two_kinds() -> Clause:
    """Alternatives for two kinds of item: the one written for the item fails on stated
    values; the other shares words with the description only through its sub-paragraphs."""
    clauses = [
        "Signal items as follows:",
        "a. Widget converters having any of the following:",
        "1. A resolution of 8 bit or more, but less than 10 bit, with a settling time less",
        "than 1 ns; 2. A resolution of 10 bit or more with a sample rate greater than 400 MSPS;",
        "b. Microcircuits having any of the following: 1. Rated for operation at an ambient",
        "temperature above 398 K; 2. Designed for signal processing below 218 K;",
    ]
    return parse_row("9Z999", " ".join(clauses), decimal_comma=True)


def test_a_failed_alternative_that_names_the_item_decides() -> None:
    tree = _two_kinds()
    v = evaluate(tree, stated("Dual-channel 14-bit widget converter, 200 MSPS, signal processing"))
    assert v.status is False and any("stated 200 MSPS" in f for f in v.failed)
    # The other kind, when it names the item, still keeps the question open.
    v = evaluate(tree, stated("14-bit widget converter microcircuits, 200 MSPS"))
    assert v.status is None


def test_a_value_above_a_band_does_not_keep_its_alternative_open() -> None:
    # 14 bit is above the band "8 bit or more, but less than 10 bit": that alternative is
    # not the item's, so the 10-bit-or-more alternative (failed on the rate) decides.
    tree = _two_kinds().children[0]
    v = evaluate(tree, stated("14-bit widget converter, 200 MSPS"))
    assert v.status is False


def _converters() -> Clause:
    """Two kinds of converter side by side, each with its own parameter bands."""
    return parse_row(
        "9Z999.a",
        "Converters as follows: 1. ADCs having any of the following: a. A resolution of 16 "
        "bit or more with a sample rate greater than 65 MSPS; 2. Digital-to-Analogue "
        "Converters (DAC) having any of the following: a. A resolution of 12 bit or more with "
        "an update rate exceeding 1 250 MSPS;",
        decimal_comma=True,
    )


def test_an_alternative_for_another_kind_of_item_is_not_met() -> None:
    # A 16-bit DAC at 1 GSPS meets the ADC band's numbers, but the ADC band is not its.
    v = evaluate(_converters(), stated("16-bit digital-to-analogue converter IC, 1.0 GSPS"))
    assert v.status is False and any("stated 1.0 GSPS" in f for f in v.failed)
    # The list's acronym spelt out names the ADC, which meets its band.
    v = evaluate(_converters(), stated("16-bit analogue-to-digital converter IC, 1.0 GSPS"))
    assert v.status is True and v.path == "9Z999.a.1.a"


def test_an_undecided_alternative_for_another_kind_or_not_used_does_not_keep_it_open() -> None:
    row = (
        "Microwave items as follows: 1. Vacuum electronic devices with a gain of more than "
        "17 dB at frequencies exceeding 8 GHz; 2. Widget amplifiers having any of the "
        "following: a. A peak output power greater than 5 W; 3. Not used;"
    )
    tree = parse_row("9Z999.b", row, decimal_comma=True)
    v = evaluate(tree, stated("Widget amplifier, 10 GHz, peak output power 4 W"))
    assert v.status is False and any("stated 4 W" in f for f in v.failed)
    # Described as the other kind, the vacuum devices stay to be decided.
    v = evaluate(tree, stated("Vacuum electronic device, 10 GHz, peak output power 4 W"))
    assert v.status is None


def test_a_feature_the_description_denies_is_not_met() -> None:
    tree = parse_row(
        "9Z999.e",
        "Analysers having any of the following: 1. An output power exceeding 1 mW at "
        "frequencies exceeding 90 GHz; 2. 'Nonlinear vector measurement functionality' at "
        "frequencies exceeding 50 GHz;",
        decimal_comma=True,
    )
    said = {
        "Analyser, 10 MHz to 67 GHz, nonlinear option": True,
        "Analyser, 10 MHz to 67 GHz, no nonlinear (X-parameter) option": False,
    }
    verdicts = {text: evaluate(tree, stated(text)) for text in said}
    assert {text: v.status for text, v in verdicts.items()} == said
    assert any("no nonlinear" in f for v in verdicts.values() for f in v.failed)


def test_a_power_in_dbm_is_compared_with_a_limit_in_watts() -> None:
    node = parse_row("9Z999.e", "Analysers with an output power exceeding 31,62 mW;", True)
    v = evaluate(node, stated("Analyser, maximum source power +5 dBm at 67 GHz"))
    assert v.status is False and any("+5 dBm" in f for f in v.failed)
    assert evaluate(node, stated("Analyser, output power +20 dBm")).status is True


def test_a_marker_after_a_page_break_continued_is_read() -> None:
    first = "Radio equipment as follows: 1. Being radio equipment for short waves;"
    second = "2. Being radio equipment employing ultra-wideband techniques;"
    tree = parse_row("9Z999.b", f"{first} 9Z999.b. continued {second}", decimal_comma=True)
    assert [c.path for c in tree.children] == ["9Z999.b.1", "9Z999.b.2"]


def test_fractional_bandwidth_of_a_stated_frequency_range() -> None:
    node = parse_row("9Z999.b", "Amplifiers with a fractional bandwidth greater than 10%;", True)
    s = stated("MMIC amplifier, 8.5-10.5 GHz, 40 % PAE")  # 2 GHz over a 9.5 GHz centre: 21 %
    assert evaluate(node, s).status is True and s.values_stated == 2
    assert evaluate(node, stated("MMIC amplifier, 9.9-10.1 GHz")).status is False
    # Named as the fractional bandwidth, it stands for no other percentage.
    alloy = parse_row("9Z999.c", "Alloys with more than 25% nickel;", True)
    assert evaluate(alloy, stated("Vessel, 8.5-10.5 GHz")).status is None


def test_a_denied_feature_counts_for_its_word_family() -> None:
    row = "Cryptography for spreading code generation, with a bandwidth exceeding 500 MHz;"
    node = parse_row("9Z999.d", row, True)
    assert evaluate(node, stated("UWB module, bandwidth 1.7 GHz")).status is True
    v = evaluate(node, stated("UWB module, bandwidth 1.7 GHz, no cryptographic code generation"))
    assert v.status is False and any("no cryptographic" in f for f in v.failed)


def test_exponents_lost_from_the_eu_text_are_filled_from_the_same_row_elsewhere() -> None:
    eu = "Rated to withstand a total radiation dose greater than 5 x 10 Gy (silicon);"
    us = "rated to withstand a total radiation dose greater than 5 × 10 3 Gy (silicon)"
    text = criteria_text("eu-dual-use", eu, us)
    (c,) = parse_row("9Z999.c", text, decimal_comma=True).comparisons
    assert (c.op, c.value) == (">", 5000.0)
    # Without a reference the value stays unread: no comparison rather than a wrong one.
    assert parse_row("9Z999.c", criteria_text("eu-dual-use", eu), True).comparisons == []


def test_and_less_than_after_an_equivalent_begins_the_next_comparison() -> None:
    cs = comparisons_in("volume greater than 0,1 m3 (100 litres) and less than 20 m3", True)
    assert [(c.op, round(c.value, 3)) for c in cs] == [(">", 0.1), ("<", 20.0)]


def test_cas_numbers_decide_chemicals() -> None:
    node = parse_row("1Z999", "Chemicals as follows: a. Thing (CAS 1234-56-7);", True)
    assert evaluate(node, stated("Thing, CAS 1234-56-7, 99 %")).status is True
    assert evaluate(node, stated("Other thing, CAS 7654-32-1")).status is False


def test_committed_criteria_match_the_parser() -> None:
    """criteria.jsonl is rebuilt whenever the parser changes (build_catalogues --criteria-only)."""
    import json

    from exportdesk.classify.catalogue import load_rows
    from exportdesk.classify.criteria import criteria_text, decimal_comma_for, load_criteria

    trees = load_criteria()
    us_text = {r.code: r.text for r in load_rows("us-ccl")}
    for cat in ("eu-dual-use", "us-ccl"):
        rows = [r for r in load_rows(cat) if not r.reserved][::40]
        for r in rows:
            text = criteria_text(cat, r.text, us_text.get(r.code, ""))
            fresh = parse_row(r.code, text, decimal_comma_for(cat)).to_json()
            stored = trees[(cat, r.code)].to_json()
            assert json.dumps(fresh, sort_keys=True) == json.dumps(stored, sort_keys=True), r.code


def test_a_comparator_after_the_parameter_name_and_an_equivalent_unit() -> None:
    # USML XIX(a) writes "capable of 15,000 lbf (66.7 kN) of thrust or greater": the
    # comparator follows the value's equivalent and the parameter's name.
    text = "Widget engines capable of 1,000 lbf (4.45 kN) of thrust or greater;"
    tree = parse_row("XIX(z)", text, False)
    assert {(c.param, c.op) for c in tree.comparisons} == {("thrust", ">=")}
    assert "of thrust or greater" in tree.comparisons[0].text
    small = stated("Small widget engine, maximum static thrust 380 N")
    assert evaluate(tree, small).status is False
    assert evaluate(tree, stated("Widget engine, static thrust 6,000 lbf")).status is True


def test_a_protection_level_equal_to_or_better_than_is_a_floor() -> None:
    # 0A606 / ML6: "ballistic protection equal to or better than level III (NIJ 0108.01)";
    # a better protection level is a higher one, unlike an "accuracy equal to or better than".
    text = "Widget vehicles providing ballistic protection equal to or better than level III;"
    tree = parse_row("0Z606.b", text, False)
    assert [c.op for c in tree.comparisons] == [">="]
    assert evaluate(tree, stated("Armoured widget, NIJ 0108.01 Level III")).status is True
    assert evaluate(tree, stated("Armoured widget, NIJ 0108.01 Level IIIA")).status is False
    (acc,) = parse_row("6Z004.a", "an accuracy equal to or better than 0.1%", False).comparisons
    assert acc.op == "<=" and acc.param == "accuracy"


def test_a_cells_energy_density_is_derived_from_voltage_capacity_and_mass() -> None:
    # 3A001.e.1.b compares "'energy density' exceeding 350 Wh/kg"; a datasheet gives
    # 3.7 V, 10 Ah and 95 g (389 Wh/kg) or 150 g (247 Wh/kg).
    tree = parse_row(
        "3Z001.e", "Secondary cells having an 'energy density' exceeding 350 Wh/kg;", False
    )
    light = stated("Pouch cell: nominal 3.7 V, 10 Ah, mass 95 g")
    assert evaluate(tree, light).status is True
    assert "389 Wh/kg" in light.quantities[-1].text
    assert evaluate(tree, stated("Pouch cell: nominal 3.7 V, 10 Ah, mass 150 g")).status is False
    assert evaluate(tree, stated("Pouch cell: nominal 3.7 V, mass 150 g")).status is None


def test_a_value_inside_an_excluding_phrase_is_not_the_clauses_criterion() -> None:
    text = (
        "'Peak widget force' greater than 400 N excluding civil certified widgets with a "
        "'peak widget force' greater than 9 000 N;"
    )
    cs = comparisons_in(text, decimal_comma=True)
    assert [(c.op, c.value) for c in cs] == [(">", 400.0)]
    # A measurement's own exclusion, closed by a comma, leaves the value after it in place.
    kept = comparisons_in(
        "total metallic impurities, excluding intentional additions, of less than 5 000 ppm",
        decimal_comma=True,
    )
    assert len(kept) == 1
