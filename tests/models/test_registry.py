"""The registry: activation gate, integrity on activation, rollback, diff, the loader hook."""

from __future__ import annotations

import json

import pytest
from fakes import reseal, write_version

from exportdesk.classify import artefact as art
from exportdesk.extract.registry import sha256_file
from exportdesk.extract.settings import Settings
from exportdesk.models import workflow
from exportdesk.models.registry import ActivationRefused, Registry, RegistryError, diff


@pytest.fixture(autouse=True)
def loader_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader (classify/artefact.py) reads the process settings: make them the test's."""
    monkeypatch.setattr("exportdesk.extract.settings.get_settings", lambda: settings)


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
    assert art.active_version() == "2026.01.01-1"
    assert _activate(settings, "2026.01.01-1").gate.allowed
    write_version(root, "2026.01.02-1", top1=0.85)
    assert art.active_version() == "2026.01.01-1"
    done = _activate(settings, "2026.01.02-1")
    assert (done.previous, done.forced) == ("2026.01.01-1", False)
    assert art.active_version() == "2026.01.02-1"
    assert Registry.for_settings(settings).active() == "2026.01.02-1"
    with pytest.raises(RegistryError, match="already active"):
        _activate(settings, "2026.01.02-1")


def test_a_worse_version_is_refused_unless_forced(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.86)
    write_version(root, "2026.01.02-1", top1=0.84)
    _activate(settings, "2026.01.01-1", force=True)
    with pytest.raises(ActivationRefused, match=r"top-1 0\.8400 is below .* 0\.8600"):
        _activate(settings, "2026.01.02-1")
    assert Registry.for_settings(settings).active() == "2026.01.01-1"
    done = _activate(settings, "2026.01.02-1", force=True)
    assert done.forced
    history = Registry.for_settings(settings).read()["history"]
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
    manifest["files"]["ranker.json"] = sha256_file(folder / "ranker.json")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "ranker.json").write_text('{"weights": [9.0]}')
    with pytest.raises(RegistryError, match="does not match the SHA-256"):
        _activate(settings, "2026.01.01-1")
    assert not (root / "registry.json").exists()
    assert not (settings.trained_dir / "registry.json").exists()


def test_rollback_returns_to_the_previous_version(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    write_version(root, "2026.01.02-1", top1=0.90)
    _activate(settings, "2026.01.01-1", force=True)
    _activate(settings, "2026.01.02-1")
    done = workflow.rollback(settings, actor="test")
    assert (done.version, done.previous) == ("2026.01.01-1", "2026.01.02-1")
    assert art.active_version() == "2026.01.01-1"


def test_registry_naming_a_missing_version_is_an_error(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    (root / "registry.json").write_text(json.dumps({"active": {"classifier": "1999.01.01-1"}}))
    with pytest.raises(art.ArtefactError, match=r"1999\.01\.01-1"):
        art.active_version()


def test_diff_reports_metric_deltas(settings: Settings) -> None:
    from exportdesk.models.classification.fixed_set import FIXED_SET

    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.80)
    write_version(root, "2026.01.02-1", top1=0.85)
    out = diff(
        Registry.for_settings(settings), "2026.01.01-1", "2026.01.02-1", sha256_file(FIXED_SET)
    )
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
    from exportdesk.models.classification.fixed_set import FIXED_SET

    root = settings.models_dir
    folder = write_version(root, "2026.01.01-1", top1=0.80)
    registry = Registry.for_settings(settings)
    sha = sha256_file(FIXED_SET)
    fixed = registry.fixed_set_metrics("classifier", "2026.01.01-1", sha)
    assert fixed is not None and fixed["overall"]["top1"] == 0.80
    registry.store_evaluation("classifier", "2026.01.01-1", fixed)
    (folder / "ranker.json").write_text('{"weights": [2.0]}')  # retrained in place
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"] = {"ranker.json": sha256_file(folder / "ranker.json")}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert registry.fixed_set_metrics("classifier", "2026.01.01-1", sha) is None


def _ner_version(root, version: str, f: float, retrained: bool = False) -> None:
    """A NER version folder as train_ner / retrain_ner leave it, sealed by its manifest."""
    from exportdesk.models.extraction.train_ner import write_manifest

    folder = root / "ner" / version
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "meta.json").write_text(json.dumps({"name": "t", "version": version}))
    metrics = {"after": {"generated_test": {"f": f}}} if retrained else {"ents_f": f}
    (folder / "metrics.json").write_text(json.dumps(metrics))
    write_manifest(folder, version)


def test_ner_versions_activate_behind_their_own_gate_and_roll_back(settings: Settings) -> None:
    root = settings.models_dir
    _ner_version(root, "1.0.0", 0.90)
    assert workflow.activate(settings, "1.0.0", actor="t", kind="ner").gate.allowed
    _ner_version(root, "2026.01.02-1", 0.85, retrained=True)
    _ner_version(root, "2026.01.03-1", 0.95, retrained=True)
    with pytest.raises(ActivationRefused, match=r"NER F1 .* 0\.8500 is below .* 0\.9000"):
        workflow.activate(settings, "2026.01.02-1", actor="t", kind="ner")
    done = workflow.activate(settings, "2026.01.03-1", actor="t", kind="ner")
    assert (done.previous, Registry.for_settings(settings).active("ner")) == (
        "1.0.0",
        "2026.01.03-1",
    )
    # The classifier's entry is untouched by NER activations.
    assert Registry.for_settings(settings).named("classifier") is None
    back = workflow.rollback(settings, actor="t", kind="ner")
    assert (back.version, Registry.for_settings(settings).active("ner")) == ("1.0.0", "1.0.0")


def test_an_altered_ner_version_cannot_be_activated(settings: Settings) -> None:
    root = settings.models_dir
    _ner_version(root, "1.0.0", 0.90)
    (root / "ner" / "1.0.0" / "model" / "meta.json").write_text("{}")
    with pytest.raises(RegistryError, match="does not match the SHA-256"):
        workflow.activate(settings, "1.0.0", actor="t", kind="ner")


def test_a_kind_without_a_recorded_measure_needs_force(settings: Settings) -> None:
    root = settings.models_dir
    for version in ("2026.01.01-1", "2026.01.02-1"):
        folder = root / "label" / version
        folder.mkdir(parents=True)
        (folder / "weights.json").write_text("{}")
        (folder / "manifest.json").write_text(
            json.dumps({"files": {"weights.json": sha256_file(folder / "weights.json")}})
        )
    # With no entry, the newest version counts as active; neither has a measure to compare.
    workflow.activate(settings, "2026.01.01-1", actor="t", kind="label", force=True)
    with pytest.raises(ActivationRefused, match="label score is missing"):
        workflow.activate(settings, "2026.01.02-1", actor="t", kind="label")
    assert workflow.activate(settings, "2026.01.02-1", actor="t", kind="label", force=True).forced


def test_figures_measured_on_an_older_fixed_set_are_named_as_such(settings: Settings) -> None:
    root = settings.models_dir
    write_version(root, "2026.01.01-1", top1=0.86)
    reg = Registry.for_settings(settings)
    assert reg.fixed_set_metrics("classifier", "2026.01.01-1", "0" * 64) is None
    assert reg.missing_figures("classifier", "2026.01.01-1", "0" * 64) == (
        "measured on an older fixed evaluation set only; "
        "`exportdesk models evaluate 2026.01.01-1` measures it on the current one"
    )


def test_shipped_models_stay_read_only_and_trained_ones_live_in_the_data_folder(
    settings: Settings,
) -> None:
    # Issue 13: retraining from `make demo` wrote into the checkout's models/. The shipped
    # folder is read, never written; new versions, activations and evaluations go to
    # <data_dir>/models, and the registry lists both.
    from exportdesk.extract.registry import sha256_tree

    shipped = settings.models_dir
    write_version(shipped, "2026.01.01-1", top1=0.80)
    (shipped / "registry.json").write_text(json.dumps({"active": {"classifier": "2026.01.01-1"}}))
    before = sha256_tree(shipped)
    registry = Registry.for_settings(settings)
    new = registry.folder("classifier", "2026.01.02-1")
    assert new == settings.data_dir / "models" / "classifier" / "2026.01.02-1"
    write_version(settings.trained_dir, "2026.01.02-1", top1=0.85)
    assert registry.versions() == ["2026.01.01-1", "2026.01.02-1"]
    assert [(v.version, v.shipped) for v in registry.list()] == [
        ("2026.01.01-1", True),
        ("2026.01.02-1", False),
    ]
    assert registry.active() == "2026.01.01-1"  # the shipped registry until one activates
    done = _activate(settings, "2026.01.02-1")
    assert (done.previous, art.active_version()) == ("2026.01.01-1", "2026.01.02-1")
    assert art.version_folder("2026.01.02-1") == new
    assert art.version_folder("2026.01.01-1") == shipped / "classifier" / "2026.01.01-1"
    registry.store_evaluation("classifier", "2026.01.01-1", {"sha256": "x", "overall": {}})
    assert sha256_tree(shipped) == before  # nothing written to the shipped folder
    trained = json.loads((settings.trained_dir / "registry.json").read_text())
    assert trained["active"] == {"classifier": "2026.01.02-1"}
    assert (settings.trained_dir / "evaluations" / "classifier" / "2026.01.01-1.json").exists()
    assert workflow.rollback(settings, actor="test").version == "2026.01.01-1"
    assert sha256_tree(shipped) == before


def test_a_kind_never_activated_here_follows_the_shipped_registry(settings: Settings) -> None:
    # The data folder records only what was activated here: an upgrade that ships a new
    # default classifier is not shadowed by a local registry that only ever touched the NER.
    shipped = settings.models_dir
    write_version(shipped, "2026.01.01-1", top1=0.80)
    write_version(shipped, "2026.01.02-1", top1=0.85)
    (shipped / "registry.json").write_text(json.dumps({"active": {"classifier": "2026.01.01-1"}}))
    settings.trained_dir.mkdir(parents=True)
    (settings.trained_dir / "registry.json").write_text(
        json.dumps({"active": {"ner": "2026.01.05-1"}, "history": []})
    )
    registry = Registry.for_settings(settings)
    assert (registry.named("classifier"), registry.named("ner")) == ("2026.01.01-1", "2026.01.05-1")
    (shipped / "registry.json").write_text(json.dumps({"active": {"classifier": "2026.01.02-1"}}))
    assert registry.named("classifier") == "2026.01.02-1"
    _activate(settings, "2026.01.01-1", force=True)  # a local choice wins from now on
    (shipped / "registry.json").write_text(json.dumps({"active": {"classifier": "2026.01.02-1"}}))
    assert registry.named("classifier") == "2026.01.01-1"
    local = json.loads((settings.trained_dir / "registry.json").read_text())
    assert local["active"] == {"ner": "2026.01.05-1", "classifier": "2026.01.01-1"}
