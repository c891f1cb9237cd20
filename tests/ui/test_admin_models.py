"""Admin page: model versions whose files fail their manifest are shown (issue 12 item 11)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from uihelpers import open_page, texts

from exportdesk.review.store import CaseStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))

from fakes import write_version


def test_admin_page_shows_a_broken_active_model(store: CaseStore, models_dir: Path) -> None:
    write_version(models_dir, "2026.01.01-1", top1=0.81)
    broken = write_version(models_dir, "2026.01.02-1", top1=0.86)
    data = bytearray((broken / "metrics.json").read_bytes())
    data[5] ^= 0x01  # one flipped bit
    (broken / "metrics.json").write_bytes(bytes(data))
    (models_dir / "registry.json").write_text(
        json.dumps({"active": {"classifier": "2026.01.02-1"}})
    )
    at = open_page("admin", "admin")
    assert not at.exception
    table = next(t.value for t in at.table if "model" in t.value.columns)
    assert table[["version", "active", "files"]].to_dict("records") == [
        {"version": "2026.01.01-1", "active": "", "files": "match the manifest"},
        {"version": "2026.01.02-1", "active": "yes", "files": "BROKEN: changed since sealed"},
    ]
    shown = texts(at)
    assert "classifier 2026.01.02-1 (the active version) is broken:" in shown
    assert "metrics.json is missing or does not match the SHA-256" in shown
    assert "2026.01.01-1 is broken" not in shown


def test_admin_page_with_no_models_says_so(store: CaseStore, models_dir: Path) -> None:
    at = open_page("admin", "admin")
    assert not at.exception
    assert "No trained models are installed." in texts(at)
