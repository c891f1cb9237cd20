"""The registry: activation gate, integrity on activation, rollback, diff, the loader hook."""

from __future__ import annotations

import json

import pytest
from fakes import reseal, write_version

from exportdesk.classify import artefact as art
from exportdesk.extract.settings import Settings
from exportdesk.models import workflow
from exportdesk.models.registry import ActivationRefused, Registry, RegistryError, diff


def _no_embedder():
    raise AssertionError("fixed-set figures were cached; nothing should be measured")


def _activate(settings: Settings, version: str, force: bool = False):
    return workflow.activate(
        settings, version, actor="test", force=force, embedder_factory=_no_embedder
    )


def test_the_loader_follows_the_registry(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    # One version and no registry entry: the loader takes the newest folder, as before, and
    # activating it simply records that.
    assert art.active_version(root / "classifier") == "2026.01.01-1"
    assert _activate(settings, "2026.01.01-1").gate.allowed
    write_version(root, "2026.01.02-1", top1=0.85)
    assert art.active_version(root / "classifier") == "2026.01.01-1"
    done = _activate(settings, "2026.01.02-1")
    assert (done.previous, done.forced) == ("2026.01.01-1", False)
    assert art.active_version(root / "classifier") == "2026.01.02-1"
    assert Registry(root).active() == "2026.01.02-1"
    with pytest.raises(RegistryError, match="already active"):
        _activate(settings, "2026.01.02-1")


def test_a_worse_version_is_refused_unless_forced(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.86)
    write_version(root, "2026.01.02-1", top1=0.84)
    _activate(settings, "2026.01.01-1", force=True)
    with pytest.raises(ActivationRefused, match=r"top-1 0\.8400 is below .* 0\.8600"):
        _activate(settings, "2026.01.02-1")
    assert Registry(root).active() == "2026.01.01-1"
    done = _activate(settings, "2026.01.02-1", force=True)
    assert done.forced
    history = Registry(root).read()["history"]
    assert history[-1]["forced"] is True and history[-1]["version"] == "2026.01.02-1"


def test_a_calibration_error_rise_is_refused(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.85)
    folder = write_version(root, "2026.01.02-1", top1=0.86)
    metrics = json.loads((folder / "metrics.json").read_text())
    metrics["fixed_set"]["overall"]["ece"] = 0.03 + settings.activation_ece_tolerance + 0.01
    (folder / "metrics.json").write_text(json.dumps(metrics))
    reseal(folder)
    _activate(settings, "2026.01.01-1", force=True)
    with pytest.raises(ActivationRefused, match="ECE"):
        _activate(settings, "2026.01.02-1")


def test_an_altered_version_cannot_be_activated(settings: Settings) -> None:
    root = settings.models_dir
    folder = write_version(root, "2026.01.01-1", top1=0.9)
    (folder / "ranker.json").write_text('{"weights": [1.0]}')
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["ranker.json"] = art.sha256(folder / "ranker.json")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "ranker.json").write_text('{"weights": [9.0]}')
    with pytest.raises(RegistryError, match="does not match the SHA-256"):
        _activate(settings, "2026.01.01-1")
    assert not (root / "registry.json").exists()


def test_rollback_returns_to_the_previous_version(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    write_version(root, "2026.01.02-1", top1=0.90)
    _activate(settings, "2026.01.01-1", force=True)
    _activate(settings, "2026.01.02-1")
    done = workflow.rollback(settings, actor="test")
    assert (done.version, done.previous) == ("2026.01.01-1", "2026.01.02-1")
    assert art.active_version(root / "classifier") == "2026.01.01-1"


def test_registry_naming_a_missing_version_is_an_error(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    (root / "registry.json").write_text(json.dumps({"active": {"classifier": "1999.01.01-1"}}))
    with pytest.raises(art.ArtefactError, match=r"1999\.01\.01-1"):
        art.active_version(root / "classifier")


def test_diff_reports_metric_deltas(settings: Settings) -> None:
    from exportdesk.models.classification.fixed_set import FIXED_SET, file_sha256

    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    write_version(root, "2026.01.02-1", top1=0.85)
    out = diff(Registry(root), "2026.01.01-1", "2026.01.02-1", file_sha256(FIXED_SET))
    assert out["metrics"]["overall:all"]["top1"] == {"a": 0.8, "b": 0.85, "delta": 0.05}
    assert out["metrics"]["per_catalogue:eu-dual-use"]["top1"]["delta"] == 0.05


def test_unknown_version_names_the_known_ones(settings: Settings) -> None:
    write_version(settings.models_dir, "2026.01.01-1", top1=0.80)
    with pytest.raises(RegistryError, match=r"known: 2026\.01\.01-1"):
        _activate(settings, "2026.13.01-1")


def test_models_dir_setting_is_described() -> None:
    fields = Settings.model_fields
    for name in ("models_dir", "activation_top1_tolerance", "activation_ece_tolerance"):
        assert fields[name].description


def test_figures_of_a_replaced_model_are_not_reused(settings: Settings) -> None:
    """A folder retrained under the same name: neither its old metrics.json (no longer sealed
    by the manifest) nor the evaluation cache (another manifest) counts any more."""
    from exportdesk.models.classification.fixed_set import FIXED_SET, file_sha256

    root = settings.models_dir
    folder = write_version(root, "2026.01.01-1", top1=0.80)
    registry = Registry(root)
    sha = file_sha256(FIXED_SET)
    fixed = registry.fixed_set_metrics("classifier", "2026.01.01-1", sha)
    assert fixed is not None and fixed["overall"]["top1"] == 0.80
    registry.store_evaluation("classifier", "2026.01.01-1", fixed)
    (folder / "ranker.json").write_text('{"weights": [2.0]}')  # retrained in place
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"] = {"ranker.json": art.sha256(folder / "ranker.json")}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert registry.fixed_set_metrics("classifier", "2026.01.01-1", sha) is None
