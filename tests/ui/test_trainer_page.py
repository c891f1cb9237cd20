"""The Trainer page: only trainers (and admins) get in; it shows statistics, agreement, the
label-next queue and versions, and starts a retrain in the background."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from uihelpers import open_page, texts

from exportdesk.extract.settings import Settings
from exportdesk.review.store import CaseStore
from exportdesk.review.tables import ROLES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))

from fakes import decided_store_rows, write_version


@pytest.mark.parametrize("role", ROLES)
def test_only_trainers_and_admins_open_the_trainer_page(
    store: CaseStore, models_dir: Path, role: str
) -> None:
    at = open_page("trainer", role)
    assert not at.exception
    if role in ("trainer", "admin"):
        assert [t.value for t in at.title] == ["Trainer"]
    else:
        assert f"Not allowed for your role: a {role} may not open the trainer page" in texts(at)
        assert not at.title
        assert not at.button


def test_trainer_page_refuses_anyone_not_signed_in(store: CaseStore, models_dir: Path) -> None:
    at = open_page("trainer", None)
    assert "Please sign in to open this page" in texts(at)
    assert not at.title


def test_trainer_page_shows_statistics_agreement_and_queue(
    store: CaseStore, models_dir: Path
) -> None:
    decided_store_rows(store)
    at = open_page("trainer", "trainer")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # Two applications of two items each were decided by two reviewers; three items are open.
    assert metrics["Decided items"] == "4"
    # bob's newer decisions count: only item 1 of the first application kept the top
    # suggestion. One of the other three took a lower-ranked suggestion: a confirmation since
    # every suggestion has its own confirm, so not an override (the accepted rate below
    # still counts it as a miss of the top suggestion).
    assert metrics["Overrides"] == "2"
    by_version = next(
        df.value
        for df in at.dataframe
        if "model_version" in df.value.columns and "decisions" in df.value.columns
    )
    assert by_version.to_dict("records") == [
        {"model_version": "fake-1", "decisions": 4, "top_suggestion_accepted": 0.25}
    ]
    assert metrics["Items decided by 2+ reviewers"] == "4"
    assert metrics["Raw agreement"] == "75%"
    # By hand: observed agreement 3/4, chance 1/4, so kappa = (0.75 - 0.25) / 0.75; alpha from
    # the coincidence matrix: 1 - (2/8) / (46/56).
    assert metrics["Krippendorff's α (nominal)"] == "0.696"
    pairs = next(df.value for df in at.dataframe if "cohen kappa" in df.value.columns)
    assert pairs.to_dict("records") == [
        {"reviewer a": "ann", "reviewer b": "bob", "shared items": 4, "cohen kappa": 0.6667}
    ]
    queue = next(df.value for df in at.dataframe if "margin" in df.value.columns)
    assert list(queue["item"]) == [2, 3, 1]  # lowest top-1 confidence first
    at.radio(key="t_queue_by").set_value("Smallest margin to the runner-up").run()
    queue = next(df.value for df in at.dataframe if "margin" in df.value.columns)
    assert list(queue["item"]) == [3, 2, 1]  # smallest gap to the runner-up first
    assert list(queue["margin"]) == [0.02, 0.165, 0.355]


def test_trainer_page_puts_versions_side_by_side(store: CaseStore, models_dir: Path) -> None:
    write_version(models_dir, "2026.01.01-1", top1=0.81)
    write_version(models_dir, "2026.01.02-1", top1=0.86)
    (models_dir / "registry.json").write_text(
        json.dumps({"active": {"classifier": "2026.01.01-1"}})
    )
    at = open_page("trainer", "trainer")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "top-1" in df.value.columns)
    assert list(table["version"]) == ["2026.01.01-1", "2026.01.02-1"]
    assert list(table["active"]) == [True, False]
    assert list(table["top-1"]) == ["0.810", "0.860"]
    assert list(table["created"]) == ["2026-01-01 00:00 UTC"] * 2


def test_versions_table_says_why_figures_are_missing_who_trained_and_what_is_broken(
    store: CaseStore, models_dir: Path
) -> None:
    write_version(models_dir, "2026.01.01-1", top1=0.81)
    unmeasured = write_version(models_dir, "2026.01.02-1", top1=0.80, measured=False)
    manifest = json.loads((unmeasured / "manifest.json").read_text())
    manifest["trained_by"] = "tina"
    (unmeasured / "manifest.json").write_text(json.dumps(manifest))
    broken = write_version(models_dir, "2026.01.03-1", top1=0.90)
    (broken / "metrics.json").write_text("{}")  # changed after sealing
    at = open_page("trainer", "trainer")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "top-1" in df.value.columns)
    rows = table.set_index("version").to_dict("index")
    assert rows["2026.01.01-1"]["trained by"] == "not recorded"
    assert rows["2026.01.01-1"]["why no figures"] == ""
    assert rows["2026.01.02-1"]["trained by"] == "tina"
    assert {r["kept in"] for r in rows.values()} == {"shipped (read only)"}
    assert rows["2026.01.02-1"]["top-1"] == "–"
    assert rows["2026.01.02-1"]["why no figures"] == (
        "not measured on the fixed evaluation set yet; "
        "`exportdesk models evaluate 2026.01.02-1` measures it"
    )
    assert [r["files"] for r in rows.values()] == [
        "intact",
        "intact",
        "changed since sealed: do not activate",
    ]
    assert "Version 2026.01.03-1:" in texts(at)
    assert "does not match the SHA-256 in its manifest" in texts(at)


def test_start_retrain_launches_a_background_job(
    store: CaseStore, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportdesk.models import jobs

    calls = []
    monkeypatch.setattr(
        jobs, "launch", lambda settings, actor, activate: calls.append((actor, activate)) or "job-1"
    )
    at = open_page("trainer", "trainer")
    at.checkbox(key="t_activate").check().run()
    at.button(key="t_start").click().run()
    assert calls == [("trainer", True)]
    assert "Retrain job-1 started." in texts(at)


def test_activate_refuse_force_and_roll_back_from_the_page(
    store: CaseStore, models_dir: Path
) -> None:
    from exportdesk.models.registry import Registry

    write_version(models_dir, "2026.01.01-1", top1=0.86)
    write_version(models_dir, "2026.01.02-1", top1=0.80)
    (models_dir / "registry.json").write_text(
        json.dumps({"active": {"classifier": "2026.01.01-1"}})
    )
    at = open_page("trainer", "trainer")
    at.selectbox(key="t_version").select("2026.01.02-1").run()
    at.button(key="t_activate_version").click().run()
    assert "2026.01.02-1 was not activated" in texts(at)
    assert Registry.for_settings(Settings()).active() == "2026.01.01-1"
    at.checkbox(key="t_force").check().run()
    at.button(key="t_activate_version").click().run()
    assert "2026.01.02-1 is now active (was 2026.01.01-1). Forced" in texts(at)
    assert Registry.for_settings(Settings()).active() == "2026.01.02-1"
    history = Registry.for_settings(Settings()).read()["history"]
    assert (history[-1]["by"], history[-1]["forced"]) == ("trainer", True)
    at.button(key="t_rollback").click().run()
    assert "Rolled back: 2026.01.01-1 is active again." in texts(at)
    assert Registry.for_settings(Settings()).active() == "2026.01.01-1"


def test_activation_without_measured_figures_says_what_to_run(
    store: CaseStore, models_dir: Path
) -> None:
    write_version(models_dir, "2026.01.02-1", top1=0.80, measured=False)
    write_version(models_dir, "2026.01.01-1", top1=0.86)
    at = open_page("trainer", "trainer")
    at.selectbox(key="t_version").select("2026.01.02-1").run()
    at.button(key="t_activate_version").click().run()
    assert "exportdesk models evaluate VERSION" in texts(at)
