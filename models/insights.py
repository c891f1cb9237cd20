"""What the Trainer page shows, as plain rows: label statistics, suggestion-vs-decision
confusion, the active-learning queue, inter-annotator agreement and version metrics."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from exportdesk.classify.catalogue import entry_code
from exportdesk.models.queries import DecisionRow, OpenItem, decisions, latest_decisions
from exportdesk.models.queries import undecided_items as _undecided
from exportdesk.models.registry import Registry
from exportdesk.review.decisions import family_name
from exportdesk.review.store import CaseStore


def _label(catalogue: str | None, code: str | None) -> str:
    return f"{catalogue} {entry_code(code)}" if catalogue and code else "(no suggestion)"


def _suggested(row: DecisionRow) -> str:
    top = row.suggested
    return _label(top.catalogue, top.code) if top else _label(None, None)


def label_statistics(rows: list[DecisionRow]) -> dict:
    """Counts over the decisions in force (the newest per item)."""
    latest = latest_decisions(rows)
    accepted = [r for r in latest if r.top_accepted]
    return {
        "decided_items": len(latest),
        "confirmed_items": sum(r.application_status == "confirmed" for r in latest),
        "applications": len({r.application_id for r in latest}),
        "overrides": sum(r.override for r in latest),
        "top_suggestion_accepted": round(len(accepted) / len(latest), 4) if latest else None,
        "by_catalogue": dict(Counter(r.final_catalogue for r in latest).most_common()),
        "by_code": dict(
            Counter(_label(r.final_catalogue, r.final_code) for r in latest).most_common()
        ),
        "by_reviewer": dict(Counter(r.decided_by for r in rows).most_common()),
    }


def confusion(rows: list[DecisionRow], model_version: str | None = None) -> list[dict]:
    """(top suggestion, final decision, count) at entry level, most frequent first."""
    latest = [
        r
        for r in latest_decisions(rows)
        if model_version is None or r.model_version == model_version
    ]
    pairs = Counter((_suggested(r), _label(r.final_catalogue, r.final_code)) for r in latest)
    return [
        {"suggested": s, "decided": d, "count": n, "agree": s == d}
        for (s, d), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def by_model_version(rows: list[DecisionRow]) -> list[dict]:
    """How often each model version's top suggestion was what the reviewer decided."""
    groups: dict[str, list[DecisionRow]] = {}
    for r in latest_decisions(rows):
        groups.setdefault(r.model_version or "(unknown)", []).append(r)
    return [
        {
            "model_version": v,
            "decisions": len(g),
            "top_suggestion_accepted": round(sum(r.top_accepted for r in g) / len(g), 4),
        }
        for v, g in sorted(groups.items())
    ]


def uncertainty_queue(items: list[OpenItem], limit: int = 50, by: str = "confidence") -> list[dict]:
    """Active learning: undecided items the model is least sure of, first. ``by="confidence"``
    ranks by the lowest top-1 confidence, ``by="margin"`` by the smallest gap between the
    top suggestion and the runner-up within the same catalogue family (an EU code and the
    same entry in the US list are two decisions, not rivals); the other measure breaks ties.
    Codes are shown in full (``ML1.c``), beside the item's description."""

    def margin(i: OpenItem) -> float:
        return i.top_confidence - (i.second_confidence or 0.0)

    if by not in ("confidence", "margin"):
        raise ValueError(f"rank by 'confidence' or 'margin', not {by!r}")
    first, second = (
        (lambda i: i.top_confidence, margin)
        if by == "confidence"
        else (margin, lambda i: i.top_confidence)
    )
    ranked = sorted(
        items, key=lambda i: (first(i), second(i), i.application_id, i.item_index, i.family)
    )
    return [
        {
            "application": i.application_id,
            "file": i.filename,
            "item": i.item_index,
            "description": i.description,
            "family": family_name(i.family),
            "top suggestion": f"{i.top_catalogue} {i.top_code}",
            "confidence": round(i.top_confidence, 4),
            "margin": round(margin(i), 4),
            "model_version": i.model_version,
        }
        for i in ranked[:limit]
    ]


@dataclass
class Agreement:
    """Agreement between reviewers on items that two or more of them decided."""

    items: int = 0
    reviewers: int = 0
    raw_agreement: float | None = None
    krippendorff_alpha: float | None = None
    pairs: list[dict] = field(default_factory=list)  # reviewer a, reviewer b, shared, kappa


def agreement(rows: list[DecisionRow]) -> Agreement:
    """Cohen's kappa for each pair of reviewers over the items both decided, and
    Krippendorff's alpha (nominal) over every item with two or more reviewers. Each
    reviewer's newest decision on an item is theirs; labels are entry-level codes."""
    from sklearn.metrics import cohen_kappa_score

    by_item: dict[tuple[int, int], dict[str, str]] = {}
    for r in rows:  # oldest first, so a reviewer's newer decision replaces their older one
        by_item.setdefault((r.application_id, r.item_index), {})[r.decided_by] = _label(
            r.final_catalogue, r.final_code
        )
    shared = {k: v for k, v in by_item.items() if len(v) >= 2}
    if not shared:
        return Agreement()
    reviewers = sorted({name for v in shared.values() for name in v})
    out = Agreement(items=len(shared), reviewers=len(reviewers))
    agree = [len(set(v.values())) == 1 for v in shared.values()]
    out.raw_agreement = round(sum(agree) / len(agree), 4)
    for a, b in combinations(reviewers, 2):
        both = [(v[a], v[b]) for v in shared.values() if a in v and b in v]
        if not both:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # one label only: kappa is undefined (nan)
            kappa = float(cohen_kappa_score([x for x, _ in both], [y for _, y in both]))
        out.pairs.append(
            {
                "reviewer a": a,
                "reviewer b": b,
                "shared items": len(both),
                "cohen kappa": None if math.isnan(kappa) else round(kappa, 4),
            }
        )
    out.krippendorff_alpha = _alpha(shared, reviewers)
    return out


def _alpha(shared: dict[tuple[int, int], dict[str, str]], reviewers: list[str]) -> float | None:
    import krippendorff

    codes = {
        lab: n for n, lab in enumerate(sorted({x for v in shared.values() for x in v.values()}))
    }
    if len(codes) < 2:
        return None  # every rating the same: alpha is undefined, raw agreement says it all
    data = np.full((len(reviewers), len(shared)), np.nan)
    for j, v in enumerate(shared.values()):
        for i, name in enumerate(reviewers):
            if name in v:
                data[i, j] = codes[v[name]]
    return round(
        float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")), 4
    )


def version_metrics(registry: Registry, fixed_sha: str) -> tuple[list[dict], list[dict]]:
    """Fixed-set figures of every version that has them, in long form for side-by-side plots:
    (version, group, metric, value) rows and reliability-bin rows."""
    bars, bins = [], []
    active = registry.active("classifier")
    for v in registry.versions("classifier"):
        fixed = registry.fixed_set_metrics("classifier", v, fixed_sha)
        if not fixed:
            continue
        name = f"{v} (active)" if v == active else v
        groups = {"all": fixed["overall"], **fixed.get("per_catalogue", {})}
        for group, m in groups.items():
            for metric in ("top1", "top3", "ece"):
                if m.get(metric) is not None:
                    bars.append(
                        {"version": name, "group": group, "metric": metric, "value": m[metric]}
                    )
        for b in fixed["overall"].get("reliability", []):
            bins.append(
                {
                    "version": name,
                    "mean confidence": b["mean_confidence"],
                    "accuracy": b["accuracy"],
                    "count": b["count"],
                }
            )
    return bars, bins


def overview(store: CaseStore, queue_by: str = "confidence") -> dict:
    """Everything the page's statistics sections need from the store, in one read."""
    rows = decisions(store)
    return {
        "stats": label_statistics(rows),
        "confusion": confusion(rows),
        "by_version": by_model_version(rows),
        "agreement": agreement(rows),
        "queue": uncertainty_queue(_undecided(store), by=queue_by),
    }
