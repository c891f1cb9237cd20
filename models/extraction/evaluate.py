"""Scoring extraction against gold JSON: per-field P/R/F1, digital and scanned apart."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from exportdesk.extract.fields import extract_fields
from exportdesk.extract.model import ApplicationResult
from exportdesk.extract.normalise import fold

GOLD_SCHEMA = "exportdesk.sample-gold/v1"
ITEM_FIELDS = (
    "quantity",
    "unit",
    "unit_price",
    "total_value",
    "currency",
    "model",
    "manufacturer",
    "declared_classification",
)
HEADLINE = ("party", "item", "end_use")


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


Scores = dict[str, Counts]


@dataclass
class Report:
    by_variant: dict[str, Scores] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    read_seconds: dict[str, float] = field(default_factory=dict)
    extract_seconds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def add(
        self, variant: str, scores: Scores, pages: int, read_s: float, extract_s: float
    ) -> None:
        target = self.by_variant.setdefault(variant, {})
        for name, counts in scores.items():
            target.setdefault(name, Counts()).add(counts)
        self.documents[variant] = self.documents.get(variant, 0) + 1
        self.pages[variant] = self.pages.get(variant, 0) + pages
        self.read_seconds[variant] = self.read_seconds.get(variant, 0.0) + read_s
        self.extract_seconds[variant] = self.extract_seconds.get(variant, 0.0) + extract_s

    def to_dict(self) -> dict:
        return {
            variant: {
                "documents": self.documents[variant],
                "pages": self.pages[variant],
                "read_seconds_per_page": self.read_seconds[variant] / max(1, self.pages[variant]),
                "extract_seconds_per_page": self.extract_seconds[variant]
                / max(1, self.pages[variant]),
                "fields": {
                    name: {
                        "precision": round(c.precision, 4),
                        "recall": round(c.recall, 4),
                        "f1": round(c.f1, 4),
                        "tp": c.tp,
                        "fp": c.fp,
                        "fn": c.fn,
                    }
                    for name, c in sorted(scores.items())
                },
            }
            for variant, scores in sorted(self.by_variant.items())
        } | {"failures": self.failures}


def _same_text(a: str | None, b: str | None, threshold: float = 88) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return fuzz.ratio(fold(a), fold(b)) >= threshold


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(0.011, 0.001 * abs(b))


def _field(counts: Counts, predicted: object, gold: object, same: bool) -> None:
    if same and gold is not None:
        counts.tp += 1
        return
    if predicted is not None and not same:
        counts.fp += 1
    if gold is not None and not same:
        counts.fn += 1


def _match(
    pred: list[Any], gold: list[Any], score: Callable[[Any, Any], float], threshold: float
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by descending similarity."""
    pairs = sorted(
        ((score(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gold)), reverse=True
    )
    used_p, used_g, out = set(), set(), []
    for s, i, j in pairs:
        if s < threshold or i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j))
    return out


def _by_words(name: str) -> Callable[[Any, Any], float]:
    """Similarity of a prediction's and a gold's ``name`` text, word order aside."""
    return lambda p, g: fuzz.token_set_ratio(fold(getattr(p, name)), fold(g[name]))


def _matched(
    counts: Counts,
    pred: list[Any],
    gold: list[Any],
    score: Callable[[Any, Any], float],
    threshold: float,
) -> list[tuple[int, int]]:
    """``_match``, with matched (tp), unmatched predictions (fp) and golds (fn) counted."""
    pairs = _match(pred, gold, score, threshold)
    counts.add(Counts(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs)))
    return pairs


def score_document(result: ApplicationResult, gold: dict) -> Scores:
    """Compare one extraction with its gold; pure, no I/O."""
    s: Scores = {}

    def c(name: str) -> Counts:
        return s.setdefault(name, Counts())

    # parties: a match needs the same role and a name that reads the same
    preds = result.parties
    golds = gold.get("parties", [])
    pairs = _matched(
        c("party.role+name"),
        preds,
        golds,
        lambda p, g: fuzz.ratio(fold(p.name), fold(g["name"])) if p.role == g["role"] else 0,
        85,
    )
    strict = 0
    for i, j in pairs:
        p, g = preds[i], golds[j]
        _field(c("party.country"), p.country, g["country"], p.country == g["country"])
        _field(
            c("party.address"),
            p.address,
            g.get("address"),
            _same_text(p.address, g.get("address"), 85),
        )
        strict += p.country == g["country"]
    c("party").add(Counts(strict, len(preds) - strict, len(golds) - strict))

    # items: matched on the description; counted right when quantity, total and currency are
    preds_i = result.items
    golds_i = gold.get("items", [])
    pairs = _matched(c("item.matched"), preds_i, golds_i, _by_words("description"), 80)
    strict = 0
    for i, j in pairs:
        p, g = preds_i[i], golds_i[j]
        ok = {}
        for name in ITEM_FIELDS:
            pv, gv = getattr(p, name), g.get(name)
            if name in ("quantity", "unit_price", "total_value"):
                same = _same_number(pv, gv)
            elif name in ("model", "manufacturer"):
                same = _same_text(pv, gv, 88)
            else:
                same = (fold(pv) if pv else None) == (fold(gv) if gv else None)
            ok[name] = same
            _field(c(f"item.{name}"), pv, gv, same)
        _field(
            c("item.description"),
            p.description,
            g["description"],
            _same_text(p.description, g["description"], 90),
        )
        strict += ok["quantity"] and ok["total_value"] and ok["currency"]
    c("item").add(Counts(strict, len(preds_i) - strict, len(golds_i) - strict))

    # end-use statements: matched on text overlap
    preds_e = result.end_use
    golds_e = gold.get("end_use", [])
    pairs = _matched(c("end_use"), preds_e, golds_e, _by_words("statement"), 80)
    for i, j in pairs:
        p, g = preds_e[i], golds_e[j]
        _field(
            c("end_use.end_user"),
            p.end_user,
            g.get("end_user"),
            _same_text(p.end_user, g.get("end_user"), 85),
        )
        pf, gf = set(p.flags), set(g.get("flags", []))
        c("end_use.flags").add(Counts(len(pf & gf), len(pf - gf), len(gf - pf)))
        vague = Counts(
            int("vague_wording" in pf and "vague_wording" in gf),
            int("vague_wording" in pf and "vague_wording" not in gf),
            int("vague_wording" in gf and "vague_wording" not in pf),
        )
        c("end_use.vague_wording").add(vague)

    expected = "total_mismatch" in gold.get("expected_warnings", [])
    emitted = any(w.code == "total_mismatch" for w in result.warnings)
    c("warning.total_mismatch").add(
        Counts(
            int(expected and emitted), int(emitted and not expected), int(expected and not emitted)
        )
    )
    return s


def gold_files(folder: Path) -> list[tuple[Path, Path]]:
    """(pdf, gold) pairs in a folder: every JSON of the gold schema with its PDF beside it."""
    out = []
    for gold_path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(gold_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict) or data.get("schema") != GOLD_SCHEMA:
            continue
        pdf = gold_path.with_suffix(".pdf")
        if pdf.exists():
            out.append((pdf, gold_path))
    return out


def evaluate_dir(
    folder: Path, limit: int | None = None, progress: Callable[[int, int, str], None] | None = None
) -> Report:
    """Read and extract every gold-labelled PDF in `folder` and score it."""
    from exportdesk.extract.read import read_pdf

    pairs = gold_files(folder)
    if not pairs:
        raise FileNotFoundError(
            f"No gold files in {folder}: expected <name>.pdf beside <name>.json with "
            f'"schema": "{GOLD_SCHEMA}". Make some with '
            "`python -m exportdesk.samples.generate --out DIR`."
        )
    if limit:
        pairs = pairs[:limit]
    report = Report()
    for n, (pdf, gold_path) in enumerate(pairs, start=1):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        variant = gold.get("variant", "digital")
        started = time.perf_counter()
        result = read_pdf(pdf)
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        try:
            extract_fields(result)
        except Exception as exc:  # one broken document must not stop the benchmark
            report.failures.append(f"{pdf.name}: {type(exc).__name__}: {exc}")
        extract_s = time.perf_counter() - started
        report.add(
            variant, score_document(result, gold), len(result.document.pages), read_s, extract_s
        )
        if progress:
            progress(n, len(pairs), pdf.name)
    return report
