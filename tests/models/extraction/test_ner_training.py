"""NER fine-tuning on confirmed organisation names: held out by application, checked on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from fakes import confirm, pools

from exportdesk.extract.nlp import ner_model_dir
from exportdesk.extract.registry import RegistryError, RegistryReader
from exportdesk.models import dataset
from exportdesk.models.extraction.retrain_ner import (
    _held_out,
    confirmed_org_samples,
    retrain_ner,
)
from exportdesk.review.store import CaseStore

pytestmark = pytest.mark.slow


def test_fine_tuned_ner_is_measured_against_the_current_one(
    store: CaseStore, tmp_path: Path
) -> None:
    _base, batch, _fixed = pools()
    confirm(store, batch[:30], per_app=1)  # 30 applications, each naming the party
    dataset.export(store, tmp_path / "ds")
    spans = tmp_path / "ds" / dataset.SPANS_FILE
    samples = confirmed_org_samples(spans)
    assert len(samples) == 30
    text, [(start, end, label)] = samples[0][1]
    assert (text[start:end], label) == ("Société Générale d'Optique SA", "ORG")

    out = tmp_path / "ner" / "2026.01.01-1"
    metrics = retrain_ner(
        spans,
        out,
        base_model=ner_model_dir(),
        heldout_percent=20,
        replay=20,
        test_examples=20,
        epochs=1,
    )
    held = sum(_held_out(app, 20) for app, _s in samples)
    assert (metrics["confirmed_train"], metrics["confirmed_heldout"]) == (30 - held, held)
    for when in ("before", "after"):
        for part in ("generated_test", "confirmed_heldout"):
            f = metrics[when][part]["f"]
            assert f is None or 0.0 <= f <= 1.0
    assert json.loads((out / "metrics.json").read_text()) == metrics
    RegistryReader(tmp_path).verify("ner", "2026.01.01-1")
    nlp = spacy.load(out / "model")
    assert nlp.meta["version"] == "2026.01.01-1"
    assert "ORG" in nlp.get_pipe("ner").labels

    weights = out / "model" / "ner" / "model"
    weights.write_bytes(weights.read_bytes() + b"\0")
    with pytest.raises(RegistryError, match="does not match the SHA-256"):
        RegistryReader(tmp_path).verify("ner", "2026.01.01-1")


def test_nothing_to_learn_is_an_explained_refusal(store: CaseStore, tmp_path: Path) -> None:
    dataset.export(store, tmp_path / "ds")  # no confirmed applications at all
    with pytest.raises(ValueError, match="no confirmed organisation names"):
        retrain_ner(
            tmp_path / "ds" / dataset.SPANS_FILE,
            tmp_path / "out",
            base_model=ner_model_dir(),
            heldout_percent=20,
            replay=5,
            test_examples=5,
        )
