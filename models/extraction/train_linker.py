"""Train the label->value linker and the label classifier on randomised form pages.

    python -m exportdesk.models.extraction.train_linker [--train 600] [--test 200]

Training pages use seeds from 70,000,000, held-out pages seeds from 80,000,000 (never used
in training). Writes models/linker/<version>/ (model.pickle, labels.pickle, their plain-array
exports model.npz and labels.npz, manifest.json with sha256 of each file, metrics.json) and
prints held-out figures: linker accuracy per label, label-classifier accuracy, and parties F1
of the whole extraction on held-out pages.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from exportdesk.extract import labels
from exportdesk.extract.fields import extract_fields
from exportdesk.extract.layout import build_layout
from exportdesk.extract.linker import FEATURES, LINKER_VERSION, candidates, features, model_dir
from exportdesk.extract.parties import find_role_labels
from exportdesk.extract.registry import sha256_file
from exportdesk.models.extraction.export_linear import export
from exportdesk.samples.random_forms import random_form

TRAIN_SEED = 70_000_000
TEST_SEED = 80_000_000


def pairs(seed_from: int, count: int) -> tuple[list[list[float]], list[int], list[int]]:
    """Feature rows, targets and a group id (one per label) from `count` random pages."""
    rows, targets, groups = [], [], []
    group = 0
    for seed in range(seed_from, seed_from + count):
        form = random_form(seed)
        layout = build_layout(form.page)
        found = find_role_labels([layout])
        label_segs = [f.segment for f in found]
        for gold in form.parties:
            label = next(
                (s for s in label_segs if any(t.word is gold.label_word for t in s.tokens)), None
            )
            if label is None:
                continue
            for cand in candidates(layout, label):
                rows.append(features(layout, label, cand, label_segs))
                targets.append(int(any(t.word is gold.name_word for t in cand.tokens)))
                groups.append(group)
            group += 1
    return rows, targets, groups


def top1(model: object, rows: list[list[float]], targets: list[int], groups: list[int]) -> float:
    """Share of labels whose highest-scored candidate is the gold value segment."""
    probs = model.predict_proba(rows)[:, 1]  # type: ignore[attr-defined]
    best: dict[int, tuple[float, int]] = {}
    has_gold: set[int] = set()
    for p, t, g in zip(probs, targets, groups, strict=True):
        if t:
            has_gold.add(g)
        if g not in best or p > best[g][0]:
            best[g] = (p, t)
    right = sum(1 for g in has_gold if best[g][1] == 1)
    return right / max(len(has_gold), 1)


# ------------------------------------------------------------------ label classifier
def label_examples(rng: random.Random, count: int) -> tuple[list[str], list[str]]:
    """Label texts (decorated lexicon phrases) and value texts, with their class."""
    texts, classes = [], []
    tables = {f"role:{k}": v for k, v in labels.ROLE_LABELS.items()}
    tables |= {f"subfield:{k}": v for k, v in labels.SUBFIELD_LABELS.items()}
    tables |= {"column": [p for v in labels.COLUMN_LABELS.values() for p in v]}
    tables |= {"end_use": labels.END_USE_LABELS + labels.END_USE_HEADINGS}
    for _ in range(count):
        cls = rng.choice(sorted(tables))
        text = rng.choice(tables[cls])
        text = rng.choice([text, text.upper(), text.title()])
        if rng.random() < 0.4:
            text = f"{rng.randint(1, 30)}. {text}"
        if rng.random() < 0.4:
            text += ":"
        texts.append(text)
        classes.append(cls)
    for seed in range(count // 3):
        form = random_form(TRAIN_SEED + 500_000 + seed)
        for seg in build_layout(form.page).segments:
            if not any(
                seg.text.lower().rstrip(":") in (p.lower() for p in v) for v in tables.values()
            ):
                texts.append(seg.text)
                classes.append("value")
    return texts, classes


def train(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    x, y, _ = pairs(TRAIN_SEED, args.train)
    linker = LogisticRegression(max_iter=2000, C=1.0, class_weight="balanced")
    linker.fit(x, y)
    tx, ty, tg = pairs(TEST_SEED, args.test)
    linker_top1 = top1(linker, tx, ty, tg)

    rng = random.Random(TRAIN_SEED)
    ltexts, lclasses = label_examples(rng, 6000)
    classifier = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True, min_df=2),
        LogisticRegression(max_iter=2000, C=4.0),
    )
    classifier.fit(ltexts, lclasses)
    test_rng = random.Random(TEST_SEED)
    vt, vc = label_examples(test_rng, 1500)
    label_acc = sum(p == c for p, c in zip(classifier.predict(vt), vc, strict=True)) / len(vc)
    seconds = time.perf_counter() - started

    folder = args.out or model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.pickle").write_bytes(pickle.dumps(linker))
    (folder / "labels.pickle").write_bytes(pickle.dumps(classifier))
    # the whole extraction, with the new model in place, on held-out pages
    from exportdesk.extract import linker as linker_mod

    linker_mod.load_model.cache_clear()
    metrics = dict(
        version=LINKER_VERSION,
        train_pages=args.train,
        train_pairs=len(y),
        test_pages=args.test,
        test_pairs=len(ty),
        linker_top1_heldout=round(linker_top1, 4),
        label_classifier_accuracy_heldout=round(label_acc, 4),
        training_seconds=round(seconds, 1),
    )
    _write_manifest(folder, metrics)
    export(folder)  # model.npz, labels.npz: what the run path reads, without scikit-learn
    linker_mod.load_model.cache_clear()
    linker_mod.load_label_model.cache_clear()
    metrics["parties_heldout"] = heldout_parties(TEST_SEED, args.test)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def _write_manifest(folder: Path, metrics: dict) -> None:
    files = {name: sha256_file(folder / name) for name in ("model.pickle", "labels.pickle")}
    manifest = dict(
        version=LINKER_VERSION,
        kind="linker",
        model="model.pickle",
        label_model="labels.pickle",
        features=FEATURES,
        files=files,
        trained_by="python -m exportdesk.models.extraction.train_linker",
        data="synthetic only: samples/random_forms.py, train seeds from 70,000,000",
        metrics=metrics,
    )
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def heldout_parties(seed_from: int, count: int) -> dict:
    """Parties P/R/F1 (role and exact name) of the full extraction on held-out random pages."""
    tp = fp = fn = 0
    for seed in range(seed_from, seed_from + count):
        form = random_form(seed)
        result = form.result()
        extract_fields(result)
        gold = {(p.role, p.name) for p in form.parties}
        got = {(p.role, p.name) for p in result.parties if p.role != "other"}
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    return dict(
        precision=round(p, 4),
        recall=round(r, 4),
        f1=round(2 * p * r / max(p + r, 1e-9), 4),
        pages=count,
        parties=tp + fn,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=600, help="training pages")
    ap.add_argument("--test", type=int, default=200, help="held-out pages")
    ap.add_argument("--out", type=Path, default=None, help="output folder")
    metrics = train(ap.parse_args(argv))
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
