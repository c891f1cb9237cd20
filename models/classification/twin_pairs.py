"""Pair accuracy (both twins of a pair right at top-1) from a score.py summary of the dev twins.

Run ``python -m exportdesk.models.classification.twin_pairs SUMMARY.json`` where SUMMARY is
written by ``score.py --set items|real|all --out SUMMARY.json``; the twins files give the
pairs (``../shared/dev-external/items``). Prints top-1, top-3 and pair accuracy per set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

DEV_ITEMS = Path(__file__).resolve().parents[3] / "shared" / "dev-external" / "items"
SETS = {"items": "dev_twins_eu.jsonl", "real": "dev_twins_us.jsonl"}


def pair_accuracy(results: list[dict], twins: Path) -> tuple[float, int]:
    pair_of = {}
    for line in twins.open(encoding="utf-8"):
        r = json.loads(line)
        pair_of[r["id"]] = r["pair"]
    by_pair: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        by_pair[pair_of[r["id"]]].append(bool(r["top1"]))
    return sum(all(v) for v in by_pair.values()) / len(by_pair), len(by_pair)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("summary", type=Path)
    ap.add_argument("--items-dir", type=Path, default=DEV_ITEMS)
    args = ap.parse_args(argv)
    summary = json.loads(args.summary.read_text(encoding="utf-8"))
    for name, data in summary.get("sets", {}).items():
        if name not in SETS:
            continue
        acc, n = pair_accuracy(data["results"], args.items_dir / SETS[name])
        o = data["overall"]
        print(
            f"{name}: top-1 {o['top1']:.3f} top-3 {o['top3']:.3f} ECE {o['ece']:.3f} "
            f"pair accuracy {acc:.3f} ({n} pairs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
