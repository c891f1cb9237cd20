"""Fit the confidence of the answer after the review walk on another author's items, cross-fitted.

Run ``HF_HUB_OFFLINE=1 python -m exportdesk.models.classification.walk_calibration
[--base VERSION] [--version NEW] [--write]``.

The data are the development threshold twins of another author
(``../shared/dev-external/items``, EU and US labels). They calibrate only: the ranker is
never trained on them, and this step cannot change which answer comes first (it maps the
top answer's confidence and rescales the rest). Every figure printed is cross-fitted:
pair-grouped K-fold, fitted on the other folds, measured on the held-out fold, so both
twins of a pair are always on the same side. With ``--write`` the model fitted on all
items is written as a new version folder (the base version's files, unchanged, plus
``walk_calibration.json``), with the cross-fitted figures in its manifest as the expected
quality. Activation is a separate, gated step (``exportdesk models activate``).

Also reported: split-conformal prediction sets (score = 1 - probability of the right
entry), cross-fitted coverage at the stated level, and the set sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

DEV = Path(__file__).resolve().parents[3] / "shared" / "dev-external"
FILES = {"eu": "dev_twins_eu.jsonl", "us": "dev_twins_us.jsonl"}
CATALOGUES = {"eu": ["eu-dual-use", "eu-military"], "us": ["us-ccl", "us-usml"]}
FOLDS = 5
ALPHA = 0.10  # conformal: sets that hold the right entry for at least 90 % of items


def labelled_rows(
    dev: Path, jurisdiction: str, scorer, with_split: bool = False, model=None
) -> list[dict]:
    """Calibration rows: the other author's twins (grouped by pair) and the project's own
    independent calibration set (each item its own group). Never the fixed held-out set.
    With ``with_split``: also the base version's calibration split (template rows the
    ranker never trained on and the exemplar bank does not hold, grouped by noun group),
    so the map also sees text written like the training data."""
    from exportdesk.models.classification.data import CALIBRATION_SET

    out = []
    for line in (dev / "items" / FILES[jurisdiction]).open(encoding="utf-8"):
        r = json.loads(line)
        gold = r.get("code") or r["gold_eccn"]
        accept = {scorer.entry(a) for a in r.get("accept", [])} | {scorer.entry(gold)}
        out.append(
            {
                "description": r["description"],
                "accept": accept,
                "group": r["pair"],
                "source": "dev-twins",
            }
        )
    for line in CALIBRATION_SET.open(encoding="utf-8"):
        r = json.loads(line)
        if r.get(jurisdiction):
            out.append(
                {
                    "description": r["description"],
                    "accept": {scorer.entry(r[jurisdiction])},
                    "group": r["id"],
                    "source": "own-calibration",
                }
            )
    if with_split:
        from exportdesk.models.classification.recalibrate import split_rows

        _, calib_rows = split_rows(model.artefact)
        for r in calib_rows:
            if r.get(jurisdiction):
                out.append(
                    {
                        "description": r["description"],
                        "accept": {scorer.entry(r[jurisdiction])},
                        "group": f"split/{r['group']}",
                        "source": "template-calibration-split",
                    }
                )
    return out


def collect(clf, rows: list[dict], jurisdiction: str, scorer) -> dict:
    """Walk features, correctness of the top answer, groups, and per item the
    (entry, probability) list of the walk, for the conformal sets."""
    from exportdesk.classify.catalogue import NOT_LISTED
    from exportdesk.classify.features import familiarity
    from exportdesk.classify.walk import top_features

    texts = [" ".join(r["description"].split()) for r in rows]
    walked = clf.walk_many(texts, CATALOGUES[jurisdiction], calibrate=False)
    X, y, cands = [], [], []
    for r, per_j in zip(rows, walked, strict=True):
        sc, w = per_j[0]
        codes = [NOT_LISTED if e < 0 else scorer.entry(clf.entries[e].code) for e in w.entries]
        top = int(np.argmax(w.probs))
        X.append(top_features(w, familiarity(sc.candidates)))
        y.append(codes[top] in r["accept"])
        cands.append([(c, float(p)) for c, p in zip(codes, w.probs, strict=True)])
    return {
        "X": np.array(X),
        "y": np.array(y, dtype=float),
        "groups": np.array([r["group"] for r in rows]),
        "source": np.array([r["source"] for r in rows]),
        "cands": cands,
        "golds": [r["accept"] for r in rows],
    }


def source_weights(source: np.ndarray) -> np.ndarray:
    """Each source of rows weighs the same in the fit, however many rows it has, so the
    many template rows do not drown the other author's twins."""
    names, counts = np.unique(source, return_counts=True)
    per = {n: len(source) / (len(names) * c) for n, c in zip(names, counts, strict=True)}
    return np.array([per[s] for s in source])


def fit(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Logistic regression (L2, C=1) on the walk features; weights then bias."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:  # one class only: a constant at its smoothed rate
        rate = (y.sum() + 1) / (len(y) + 2)
        return np.append(np.zeros(X.shape[1]), np.log(rate / (1 - rate)))
    m = LogisticRegression(C=1.0, max_iter=1000).fit(X, y, sample_weight=weight)
    return np.append(m.coef_[0], m.intercept_[0])


def _prob(w: np.ndarray, X: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(X @ w[:-1] + w[-1])))


def _gold_probability(cands, accept, top_p: float | None) -> float:
    """Probability the (recalibrated) list gives the right entry; 0 when it is missing."""
    probs: dict = {}
    ps = np.array([p for _, p in cands])
    top = int(np.argmax(ps))
    if top_p is not None:
        rest = 1.0 - ps[top]
        ps = ps * ((1.0 - top_p) / rest if rest > 1e-12 else 0.0)
        ps = np.minimum(ps, top_p)
        ps[top] = top_p
    for (c, _), p in zip(cands, ps, strict=True):
        probs[c] = max(probs.get(c, 0.0), float(p))
    return max((probs.get(a, 0.0) for a in accept), default=0.0)


def conformal_threshold(scores: np.ndarray, alpha: float = ALPHA) -> float:
    """Split-conformal quantile of the nonconformity scores (1 - p of the right entry)."""
    from exportdesk.models.classification.conformal import quantile

    return quantile(scores, 1 - alpha)


def cross_fit(data: dict, scorer, folds: int = FOLDS, equal: bool = False) -> dict:
    from sklearn.model_selection import GroupKFold

    X, y, groups = data["X"], data["y"], data["groups"]
    oof = np.zeros(len(y))
    covered, sizes = [], []
    for train, test in GroupKFold(n_splits=folds).split(X, y, groups):
        w = fit(X[train], y[train], source_weights(data["source"][train]) if equal else None)
        oof[test] = _prob(w, X[test])
        p_top_train = _prob(w, X[train])
        train_scores = np.array(
            [
                1.0 - _gold_probability(data["cands"][i], data["golds"][i], p_top_train[k])
                for k, i in enumerate(train)
            ]
        )
        q = conformal_threshold(train_scores)
        for i in test:
            gp = _gold_probability(data["cands"][i], data["golds"][i], oof[i])
            covered.append(1.0 - gp <= q)
            # The set: every candidate whose recalibrated probability reaches 1 - q.
            ps = np.array([p for _, p in data["cands"][i]])
            top = int(np.argmax(ps))
            rest = 1.0 - ps[top]
            ps = np.minimum(ps * ((1.0 - oof[i]) / rest if rest > 1e-12 else 0.0), oof[i])
            ps[top] = oof[i]
            sizes.append(int((ps >= 1.0 - q - 1e-12).sum()))
    before = np.array([1 / (1 + np.exp(-x[0])) for x in X])
    out = {}
    for src in sorted(set(data["source"].tolist())):
        m = data["source"] == src
        out[src] = {
            "n": int(m.sum()),
            "top1": round(float(y[m].mean()), 4),
            "ece_before": round(scorer.ece(before[m].tolist(), y[m].astype(bool).tolist()), 4),
            "ece_cross_fitted": round(scorer.ece(oof[m].tolist(), y[m].astype(bool).tolist()), 4),
        }
    out["conformal"] = {
        "alpha": ALPHA,
        "coverage_cross_fitted": round(float(np.mean(covered)), 4),
        "mean_set_size": round(float(np.mean(sizes)), 2),
        "median_set_size": float(np.median(sizes)),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=None, help="version whose ranker is used (default: active)")
    ap.add_argument("--version", default=None, help="name of the new version folder")
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--write", action="store_true")
    ap.add_argument(
        "--with-split",
        action="store_true",
        help="also fit on the base version's calibration split (text like the training data)",
    )
    ap.add_argument(
        "--equal-sources", action="store_true", help="each source weighs the same in the fit"
    )
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from exportdesk.classify import artefact as art
    from exportdesk.classify.api import load_classifier
    from exportdesk.classify.calibration import WalkCalibrator
    from exportdesk.extract.registry import sha256_file
    from exportdesk.models.registry import built_by

    if not (args.dev / "items").is_dir():
        print(f"no development twins under {args.dev}; nothing to fit", file=sys.stderr)
        return 2
    from exportdesk.models.extraction.errors_report import load_scorer

    scorer = load_scorer(args.dev / "score.py")
    clf = load_classifier(args.base)
    weights, report, thresholds = {}, {}, {}
    for j in ("eu", "us"):
        rows = labelled_rows(args.dev, j, scorer, args.with_split, clf)
        data = collect(clf, rows, j, scorer)
        report[j] = cross_fit(data, scorer, equal=args.equal_sources)
        weights[j] = fit(
            data["X"], data["y"], source_weights(data["source"]) if args.equal_sources else None
        )
        p_top = _prob(weights[j], data["X"])
        scores = np.array(
            [
                1.0 - _gold_probability(c, g, p)
                for c, g, p in zip(data["cands"], data["golds"], p_top, strict=True)
            ]
        )
        thresholds[j] = conformal_threshold(scores)
        print(j, json.dumps(report[j]))
    if not args.write:
        return 0
    if not args.version:
        print("--write needs --version", file=sys.stderr)
        return 2
    src = art.version_folder(clf.version)
    dst = art.classifier_root() / args.version
    if dst.exists():
        print(f"{dst} exists; choose another version name", file=sys.stderr)
        return 2
    dst.mkdir(parents=True)
    for name in art.FILES:
        shutil.copy2(src / name, dst / name)
    cal = WalkCalibrator({j: w for j, w in weights.items()})
    body = cal.to_json()
    body["conformal"] = {"alpha": ALPHA, "threshold": thresholds}
    (dst / art.WALK_CALIBRATION).write_text(json.dumps(body, indent=1))
    manifest = json.loads((src / "manifest.json").read_text())
    manifest.update(
        {
            "version": args.version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "trained_by": built_by("python -m exportdesk.models.classification.walk_calibration"),
            "based_on": clf.version,
            "walk_calibration": {
                "data": "other author's development twins (../shared/dev-external/items), "
                "calibration only",
                "cross_fitted": report,
                "folds": FOLDS,
                "grouping": "pair",
            },
            "files": {name: sha256_file(dst / name) for name in (*art.FILES, art.WALK_CALIBRATION)},
        }
    )
    (dst / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    print(f"wrote {dst}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
