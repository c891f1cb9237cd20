"""The whole loop on tiny data: decisions, export, train, evaluate, register, activate, suggest.

Training uses the real classify/ building blocks with a hashing embedder in place of MiniLM
and a few hundred rows, so each run takes seconds.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from fakes import HashingEmbedder, confirm, pools, write_jsonl

from exportdesk.classify import artefact as art
from exportdesk.extract.settings import Settings
from exportdesk.models import dataset, jobs, workflow
from exportdesk.models.registry import ActivationRefused, Registry
from exportdesk.review.store import CaseStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


def _train(
    settings: Settings,
    embedder,
    ds: Path,
    version: str,
    base: list[dict],
    fixed: Path,
    activate: bool = False,
    force: bool = False,
) -> dict:
    return workflow.retrain(
        settings,
        actor="test",
        dataset_dir=ds,
        version=version,
        activate_after=activate,
        force=force,
        embedder=embedder,
        base_rows=base,
        fixed_set=fixed,
        progress=lambda _m: None,
        ner=False,
    )


def test_decisions_to_an_active_version(
    store: CaseStore, settings: Settings, embedder, tmp_path: Path, monkeypatch
) -> None:
    base, batch, fixed_rows = pools()
    fixed = write_jsonl(tmp_path / "fixed.jsonl", fixed_rows)
    empty = tmp_path / "empty"
    dataset.export(store, empty)  # nothing confirmed yet
    first = _train(settings, embedder, empty, "2026.01.01-1", base, fixed, activate=True)
    assert first["activation"]["activated"]

    confirm(store, batch)
    ds = tmp_path / "ds"
    card = dataset.export(store, ds).card
    assert card["items"]["count"] == len(batch)
    second = _train(settings, embedder, ds, "2026.01.02-1", base, fixed, activate=True)

    folder = settings.trained_dir / "classifier" / "2026.01.02-1"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (
        manifest["training_data"]["confirmed_decisions"]["items.jsonl"]
        == card["files"]["items.jsonl"]["sha256"]
    )
    split = manifest["split"]
    assert split["decision_train_rows"] + split["decision_calibration_rows"] > 0
    assert split["decision_heldout_rows"] > 0
    assert {"metrics.json", "MODEL_CARD.md", "ranker.json"} <= set(manifest["files"])
    metrics = json.loads((folder / "metrics.json").read_text())
    for section in ("fixed_set", "heldout_split"):
        assert set(metrics[section]) >= {
            "overall",
            "per_jurisdiction",
            "per_catalogue",
            "per_category",
        }
        assert 0.0 <= metrics[section]["overall"]["top1"] <= metrics[section]["overall"]["top3"]
    # The held-out figures come from whole applications the training never saw.
    ids = manifest["split"]["decision_ids"]
    items = {r["id"]: r for r in dataset.load(ds)[0]}
    apps = {k: {items[i]["provenance"]["application_id"] for i in ids[k]} for k in ids}
    assert not apps["heldout"] & (apps["train"] | apps["calibration"])
    trained = {items[i]["description"] for i in ids["train"] + ids["calibration"]}
    assert not {items[i]["description"] for i in ids["heldout"]} & trained
    assert metrics["heldout_split"]["overall"]["n"] == len(ids["heldout"])
    assert metrics["active_at_training"]["version"] == "2026.01.01-1"
    card_md = (folder / "MODEL_CARD.md").read_text()
    assert "Fixed evaluation set" in card_md and "Held-out confirmed decisions" in card_md

    assert second["activation"]["activated"], second["activation"]
    assert Registry.for_settings(settings).active() == "2026.01.02-1"
    assert art.active_version(settings.trained_dir / "classifier") == "2026.01.02-1"
    loaded = art.load(folder)  # integrity-checked load of what is now active
    assert loaded.version == "2026.01.02-1"
    probe = [batch[0]["description"], "Plastic garden chair"]
    assert _suggested_versions(settings, probe, monkeypatch) == {"2026.01.02-1"}
    workflow.rollback(settings, actor="test")
    assert _suggested_versions(settings, probe, monkeypatch) == {"2026.01.01-1"}


def _suggested_versions(settings: Settings, texts: list[str], monkeypatch) -> set[str]:
    """The model versions stamped on what the product's suggest_many returns now. The
    versions were trained with the hashing embedder, so the loader gets that one too."""
    from exportdesk import classify
    from exportdesk.classify import api
    from exportdesk.extract import settings as settings_module

    monkeypatch.setenv("EXPORTDESK_MODELS_DIR", str(settings.models_dir))
    monkeypatch.setenv("EXPORTDESK_DATA_DIR", str(settings.data_dir))  # trained versions
    monkeypatch.setattr(api, "default_embedder", HashingEmbedder)
    settings_module.get_settings.cache_clear()
    api.load_classifier.cache_clear()  # a process keeps its loaded version until cleared
    try:
        found = classify.suggest_many(texts, ["eu-dual-use", "eu-military"], top_k=3)
    finally:
        settings_module.get_settings.cache_clear()
        api.load_classifier.cache_clear()
    assert all(found)
    return {s.model_version for per_item in found for s in per_item}


def test_a_deliberately_worse_model_is_refused(
    store: CaseStore, settings: Settings, embedder, tmp_path: Path
) -> None:
    base, batch, fixed_rows = pools()
    fixed = write_jsonl(tmp_path / "fixed.jsonl", fixed_rows)
    confirm(store, batch)
    ds = tmp_path / "ds"
    dataset.export(store, ds)
    good = _train(settings, embedder, ds, "2026.01.01-1", base, fixed, activate=True)
    assert good["activation"]["activated"]
    # Worse on purpose: every base label moved to another row.
    rng = random.Random(3)
    labels = [(r["eu"], r["us"]) for r in base]
    rng.shuffle(labels)
    shuffled = [{**r, "eu": eu, "us": us} for r, (eu, us) in zip(base, labels, strict=True)]
    bad = _train(settings, embedder, ds, "2026.01.02-1", shuffled, fixed, activate=True)
    assert bad["fixed_set"]["top1"] < good["fixed_set"]["top1"]
    assert bad["activation"]["activated"] is False
    assert "below the active version" in bad["activation"]["gate"][0]
    assert Registry.for_settings(settings).active() == "2026.01.01-1"
    with pytest.raises(ActivationRefused):
        workflow.activate(
            settings,
            "2026.01.02-1",
            actor="test",
            fixed_set=fixed,
            embedder_factory=lambda: embedder,
        )
    forced = workflow.activate(
        settings,
        "2026.01.02-1",
        actor="test",
        force=True,
        fixed_set=fixed,
        embedder_factory=lambda: embedder,
    )
    assert forced.forced
    assert workflow.rollback(settings, actor="test").version == "2026.01.01-1"


def test_background_job_runs_export_and_training(
    store: CaseStore, settings: Settings, embedder, tmp_path: Path
) -> None:
    base, batch, fixed_rows = pools()
    fixed = write_jsonl(tmp_path / "fixed.jsonl", fixed_rows)
    confirm(store, batch[:12])
    job_id = jobs.launch(settings, "tess", activate=True)
    small_ner = {"replay": 20, "test_examples": 20, "epochs": 1}
    jobs.run_here(
        settings,
        job_id,
        embedder=embedder,
        base_rows=base,
        fixed_set=fixed,
        version="2026.01.01-1",
        ner_options=small_ner,
    )
    folder = settings.data_dir / "training-jobs" / job_id
    job = jobs.status(settings, job_id)
    assert job.state == "succeeded" and job.summary is not None
    assert job.summary["version"] == "2026.01.01-1"
    assert job.summary["activation"]["activated"]
    assert any("fitting the ranker" in line for line in job.progress)
    assert (folder / "dataset" / "items.jsonl").read_text().count("\n") == 12
    ner = job.summary["ner"]
    assert ner["retrained"], ner
    assert Path(ner["folder"]) == settings.trained_dir / "ner" / "2026.01.01-1"
    assert (
        "Extraction NER: fine-tuned"
        in (settings.trained_dir / "classifier" / "2026.01.01-1" / "MODEL_CARD.md").read_text()
    )
