"""The real classifier end to end: twins, ordinary goods, confidences, calibration, CLI (slow)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportdesk.classify import suggest, suggest_many
from exportdesk.classify.api import load_classifier
from exportdesk.classify.calibration import TemperatureCalibrator
from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED, entry_code
from exportdesk.models.classification.evaluate import evaluate_file

pytestmark = pytest.mark.slow

EVAL = Path(__file__).resolve().parents[2] / "classify" / "evalset" / "heldout_eval_items.jsonl"
EU, US = list(JURISDICTIONS["eu"]), list(JURISDICTIONS["us"])
# The calibration bound of the acceptance criteria (ECE <= 0.05).
BOUND = 0.05


def _top(description: str, catalogues: list[str]) -> str:
    return entry_code(suggest(description, catalogues, top_k=3)[0].code)


@pytest.mark.parametrize(
    ("military", "civil"),
    [
        (
            "Armoured personnel carriers with a remote weapon station, built for the army",
            "Four-wheel-drive pickup trucks for a construction company",
        ),
        (
            "Military transport aircraft with defensive aids suite for the air force",
            "Civil passenger airliner, 180 seats, EASA type certificate",
        ),
        (
            "Gen 3 night vision goggles specially designed for infantry soldiers",
            "Birdwatching binoculars, 8x32, for nature tourists",
        ),
        (
            "Frequency-hopping tactical radios with embedded military COMSEC",
            "Consumer walkie-talkies for hiking, 8 channels",
        ),
    ],
)
def test_a_military_item_and_its_civil_twin_get_different_lists(military: str, civil: str) -> None:
    for cats in (EU, US):
        mil, civ = suggest_many([military, civil], cats, top_k=3)
        assert mil[0].catalogue in ("eu-military", "us-usml") or mil[0].code[2:3] == "6"
        assert entry_code(mil[0].code) != entry_code(civ[0].code)
        assert civ[0].catalogue not in ("eu-military", "us-usml")


@pytest.mark.parametrize(
    "goods",
    [
        "Cotton bath towels, 500 pieces",
        "Ceramic flower pots for garden centres",
        "Wooden dining tables and chairs",
        "Canned tomatoes in 400 g tins",
    ],
)
def test_not_listed_wins_for_ordinary_goods(goods: str) -> None:
    assert _top(goods, EU) == NOT_LISTED
    assert _top(goods, US) == NOT_LISTED


def test_suggestions_are_probabilities_best_first_with_rationale() -> None:
    out = suggest("Multimode fibre laser for cutting steel, 20 kW CW output", top_k=5)
    assert 1 <= len(out) <= 5
    confs = [s.confidence for s in out]
    assert all(0.0 <= c <= 1.0 for c in confs)
    assert confs == sorted(confs, reverse=True)
    best = out[0]
    assert entry_code(best.code) == "6A005"
    assert "20 kW" in best.rationale
    assert best.catalogue_edition and best.catalogue_edition in best.rationale
    assert best.model_version == load_classifier().version
    assert all(s.rationale for s in out)
    assert suggest("   ") == []


def test_probabilities_within_a_jurisdiction_sum_to_at_most_one() -> None:
    out = suggest("Thionyl chloride, 2 tonnes, technical grade", EU, top_k=50)
    total = sum(s.confidence for s in out)
    assert 0.99 <= total <= 1.0 + 1e-9  # the tail beyond 50 candidates holds the rest


def test_recalibrating_changes_confidence_not_ranking() -> None:
    clf = load_classifier()
    text = ["Hydrophone array towed behind a research vessel, 64 channels"]
    base = clf.suggest_many(text, US, top_k=5)[0]
    hotter = replace(
        clf, artefact=replace(clf.artefact, calibrator=TemperatureCalibrator(temperature=5.0))
    )
    soft = hotter.suggest_many(text, US, top_k=5)[0]
    assert [s.code for s in soft] == [s.code for s in base]
    assert soft[0].confidence < base[0].confidence


def test_top1_confidence_matches_heldout_accuracy_within_the_calibration_bound() -> None:
    for j, m in evaluate_file(EVAL).items():
        mean_conf = sum(r.mean_confidence * r.count for r in m.table) / m.n
        assert abs(mean_conf - m.top1) <= BOUND, (j, mean_conf, m.top1)
        assert m.ece <= BOUND, (j, m.ece)


def _cli(stdin: str, *args: str):
    from exportdesk.ui.cli import app

    return CliRunner().invoke(app, ["classify", "--jsonl", *args], input=stdin)


def test_cli_classify_writes_one_line_per_input_in_order() -> None:
    lines = [
        {"id": f"i{n}", "description": d, "extra": 1}
        for n, d in enumerate(
            [
                "Sarin reference standard for a verification lab",
                "Garden hose reels",
                "5-axis machining centre, positioning accuracy 3 µm",
            ]
        )
    ]
    res = _cli(
        "\n".join(json.dumps(x) for x in lines) + "\n",
        "--top",
        "2",
        "--catalogue",
        "eu-dual-use",
        "--catalogue",
        "eu-military",
    )
    assert res.exit_code == 0, res.output
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["i0", "i1", "i2"]
    assert all(len(o["suggestions"]) == 2 for o in out)
    s = out[0]["suggestions"][0]
    assert {"catalogue", "code", "title", "confidence", "rationale"} <= set(s)
    assert s["catalogue"] in ("eu-dual-use", "eu-military")


def test_cli_classify_reports_a_bad_json_line_and_keeps_going() -> None:
    res = _cli(
        '{"id": "a", "description": "office chairs"}\n{not json\n'
        '{"id": "c", "description": "ring laser gyroscopes"}\n'
    )
    assert res.exit_code == 1
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", None, "c"]
    assert "line 2" in out[1]["error"] and out[1]["suggestions"] == []
    assert out[2]["suggestions"]


def test_cli_rejects_an_unknown_catalogue() -> None:
    res = _cli('{"id": "a", "description": "x"}\n', "--catalogue", "uk-strategic")
    assert res.exit_code == 2
    assert "unknown catalogue" in res.stderr


def test_rationale_names_the_deciding_calibre_and_quotes_a_subparagraph() -> None:
    eu, us = (
        suggest("155 mm towed howitzers for an artillery regiment", c, top_k=1)[0] for c in (EU, US)
    )
    assert entry_code(eu.code) == "ML2" and "155 mm" in eu.rationale and "20 mm" in eu.rationale
    assert entry_code(us.code) == "II" and "12.7 mm" in us.rationale
    assert "howitzers" in us.rationale  # the quoted USML paragraph names them


def test_rationale_warns_when_the_wassenaar_2025_wording_differs() -> None:
    best = suggest(
        "Full-face respirators with CBRN filter canisters for fire brigades", EU, top_k=1
    )[0]
    assert entry_code(best.code) == "1A004"  # flagged: its 2025 wording differs from 2021
    assert "Wassenaar 2025 wording of 1A004 differs" in best.rationale
