"""Which Tesseract languages to read scans with: word recall, diacritic recall and time per page.

Each scanned PDF is read by the product's own reader (levelling, ruling removal, psm) once per
language setting; its digital twin's text layer is the gold. Two figures per setting:

- word recall: share of the gold words read exactly (any order);
- diacritic recall: the same, only over gold words with a letter outside ASCII (ø, ł, ş, ő, é ...),
  the words a missing language model turns into look-alikes.

    python -m exportdesk.models.extraction.ocr_languages --dir DIR --glob '*_scanned.pdf' \
        --gold-replace _scanned=_digital --langs eng+fra Latin eng+fra+deu+spa+ita+nld+swe+pol+por

Run it niced on a quiet machine: every setting re-reads every page.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

from exportdesk.extract.read import read_bytes
from exportdesk.extract.settings import Settings
from exportdesk.models.extraction.errors_report import cache_key


def _has_diacritic(word: str) -> bool:
    return any(ord(c) > 127 and c.isalpha() for c in word)


def recall(expected: list[str], got: list[str]) -> tuple[int, int]:
    """(hits, total): gold words read exactly, each counted as often as it occurs."""
    found = Counter(got)
    hits = sum(min(n, found[w]) for w, n in Counter(expected).items())
    return hits, len(expected)


def gold_words(path: Path) -> list[list[str]]:
    result = read_bytes(path.read_bytes(), path.name)
    return [[w.text for w in p.words] for p in result.document.pages]


def measure(
    paths: list[Path], gold_replace: str, langs: list[str], cache: Path | None = None
) -> dict[str, dict]:
    old, new = gold_replace.split("=", 1)
    golds = {p: gold_words(p.with_name(p.name.replace(old, new))) for p in paths}
    table: dict[str, dict] = {}
    for lang in langs:
        settings = Settings(ocr_workers=1, ocr_lang=lang)
        words = [0, 0]
        marked = [0, 0]
        pages = 0
        start = time.perf_counter()
        for path in paths:
            print(f"[{lang}] {path.name}", file=sys.stderr)
            result = read_bytes(path.read_bytes(), path.name, settings)
            if cache is not None:  # errors_report then re-runs extraction without reading again
                key = cache_key(path, cache, lang)
                key.parent.mkdir(parents=True, exist_ok=True)
                key.write_bytes(pickle.dumps(result))
            gold = golds[path]
            if len(gold) != len(result.document.pages):
                print(f"  page counts differ, {path.name} skipped", file=sys.stderr)
                continue
            for expected, page in zip(gold, result.document.pages, strict=True):
                got = [w.text for w in page.words]
                h, t = recall(expected, got)
                words[0] += h
                words[1] += t
                h, t = recall([w for w in expected if _has_diacritic(w)], got)
                marked[0] += h
                marked[1] += t
                pages += 1
        seconds = time.perf_counter() - start
        table[lang] = dict(
            pages=pages,
            word_recall=words[0] / max(1, words[1]),
            diacritic_recall=marked[0] / max(1, marked[1]),
            diacritic_words=marked[1],
            seconds_per_page=seconds / max(1, pages),
        )
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, required=True)
    ap.add_argument("--glob", default="*_scanned.pdf")
    ap.add_argument("--gold-replace", default="_scanned=_digital")
    ap.add_argument("--langs", nargs="+", default=["eng+fra"])
    ap.add_argument("--cache", type=Path, help="also keep each read for errors_report (--cache)")
    args = ap.parse_args(argv)
    paths = sorted(args.dir.glob(args.glob))
    if not paths:
        raise SystemExit(f"No PDFs match {args.glob!r} in {args.dir}; check --dir and --glob.")
    table = measure(paths, args.gold_replace, args.langs, args.cache)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("| languages | pages | word recall | diacritic recall (words) | s/page |")
    print("|---|---|---|---|---|")
    for lang, row in table.items():
        print(
            f"| {lang} | {row['pages']} | {row['word_recall']:.3f} | "
            f"{row['diacritic_recall']:.3f} ({row['diacritic_words']}) | "
            f"{row['seconds_per_page']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
