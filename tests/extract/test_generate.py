"""The sample generator: reproducible from seeds, committed samples up to date, CLI contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportdesk.samples.generate import SCAN_COMPACT, generate_one, main
from exportdesk.ui.cli import app

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "pdfs"
COMMITTED = sorted(p for p in SAMPLES.glob("*.json") if not p.stem.endswith("-scan"))


def test_committed_samples_are_listed_in_the_readme() -> None:
    readme = (SAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for pdf in SAMPLES.glob("*.pdf"):
        assert f"`{pdf.name}`" in readme or f"`{pdf.stem}.pdf`" in readme, pdf.name


@pytest.mark.parametrize("gold_path", COMMITTED, ids=lambda p: p.stem)
def test_committed_digital_sample_is_reproduced_from_its_seed(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    generated = generate_one(gold["seed"], gold["family"], scanned=False)
    assert generated.gold == gold
    assert generated.pdf == gold_path.with_suffix(".pdf").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("gold_path", COMMITTED, ids=lambda p: p.stem)
def test_committed_scanned_twin_is_reproduced(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    generated = generate_one(gold["seed"], gold["family"], scan=SCAN_COMPACT)
    twin = gold_path.with_name(f"{gold_path.stem}-scan")
    assert generated.scan_gold == json.loads(twin.with_suffix(".json").read_text("utf-8"))
    assert generated.scan_pdf == twin.with_suffix(".pdf").read_bytes()


def test_same_seed_same_document_other_seed_other_document() -> None:
    a, b, c = (generate_one(s, scanned=False) for s in (4242, 4242, 4243))
    assert a.pdf == b.pdf and a.gold == b.gold
    assert a.gold["parties"] != c.gold["parties"]


def test_gold_matches_the_contract_shapes() -> None:
    gold = generate_one(777, scanned=False).gold
    assert gold["schema"] == "exportdesk.sample-gold/v1" and gold["variant"] == "digital"
    roles = {"applicant", "consignee", "intermediate_consignee", "end_user", "purchaser", "other"}
    assert all(p["role"] in roles and len(p["country"]) == 2 for p in gold["parties"])
    assert all(len(i["currency"]) == 3 and i["index"] >= 1 for i in gold["items"])
    assert all(
        f.startswith(("no_", "missing_", "vague")) for e in gold["end_use"] for f in e["flags"]
    )


def test_cli_writes_pdfs_and_gold_with_progress_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--count", "2", "--seed", "3", "--no-scans"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "eu_individual-300001.json",
        "eu_individual-300001.pdf",
        "numbered_form-300000.json",
        "numbered_form-300000.pdf",
    ]
    captured = capsys.readouterr()
    assert captured.out == "" and "[2/2]" in captured.err


def test_eval_command_prints_a_table_per_variant(tmp_path: Path) -> None:
    main(["--out", str(tmp_path), "--count", "2", "--seed", "5", "--no-scans"])
    run = CliRunner().invoke(app, ["eval", str(tmp_path), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert set(data) == {"digital", "failures"}
    assert data["digital"]["documents"] == 2
    assert {"party", "item", "end_use", "item.quantity"} <= set(data["digital"]["fields"])


def test_eval_command_on_a_folder_without_gold_says_how_to_make_some(tmp_path: Path) -> None:
    run = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert run.exit_code == 2
    assert "samples.generate" in run.output
