"""Reading benchmark: our seconds per page and word error rate beside raw Tesseract and OCRmyPDF.

Run with `make bench` or `python -m exportdesk.models.extraction.bench [PDF...]`. Every figure is
measured in this run on the same page images; nothing is copied from earlier runs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image
from rapidfuzz.distance import Levenshtein

from exportdesk.extract.model import ApplicationResult
from exportdesk.extract.read import StageProfile, read_bytes
from exportdesk.extract.settings import Settings
from exportdesk.samples.scan import degrade, images_to_pdf


@dataclass
class Row:
    name: str
    seconds: list[float] = field(default_factory=list)
    wer: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)

    def score(self, expected: list[str], got: list[str]) -> None:
        self.wer.append(wer(expected, got))
        self.recall.append(token_recall(expected, got))

    def cells(self) -> list[str]:
        def mean(values: list[float]) -> str:
            return f"{statistics.mean(values):.3f}" if values else "-"

        med = f"{statistics.median(self.seconds):.3f}" if self.seconds else "-"
        p90 = (
            f"{sorted(self.seconds)[int(0.9 * (len(self.seconds) - 1))]:.3f}"
            if self.seconds
            else "-"
        )
        pages = len(self.seconds) or len(self.wer)
        return [self.name, str(pages), med, p90, mean(self.wer), mean(self.recall)]


STAGES = [
    "image",
    "orientation",
    "level",
    "rulings",
    "regions",
    "ocr",
    "fields",
    "classification",
]


@dataclass
class Profile:
    """Seconds per stage for every page read, from the reader's own timings."""

    pages: list[dict[str, float]] = field(default_factory=list)

    def add(self, profile: StageProfile, result: ApplicationResult, suggestions: bool) -> None:
        """Record one document's pages; field extraction and classification run here, timed
        per document and shared evenly between its pages."""
        fields, classification = _interpret_seconds(result, suggestions)
        count = max(1, len(profile))
        for number in sorted(profile):
            stages = dict(profile[number])
            stages["fields"] = fields / count
            stages["classification"] = classification / count
            self.pages.append(stages)

    def print(self, title: str) -> None:
        print(f"\n{title} ({len(self.pages)} pages)\n")
        print("| stage | mean s/page | median s/page | max s/page | share of total |")
        print("|---|---|---|---|---|")
        total = sum(sum(p.get(s, 0.0) for s in STAGES) for p in self.pages) or 1.0
        for stage in STAGES:
            values = [p.get(stage, 0.0) for p in self.pages]
            if not values:
                continue
            print(
                f"| {stage} | {statistics.mean(values):.3f} | {statistics.median(values):.3f} "
                f"| {max(values):.3f} | {sum(values) / total:.0%} |"
            )
        calls = sum(p.get("osd_calls", 0.0) for p in self.pages)
        print(f"\nOSD calls: {calls:.0f} on {len(self.pages)} pages")


def _interpret_seconds(result: ApplicationResult, suggestions: bool) -> tuple[float, float]:
    from exportdesk.extract.fields import extract_fields

    start = time.perf_counter()
    extract_fields(result)
    fields = time.perf_counter() - start
    if not suggestions or not result.items:
        return fields, 0.0
    from exportdesk.classify import suggest_many

    start = time.perf_counter()
    suggest_many([item.description for item in result.items])
    return fields, time.perf_counter() - start


def wer(expected: list[str], got: list[str]) -> float:
    return Levenshtein.distance(expected, got) / max(1, len(expected))


def token_recall(expected: list[str], got: list[str]) -> float:
    """Share of the gold words read exactly, in any order (reading order does not count)."""
    found = Counter(got)
    hits = 0
    for word, count in Counter(expected).items():
        hits += min(count, found[word])
    return hits / max(1, len(expected))


def page_words(pdf_bytes: bytes) -> list[list[str]]:
    """Gold words per page from a digital PDF, in the reader's line order."""
    result = read_bytes(pdf_bytes, "gold.pdf")
    return [[w.text for w in p.words] for p in result.document.pages]


def render(pdf_bytes: bytes, dpi: int) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()


def raw_tesseract(
    image_path: Path, psm: int | None, single_thread: bool, lang: str = "eng"
) -> tuple[float, list[str]]:
    env = dict(os.environ)
    if single_thread:
        env["OMP_THREAD_LIMIT"] = "1"
    else:
        env.pop("OMP_THREAD_LIMIT", None)
    cmd = ["tesseract", str(image_path), "stdout", "-l", lang]
    if psm is not None:
        cmd += ["--psm", str(psm)]
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    return time.perf_counter() - start, out.split()


def ocrmypdf_pages(
    scan_pdf: Path, workdir: Path, lang: str
) -> tuple[float, list[list[str]]] | None:
    if shutil.which("ocrmypdf") is None and not _has_module("ocrmypdf"):
        return None
    out = workdir / "ocrmypdf-out.pdf"
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocrmypdf",
            "--jobs",
            "1",
            "--output-type",
            "pdf",
            "--optimize",
            "0",
            "--deskew",
            "--quiet",
            str(scan_pdf),
            str(out),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(f"ocrmypdf failed: {proc.stderr.strip()[:200]}", file=sys.stderr)
        return None
    with pdfplumber.open(out) as pdf:
        words = [[w["text"] for w in p.extract_words()] for p in pdf.pages]
    return seconds, words


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def corpus(paths: list[Path]) -> list[tuple[str, bytes]]:
    docs = []
    for path in paths:
        data = path.read_bytes()
        result = read_bytes(data, path.name)
        if result.document.pages and all(p.source == "text_layer" for p in result.document.pages):
            docs.append((path.name, data))
    return docs


def generated_corpus(count: int, seed: int) -> list[tuple[str, bytes]]:
    """Digital applications from the sample generator, all four layout families in turn."""
    from exportdesk.samples.generate import document_seed, generate_one

    docs = []
    for index in range(count):
        made = generate_one(document_seed(seed, index), scanned=False)
        docs.append((f"{made.stem}.pdf", made.pdf))
    return docs


def external(paths: list[Path], gold_replace: str | None, lang: str) -> None:
    """Scanned PDFs from elsewhere: ours (1 worker) beside raw Tesseract on the same images.

    `gold_replace` "OLD=NEW" names each scan's digital twin (a01_scanned.pdf ->
    a01_digital.pdf); its text layer is the gold for word recall when page counts agree.
    """
    settings = Settings(ocr_workers=1, ocr_lang=lang)
    ours, raw = (
        Row("exportdesk scanned (render+OCR, 1 worker)"),
        Row("raw tesseract --psm 4, 1 thread, same languages"),
    )
    profile = Profile()
    totals = {"ours read": 0.0, "ours read+fields+classification": 0.0, "raw": 0.0}
    # Load the NER and the classifier once on a generated digital page: start-up is
    # not a page cost (the scale-out issue owns it).
    name, warm = generated_corpus(1, 1)[0]
    _interpret_seconds(read_bytes(warm, name), suggestions=True)
    with tempfile.TemporaryDirectory(prefix="exportdesk-bench-") as tmp:
        for number, path in enumerate(paths, start=1):
            print(f"[{number}/{len(paths)}] {path.name}", file=sys.stderr)
            data = path.read_bytes()
            gold: list[list[str]] | None = None
            if gold_replace:
                old, new = gold_replace.split("=", 1)
                twin = path.with_name(path.name.replace(old, new))
                if twin.exists():
                    gold = page_words(twin.read_bytes())
            stages: StageProfile = {}
            start = time.perf_counter()
            result = read_bytes(data, path.name, settings, profile=stages)
            read_seconds = time.perf_counter() - start
            pages = result.document.pages
            if gold is not None and len(gold) != len(pages):
                gold = None
            before = len(profile.pages)
            profile.add(stages, result, suggestions=True)
            interpret = sum(p["fields"] + p["classification"] for p in profile.pages[before:])
            totals["ours read"] += read_seconds
            totals["ours read+fields+classification"] += read_seconds + interpret
            for index, page in enumerate(pages):
                ours.seconds.append(read_seconds / max(1, len(pages)))
                if gold is not None:
                    ours.score(gold[index], [w.text for w in page.words])
            for index, image in enumerate(_images_as_read(data, settings)):
                image_path = Path(tmp) / f"{number}-{index}.pgm"
                image.save(image_path)
                seconds, words = raw_tesseract(image_path, settings.ocr_psm, True, lang)
                raw.seconds.append(seconds)
                totals["raw"] += seconds
                if gold is not None and index < len(gold):
                    raw.score(gold[index], words)
    _print_table("Scanned PDFs from a directory: ours beside raw Tesseract", [ours, raw])
    print(
        f"\nbatch seconds: ours read {totals['ours read']:.1f}, ours read+fields+"
        f"classification {totals['ours read+fields+classification']:.1f}, raw tesseract "
        f"{totals['raw']:.1f}; ratio {totals['ours read'] / max(1e-9, totals['raw']):.2f}x "
        f"(read) and {totals['ours read+fields+classification'] / max(1e-9, totals['raw']):.2f}x"
        " (with fields and classification), start-up excluded"
    )
    profile.print("Per-stage profile, exportdesk on these scans")


def batch(paths: list[Path], gold_replace: str | None, rounds: int) -> None:
    """One `exportdesk process` call over all the files (start-up included) beside raw
    Tesseract over the very images it reads, 2 at a time with 1 thread each, alternating
    which goes first in each round, on the same machine and minute."""
    from concurrent.futures import ThreadPoolExecutor

    settings = Settings()
    lang, psm = settings.ocr_lang, settings.ocr_psm
    with tempfile.TemporaryDirectory(prefix="exportdesk-batch-") as tmp:
        images: list[Path] = []
        for number, path in enumerate(paths):
            for index, image in enumerate(_images_as_read(path.read_bytes(), settings)):
                images.append(Path(tmp) / f"{number}-{index}.pgm")
                image.save(images[-1])

        def raw_all() -> tuple[float, dict[Path, list[str]]]:
            start = time.perf_counter()
            with ThreadPoolExecutor(2) as pool:
                words = list(pool.map(lambda p: raw_tesseract(p, psm, True, lang)[1], images))
            return time.perf_counter() - start, dict(zip(images, words, strict=True))

        def ours_all() -> float:
            env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_THREAD_LIMIT="1")
            cmd = [sys.executable, "-c", "from exportdesk.ui.cli import main; main()"]
            start = time.perf_counter()
            subprocess.run(
                [*cmd, "process", *map(str, paths), "--json"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            return time.perf_counter() - start

        print(f"{len(paths)} files, {len(images)} pages", file=sys.stderr)
        lines = []
        raw_words: dict[Path, list[str]] = {}

        def children_cpu() -> float:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime

        raw_s = ours_s = 0.0
        for number in range(rounds):
            load = os.getloadavg()[0]
            cpu: dict[str, float] = {}
            for which in ("raw", "ours") if number % 2 == 0 else ("ours", "raw"):
                before = children_cpu()
                if which == "raw":
                    raw_s, raw_words = raw_all()
                else:
                    ours_s = ours_all()
                cpu[which] = children_cpu() - before
            line = (
                f"| {number + 1} | {load:.1f} -> {os.getloadavg()[0]:.1f} | {ours_s:.1f} | "
                f"{raw_s:.1f} | {ours_s / raw_s:.2f}x | {cpu['ours']:.1f} | {cpu['raw']:.1f} | "
                f"{cpu['ours'] / cpu['raw']:.2f}x |"
            )
            print(line, file=sys.stderr)
            lines.append(line)
        print(
            "\n| round | 1-min load start -> end | exportdesk process (all files, start-up "
            "included), wall s | raw tesseract (2 parallel, 1 thread), wall s | wall ratio | "
            "exportdesk CPU s (user+sys, all processes) | raw CPU s | CPU ratio |"
        )
        print("|---|---|---|---|---|---|---|---|")
        print("\n".join(lines))
        if not gold_replace:
            return
        # Word recall against each scan's digital twin: ours as `process` reads (same
        # settings, read again here untimed, since the contract JSON carries no words).
        old, new = gold_replace.split("=", 1)
        ours_row, raw_row = Row("exportdesk (process defaults)"), Row("raw tesseract")
        at = 0
        for path in paths:
            result = read_bytes(path.read_bytes(), path.name, settings)
            pages = result.document.pages
            twin = path.with_name(path.name.replace(old, new))
            gold = page_words(twin.read_bytes()) if twin.exists() else None
            if gold is not None and len(gold) == len(pages):
                for index, page in enumerate(pages):
                    ours_row.score(gold[index], [w.text for w in page.words])
                    raw_row.score(gold[index], raw_words[images[at + index]])
            at += len(pages)
        _print_table("Word recall against the digital twins", [ours_row, raw_row])


def compare_regions(docs: list[tuple[str, bytes, list[list[str]] | None]]) -> None:
    """Each scan read whole-page and region-selective (EXPORTDESK_OCR_REGIONS=blocks), 1 OCR
    worker, in alternating order; CPU is this process plus its Tesseract children. Word recall
    against the gold (a digital twin's text layer) and of the blocks read against the
    whole-page read of the same page."""
    modes = ("page", "blocks")
    cpu = dict.fromkeys(modes, 0.0)
    wall = dict.fromkeys(modes, 0.0)
    rows = {m: Row(f"ocr_regions={m}") for m in modes}
    versus_page: list[float] = []
    load = os.getloadavg()[0]
    for number, (name, data, gold) in enumerate(docs):
        print(f"[{number + 1}/{len(docs)}] {name}", file=sys.stderr)
        words: dict[str, list[list[str]]] = {}
        for mode in modes if number % 2 == 0 else modes[::-1]:
            settings = Settings(ocr_workers=1, ocr_regions=mode)
            before = _cpu_seconds()
            start = time.perf_counter()
            result = read_bytes(data, name, settings)
            wall[mode] += time.perf_counter() - start
            cpu[mode] += _cpu_seconds() - before
            words[mode] = [[w.text for w in p.words] for p in result.document.pages]
            pages = len(words[mode])
            rows[mode].seconds.extend([(time.perf_counter() - start) / max(1, pages)] * pages)
            if gold is not None and len(gold) == pages:
                for expected, got in zip(gold, words[mode], strict=True):
                    rows[mode].score(expected, got)
        for whole, selected in zip(words["page"], words["blocks"], strict=False):
            versus_page.append(token_recall(whole, selected))
    _print_table("Region-selective OCR beside the whole page (same scans, same run)", rows.values())
    print(
        f"\nload {load:.1f} -> {os.getloadavg()[0]:.1f}; CPU s page {cpu['page']:.1f}, blocks "
        f"{cpu['blocks']:.1f} ({cpu['blocks'] / max(1e-9, cpu['page']):.3f}x); wall s page "
        f"{wall['page']:.1f}, blocks {wall['blocks']:.1f} "
        f"({wall['blocks'] / max(1e-9, wall['page']):.3f}x); recall of the whole-page words "
        f"by the blocks read {statistics.mean(versus_page or [0.0]):.3f}"
    )


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _twin_gold(path: Path, gold_replace: str | None) -> list[list[str]] | None:
    if not gold_replace:
        return None
    old, new = gold_replace.split("=", 1)
    twin = path.with_name(path.name.replace(old, new))
    return page_words(twin.read_bytes()) if twin.exists() else None


def generated_scans(count: int, seed: int, dpi: int) -> list[tuple[str, bytes, list[list[str]]]]:
    """Scanned twins of generated applications (degraded as in the main benchmark), each with
    its digital original's words as the gold."""
    rng = random.Random(seed)
    scans = []
    for name, data in generated_corpus(count, seed):
        images = [degrade(im, rng) for im in render(data, dpi)]
        scans.append((name, images_to_pdf(images, dpi), page_words(data)))
    return scans


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pdfs", nargs="*", type=Path, help="digital PDFs (default: generated)")
    parser.add_argument(
        "--generate", type=int, default=8, help="documents to generate when no PDFs are given"
    )
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skew-pages", type=int, default=4, help="pages in the skew sweep")
    parser.add_argument(
        "--dir", type=Path, help="read the scanned PDFs in this folder instead (no generation)"
    )
    parser.add_argument("--glob", default="*.pdf", help="which files of --dir to read")
    parser.add_argument(
        "--gold-replace",
        help="OLD=NEW: a scan's digital twin is its name with OLD replaced by NEW "
        "(e.g. _scanned=_digital); its text layer scores word recall",
    )
    parser.add_argument(
        "--batch",
        type=int,
        metavar="ROUNDS",
        help="with --dir: time one `exportdesk process` call over all files (start-up "
        "included) beside raw tesseract 2 at a time, ROUNDS times, alternating",
    )
    parser.add_argument(
        "--compare-regions",
        action="store_true",
        help="read each scan (--dir, or generated) whole-page and region-selective "
        "(ocr_regions=blocks) and compare CPU, wall time and word recall",
    )
    args = parser.parse_args(argv)
    if args.compare_regions and not args.dir:
        compare_regions(list(generated_scans(args.generate, args.seed, args.dpi)))
        return
    if args.dir:
        paths = sorted(args.dir.glob(args.glob))
        if not paths:
            sys.exit(f"No files match {args.glob!r} in {args.dir}; check --dir and --glob.")
        if args.compare_regions:
            compare_regions(
                [(p.name, p.read_bytes(), _twin_gold(p, args.gold_replace)) for p in paths]
            )
            return
        if args.batch:
            batch(paths, args.gold_replace, args.batch)
            return
        external(paths, args.gold_replace, Settings().ocr_lang)
        return
    docs = corpus(args.pdfs) if args.pdfs else generated_corpus(args.generate, args.seed)
    if not docs:
        sys.exit("No digital PDFs to benchmark: pass some PDF paths, or use --generate N.")
    print(f"corpus: {len(docs)} digital documents (seed {args.seed})", file=sys.stderr)
    rng = random.Random(args.seed)
    settings = Settings(ocr_workers=1)
    rows = {
        k: Row(k)
        for k in [
            "exportdesk digital (text layer)",
            "exportdesk scanned (render+OCR, 1 worker)",
            "raw tesseract --psm 4, 1 thread, same languages",
            "raw tesseract --psm 4, 1 thread, eng only",
            "raw tesseract default (eng, psm 3, all threads)",
            "OCRmyPDF --deskew, same languages, 1 job (doc time / pages)",
        ]
    }
    doc_seconds_parallel: list[float] = []
    no_level = Settings(ocr_workers=1, deskew_min_degrees=0)
    # One setting changed at a time, on the same scanned pages: the evidence for each default.
    variants = {
        "defaults (eng+fra, rules painted out, levelling on)": settings,
        "ocr_lang=eng": Settings(ocr_workers=1, ocr_lang="eng"),
        "ocr_remove_rulings=false": Settings(ocr_workers=1, ocr_remove_rulings=False),
    }
    ablation = {label: Row(label) for label in variants}
    skew_rows = {
        (a, on): Row(f"skew {a} deg, levelling {'on' if on else 'off'}")
        for a in (0, 1, 2, 3)
        for on in (False, True)
    }
    skew_budget = args.skew_pages
    profile = Profile()
    with tempfile.TemporaryDirectory(prefix="exportdesk-bench-") as tmp:
        work = Path(tmp)
        for number, (name, data) in enumerate(docs, start=1):
            print(f"[{number}/{len(docs)}] {name}", file=sys.stderr)
            gold = page_words(data)
            start = time.perf_counter()
            read_bytes(data, name)
            rows["exportdesk digital (text layer)"].seconds.extend(
                [(time.perf_counter() - start) / len(gold)] * len(gold)
            )
            images = [degrade(im, rng) for im in render(data, args.dpi)]
            scan = images_to_pdf(images, args.dpi)
            scan_path = work / f"{number}.pdf"
            scan_path.write_bytes(scan)
            # ours, serially, page by page (the like-for-like comparison with raw tesseract)
            doc_stages: StageProfile = {}
            for index, image in enumerate(images):
                one = images_to_pdf([image], args.dpi)
                start = time.perf_counter()
                page_stages: StageProfile = {}
                result = read_bytes(one, name, settings, profile=page_stages)
                doc_stages[index + 1] = page_stages.get(1, {})
                rows["exportdesk scanned (render+OCR, 1 worker)"].seconds.append(
                    time.perf_counter() - start
                )
                got = [w.text for w in result.document.pages[0].words]
                rows["exportdesk scanned (render+OCR, 1 worker)"].score(gold[index], got)
                for label, variant in variants.items():
                    start = time.perf_counter()
                    result = read_bytes(one, name, variant)
                    ablation[label].seconds.append(time.perf_counter() - start)
                    ablation[label].score(
                        gold[index], [w.text for w in result.document.pages[0].words]
                    )
            # ours, whole document with the default two OCR workers
            start = time.perf_counter()
            whole = read_bytes(scan, name)
            doc_seconds_parallel.append((time.perf_counter() - start) / len(images))
            profile.add(doc_stages, whole, suggestions=True)
            # raw tesseract on the very same page images that our reader OCRs
            for index, image in enumerate(_images_as_read(scan, settings)):
                path = work / f"{number}-{index}.png"
                image.save(path)
                for key, psm, single in (
                    ("raw tesseract --psm 4, 1 thread, same languages", 4, True),
                    ("raw tesseract --psm 4, 1 thread, eng only", 4, True),
                    ("raw tesseract default (eng, psm 3, all threads)", None, False),
                ):
                    lang = settings.ocr_lang if "same languages" in key else "eng"
                    seconds, words = raw_tesseract(path, psm, single, lang)
                    rows[key].seconds.append(seconds)
                    rows[key].score(gold[index], words)
            measured = ocrmypdf_pages(scan_path, work, settings.ocr_lang)
            if measured:
                seconds, pages = measured
                key = "OCRmyPDF --deskew, same languages, 1 job (doc time / pages)"
                rows[key].seconds.extend([seconds / len(pages)] * len(pages))
                for expected, got in zip(gold, pages, strict=False):
                    rows[key].score(expected, got)
            # skew sweep on the first pages only
            for index, clean in enumerate(render(data, args.dpi)):
                if skew_budget <= 0:
                    break
                skew_budget -= 1
                for angle in (0, 1, 2, 3):
                    sign = rng.choice((-1, 1))
                    bent = degrade(clean, rng, skew_degrees=sign * angle)
                    for on in (False, True):
                        got = _ocr_words(bent, args.dpi, settings if on else no_level)
                        skew_rows[(angle, on)].score(gold[index], got)
    _print_table("Seconds per page and word error rate (same page images, same run)", rows.values())
    print(
        f"\nexportdesk scanned, whole documents with 2 OCR workers: "
        f"median {statistics.median(doc_seconds_parallel):.3f} s/page"
    )
    ours = statistics.median(rows["exportdesk scanned (render+OCR, 1 worker)"].seconds)
    raw = statistics.median(rows["raw tesseract --psm 4, 1 thread, same languages"].seconds)
    print(f"ratio ours / raw tesseract (same settings, per page): {ours / raw:.2f}x")
    profile.print("Per-stage profile, exportdesk on the generated scans (1 worker)")
    _print_table("Settings ablation: one OCR setting changed at a time", ablation.values())
    _print_table(
        "Skew sweep: exportdesk OCR by skew angle, levelling off and on", skew_rows.values()
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak RSS: benchmark process {peak:.0f} MB, largest child {children:.0f} MB")


def _images_as_read(scan: bytes, settings: Settings) -> list[Image.Image]:
    from exportdesk.extract.read import render_page_image

    pdf = pdfium.PdfDocument(scan)
    try:
        return [render_page_image(pdf, i, settings)[0] for i in range(len(pdf))]
    finally:
        pdf.close()


def _ocr_words(image: Image.Image, dpi: int, settings: Settings) -> list[str]:
    result = read_bytes(images_to_pdf([image], dpi), "skew.pdf", settings)
    return [w.text for w in result.document.pages[0].words]


def _print_table(title: str, rows: object) -> None:
    print(f"\n{title}\n")
    print("| reader | pages | median s/page | p90 s/page | mean WER | word recall |")
    print("|---|---|---|---|---|---|")
    for row in rows:  # type: ignore[attr-defined]
        print("| " + " | ".join(row.cells()) + " |")


if __name__ == "__main__":
    main()
