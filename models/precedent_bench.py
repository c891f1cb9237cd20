"""Benchmark: precedents on a simulated stream of applications with repeats (samples/stream.py).

Run ``python -m exportdesk.models.precedent_bench --count 300 --seed 2``. A simulated office
reviews the stream in order in a fresh case store: the first time a product comes it takes
the top suggestion when its entry is the product's true entry (one click) and otherwise
records the true code by hand (four clicks: open the picker, search, pick, give a reason and
record counted as one). Each later item is shown the precedents found in the store, and the
figures say how often the right one was there and what it saved.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from exportdesk.classify.catalogue import entry_code
from exportdesk.extract.model import ApplicationResult, DocumentInfo, Item, Party
from exportdesk.extract.settings import Settings
from exportdesk.review.precedents import decided_items, find_precedents
from exportdesk.review.store import CaseStore
from exportdesk.samples.stream import StreamApplication, repeat_stream

CLICKS_CONFIRM, CLICKS_PICK_SHOWN, CLICKS_BY_HAND = 1, 3, 4


def truth_of(good_classes: list[str | None]) -> tuple[str, str]:
    """The simulated office's answer for a kind of goods: its first listed code, EU side."""
    code = next((c for c in good_classes if c), None)
    if code is None or code in ("EAR99", "NLR") or (code[1:2] == "A" and code[2] == "9"):
        return "eu-dual-use", "NOT_LISTED"
    return ("eu-military" if code.startswith("ML") else "eu-dual-use"), code


def _result(entry: StreamApplication, suggestions: dict[str, list]) -> ApplicationResult:
    app = entry.app
    return ApplicationResult(
        document=DocumentInfo(filename=f"stream-{entry.seed}.pdf", sha256="0" * 64, page_count=1),
        parties=[
            Party(role=p.role, name=p.name, country=p.country, confidence=1.0) for p in app.parties
        ],
        items=[
            Item(
                index=i,
                description=s.item.description,
                model=s.item.model,
                manufacturer=s.item.manufacturer,
                confidence=1.0,
                suggestions=suggestions[s.item.description],
            )
            for i, s in enumerate(entry.items, start=1)
        ],
    )


def run(count: int, seed: int, min_similarity: float, check_parameters: bool = True) -> dict:
    from exportdesk.classify.api import load_classifier
    from exportdesk.classify.embed import default_embedder
    from exportdesk.samples import vocab

    classes = {g[0]: g[3] for g in vocab.GOODS}
    stream = repeat_stream(count, seed)
    texts = sorted({s.item.description for a in stream for s in a.items})
    started = time.perf_counter()
    clf = load_classifier()
    suggestions = dict(
        zip(texts, clf.suggest_many(texts, ["eu-dual-use", "eu-military"], 3), strict=True)
    )
    embedder = default_embedder()
    decided_code: dict[int, tuple[str, str]] = {}  # product -> what the office recorded
    tally: Counter[str] = Counter()
    clicks = Counter[str]()
    with tempfile.TemporaryDirectory() as tmp:
        store = CaseStore(Settings(data_dir=Path(tmp)))
        for entry in stream:
            result = _result(entry, suggestions)
            data = f"stream application {entry.seed}".encode()
            receipt = store.receive(data, f"stream-{entry.seed}.pdf", "clerk")
            store.record_extraction(
                receipt.sha256,
                result.model_copy(
                    update={
                        "document": result.document.model_copy(update={"sha256": receipt.sha256})
                    }
                ),
            )
            pool = decided_items(store)
            version = store.case(receipt.application_id).version
            for item, s in zip(result.items, entry.items, strict=True):
                truth = truth_of(classes[s.good])
                top = item.suggestions[0] if item.suggestions else None
                suggested_right = top is not None and (
                    top.catalogue,
                    entry_code(top.code),
                ) == (truth[0], entry_code(truth[1]))
                # The office's record for a product is fixed the first time it is decided.
                right = decided_code.get(s.product) or (
                    (top.catalogue, top.code) if suggested_right and top else truth
                )
                found = find_precedents(
                    item,
                    pool,
                    embedder,
                    min_similarity,
                    limit=3,
                    check_parameters=check_parameters,
                )
                codes = [(p.decided.catalogue, p.decided.code) for p in found]
                takeable = [p for p in found if p.takeable]
                kind = s.kind
                tally[f"{kind}:items"] += 1
                tally[f"{kind}:offered"] += bool(found)
                tally[f"{kind}:top_right"] += bool(found) and codes[0] == right
                tally[f"{kind}:any_right"] += right in codes
                tally[f"{kind}:takeable_right"] += (
                    bool(takeable)
                    and (
                        takeable[0].decided.catalogue,
                        takeable[0].decided.code,
                    )
                    == right
                )
                tally[f"{kind}:takeable_wrong"] += (
                    bool(takeable)
                    and (
                        takeable[0].decided.catalogue,
                        takeable[0].decided.code,
                    )
                    != right
                )
                tally[f"{kind}:flag_disagrees"] += any(p.disagrees_with for p in found)
                base = (
                    CLICKS_CONFIRM
                    if (top and (top.catalogue, top.code) == right)
                    else CLICKS_BY_HAND
                )
                take_right = (
                    bool(takeable)
                    and (
                        takeable[0].decided.catalogue,
                        takeable[0].decided.code,
                    )
                    == right
                )
                if take_right or base == CLICKS_CONFIRM:
                    with_prec = CLICKS_CONFIRM
                elif right in codes:
                    with_prec = CLICKS_PICK_SHOWN
                else:
                    with_prec = CLICKS_BY_HAND
                clicks["without"] += base
                clicks["with"] += with_prec
                clicks[f"{kind}:without"] += base
                clicks[f"{kind}:with"] += with_prec
                reason = None if top and (top.catalogue, top.code) == right else "simulated"
                version = store.decide(
                    receipt.application_id, version, item.index, *right, "office", reason
                )
                decided_code.setdefault(s.product, right)
            if result.items:
                store.finish(receipt.application_id, version, "confirmed", "office")
        store.close()
    elapsed = time.perf_counter() - started
    figures: dict = {
        "count": count,
        "seed": seed,
        "min_similarity": min_similarity,
        "check_parameters": check_parameters,
        "seconds": round(elapsed, 1),
    }
    for kind in ("repeat", "repeat_no_model", "near_miss", "new"):
        n = tally[f"{kind}:items"]
        figures[kind] = {
            "items": n,
            **{
                key: round(tally[f"{kind}:{key}"] / n, 3) if n else None
                for key in (
                    "offered",
                    "top_right",
                    "any_right",
                    "takeable_right",
                    "takeable_wrong",
                    "flag_disagrees",
                )
            },
            "clicks_without": clicks[f"{kind}:without"],
            "clicks_with": clicks[f"{kind}:with"],
        }
    repeats = tally["repeat:items"] + tally["repeat_no_model:items"]
    figures["repeated_items"] = repeats
    figures["repeated_top_right"] = round(
        (tally["repeat:top_right"] + tally["repeat_no_model:top_right"]) / repeats, 3
    )
    figures["clicks_without"], figures["clicks_with"] = clicks["without"], clicks["with"]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--min-similarity", type=float, default=Settings().precedent_min_similarity)
    parser.add_argument(
        "--no-parameter-check",
        action="store_true",
        help="ablation: let descriptions match whatever their numbers say",
    )
    args = parser.parse_args(argv)
    figures = run(args.count, args.seed, args.min_similarity, not args.no_parameter_check)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
