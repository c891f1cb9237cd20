"""Command-line sample generator: synthetic applications, their scanned twins and gold JSON.

    python -m exportdesk.samples.generate --out DIR --count N --seed S

Document ``i`` of a run gets its own seed ``S * 100000 + i``; `generate_one(seed)` rebuilds
any document (PDF bytes and gold) from that seed alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from exportdesk.samples.application import make_application
from exportdesk.samples.layouts import FAMILIES
from exportdesk.samples.scan import scanned_twin

FAMILY_ORDER = ("numbered_form", "eu_individual", "cover_letter", "invoice")


@dataclass
class Generated:
    stem: str
    pdf: bytes
    gold: dict
    scan_pdf: bytes | None
    scan_gold: dict | None


def document_seed(run_seed: int, index: int) -> int:
    return run_seed * 100000 + index


SCAN_FULL = {"dpi": 300, "jpeg_quality": 70}
SCAN_COMPACT = {"dpi": 200, "jpeg_quality": 35}  # for the committed samples: a few MB in all


def generate_one(
    seed: int, family: str | None = None, scanned: bool = True, scan: dict[str, int] | None = None
) -> Generated:
    """One application from its seed: the digital PDF, its gold, and optionally its scanned twin."""
    scan = scan or SCAN_FULL
    rng = random.Random(seed)
    family = family or FAMILY_ORDER[seed % len(FAMILY_ORDER)]
    if family not in FAMILIES:
        raise ValueError(f"unknown layout family {family!r}; choose one of {sorted(FAMILIES)}")
    app = make_application(family, seed, rng)
    pdf = FAMILIES[family](app, rng)
    stem = f"{family}-{seed}"
    gold = app.gold(f"{stem}.pdf", "digital")
    if not scanned:
        return Generated(stem, pdf, gold, None, None)
    scan_pdf = _fixed_date(
        scanned_twin(pdf, seed, dpi=scan["dpi"], jpeg_quality=scan["jpeg_quality"])
    )
    scan_gold = app.gold(f"{stem}-scan.pdf", "scanned")
    scan_gold["twin_of"] = f"{stem}.pdf"
    scan_gold["scan"] = dict(scan)
    return Generated(stem, pdf, gold, scan_pdf, scan_gold)


_PDFIUM_ID = re.compile(rb"/ID\[<[0-9A-Fa-f]{32}><[0-9A-Fa-f]{32}>\]")
_PDFIUM_DATE = re.compile(rb"/CreationDate\(D:\d{14}([+-Z][^)]{0,8})?\)")


def _fixed_date(pdf: bytes) -> bytes:
    """pdfium stamps the wall clock and a random file ID into the file; fixed values of the
    same length (so the xref offsets stay right) make the twin reproducible byte for byte."""
    pdf = _PDFIUM_DATE.sub(
        lambda m: b"/CreationDate(D:20000101000000" + (m.group(1) or b"") + b")", pdf, count=1
    )
    # the file identifier is random too: derive it from the content instead
    digest = hashlib.md5(_PDFIUM_ID.sub(b"", pdf), usedforsecurity=False).hexdigest().upper()
    return _PDFIUM_ID.sub(f"/ID[<{digest}><{digest}>]".encode(), pdf, count=1)


def write(generated: Generated, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    pairs = [(f"{generated.stem}.pdf", generated.pdf, generated.gold)]
    if generated.scan_pdf is not None and generated.scan_gold is not None:
        pairs.append((f"{generated.stem}-scan.pdf", generated.scan_pdf, generated.scan_gold))
    for name, pdf, gold in pairs:
        (out / name).write_bytes(pdf)
        (out / name).with_suffix(".json").write_text(
            json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--count", type=int, default=8, help="applications to make")
    parser.add_argument("--seed", type=int, default=1, help="run seed")
    parser.add_argument("--no-scans", action="store_true", help="skip the scanned twins")
    parser.add_argument("--family", choices=sorted(FAMILIES), help="only this layout family")
    parser.add_argument(
        "--doc-seeds",
        type=int,
        nargs="+",
        help="make exactly these documents (their own seeds) instead of a run",
    )
    parser.add_argument(
        "--compact-scans",
        action="store_true",
        help="scanned twins at 200 dpi, JPEG quality 35 (small files)",
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    seeds = args.doc_seeds or [document_seed(args.seed, i) for i in range(args.count)]
    scan = SCAN_COMPACT if args.compact_scans else SCAN_FULL
    for i, seed in enumerate(seeds):
        generated = generate_one(seed, args.family, scanned=not args.no_scans, scan=scan)
        paths = write(generated, args.out)
        print(f"[{i + 1}/{len(seeds)}] {', '.join(p.name for p in paths)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
