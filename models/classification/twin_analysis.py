"""Where the dev twins are lost: retrieval (gold entry not among the candidates) or decision.

Run ``HF_HUB_OFFLINE=1 python -m exportdesk.models.classification.twin_analysis [--jur eu|us]
[--items]``. Development analysis only, never on the run path. For each of the other
author's threshold twins (``../shared/dev-external/items``) it prints the gold entry, its
rank among the ranker's candidates before the walk, the top-1 before and after the walk,
and the walk's verdict on the gold and on the top-1 entry. The summary splits the errors
into (a) retrieval: a listed gold entry missing from the candidate set or ranked below the
walk's reach (top 8), and (b) decision: listed vs not, wrong entry among those tested.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter

import numpy as np

from exportdesk.models.classification.walk_calibration import CATALOGUES, DEV, FILES
from exportdesk.models.extraction.errors_report import load_scorer


def _verdict(c) -> str:
    return "-" if c is None else {True: "met", False: "FAIL", None: "open"}[c.status]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jur", choices=["eu", "us"], action="append")
    ap.add_argument("--items", action="store_true", help="print one line per item")
    args = ap.parse_args(argv)
    from exportdesk.classify.api import load_classifier
    from exportdesk.classify.catalogue import NOT_LISTED

    scorer = load_scorer(DEV / "score.py")
    clf = load_classifier()
    for jur in args.jur or ["eu", "us"]:
        rows = [json.loads(x) for x in (DEV / "items" / FILES[jur]).open(encoding="utf-8")]
        texts = [" ".join(r["description"].split()) for r in rows]
        walked = clf.walk_many(texts, CATALOGUES[jur])
        kinds: Counter = Counter()
        for r, per_j in zip(rows, walked, strict=True):
            gold = r.get("code") or r["gold_eccn"]
            accept = {scorer.entry(a) for a in r.get("accept", [])} | {scorer.entry(gold)}
            ranked = []
            for sc, w in per_j:
                for e, p in zip(w.entries, w.probs, strict=True):
                    ranked.append((float(p), e, sc, w))
            ranked.sort(key=lambda t: -t[0])

            def code(e: int) -> str:
                return NOT_LISTED if e < 0 else clf.entries[e].code

            sc, w = per_j[0][0], per_j[0][1]
            pre = np.argsort(-sc.logits)
            pre_codes = [code(int(sc.candidates.entries[k])) for k in pre]
            gold_pre = next((i for i, c in enumerate(pre_codes) if c in accept), None)
            top = ranked[0]
            post = code(top[1])
            ok_post = post in accept
            listed = not (accept & {NOT_LISTED})
            chk_top = top[3].checks.get(top[1])
            gold_e = next((e for e in w.entries if code(e) in accept), None)
            chk_gold = w.checks.get(gold_e) if gold_e is not None else None
            if ok_post:
                kind = "right"
            elif listed and gold_pre is None:
                kind = "a:not-retrieved"
            elif listed and gold_pre is not None and gold_pre >= 8:
                kind = "a:beyond-walk"
            elif listed and post == NOT_LISTED:
                kind = "b:listed-called-not"
            elif not listed:
                kind = "b:not-listed-called-listed"
            else:
                kind = "b:wrong-entry"
            kinds[kind] += 1
            if args.items:
                print(
                    f"{r['id']:12s} {kind:27s} gold={gold:10s} pre={pre_codes[0]:8s} "
                    f"post={post:8s} p={top[0]:.2f} goldrank={gold_pre} "
                    f"chk_top={_verdict(chk_top)} chk_gold={_verdict(chk_gold)} "
                    f"{(chk_top.failed or chk_top.needs or chk_top.met)[:1] if chk_top else ''}"
                )
        n = len(rows)
        print(f"{jur}: n={n} " + " ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
