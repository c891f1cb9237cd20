"""Screening benchmark: precision and recall on the labelled near-match set, and timing.

Run ``python -m exportdesk.models.screening.bench [--write-threshold]``. The threshold is
chosen on the development split (the lowest score that keeps precision at or above the
target, so recall is as high as it can be) and the figures are reported on the test
split, whose listed parties the choice never saw. ``--write-threshold`` stores the
choice in ``risk/lists/screening_threshold.json``, which the product reads.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass

from exportdesk.risk.lists import active_list
from exportdesk.risk.screening import THRESHOLD_FILE, Hit, screening_index
from exportdesk.samples.screening_names import Case, build_cases

TARGET_PRECISION = 0.92  # a margin above the 0.90 the issue asks for on unseen data


@dataclass
class Scored:
    case: Case
    hits: list[Hit]

    def outcome(self, cut: float) -> tuple[bool, bool]:
        """(flagged, flagged the right entry) at this threshold."""
        above = [h for h in self.hits if h.score >= cut]
        return bool(above), any(h.entry.uid == self.case.entry_uid for h in above)


def metrics(scored: list[Scored], cut: float) -> dict[str, float]:
    tp = fp = fn = 0
    for s in scored:
        flagged, right = s.outcome(cut)
        if s.case.entry_uid is None:
            fp += flagged
        else:
            tp += right
            fn += not right
            fp += flagged and not right
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def choose_threshold(scored: list[Scored], target: float = TARGET_PRECISION) -> float:
    cuts = sorted({round(h.score, 4) for s in scored for h in s.hits if h.score >= 0.6})
    for cut in cuts:  # lowest first: the first cut that meets the target has the best recall
        if metrics(scored, cut)["precision"] >= target:
            return cut
    return 1.0


def run(per_split: int = 600, seed: int = 7) -> dict:
    edition, entries = active_list()
    cases = build_cases(list(entries), per_split=per_split, seed=seed)
    index = screening_index()
    scored = [Scored(c, index.score_name(c.name, c.country)) for c in cases]
    dev = [s for s in scored if s.case.split == "dev"]
    test = [s for s in scored if s.case.split == "test"]
    cut = choose_threshold(dev)
    by_kind: dict[str, list[Scored]] = defaultdict(list)
    for s in test:
        by_kind[s.case.kind].append(s)
    kinds = {}
    for kind, group in sorted(by_kind.items()):
        flagged = [s.outcome(cut) for s in group]
        positive = group[0].case.entry_uid is not None
        rate = sum(r if positive else f for f, r in flagged) / len(group)
        kinds[kind] = {
            "n": len(group),
            ("recall" if positive else "false_flag_rate"): round(rate, 3),
        }
    names = [c.name for c in cases][:1000]
    start = time.perf_counter()
    for name in names:
        index.score_name(name)
    seconds = time.perf_counter() - start
    return {
        "list_edition": edition.label,
        "cases": {"dev": len(dev), "test": len(test)},
        "threshold": cut,
        "dev": metrics(dev, cut),
        "test": metrics(test, cut),
        "test_by_kind": kinds,
        "timing": {
            "names": len(names),
            "seconds": round(seconds, 2),
            "per_name_ms": round(1000 * seconds / len(names), 2),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-split", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write-threshold", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.per_split, args.seed)
    print(json.dumps(report, indent=2))
    if args.write_threshold:
        THRESHOLD_FILE.write_text(
            json.dumps(
                {
                    "threshold": report["threshold"],
                    "chosen_on": f"dev split of samples/screening_names.py (seed {args.seed}, "
                    f"{report['cases']['dev']} cases), lowest score with precision >= "
                    f"{TARGET_PRECISION}",
                    "dev": report["dev"],
                    "list_edition": report["list_edition"],
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
