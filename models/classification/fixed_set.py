"""Scores a classifier artefact on labelled rows; metrics by jurisdiction, catalogue, category."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exportdesk.classify.artefact import Artefact
from exportdesk.classify.catalogue import (
    CATALOGUES,
    JURISDICTIONS,
    NOT_LISTED,
    entry_code,
    load_entries,
)
from exportdesk.classify.features import NL_INDEX, familiarity
from exportdesk.classify.scoring import score
from exportdesk.extract.registry import sha256_file
from exportdesk.models.classification.data import FIXED_SET
from exportdesk.models.classification.evaluate import compute, load_labelled

BATCH = 200


@dataclass(frozen=True)
class Prediction:
    """One labelled description in one jurisdiction: the gold answer and the ranked answers."""

    jurisdiction: str
    gold: str  # entry level: ML10, 5A002 or NOT_LISTED
    gold_catalogue: str  # a catalogue name, or NOT_LISTED
    ranked: tuple[tuple[str, str, float], ...]  # (catalogue, entry code, calibrated p), best first


def _catalogue_of() -> dict[tuple[str, str], str]:
    """(jurisdiction, entry code) -> the catalogue that holds it."""
    out: dict[tuple[str, str], str] = {}
    for e in load_entries():
        for j, cats in JURISDICTIONS.items():
            if e.catalogue in cats:
                out.setdefault((j, e.code), e.catalogue)
    return out


def category(catalogue: str, code: str) -> str:
    """The category a gold code is reported under: the leading digit of dual-use and CCL
    codes (Category 5), the ML entry of the military list, the USML category numeral."""
    if code == NOT_LISTED or catalogue == NOT_LISTED:
        return NOT_LISTED
    if catalogue in ("eu-dual-use", "us-ccl"):
        return f"{catalogue}:cat{code[:1]}"
    return f"{catalogue}:{code}"


def predict(
    artefact: Artefact,
    embedder,
    rows: list[dict],
    progress: Callable[[str], None] | None = None,
) -> list[Prediction]:
    """Run the artefact's scoring and calibration on every row with a label, per jurisdiction.

    The catalogue search covers all four catalogues, as `exportdesk classify` does by default.
    """
    where = _catalogue_of()
    texts = [r["description"] for r in rows]
    out: list[Prediction] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        scored = score(artefact, embedder, texts[start : start + BATCH], list(CATALOGUES))
        for row, per_j in zip(chunk, scored, strict=True):
            for s in per_j:
                gold_raw = row.get(s.jurisdiction)
                if not gold_raw:
                    continue
                gold = entry_code(gold_raw)
                # Calibrated as classify.api does it: by familiarity and jurisdiction.
                p = artefact.calibrator.probabilities(
                    s.logits, familiarity(s.candidates), s.jurisdiction
                )
                order = np.argsort(-p, kind="stable")
                ranked = []
                for k in order:
                    e = int(s.candidates.entries[k])
                    if e == NL_INDEX:
                        ranked.append((NOT_LISTED, NOT_LISTED, float(p[k])))
                    else:
                        ranked.append(
                            (
                                str(artefact.index.entry_catalogue[e]),
                                str(artefact.index.entry_code[e]),
                                float(p[k]),
                            )
                        )
                gold_cat = (
                    NOT_LISTED
                    if gold == NOT_LISTED
                    else where.get((s.jurisdiction, gold), "unknown")
                )
                out.append(Prediction(s.jurisdiction, gold, gold_cat, tuple(ranked)))
        if progress:
            progress(f"scored {min(start + BATCH, len(rows))}/{len(rows)} rows")
    return out


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def summarise(preds: Iterable[Prediction]) -> dict:
    preds = list(preds)
    m = compute([p.gold for p in preds], [[(c, q) for _cat, c, q in p.ranked] for p in preds])
    return {
        "n": m.n,
        "top1": _clean(m.top1),
        "top3": _clean(m.top3),
        "ece": _clean(m.ece),
        "reliability": [vars(r) for r in m.table],
    }


def breakdown(preds: list[Prediction]) -> dict:
    """Overall (every item-jurisdiction pair), per jurisdiction, per catalogue, per category."""

    def grouped(key: Callable[[Prediction], str]) -> dict[str, dict]:
        groups: dict[str, list[Prediction]] = {}
        for p in preds:
            groups.setdefault(key(p), []).append(p)
        return {
            k: {kk: vv for kk, vv in summarise(v).items() if kk != "reliability"}
            for k, v in sorted(groups.items())
        }

    return {
        "overall": summarise(preds),
        "per_jurisdiction": grouped(lambda p: p.jurisdiction),
        "per_catalogue": grouped(
            lambda p: (
                p.gold_catalogue
                if p.gold_catalogue != NOT_LISTED
                else f"NOT_LISTED ({p.jurisdiction})"
            )
        ),
        "per_category": grouped(lambda p: category(p.gold_catalogue, p.gold)),
    }


def evaluate_rows(
    artefact: Artefact, embedder, rows: list[dict], progress: Callable[[str], None] | None = None
) -> dict:
    return breakdown(predict(artefact, embedder, rows, progress))


def evaluate_fixed_set(
    artefact: Artefact,
    embedder,
    path: Path = FIXED_SET,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Metrics on the fixed evaluation set, stamped with that file's SHA-256."""
    if not path.exists():
        raise FileNotFoundError(
            f"the fixed evaluation set {path} is missing; it ships with "
            "classify/evalset, restore it from git"
        )
    return {
        "file": path.name,
        "sha256": sha256_file(path),
        **evaluate_rows(artefact, embedder, load_labelled(path), progress),
    }
