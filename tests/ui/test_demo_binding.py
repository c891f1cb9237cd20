"""`exportdesk demo` (and so `make demo`) serves this machine only unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportdesk.ui.cli import app
from exportdesk.ui.commands import store_cmds


def test_demo_listens_on_loopback_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[str] = []
    monkeypatch.setattr(
        store_cmds, "_serve", lambda settings, port, address: served.append(address)
    )
    empty = tmp_path / "no-samples"
    empty.mkdir()
    result = CliRunner().invoke(
        app, ["demo", "--data-dir", str(tmp_path / "demo"), "--samples", str(empty)]
    )
    assert result.exit_code == 0, result.output
    assert served == ["127.0.0.1"]
