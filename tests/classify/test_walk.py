"""The review walk on real catalogue entries with hand-set similarities (no model needed)."""

from __future__ import annotations

import numpy as np

from exportdesk.classify.calibration import WALK_FEATURES, WalkCalibrator
from exportdesk.classify.catalogue import load_entries
from exportdesk.classify.criteria import stated
from exportdesk.classify.walk import top_features, walk

ENTRIES = load_entries()


def _index(catalogue: str, code: str) -> int:
    return next(i for i, e in enumerate(ENTRIES) if e.catalogue == catalogue and e.code == code)


def _near(near: dict[str, float], other: float = 0.4):
    """Row similarities set by hand: the rows named in ``near``, every other row ``other``."""
    return lambda e: {r.code: near.get(r.code, other) for r in ENTRIES[e].rows}


def _cos(best_row: str):
    def row_cos(e: int) -> dict[str, float]:
        return {r.code: (0.9 if r.code == best_row else 0.5) for r in ENTRIES[e].rows}

    return row_cos


def test_failed_threshold_passes_the_probability_to_not_listed() -> None:
    acc = _index("eu-dual-use", "7A001")
    text = (
        "Accelerometer for platform stabilisation, acceleration range +/-10 g, "
        "bias stability 2,000 ug, scale factor stability 1,500 ppm"
    )
    w = walk(ENTRIES, [acc, -1], np.array([0.9, 0.1]), _cos("7A001.a"), stated(text))
    assert w.checks[acc].status is False
    assert any("2,000 ug" in f for f in w.checks[acc].failed)
    assert w.probs[w.entries.index(-1)] > 0.8 and w.rejected_for[-1] == [acc]


def test_met_threshold_keeps_the_entry_and_names_the_sub_paragraph() -> None:
    acc = _index("eu-dual-use", "7A001")
    text = (
        "Accelerometer for inertial navigation, acceleration range +/-10 g, "
        "bias stability 60 ug, scale factor stability 80 ppm"
    )
    w = walk(ENTRIES, [acc, -1], np.array([0.9, 0.1]), _cos("7A001.a"), stated(text))
    assert w.checks[acc].status is True and w.checks[acc].code.startswith("7A001.a.1")
    assert w.probs[0] == 0.9


def test_missing_parameter_leaves_the_entry_open_and_says_what_it_needs() -> None:
    acc = _index("eu-dual-use", "7A001")
    w = walk(ENTRIES, [acc, -1], np.array([0.9, 0.1]), _cos("7A001.a"), stated("Accelerometer"))
    assert w.checks[acc].status is None and w.probs[0] == 0.9


def test_walk_calibration_keeps_the_order_and_a_total_of_one() -> None:
    cal = WalkCalibrator({"eu": np.append(np.zeros(len(WALK_FEATURES)), -1.0)})
    probs = np.array([0.7, 0.2, 0.1])
    out = cal.apply(probs, np.zeros(len(WALK_FEATURES)), "eu")
    assert np.argmax(out) == 0 and out[0] == 1 / (1 + np.e)
    assert out.sum() <= 1.0 + 1e-9 and (out[1:] < out[0]).all()
    assert cal.apply(probs, np.zeros(len(WALK_FEATURES)), "us") is probs


def test_top_features_follow_the_declared_order() -> None:
    acc = _index("eu-dual-use", "7A001")
    text = "Accelerometer, acceleration range +/-10 g, bias stability 2,000 ug, scale factor 0.2 %"
    w = walk(ENTRIES, [acc, -1], np.array([0.9, 0.1]), _cos("7A001.a"), stated(text))
    f = dict(zip(WALK_FEATURES, top_features(w, 0.4), strict=True))
    assert f["top_not_listed"] == 1.0 and f["fell_through"] == 1.0 and f["familiarity"] == 0.4


def test_mass_market_item_is_released_from_the_cryptography_entries() -> None:
    crypto = _index("eu-dual-use", "5A002")
    text = "Encrypting USB drive, AES-256, sold through retail stores to consumers"
    w = walk(ENTRIES, [crypto, -1], np.array([0.9, 0.1]), _cos("5A002.a"), stated(text))
    assert w.checks[crypto].status is False and "mass market" in w.checks[crypto].failed[0]
    assert w.rejected_for[-1] == [crypto]


def test_a_denied_mass_market_cue_releases_nothing() -> None:
    crypto = _index("eu-dual-use", "5A002")
    text = "Link encryptor, AES-256, not sold to the general public"
    w = walk(ENTRIES, [crypto, -1], np.array([0.9, 0.1]), _cos("5A002.a"), stated(text))
    assert w.checks[crypto].status is not False


def test_above_a_dual_use_ceiling_goes_to_the_military_entry_not_to_not_listed() -> None:
    # 1A005.b covers plates "equal to or less than level IIIA"; a Level IV plate is above
    # that ceiling, so a reader turns to the munitions list (ML13), not to NOT_LISTED.
    armour = _index("eu-dual-use", "1A005")
    ml13 = _index("eu-military", "ML13")
    text = "NIJ Level IV hard armour plates, UHMWPE"
    probs = np.array([0.85, 0.1, 0.05])

    def row_cos(e: int) -> dict[str, float]:
        best = "1A005.b" if e == armour else "ML13.a"
        return {r.code: (0.9 if r.code == best else 0.5) for r in ENTRIES[e].rows}

    w = walk(ENTRIES, [armour, ml13, -1], probs, row_cos, stated(text))
    assert w.checks[armour].status is False and w.checks[armour].above_ceiling
    assert any("Level IV" in f for f in w.checks[armour].failed)
    assert int(np.argmax(w.probs)) == w.entries.index(ml13) and w.rejected_for[ml13] == [armour]
    # A stated level under the ceiling keeps the dual-use entry.
    w = walk(ENTRIES, [armour, ml13, -1], probs, row_cos, stated("Hard armour plate, Level IIIA"))
    assert w.checks[armour].status is True and int(np.argmax(w.probs)) == 0


def test_an_open_entry_with_stated_parameters_is_no_more_than_even() -> None:
    """Parameters are stated but none decides the entry: it is not shown to be controlled,
    so about half its probability goes to NOT_LISTED and the answer is close to even."""
    acc = _index("eu-dual-use", "7A001")
    text = "Accelerometer module, 24-bit output, supply 3.3 V, mass 12 g"
    w = walk(ENTRIES, [acc, -1], np.array([0.9, 0.1]), _cos("7A001.a"), stated(text))
    assert w.checks[acc].status is None
    assert 0.45 < w.probs[0] < 0.5 and w.probs[w.entries.index(-1)] > 0.5


def test_an_open_us_entry_leans_to_the_catch_all_that_names_it() -> None:
    adc = _index("us-ccl", "3A001")
    catch_all = _index("us-ccl", "3A991")
    text = "Integrated circuit, 64-pin package, supply 1.8 V, 500 mW, mass 2 g"

    def row_cos(e: int) -> dict[str, float]:
        # the description reads like 3A991's general-purpose circuits more than like 3A901's
        near = {"3A001.a": 0.9, "3A991": 0.7}
        return {r.code: near.get(r.code, 0.4) for r in ENTRIES[e].rows}

    w = walk(ENTRIES, [adc], np.array([1.0]), row_cos, stated(text))
    assert w.checks[adc].status is None
    assert catch_all in w.entries and w.probs[w.entries.index(catch_all)] > 0.45
    assert _index("us-ccl", "3A901") not in w.entries


def test_an_open_entry_without_stated_parameters_keeps_its_probability() -> None:
    acc = _index("eu-dual-use", "7A001")
    w = walk(ENTRIES, [acc, -1], np.array([0.9, 0.1]), _cos("7A001.a"), stated("Accelerometer"))
    assert w.probs[0] == 0.9


def test_a_rejected_munitions_category_hands_a_civil_item_to_the_dual_use_review() -> None:
    # USML XIX(a) covers engines of 15,000 lbf (66.7 kN) of thrust or greater; a 380 N model
    # engine fails it, and the review goes on with the CCL candidates, not to EAR99.
    xix, civil, nl = _index("us-usml", "XIX"), _index("us-ccl", "9A991"), -1
    text = "Model-aircraft turbojet, maximum static thrust 380 N, dry weight 3.8 kg"

    def row_cos(e: int) -> dict[str, float]:
        near = {"XIX(a)": 0.9, "9A991.c": 0.8}
        return {r.code: near.get(r.code, 0.4) for r in ENTRIES[e].rows}

    probs = np.array([0.9, 0.06, 0.04])
    w = walk(ENTRIES, [xix, civil, nl], probs, row_cos, stated(text))
    assert w.checks[xix].status is False
    assert int(np.argmax(w.probs)) == w.entries.index(civil)
    assert w.probs[w.entries.index(civil)] > 0.5 and _index("us-ccl", "9A619") not in w.entries
    # Stated to be of military design, the same engine goes to the 600-series entry.
    w = walk(ENTRIES, [xix, civil, nl], probs, row_cos, stated(f"Military UAV {text}"))
    assert int(np.argmax(w.probs)) == w.entries.index(_index("us-ccl", "9A619"))


def test_ammunition_goes_to_the_ammunition_entry_not_the_weapons_entry() -> None:
    # "9 mm" meets ML1's calibre, but ML1 is about weapons; ML3 is about ammunition.
    ml1, ml3 = _index("eu-military", "ML1"), _index("eu-military", "ML3")
    w = walk(
        ENTRIES,
        [ml1, ml3, -1],
        np.array([0.7, 0.25, 0.05]),
        _cos("ML1.c"),
        stated("9 mm ammunition"),
    )
    assert w.checks[ml1].status is False and "about weapons" in w.checks[ml1].failed[0]
    assert int(np.argmax(w.probs)) == w.entries.index(ml3) and w.rejected_for[ml3] == [ml1]
    # Magazines are neither: the weapons entry keeps them.
    w = walk(
        ENTRIES,
        [ml1, ml3, -1],
        np.array([0.7, 0.25, 0.05]),
        _cos("ML1.d"),
        stated("Magazines for 9 mm pistols"),
    )
    assert int(np.argmax(w.probs)) == 0


def test_civil_cartridges_go_to_the_ccl_ammunition_entry_before_the_usml() -> None:
    pistols, usml_i, usml_iii = (
        _index("us-ccl", "0A507"),
        _index("us-usml", "I"),
        _index("us-usml", "III"),
    )
    ammo = _index("us-ccl", "0A505")
    probs = np.array([0.6, 0.2, 0.15, 0.05])
    cand = [pistols, usml_i, usml_iii, ammo]
    w = walk(ENTRIES, cand, probs, _cos("0A507.a"), stated("9mm pistol cartridges"))
    assert int(np.argmax(w.probs)) == w.entries.index(ammo)
    w = walk(ENTRIES, cand, probs, _cos("0A507.a"), stated("9mm cartridges for the armed forces"))
    assert int(np.argmax(w.probs)) == w.entries.index(usml_iii)


def test_before_falling_to_a_catch_all_the_other_entry_it_names_is_checked() -> None:
    # 8A992 takes what neither 8A001 nor 8A002 controls: a rebreather rejected by 8A001 (depth
    # under 1,000 m) reads like 8A002.q (rebreathers), which retrieval had not proposed.
    subs, marine = _index("us-ccl", "8A001"), _index("us-ccl", "8A002")
    text = "Semi-closed-circuit nitrox rebreather for recreational diving, 40 m depth rating"

    def row_cos(e: int) -> dict[str, float]:
        near = {"8A001.a": 0.46, "8A002.q": 0.63, "8A992.h": 0.5}
        return {r.code: near.get(r.code, 0.2) for r in ENTRIES[e].rows}

    w = walk(ENTRIES, [subs, -1], np.array([0.9, 0.1]), row_cos, stated(text))
    assert w.checks[subs].status is False
    assert int(np.argmax(w.probs)) == w.entries.index(marine) and w.rejected_for[marine] == [subs]
    # A description that reads more like the catch-all stays with it.
    near_catch_all = {"8A001.a": 0.46, "8A002.q": 0.4, "8A992.h": 0.5}
    w = walk(
        ENTRIES,
        [subs, -1],
        np.array([0.9, 0.1]),
        lambda e: {r.code: near_catch_all.get(r.code, 0.2) for r in ENTRIES[e].rows},
        stated("Open-circuit scuba set, 12 L cylinder, rated to 50 m"),
    )
    assert ENTRIES[w.entries[int(np.argmax(w.probs))]].code == "8A992"


def test_a_rejected_entry_follows_its_group_to_the_catch_all_already_reached() -> None:
    # 7A003 is left open by stated parameters and part of it goes to 7A994 (which names it);
    # 7A001 is rejected outright: the item goes the same way, not to EAR99, although 7A994's
    # heading is not close to the description.
    ins, acc = _index("us-ccl", "7A003"), _index("us-ccl", "7A001")
    catch_all = _index("us-ccl", "7A994")
    text = (
        "MEMS-based GNSS/INS for land vehicles; free-inertial position drift 3 nm/h CEP; "
        "gyros 2 deg/h bias stability, accelerometers 1 mg"
    )

    def row_cos(e: int) -> dict[str, float]:
        near = {"7A003.b": 0.48, "7A001.b": 0.54, "7A994": 0.30}
        return {r.code: near.get(r.code, 0.2) for r in ENTRIES[e].rows}

    w = walk(ENTRIES, [ins, acc, -1], np.array([0.6, 0.35, 0.05]), row_cos, stated(text))
    assert w.checks[acc].status is False and w.rejected_for[catch_all] == [acc]
    assert int(np.argmax(w.probs)) == w.entries.index(catch_all)


def _rejected_alone(code: str, text: str, near: dict[str, float]):
    """Walk one proposed US entry (and NOT_LISTED) with hand-set row similarities."""
    e = _index("us-ccl", code)

    def row_cos(i: int) -> dict[str, float]:
        return {r.code: near.get(r.code, 0.2) for r in ENTRIES[i].rows}

    w = walk(ENTRIES, [e, -1], np.array([0.9, 0.1]), row_cos, stated(text))
    assert w.checks[e].status is False and w.rejected_for[-1] == [e]
    return w


def test_a_catch_all_that_needs_an_unstated_value_does_not_take_the_item() -> None:
    # 3A901 ("not specified by ECCN 3A001") covers CMOS circuits for <= 4.5 K: a power MOSFET
    # rejected by 3A001.h is not shown to be one, so it goes to EAR99.
    text = "Silicon-carbide power MOSFET, 1,200 V, 40 A, maximum junction temperature 175 C"
    w = _rejected_alone("3A001", text, {"3A001.h": 0.6, "3A901.a": 0.5})
    assert _index("us-ccl", "3A901") not in w.entries and int(np.argmax(w.probs)) == 1


def test_a_rejected_entry_does_not_fall_to_a_crime_control_entry_of_its_group() -> None:
    # 0A979 (police helmets and shields) is an entry of the 0A group, not a catch-all: an
    # armoured SUV that fails 0A606's protection level goes to EAR99.
    text = "Armoured 4x4 SUV, GVWR 4,950 kg, armour equivalent to NIJ 0108.01 Level IIIA"
    w = _rejected_alone("0A606", text, {"0A606.d": 0.6, "0A979": 0.5})
    assert _index("us-ccl", "0A979") not in w.entries


def test_the_catch_all_names_the_open_entry_whose_share_it_took() -> None:
    from exportdesk.classify import rationale

    adc, catch_all = _index("us-ccl", "3A001"), _index("us-ccl", "3A991")
    text = "Integrated circuit, 64-pin package, supply 1.8 V, 500 mW, mass 2 g"
    near = _near({"3A001.a": 0.9, "3A991": 0.7})
    w = walk(ENTRIES, [adc], np.array([1.0]), near, stated(text))
    assert w.left_open_for[catch_all] == [adc]
    opened = [(ENTRIES[adc], w.checks[adc])]
    why = rationale.with_open("3A991 …", "3A991", opened)
    assert "Takes part of 3A001's probability" in why and "left open" in why


def test_software_goes_to_the_software_entry_not_the_machine_entry() -> None:
    tools, nc_software = _index("us-ccl", "2B001"), _index("us-ccl", "2D002")
    text = "Software licence for a PC-based CNC kernel, 5 simultaneously interpolated axes"
    near = _near({"2B001.a": 0.9, "2D002": 0.8})
    w = walk(ENTRIES, [tools, nc_software, -1], np.array([0.7, 0.2, 0.1]), near, stated(text))
    assert w.checks[tools].status is False and "software" in w.checks[tools].failed[0]
    assert int(np.argmax(w.probs)) == w.entries.index(nc_software)


def test_technology_for_an_entry_goes_to_the_entry_of_the_same_number() -> None:
    chips = _index("us-ccl", "3A001")
    text = "Technology transfer package: design database and test programs for a 14-bit ADC"
    w = walk(ENTRIES, [chips, -1], np.array([0.9, 0.1]), _cos("3A001.a"), stated(text))
    assert ENTRIES[w.entries[int(np.argmax(w.probs))]].code == "3E001"
