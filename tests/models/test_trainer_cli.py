"""The trainer commands are thin: JSON on stdout, refusals as exit 3 with the reason on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from fakes import confirm, pools, write_version
from typer.testing import CliRunner

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore
from exportdesk.ui.cli import app


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_models_list_activate_refuse_force_and_diff(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.86)
    write_version(root, "2026.01.02-1", top1=0.80)
    md = ["--models-dir", str(root)]
    listed = json.loads(_run("models", "list", "--json", *md).stdout)
    assert [(v["version"], v["active"]) for v in listed] == [
        ("2026.01.01-1", False),
        ("2026.01.02-1", True),
    ]
    assert listed[0]["fixed_set"]["top1"] == 0.86

    done = _run("models", "activate", "2026.01.01-1", *md)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["active"] == "2026.01.01-1"
    refused = _run("models", "activate", "2026.01.02-1", *md)
    assert refused.exit_code == 3
    assert "was not activated" in refused.stderr and "--force" in refused.stderr
    forced = _run("models", "activate", "2026.01.02-1", "--force", *md)
    assert forced.exit_code == 0 and json.loads(forced.stdout)["forced"] is True
    back = _run("models", "rollback", *md)
    assert json.loads(back.stdout)["active"] == "2026.01.01-1"
    delta = json.loads(_run("models", "diff", "2026.01.01-1", "2026.01.02-1", *md).stdout)
    assert delta["metrics"]["overall:all"]["top1"]["delta"] == -0.06


def test_unknown_version_is_an_error_message_not_a_traceback(settings: Settings) -> None:
    result = _run("models", "activate", "nope", "--models-dir", str(settings.models_dir))
    assert result.exit_code == 1
    assert "no classifier version 'nope'" in result.stderr


def test_dataset_export_prints_the_card(
    store: CaseStore, settings: Settings, tmp_path: Path
) -> None:
    _base, batch, _fixed = pools()
    confirm(store, batch[:3])
    result = _run(
        "dataset", "export", "--out", str(tmp_path / "ds"), "--data-dir", str(settings.data_dir)
    )
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["items"]["count"] == 3
    assert card == json.loads((tmp_path / "ds" / "dataset_card.json").read_text())


def test_models_list_shows_a_broken_version_and_why_figures_are_missing(
    settings: Settings,
) -> None:
    # Issue 12 item 11: a version with one flipped bit was not shown as broken.
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.86)
    broken = write_version(root, "2026.01.02-1", top1=0.80)
    data = bytearray((broken / "metrics.json").read_bytes())
    data[3] ^= 0x01
    (broken / "metrics.json").write_bytes(bytes(data))
    write_version(root, "2026.01.03-1", top1=0.80, measured=False)
    md = ["--models-dir", str(root)]
    listed = {v["version"]: v for v in json.loads(_run("models", "list", "--json", *md).stdout)}
    assert listed["2026.01.01-1"]["broken"] is None
    assert "does not match the SHA-256 in its manifest" in listed["2026.01.02-1"]["broken"]
    assert listed["2026.01.03-1"]["figures_note"].startswith("not measured on the fixed")
    shown = _run("models", "list", *md)
    assert shown.exit_code == 0
    assert "BROKEN" in shown.stdout
    assert "classifier 2026.01.02-1 is broken:" in shown.stderr
    assert "2026.01.03-1: not measured on the fixed evaluation set yet" in shown.stderr
