"""Benchmark: held-out accuracy and calibration (EU and US separately), load time, ms/item.

Run ``HF_HUB_OFFLINE=1 python -m exportdesk.models.classification.bench [--eval FILE] [--json]``.
Each figure is measured in this process; nothing is read from training output.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from exportdesk.models.classification.data import FIXED_SET

EVAL_FILE = FIXED_SET


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=EVAL_FILE)
    ap.add_argument("--version", default=None, help="model version (default: the active one)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    t0 = time.perf_counter()
    from exportdesk.classify.api import load_classifier

    clf = load_classifier(args.version)
    load_s = time.perf_counter() - t0

    from exportdesk.classify.catalogue import JURISDICTIONS
    from exportdesk.models.classification.evaluate import compute, load_labelled

    rows = load_labelled(args.eval)
    metrics = {}
    for j, cats in JURISDICTIONS.items():
        items = [r for r in rows if r.get(j)]
        sugg = clf.suggest_many([r["description"] for r in items], list(cats), top_k=5)
        metrics[j] = compute(
            [r[j] for r in items], [[(s.code, s.confidence) for s in ss] for ss in sugg]
        )

    # Speed: batches of 100 over all four catalogues, after a warm-up batch.
    texts = [r["description"] for r in rows]
    batch = (texts * (1 + 300 // len(texts)))[:300]
    clf.suggest_many(batch[:100])
    t = time.perf_counter()
    for start in range(0, 300, 100):
        clf.suggest_many(batch[start : start + 100])
    ms_item = (time.perf_counter() - t) * 1000 / 300

    load_avg = os.getloadavg()[0]
    result = {
        "model_version": clf.version,
        "load_average_1min": round(load_avg, 2),
        "cpus": os.cpu_count(),
        "eval_file": str(args.eval),
        "items": len(rows),
        "load_seconds": round(load_s, 2),
        "ms_per_item_batch100": round(ms_item, 1),
        **{j: m.to_json() for j, m in metrics.items()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"model {clf.version}; eval {args.eval.name} ({len(rows)} items)")
    print(
        f"load {load_s:.2f} s; {ms_item:.1f} ms/item at batch 100 (all four catalogues); "
        f"machine load average {load_avg:.1f} on {os.cpu_count()} CPUs"
    )
    for j, m in metrics.items():
        print(f"{j.upper()}: n={m.n} top-1 {m.top1:.3f} top-3 {m.top3:.3f} ECE {m.ece:.3f}")
        for r in m.table:
            print(
                f"   ({r.lower:.1f}, {r.upper:.1f}]  n={r.count:4d}  "
                f"confidence {r.mean_confidence:.3f}  accuracy {r.accuracy:.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
