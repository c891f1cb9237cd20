"""`exportdesk catalogues diff` and `impact` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exportdesk.ui.cli import app


def test_catalogues_diff_json_counts_every_entry() -> None:
    out = CliRunner().invoke(
        app, ["catalogues", "diff", "eu-dual-use", "wassenaar-dual-use-2025", "--json"]
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["counts"]["added"] == 1 and "removed" not in payload["counts"]
    assert sum(payload["counts"].values()) == len(payload["changes"])


def test_catalogues_impact_on_an_empty_store(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # --data-dir sets EXPORTDESK_DATA_DIR for child processes; undo it after the test.
    monkeypatch.setenv("EXPORTDESK_DATA_DIR", str(tmp_path))
    out = CliRunner().invoke(
        app,
        ["catalogues", "impact", "wassenaar-dual-use-2025", "--data-dir", str(tmp_path), "--json"],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == []


def test_catalogues_diff_unknown_edition_exits_2() -> None:
    out = CliRunner().invoke(app, ["catalogues", "diff", "eu-dual-use", "nope"])
    assert out.exit_code == 2


def test_conditions_and_letter_commands(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EXPORTDESK_DATA_DIR", str(tmp_path))
    from casefactory import confirmed_case

    from exportdesk.extract.settings import Settings
    from exportdesk.review import licensing
    from exportdesk.review.store import CaseStore

    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    added = runner.invoke(app, ["conditions", "add", "sea-only", "Ship by sea only.", *data])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["conditions", "list", *data])
    assert "sea-only\tShip by sea only." in listed.stdout
    assert runner.invoke(app, ["conditions", "retire", "sea-only", *data]).exit_code == 0
    assert "sea-only" not in runner.invoke(app, ["conditions", "list", *data]).stdout
    missing = runner.invoke(app, ["licence", "letter", "1", *data])
    assert missing.exit_code == 1 and "has no licence decision" in missing.output
    store = CaseStore(Settings(data_dir=tmp_path.resolve()))
    app_id = confirmed_case(store, "cli")
    draft = licensing.draft_from(outcome="refuse", reasons="End user listed.")
    licensing.issue(store, app_id, draft, "lo", "licensing_officer")
    store.close()
    out = tmp_path / "letter.pdf"
    written = runner.invoke(app, ["licence", "letter", str(app_id), "--out", str(out), *data])
    assert written.exit_code == 0, written.output
    assert out.read_bytes().startswith(b"%PDF")
