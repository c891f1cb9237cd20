"""Fit and check the conformal prediction sets of a classifier version (issue 10, item 5).

Run ``HF_HUB_OFFLINE=1 python -m exportdesk.models.classification.conformal [--version V]
[--coverage 0.9] [--write]``.

Fitted on labelled items the ranker never trained on: the project's independent
calibration items and, when ``../shared/dev-external/items`` is present, another author's
threshold twins (calibration use only, as issue 10 allows). The score of an item is
``1 - p(right entry)`` under the probabilities the product shows (after the walk and its
calibration); the threshold ``q`` is the split-conformal quantile at the stated coverage,
and a candidate joins the set when ``p >= 1 - q`` (``classify/prediction_sets.py``).

Every coverage figure printed is measured on items the threshold was not fitted on:
- cross-fitted: 5 folds grouped by pair (both twins on the same side), threshold from the
  other folds, per source;
- the fixed held-out set (324 items, never used for fitting anything), with the final
  threshold.
With ``--write`` the thresholds fitted on all rows go into ``<classifier root>/conformal.json``
under the version's name, with these figures as provenance.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from exportdesk.classify.prediction_sets import PredictionSet

DEV = Path(__file__).resolve().parents[3] / "shared" / "dev-external"
TWIN_FILES = {"eu": "dev_twins_eu.jsonl", "us": "dev_twins_us.jsonl"}
FOLDS = 5


def quantile(scores: np.ndarray, coverage: float) -> float:
    """Split-conformal threshold: the ceil((n+1)·coverage)-th smallest score (1.0 if n is
    too small for the stated coverage, i.e. every candidate joins)."""
    n = len(scores)
    k = int(np.ceil((n + 1) * coverage))
    return 1.0 if k > n else float(np.sort(scores)[k - 1])


def rows_for(jurisdiction: str, dev: Path | None) -> list[dict]:
    """Labelled rows for fitting: own independent calibration items, then the twins."""
    from exportdesk.models.classification.data import CALIBRATION_SET

    out = []
    for line in CALIBRATION_SET.open(encoding="utf-8"):
        r = json.loads(line)
        if r.get(jurisdiction):
            out.append(
                {
                    "description": r["description"],
                    "accept": [r[jurisdiction]],
                    "group": r["id"],
                    "source": "own-calibration",
                }
            )
    if dev is not None:
        for line in (dev / "items" / TWIN_FILES[jurisdiction]).open(encoding="utf-8"):
            r = json.loads(line)
            gold = r.get("code") or r["gold_eccn"]
            out.append(
                {
                    "description": r["description"],
                    "accept": [gold, *r.get("accept", [])],
                    "group": r["pair"],
                    "source": "dev-twins",
                }
            )
    return out


def candidate_probabilities(clf, texts: list[str], jurisdiction: str, norm) -> list[dict]:
    """Per text: entry -> probability, exactly as the product computes them."""
    from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED

    out = []
    for per_j in clf.walk_many(texts, list(JURISDICTIONS[jurisdiction])):
        _, walked = per_j[0]
        probs: dict[str, float] = {}
        for e, p in zip(walked.entries, walked.probs, strict=True):
            code = NOT_LISTED if e < 0 else norm(clf.entries[e].code)
            probs[code] = max(probs.get(code, 0.0), float(p))
        out.append(probs)
    return out


def nonconformity(
    cands: list[dict], accepts: list[list[str]], norm: Callable[[str], str]
) -> np.ndarray:
    """Nonconformity score of each item: 1 - the probability of its best right entry."""
    return np.array(
        [
            1.0 - max((c.get(norm(a), 0.0) for a in acc), default=0.0)
            for c, acc in zip(cands, accepts, strict=True)
        ]
    )


def set_size(cand: dict, q: float) -> int:
    return PredictionSet.at(q, 0.0, list(cand.values())).size


def covered(cand: dict, accept: list[str], q: float, norm) -> bool:
    """Whether the set at ``q`` (the product's rule) holds one of the right entries."""
    s = PredictionSet.at(q, 0.0, list(cand.values()))
    return any(s.holds(cand.get(norm(a), -1.0)) for a in accept)


def cross_fitted(rows: list[dict], cands: list[dict], norm, coverage: float) -> dict:
    from sklearn.model_selection import GroupKFold

    scores = nonconformity(cands, [r["accept"] for r in rows], norm)
    groups = np.array([r["group"] for r in rows])
    src = np.array([r["source"] for r in rows])
    hit = np.zeros(len(rows), dtype=bool)
    size = np.zeros(len(rows), dtype=int)
    for train, test in GroupKFold(n_splits=FOLDS).split(scores, groups=groups):
        q = quantile(scores[train], coverage)
        for i in test:
            hit[i] = covered(cands[i], rows[i]["accept"], q, norm)
            size[i] = set_size(cands[i], q)
    out = {}
    for s in sorted(set(src.tolist())):
        m = src == s
        out[s] = _summary(hit[m], size[m])
    out["all"] = _summary(hit, size)
    return out


def _summary(hit: np.ndarray, size: np.ndarray) -> dict:
    return {
        "n": len(hit),
        "coverage": round(float(hit.mean()), 4),
        "mean_set_size": round(float(size.mean()), 2),
        "median_set_size": float(np.median(size)),
        "singletons": round(float((size == 1).mean()), 4),
    }


def held_out(clf, jurisdiction: str, q: float, norm) -> dict:
    from exportdesk.models.classification.data import FIXED_SET

    rows = [json.loads(line) for line in FIXED_SET.open(encoding="utf-8")]
    rows = [r for r in rows if r.get(jurisdiction)]
    cands = candidate_probabilities(clf, [r["description"] for r in rows], jurisdiction, norm)
    hit = np.array(
        [covered(c, [r[jurisdiction]], q, norm) for c, r in zip(cands, rows, strict=True)]
    )
    size = np.array([set_size(c, q) for c in cands])
    return _summary(hit, size)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default=None, help="classifier version (default: active)")
    ap.add_argument("--coverage", type=float, default=0.9, help="stated coverage (0.9)")
    ap.add_argument("--dev", type=Path, default=DEV, help="other author's dev sets, if present")
    ap.add_argument("--write", action="store_true", help="write the thresholds for the version")
    args = ap.parse_args(argv)
    if not 0.5 <= args.coverage < 1.0:
        print("--coverage must be in [0.5, 1)", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from exportdesk.classify import artefact as art
    from exportdesk.classify import prediction_sets
    from exportdesk.classify.api import load_classifier
    from exportdesk.classify.catalogue import entry_code

    dev = args.dev if (args.dev / "items").is_dir() else None
    norm: Callable[[str], str] = entry_code
    if dev is not None:
        from exportdesk.models.extraction.errors_report import load_scorer

        norm = load_scorer(dev / "score.py").entry  # the scorer's own entry rule (USML-XII)
    else:
        print("no other author's twins found: fitting on own calibration items only")
    clf = load_classifier(args.version)
    report: dict = {"version": clf.version, "coverage": args.coverage, "load": os.getloadavg()[0]}
    thresholds = {}
    for j in ("eu", "us"):
        rows = rows_for(j, dev)
        cands = candidate_probabilities(clf, [r["description"] for r in rows], j, norm)
        q = quantile(nonconformity(cands, [r["accept"] for r in rows], norm), args.coverage)
        thresholds[j] = round(q, 6)
        report[j] = {
            "threshold": thresholds[j],
            "cross_fitted": cross_fitted(rows, cands, norm, args.coverage),
            "held_out_324": held_out(clf, j, q, norm),
        }
        print(j, json.dumps(report[j]))
    if not args.write:
        return 0
    target = art.version_folder(clf.version).parent / prediction_sets.FILE
    body = (
        json.loads(target.read_text(encoding="utf-8"))
        if target.is_file()
        else {"schema": prediction_sets.SCHEMA, "versions": {}}
    )
    body["versions"][clf.version] = {
        "coverage": args.coverage,
        "threshold": thresholds,
        "fitted": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": "own independent calibration items"
        + (" and another author's development twins (calibration only)" if dev else ""),
        "checked": {j: report[j] for j in ("eu", "us")},
    }
    target.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
