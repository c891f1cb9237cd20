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


def test_catalogues_impact_on_an_empty_store(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        app,
        ["catalogues", "impact", "wassenaar-dual-use-2025", "--data-dir", str(tmp_path), "--json"],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == []


def test_catalogues_diff_unknown_edition_exits_2() -> None:
    out = CliRunner().invoke(app, ["catalogues", "diff", "eu-dual-use", "nope"])
    assert out.exit_code == 2
