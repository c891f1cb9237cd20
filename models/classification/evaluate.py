"""Accuracy and calibration metrics at entry level (ML10.a counts as ML10), per jurisdiction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from exportdesk.classify.catalogue import JURISDICTIONS, entry_code

BINS = 10


@dataclass
class Reliability:
    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float


@dataclass
class Metrics:
    """Top-k accuracy, expected calibration error and the reliability table of top-1."""

    n: int
    top1: float
    top3: float
    ece: float
    table: list[Reliability] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "ece": round(self.ece, 4),
            "reliability": [vars(r) for r in self.table],
        }


def compute(golds: list[str], ranked: list[list[tuple[str, float]]]) -> Metrics:
    """``ranked`` holds, per item, its suggestions (code, confidence) best first."""
    if not golds:
        return Metrics(0, float("nan"), float("nan"), float("nan"))
    hit1, hit3, conf = [], [], []
    for gold, sugg in zip(golds, ranked, strict=True):
        codes = [entry_code(c) for c, _ in sugg]
        g = entry_code(gold)
        hit1.append(bool(codes) and codes[0] == g)
        hit3.append(g in codes[:3])
        conf.append(sugg[0][1] if sugg else 0.0)
    hit = np.array(hit1, dtype=float)
    c = np.array(conf)
    edges = np.linspace(0, 1, BINS + 1)
    table, ece = [], 0.0
    for lo, hi in pairwise(edges):
        m = (c > lo) & (c <= hi) if lo > 0 else (c >= lo) & (c <= hi)
        if m.any():
            ece += m.sum() / len(c) * abs(hit[m].mean() - c[m].mean())
            table.append(
                Reliability(
                    round(float(lo), 2),
                    round(float(hi), 2),
                    int(m.sum()),
                    round(float(c[m].mean()), 4),
                    round(float(hit[m].mean()), 4),
                )
            )
    return Metrics(len(golds), float(hit.mean()), float(np.mean(hit3)), float(ece), table)


def load_labelled(path: Path) -> list[dict]:
    """JSONL rows with ``description`` and per-jurisdiction labels ``eu`` / ``us``."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return rows


def evaluate_file(path: Path, top_k: int = 5) -> dict[str, Metrics]:
    """Run the classifier on a labelled file, once per jurisdiction, and score it."""
    from exportdesk.classify.api import suggest_many

    rows = load_labelled(path)
    out = {}
    for j, cats in JURISDICTIONS.items():
        items = [r for r in rows if r.get(j)]
        sugg = suggest_many([r["description"] for r in items], catalogues=list(cats), top_k=top_k)
        out[j] = compute(
            [r[j] for r in items], [[(s.code, s.confidence) for s in ss] for ss in sugg]
        )
    return out
