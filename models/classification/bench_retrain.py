"""Benchmark: accuracy before and after retraining on a batch of confirmed decisions.

    python -m exportdesk.models.classification.bench_retrain \
        [--batch 360] [--out var/bench-training]

Simulated reviewers confirm a batch of items drawn from a synthetic pool (the classifier's
template generator run with a seed the bundled data does not use); the batch goes through
the real case store, `dataset.export` and `training.train`. Both versions are measured on
data outside the batch: the fixed evaluation set and a disjoint split of the pool (product
nouns the batch never names). Two settings: the full bundled base data, and a base with a
sixth of the concepts removed (a gap the confirmed decisions have to fill).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from exportdesk.classify import artefact as art
from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED, entry_code, load_entries
from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.model import ApplicationResult, DocumentInfo, Evidence, Item
from exportdesk.extract.settings import Settings
from exportdesk.models import dataset
from exportdesk.models.classification import train as ctrain
from exportdesk.models.classification.evaluate import load_labelled
from exportdesk.models.classification.fixed_set import FIXED_SET, evaluate_rows, predict
from exportdesk.models.classification.retrain import train
from exportdesk.models.classification.templates import generate
from exportdesk.review.store import CaseStore

POOL_SEED = 424242  # the bundled train_items.jsonl uses 20261128
GAP_EVERY = 6  # the "gap" setting drops every sixth concept from the base rows


class CachedEmbedder:
    """Remembers vectors by text, so the catalogue is embedded once for all four trainings."""

    def __init__(self, inner) -> None:
        self.inner, self.dim = inner, inner.dim
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self.cache})
        if missing:
            for t, v in zip(missing, self.inner.encode(missing), strict=True):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim))


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def pool_split(base: list[dict], fixed: list[dict], size: int) -> tuple[list[dict], list[dict]]:
    """Pool rows that repeat no base or fixed-set description; the batch takes even noun
    groups, the disjoint test split odd ones (so its product nouns are not in the batch)."""
    taken = {" ".join(r["description"].casefold().split()) for r in base + fixed}
    pool = [
        r for r in generate(POOL_SEED) if " ".join(r["description"].casefold().split()) not in taken
    ]
    batch = [r for r in pool if r["noun_index"] % 2 == 0]
    test = [r for r in pool if r["noun_index"] % 2 == 1]
    rng = random.Random(POOL_SEED)
    rng.shuffle(batch)
    rng.shuffle(test)
    return batch[:size], test[: size // 2]


def confirm_batch(store: CaseStore, rows: list[dict], per_app: int = 4) -> None:
    """Reviewers decide each item in one jurisdiction (alternating EU and US), as the pool
    labels say, and confirm each application."""
    where = {(e.catalogue, e.code) for e in load_entries()}
    for n in range(0, len(rows), per_app):
        chunk = rows[n : n + per_app]
        data = f"bench application {n}".encode()
        receipt = store.receive(data, f"bench{n}.pdf", actor="bench")
        items = [
            Item(
                index=i,
                description=r["description"],
                confidence=0.9,
                evidence=[
                    Evidence(
                        page=1,
                        bbox=(50, 100 + 20 * i, 500, 112 + 20 * i),
                        text=r["description"],
                        source="text_layer",
                    )
                ],
            )
            for i, r in enumerate(chunk, start=1)
        ]
        store.record_extraction(
            receipt.sha256,
            ApplicationResult(
                document=DocumentInfo(
                    filename=f"bench{n}.pdf", sha256=sha256_bytes(data), page_count=1
                ),
                items=items,
            ),
        )
        version = store.case(receipt.application_id).version
        for i, r in enumerate(chunk, start=1):
            jur = "eu" if (n + i) % 2 else "us"
            code = r[jur]
            cats = JURISDICTIONS[jur]
            cat = cats[0] if code == NOT_LISTED else next(c for c in cats if (c, code) in where)
            version = store.decide(
                receipt.application_id, version, i, cat, code, "reviewer", reason="simulated review"
            )
        store.finish(receipt.application_id, version, "confirmed", "reviewer")


def _restrict(rows: list[dict], codes: set[str]) -> list[dict]:
    """Rows whose label (per jurisdiction) is one of ``codes``; other labels blanked."""
    out = []
    for r in rows:
        kept = {
            j: r.get(j) if r.get(j) and entry_code(r[j]) in codes else None for j in JURISDICTIONS
        }
        if any(kept.values()):
            out.append({"description": r["description"], **kept})
    return out


def paired(before, after, embedder, rows: list[dict]) -> dict:
    """Item by item on the same rows: how many top-1 answers retraining fixed and broke, with
    the exact two-sided sign test (McNemar) on those discordant items."""
    from scipy.stats import binomtest

    pb = predict(before, embedder, rows)
    pa = predict(after, embedder, rows)
    right_b = [p.ranked[0][1] == p.gold for p in pb]
    right_a = [p.ranked[0][1] == p.gold for p in pa]
    fixed = sum(a and not b for a, b in zip(right_a, right_b, strict=True))
    broken = sum(b and not a for a, b in zip(right_a, right_b, strict=True))
    p_value = binomtest(fixed, fixed + broken).pvalue if fixed + broken else 1.0
    return {
        "pairs": len(pb),
        "fixed": fixed,
        "broken": broken,
        "sign_test_p": round(float(p_value), 4),
    }


def run_setting(
    name: str,
    base: list[dict] | None,
    batch: list[dict],
    test: list[dict],
    gap_codes: set[str],
    embedder,
    work: Path,
) -> dict:
    base_rows = base if base is not None else ctrain.load_training_rows()
    _log(f"setting {name}: {len(base_rows)} base rows, batch {len(batch)}, test {len(test)}")
    settings = Settings(
        data_dir=work / name / "data", models_dir=work / name / "models", database_url=None
    )
    store = CaseStore(settings)
    empty = work / name / "empty-dataset"
    dataset.export(store, empty)

    def timed(items: list, card: dict | None, version: str) -> tuple[Any, float]:
        t = time.time()
        out = train(
            items,
            card,
            settings=settings,
            embedder=embedder,
            version=version,
            base_rows=base,
            progress=_log,
        )
        return out, time.time() - t

    before, seconds_before = timed(dataset.load(empty)[0], None, "before")
    confirm_batch(store, batch)
    ds = work / name / "dataset"
    card = dataset.export(store, ds).card
    items, _ = dataset.load(ds)
    after, seconds_after = timed(items, card, "after")
    store.close()
    fixed_rows = load_labelled(FIXED_SET)
    out: dict = {
        "base_rows": len(base_rows),
        "batch": len(batch),
        "disjoint_test": len(test),
        "train_seconds": {"before": round(seconds_before), "after": round(seconds_after)},
        "dataset_card": card["items"]["count"],
        "decision_split": {
            k: v
            for k, v in json.loads((after.folder / "manifest.json").read_text())["split"].items()
            if k.startswith("decision_") and k != "decision_ids"
        },
    }
    models = {"before": art.load(before.folder), "after": art.load(after.folder)}
    out["fixed_set_paired"] = paired(models["before"], models["after"], embedder, fixed_rows)
    out["catalogues"] = json.loads((after.folder / "manifest.json").read_text())["catalogues"]
    for label, version in (("before", before), ("after", after)):
        model = models[label]
        out[label] = {
            "fixed_set": version.metrics["fixed_set"],
            "fixed_set_gap_codes": evaluate_rows(model, embedder, _restrict(fixed_rows, gap_codes))
            if gap_codes
            else None,
            "disjoint_pool": evaluate_rows(model, embedder, test),
            "heldout_decisions": after.metrics["heldout_split"]
            if label == "after"
            else after.metrics["active_at_training"]["heldout_split"],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=360, help="confirmed items per setting")
    ap.add_argument("--out", type=Path, default=Path("var/bench-training"))
    ap.add_argument("--settings", nargs="+", default=["full", "gap"], choices=["full", "gap"])
    args = ap.parse_args(argv)
    from exportdesk.classify.embed import default_embedder

    embedder = CachedEmbedder(default_embedder())
    base_all = ctrain.load_training_rows()
    fixed = load_labelled(FIXED_SET)
    batch, test = pool_split(base_all, fixed, args.batch)
    concepts = sorted({r["concept"] for r in batch + test})
    dropped = set(concepts[::GAP_EVERY])

    def codes(rows: list[dict]) -> set[str]:
        return {
            entry_code(r[j]) for r in rows for j in JURISDICTIONS if r.get(j) and r[j] != NOT_LISTED
        }

    # Codes that only the dropped concepts teach: the base of the gap setting lacks them.
    gap_codes = codes([r for r in batch + test if r["concept"] in dropped]) - codes(
        [r for r in base_all if r.get("concept") not in dropped]
    )
    results = {
        "pool_seed": POOL_SEED,
        "dropped_concepts": sorted(dropped),
        "gap_codes": sorted(gap_codes),
    }
    for name in args.settings:
        # The full setting trains from the bundled files themselves, so the manifest names them.
        base = None if name == "full" else [r for r in base_all if r.get("concept") not in dropped]
        results[name] = run_setting(
            name, base, batch, test, gap_codes if name == "gap" else set(), embedder, args.out
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    _log(f"wrote {args.out / 'results.json'}")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
