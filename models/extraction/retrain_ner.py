"""Retrains the extraction NER on confirmed organisation spans, measured against the NER in use.

`models/extraction/train_ner.py` trains from scratch on generated sentences and takes no outside
examples, so this module fine-tunes the NER that extraction loads (``extract.nlp``) on the
export's confirmed ORG spans, mixed with a replay of the generator's own training sentences
(``train_ner.make_examples``) so that it does not forget them. Both the new and the current
model are scored on the generator's test range and on confirmed spans held out by
application. The result is a registry version, ``<models_dir>/ner/<version>/`` with a SHA-256
manifest; extraction keeps using the active ``ner`` version until this one is activated
(``exportdesk models activate VERSION --kind ner``).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import minibatch

from exportdesk.models.dataset import read_spans

Progress = Callable[[str], None]
Sample = tuple[str, list[tuple[int, int, str]]]


def confirmed_org_samples(spans_path: Path) -> list[tuple[int, Sample]]:
    """(application id, (text, ORG spans)) for every exported text with a confirmed name."""
    out = []
    for doc in read_spans(spans_path):
        spans = [(int(s), int(e), str(lab)) for s, e, lab in doc.user_data["spans"] if lab == "ORG"]
        if spans:
            out.append((int(doc.user_data["meta"]["application_id"]), (doc.text, spans)))
    return out


def _held_out(application_id: int, percent: int) -> bool:
    digest = hashlib.sha256(f"application/{application_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < percent


def _examples(nlp: Language, samples: list[Sample]) -> list[Example]:
    """Examples whose spans fall on this tokenizer's token boundaries (others are skipped:
    spaCy cannot learn a span that starts inside a token)."""
    out = []
    for text, spans in samples:
        doc = nlp.make_doc(text)
        ok = [(s, e, lab) for s, e, lab in spans if doc.char_span(s, e) is not None]
        if ok or not spans:
            out.append(Example.from_dict(doc, {"entities": ok}))
    return out


def score(nlp: Language, samples: list[Sample]) -> dict:
    if not samples:
        return {"n": 0, "precision": None, "recall": None, "f": None}
    scores = nlp.evaluate(_examples(nlp, samples))
    return {
        "n": len(samples),
        "precision": round(float(scores["ents_p"]), 4),
        "recall": round(float(scores["ents_r"]), 4),
        "f": round(float(scores["ents_f"]), 4),
    }


def retrain_ner(
    spans_path: Path,
    out: Path,
    *,
    base_model: Path,
    heldout_percent: int,
    replay: int = 400,
    test_examples: int = 300,
    epochs: int = 3,
    seed: int = 0,
    progress: Progress = lambda _m: None,
) -> dict:
    """Fine-tune ``base_model`` on confirmed ORG spans plus replayed generator sentences;
    write the model, its metrics and manifest to ``out``; return the metrics."""
    from exportdesk.models.extraction import train_ner

    confirmed = confirmed_org_samples(spans_path)
    train_c = [s for app, s in confirmed if not _held_out(app, heldout_percent)]
    held_c = [s for app, s in confirmed if _held_out(app, heldout_percent)]
    if not train_c:
        raise ValueError(
            "the dataset has no confirmed organisation names outside the held-out "
            "applications; there is nothing to retrain the NER on"
        )
    progress(
        f"NER: {len(train_c)} confirmed texts to learn, {len(held_c)} held out, "
        f"{replay} replayed generator sentences"
    )
    generated_test = train_ner.make_examples(test_examples, train_ner.TEST_SEED_BASE)
    current = spacy.load(base_model)
    before = {
        "generated_test": score(current, generated_test),
        "confirmed_heldout": score(current, held_c),
    }

    nlp = spacy.load(base_model)
    replayed = train_ner.make_examples(replay, train_ner.TRAIN_SEED_BASE)
    examples = _examples(nlp, train_c + replayed)
    rng = random.Random(seed)
    spacy.util.fix_random_seed(seed)
    optimizer = nlp.resume_training()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W030\]")
        for epoch in range(epochs):
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in minibatch(examples, size=16):
                nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
            progress(f"NER epoch {epoch + 1}/{epochs}: loss {losses.get('ner', 0.0):.1f}")
    after = {"generated_test": score(nlp, generated_test), "confirmed_heldout": score(nlp, held_c)}
    version = out.name
    nlp.meta["version"] = version
    nlp.meta["description"] = (
        "Organisation names in export-control prose, fine-tuned on "
        "confirmed decisions (exportdesk train)."
    )
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out / "model")
    metrics = {
        "base_model": str(base_model),
        "confirmed_train": len(train_c),
        "confirmed_heldout": len(held_c),
        "replayed": replay,
        "epochs": epochs,
        "train_seconds": round(time.perf_counter() - started, 1),
        "before": before,
        "after": after,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    train_ner.write_manifest(out, version)
    return metrics
