"""Error analysis for extraction on an outside gold set: per-family, per-field failures.

Reads each PDF once and caches the read pages (OCR is slow), then re-runs only field
extraction on every call, so a change to extract/ can be checked in seconds. Scoring uses
the outside author's own scorer (its path is an argument, never read by the product):

    python -m exportdesk.models.extraction.errors_report \
        --dir ../shared/dev-external/applications --scorer ../shared/dev-external/score.py \
        --variant digital [--family A] [--show parties,items,end_use]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import sys
import time
from collections import defaultdict
from functools import partial
from pathlib import Path
from types import ModuleType

from exportdesk.extract.fields import extract_fields
from exportdesk.extract.model import ApplicationResult

DEFAULT_CACHE = Path("/tmp/exportdesk-read-cache")


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("outside_scorer", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"Cannot load the scorer at {path}: give the path to score.py.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cache_key(pdf: Path, cache: Path, lang: str) -> Path:
    """Where the read of `pdf` is kept: by size, time and the OCR languages it was read with."""
    stat = pdf.stat()
    return cache / f"{pdf.stem}-{stat.st_size}-{int(stat.st_mtime)}-{lang}.pickle"


def read_cached(pdf: Path, cache: Path) -> ApplicationResult:
    """The read (not yet extracted) result for `pdf`, from the cache when the file is unchanged."""
    from exportdesk.extract.read import read_pdf
    from exportdesk.extract.settings import Settings

    key = cache_key(pdf, cache, Settings().ocr_lang)
    if key.exists():
        return pickle.loads(key.read_bytes())
    result = read_pdf(pdf)
    cache.mkdir(parents=True, exist_ok=True)
    key.write_bytes(pickle.dumps(result))
    return result


def extracted(read: ApplicationResult) -> tuple[dict, float]:
    result = read.model_copy(deep=True)
    started = time.perf_counter()
    extract_fields(result)
    return result.to_contract(), time.perf_counter() - started


def _fmt_item(item: dict) -> str:
    keys = ("quantity", "unit", "unit_price", "total_value", "currency")
    return f"{item.get('description', '')[:60]!r} " + " ".join(f"{k}={item.get(k)}" for k in keys)


def _closeness(scorer: ModuleType, gold_description: str, item: dict) -> float:
    return float(scorer.desc_score(item["description"], gold_description))


def report(args: argparse.Namespace) -> dict:
    scorer = load_scorer(args.scorer)
    index = json.loads((args.dir / "index.json").read_text(encoding="utf-8"))
    show = set(args.show.split(",")) if args.show else set()
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seconds: list[float] = []
    for doc in index["documents"]:
        if args.family and doc["layout"] not in args.family:
            continue
        if args.only and doc["id"] not in args.only.split(","):
            continue
        pdf = args.dir / doc[args.variant]
        gold = json.loads((args.dir / doc["gold"][args.variant]).read_text(encoding="utf-8"))
        out, spent = extracted(read_cached(pdf, args.cache))
        seconds.append(spent / max(1, len(out["document"]["pages"])))
        sc = scorer.score_document(gold, out)
        for key in (doc["layout"], "all"):
            for k, v in sc.items():
                if isinstance(v, int | float):
                    totals[key][k] += v
        problems = []
        if "parties" in show:
            problems += [f"  MISSED party {m}" for m in sc["missed_parties"]]
            problems += [f"  EXTRA  party {m}" for m in sc["extra_parties"]]
            gold_by_name = {scorer.norm_name(g["name"]): g for g in gold["parties"]}
            for p in out["parties"]:
                g = gold_by_name.get(scorer.norm_name(p["name"]))
                if g and g["role"] == p["role"] and g["country"] != p.get("country"):
                    problems.append(
                        f"  COUNTRY {p['role']}: {p['name']} got {p.get('country')} "
                        f"want {g['country']} (address {p.get('address')!r})"
                    )
        if "items" in show:
            golds = {g["id"]: g for g in gold["items"]}
            problems += [f"  MISSED item {_fmt_item(golds[i])}" for i in sc["missed_items"]]
            for g in gold["items"]:
                best = max(
                    out["items"],
                    key=partial(_closeness, scorer, g["description"]),
                    default=None,
                )
                if best is None or scorer.desc_score(best["description"], g["description"]) < 80:
                    continue
                q, tv = best.get("quantity"), best.get("total_value")
                if (
                    q != g["quantity"]
                    or tv is None
                    or abs(tv - g["total_value"]) > 0.01 * abs(g["total_value"])
                ):
                    problems.append(
                        f"  VALUES got  {_fmt_item(best)}\n         want {_fmt_item(g)}"
                    )
            n_extra = sc["item_fp"]
            if n_extra:
                problems.append(f"  EXTRA items: {n_extra}")
        if "end_use" in show and sc["eu_found"] < sc["eu_total"]:
            problems += [f"  MISSED end use: {g['statement'][:120]!r}" for g in gold["end_use"]]
            problems += [f"  got end use: {e['statement'][:120]!r}" for e in out["end_use"]]
        if problems:
            print(f"{doc['id']} ({doc['layout']}):")
            print("\n".join(problems))
    print(
        f"\n{'family':6} {'partyF1':>7} {'P':>5} {'R':>5} {'country':>7} "
        f"{'itemF1':>6} {'qty':>5} {'total':>5} {'eu_rec':>6}"
    )
    summary = {}
    for key in sorted(totals):
        t = totals[key]
        _, _, pf1 = scorer.prf(t["party_tp"], t["party_fp"], t["party_fn"])
        pp, pr, _ = scorer.prf(t["party_tp"], t["party_fp"], t["party_fn"])
        _, _, if1 = scorer.prf(t["item_tp"], t["item_fp"], t["item_fn"])
        row = dict(
            parties_f1=pf1,
            parties_p=pp,
            parties_r=pr,
            country=scorer.rate(t["party_country_ok"], t["party_tp"]),
            items_f1=if1,
            qty=scorer.rate(t["qty_ok"], t["item_tp"]),
            total=scorer.rate(t["total_ok"], t["item_tp"]),
            end_use_recall=scorer.rate(t["eu_found"], t["eu_total"]),
        )
        summary[key] = row
        print(f"{key:6} " + " ".join(f"{v:7.3f}" for v in row.values()))
    if seconds:
        print(
            f"extraction seconds/page: mean {sum(seconds) / len(seconds):.3f} "
            f"max {max(seconds):.3f}"
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, required=True, help="folder with index.json and PDFs")
    ap.add_argument("--scorer", type=Path, required=True, help="the outside score.py")
    ap.add_argument("--variant", choices=("digital", "scanned"), default="digital")
    ap.add_argument("--family", default="", help="layout families to include, e.g. AB")
    ap.add_argument("--only", default="", help="document ids, comma-separated")
    ap.add_argument("--show", default="parties,items,end_use", help="failure lists to print")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="read-result cache")
    report(ap.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
