"""Re-fit only the calibration of a trained classifier version, on harder training-side data.

Run ``HF_HUB_OFFLINE=1 python -m exportdesk.models.classification.recalibrate``
``--from V --version NEW``.

The ranker and retrieval files of ``--from`` are copied byte for byte; nothing is retrained.
Calibration data are the version's own calibration rows (held out from ranker training by
``train.split``), scored by the unchanged ranker under three exemplar-bank conditions:

* ``as_written``: the full exemplar bank (as ``train.py`` scores them, without hiding);
* ``concept_unseen``: every exemplar of the row's concept (all its noun groups) removed, as
  for a description of a product no training row describes;
* ``entry_unseen``: every exemplar of the row's gold entry removed (the unseen-entry split).

Candidate recipes (which conditions the temperature is fitted on) are compared by
concept-grouped K-fold cross-validation: fit on the other folds' concepts, measure ECE on the
held-out concepts under all three conditions. The recipe with the lowest worst-case ECE
(over jurisdictions, on the pooled out-of-fold rows of the three conditions) is refitted on
all calibration rows and written. The evaluation set is never read.

With ``--calibration-file FILE`` (JSONL rows with ``description`` and ``eu``/``us`` labels,
written independently of the training templates) the temperature is instead fitted, per
jurisdiction, on that file's items scored as written by the unchanged ranker (full exemplar
bank: the items are not training rows); no recipe is chosen and no training row is used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from exportdesk.classify import artefact as art
from exportdesk.classify.calibration import TemperatureCalibrator, fit_temperature
from exportdesk.classify.catalogue import CATALOGUES, JURISDICTIONS
from exportdesk.classify.features import familiarity
from exportdesk.classify.scoring import score
from exportdesk.extract.registry import sha256_file
from exportdesk.models.classification.train import (
    entry_lookup,
    entry_metrics,
    exemplars_hidden,
    label_index,
    labelled_positions,
    load_training_rows,
    score_rows,
    split,
)
from exportdesk.models.registry import built_by

SCORING_FILES = tuple(f for f in art.FILES if f != "calibration.json")
CONDITIONS = ("as_written", "concept_unseen", "entry_unseen")
# Recipes: the conditions whose rows the temperature is fitted on. "train_py" mirrors
# train.py's own choice (15% of rows with the gold entry's exemplars hidden).
RECIPES: dict[str, tuple[str, ...]] = {
    "train_py": ("entry_unseen@0.15",),
    "concept_unseen": ("concept_unseen",),
    "as_written+concept_unseen": ("as_written", "concept_unseen"),
    "all_three": ("as_written", "concept_unseen", "entry_unseen"),
}
FOLDS = 5


def _log(msg: str) -> None:
    print(f"[recalibrate] {msg}", file=sys.stderr, flush=True)


def concept_of(row: dict) -> str:
    return row.get("concept") or row["group"]


def fold_of(concept: str, folds: int = FOLDS) -> int:
    return hashlib.sha256(("fold:" + concept).encode()).digest()[0] % folds


def split_rows(model: art.Artefact) -> tuple[list[dict], list[dict]]:
    """The training rows (exemplar bank) and calibration rows of ``model``, reproduced with
    train.py's split, and checked against the bank's stored group ids."""
    rows = load_training_rows()
    train_rows, calib_rows = split(rows)
    ids: dict[str, int] = {}
    bank_groups = np.array([ids.setdefault(r["group"], len(ids)) for r in train_rows])
    if len(train_rows) != len(model.index.ex_group) or not np.array_equal(
        bank_groups, model.index.ex_group
    ):
        raise SystemExit(
            "the training rows no longer reproduce this version's exemplar bank "
            "(training data changed since it was trained); recalibration needs the same rows"
        )
    return train_rows, calib_rows


def collect(model, embedder, rows: list[dict], bank_rows: list[dict], condition: str) -> list:
    """(row, Scored, gold position) for each row and jurisdiction with a known label."""
    lookup = entry_lookup(model)
    concepts = {c: i for i, c in enumerate(sorted({concept_of(r) for r in bank_rows + rows}))}
    scoring_model = model
    if condition == "concept_unseen":
        # In memory only: the bank's group ids become concept ids, so excluding the
        # query's "group" drops every exemplar of its concept.
        index = replace(
            model.index, ex_group=np.array([concepts[concept_of(r)] for r in bank_rows])
        )
        scoring_model = replace(model, index=index)

    def concepts_of(chunk: list[dict]) -> list[int]:
        return [concepts[concept_of(r)] for r in chunk]

    def hidden(chunk: list[dict]) -> dict[str, list[int]]:
        return {j: [label_index(r.get(j), j, lookup) for r in chunk] for j in JURISDICTIONS}

    out = []
    for chunk, scored in score_rows(
        scoring_model,
        embedder,
        rows,
        exclude=concepts_of if condition == "concept_unseen" else None,
        hide=hidden if condition == "entry_unseen" else None,
    ):
        out.extend(labelled_positions(chunk, scored, lookup))
    return out


def recipe_rows(recipe: tuple[str, ...], data: dict[str, list]) -> list:
    """The rows a recipe fits on. ``cond@f`` means the as_written rows with a share ``f``
    (chosen by train.py's hash) replaced by the same rows under ``cond``."""
    out = []
    for part in recipe:
        if "@" in part:
            cond, frac = part.split("@")
            out += [
                alt if exemplars_hidden(base[0], float(frac)) else base
                for base, alt in zip(data["as_written"], data[cond], strict=True)
            ]
        else:
            out += data[part]
    return out


def fit(rows: list) -> TemperatureCalibrator:
    return fit_temperature(
        [s.logits for _r, s, _p in rows],
        [p for _r, _s, p in rows],
        [familiarity(s.candidates) for _r, s, _p in rows],
        [s.jurisdiction for _r, s, _p in rows],
    )


def _source_record(version: str, src: Path) -> dict:
    """Which version's ranker a recalibrated version reuses, pinned by its manifest hash."""
    return {
        "version": version,
        "manifest_sha256": sha256_file(src / "manifest.json"),
        "unchanged_files": list(SCORING_FILES),
    }


def metrics(model, rows: list, calibrators: list[TemperatureCalibrator]) -> dict:
    """Entry-level top-1/top-3/ECE per jurisdiction; ``calibrators[i]`` scores ``rows[i]``."""
    return entry_metrics(model, [(r, s) for r, s, _p in rows], calibrators)


def _brief(m: dict) -> dict:
    return {j: {k: v for k, v in x.items() if k != "reliability"} for j, x in m.items()}


def cross_validate(model, data: dict[str, list], folds: int = FOLDS) -> dict:
    """Concept-grouped K-fold ECE of every recipe, per condition and pooled."""
    results = {}
    for name, recipe in RECIPES.items():
        fitted = {}
        for k in range(folds):
            fit_data = {
                c: [x for x in rows if fold_of(concept_of(x[0]), folds) != k]
                for c, rows in data.items()
            }
            fitted[k] = fit(recipe_rows(recipe, fit_data))
        per = {}
        pooled_rows, pooled_cals = [], []
        for cond in CONDITIONS:
            rows = data[cond]
            cals = [fitted[fold_of(concept_of(x[0]), folds)] for x in rows]
            per[cond] = _brief(metrics(model, rows, cals))
            pooled_rows += rows
            pooled_cals += cals
        per["pooled"] = _brief(metrics(model, pooled_rows, pooled_cals))
        per["worst_ece"] = max(per["pooled"][j]["ece"] for j in JURISDICTIONS)
        per["worst_condition_ece"] = max(
            per[c][j]["ece"] for c in CONDITIONS for j in JURISDICTIONS
        )
        results[name] = per
        _log(f"{name}: " + json.dumps(per))
    return results


def write_version(src: Path, dst: Path, version: str, calibrator, extra: dict) -> None:
    if dst.exists():
        raise SystemExit(f"{dst} exists already; choose a new version name")
    dst.mkdir(parents=True)
    for name in SCORING_FILES:
        shutil.copyfile(src / name, dst / name)
    art.write_calibration(dst, calibrator)
    manifest = json.loads((src / "manifest.json").read_text())
    manifest.update(
        {
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "trained_by": built_by("python -m exportdesk.models.classification.recalibrate"),
            "calibration": calibrator.to_json(),
            **extra,
            "files": {name: sha256_file(dst / name) for name in art.FILES},
        }
    )
    (dst / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))


def collect_file(model, embedder, rows: list[dict]) -> list:
    """(row, Scored, gold position) for each row of an external calibration file and each
    jurisdiction with a label, scored as written (nothing hidden or excluded)."""
    lookup = entry_lookup(model)
    out = []
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        scored = score(model, embedder, [r["description"] for r in chunk], list(CATALOGUES))
        out.extend(labelled_positions(chunk, scored, lookup))
    return out


def from_file(args, model, embedder, src: Path, t0: float) -> int:
    """Fit the calibration on an independent calibration file and write the new version."""
    path = args.calibration_file
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    _log(f"{len(rows)} items in {path}")
    data = collect_file(model, embedder, rows)
    calibrator = fit(data)
    _log(f"calibration {calibrator.to_json()}")
    in_sample = metrics(model, data, [calibrator] * len(data))
    source_cal = art.load(src).calibrator
    before = metrics(model, data, [source_cal] * len(data))
    extra = {
        "recalibrated_from": _source_record(args.source, src),
        "calibration_fit": {
            "fit_on": f"{len(rows)} items of the independent calibration file {path.name}, "
            f"scored as written by the unchanged {args.source} ranker",
            "calibration_file": {
                "path": str(path.resolve().relative_to(Path.cwd().resolve()))
                if path.resolve().is_relative_to(Path.cwd().resolve())
                else str(path),
                "sha256": sha256_file(path),
                "items": len(rows),
                "scored_pairs": len(data),
            },
            "method": "per-jurisdiction temperature with familiarity slope "
            "(calibration.fit_temperature), minimising negative log-likelihood",
            "selection": "none: one fit on the whole file; the evaluation set was not used",
        },
        "metrics": {
            "calibration_file_in_sample": in_sample,
            "calibration_file_with_source_calibration": _brief(before),
            "note": "held-out evaluation figures come from models/classification/bench.py, "
            "not from training",
        },
        "recalibrate_seconds": round(time.time() - t0, 1),
    }
    _log("in-sample: " + json.dumps(_brief(in_sample)))
    dst = args.models_root / args.version
    write_version(src, dst, args.version, calibrator, extra)
    art.load(dst)  # the loader verifies the new manifest's hashes
    _log(f"wrote {dst} in {time.time() - t0:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", required=True, help="version whose ranker is kept")
    ap.add_argument("--version", required=True, help="new version name")
    ap.add_argument("--folds", type=int, default=FOLDS)
    ap.add_argument("--models-root", type=Path, default=art.classifier_root())
    ap.add_argument(
        "--calibration-file",
        type=Path,
        default=None,
        help="fit on this independent JSONL file (description, eu, us) instead of training rows",
    )
    args = ap.parse_args(argv)
    t0 = time.time()
    src = args.models_root / args.source
    model = art.load(src)  # verifies every SHA-256 of the source version
    from exportdesk.classify.embed import default_embedder

    embedder = default_embedder()
    if args.calibration_file is not None:
        return from_file(args, model, embedder, src, t0)
    bank_rows, calib_rows = split_rows(model)
    _log(f"{len(calib_rows)} calibration rows, exemplar bank of {len(bank_rows)}")
    data = {c: collect(model, embedder, calib_rows, bank_rows, c) for c in CONDITIONS}
    cv = cross_validate(model, data, args.folds)
    chosen = min(cv, key=lambda n: cv[n]["worst_ece"])
    _log(f"chosen recipe {chosen} (worst pooled out-of-fold ECE {cv[chosen]['worst_ece']})")
    calibrator = fit(recipe_rows(RECIPES[chosen], data))
    _log(f"calibration {calibrator.to_json()}")
    in_sample = {c: metrics(model, data[c], [calibrator] * len(data[c])) for c in CONDITIONS}
    extra = {
        "recalibrated_from": _source_record(args.source, src),
        "calibration_fit": {
            "fit_on": f"the {len(calib_rows)} calibration rows of train.split (held out from "
            f"ranker training), scored by the unchanged {args.source} ranker under: "
            + ", ".join(RECIPES[chosen]),
            "conditions": {
                "as_written": "full exemplar bank, nothing hidden",
                "concept_unseen": "every exemplar of the row's concept removed from the bank",
                "entry_unseen": "every exemplar of the row's gold entry removed from the bank",
            },
            "recipe": chosen,
            "selection": f"concept-grouped {args.folds}-fold cross-validation over the "
            "calibration rows; lowest worst-jurisdiction ECE on the pooled out-of-fold rows "
            "of all three conditions (worst single-condition ECE recorded as a check). "
            "The evaluation set was not used.",
            "cross_validated_ece": {
                n: {
                    "worst_ece": r["worst_ece"],
                    "worst_condition_ece": r["worst_condition_ece"],
                    **{
                        c: {j: r[c][j]["ece"] for j in JURISDICTIONS}
                        for c in (*CONDITIONS, "pooled")
                    },
                }
                for n, r in cv.items()
            },
            "chosen_cross_validated": cv[chosen],
        },
        "metrics": {
            "calibration_split_by_condition_in_sample": in_sample,
            "note": "held-out evaluation figures come from models/classification/bench.py, "
            "not from training",
        },
        "recalibrate_seconds": round(time.time() - t0, 1),
    }
    dst = args.models_root / args.version
    write_version(src, dst, args.version, calibrator, extra)
    art.load(dst)  # the loader verifies the new manifest's hashes
    _log(f"wrote {dst} in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
