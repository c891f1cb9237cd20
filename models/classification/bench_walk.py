"""Benchmark: time of the review walk beside the time of scoring, per item, in one process.

Run ``HF_HUB_OFFLINE=1 python -m exportdesk.models.classification.bench_walk [--n 100]``.
Both are measured on the same held-out descriptions, all four catalogues, after a warm-up,
so their ratio holds even when the machine is loaded; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from exportdesk.classify.api import load_classifier
    from exportdesk.classify.catalogue import CATALOGUES
    from exportdesk.classify.criteria import stated
    from exportdesk.classify.features import familiarity
    from exportdesk.classify.scoring import score
    from exportdesk.classify.walk import walk
    from exportdesk.models.classification.data import FIXED_SET

    clf = load_classifier()
    rows = [json.loads(x) for x in FIXED_SET.open(encoding="utf-8")]
    texts = [r["description"] for r in rows][: args.n]
    cats = list(CATALOGUES)
    clf.suggest_many(texts[:10], cats)  # warm-up: caches, pint registry, criteria file
    t = time.perf_counter()
    scored = score(clf.artefact, clf.embedder, texts, cats)
    t_score = time.perf_counter() - t
    t = time.perf_counter()
    for text, per_j in zip(texts, scored, strict=True):
        st = stated(text)
        for sc in per_j:
            p = clf.artefact.calibrator.probabilities(
                sc.logits, familiarity(sc.candidates), sc.jurisdiction
            )
            walk(
                clf.entries,
                [int(e) for e in sc.candidates.entries],
                p,
                lambda e, sc=sc: clf.row_cos(sc, e),
                st,
            )
    t_walk = time.perf_counter() - t
    n = len(texts)
    print(
        f"{n} items: scoring {1000 * t_score / n:.1f} ms/item, review walk "
        f"{1000 * t_walk / n:.1f} ms/item (both jurisdictions); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
