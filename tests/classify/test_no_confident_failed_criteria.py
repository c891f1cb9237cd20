"""No suggestion at confidence >= 0.8 whose own quoted criteria the description fails (slow).

Runs every item of the project's held-out set, and the other author's development twins
when that folder is present, through the classifier, then tests each confident suggestion
independently: the sub-paragraph it names is looked up in the committed criteria and
evaluated against the description. A failed verdict there is a defect of the walk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportdesk.classify import suggest_many
from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED
from exportdesk.classify.criteria import Clause, evaluate, load_criteria, stated

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "classify" / "evalset" / "heldout_eval_items.jsonl"
DEV = ROOT.parent / "shared" / "dev-external" / "items"
CONFIDENT = 0.8


def _descriptions() -> list[str]:
    out = [json.loads(x)["description"] for x in HELDOUT.open(encoding="utf-8")]
    for name in ("dev_twins_eu.jsonl", "dev_twins_us.jsonl"):
        f = DEV / name
        if f.exists():
            out += [json.loads(x)["description"] for x in f.open(encoding="utf-8")]
    return list(dict.fromkeys(out))


def _clause(catalogue: str, code: str) -> Clause | None:
    """The clause for a code: its row's tree, walked down to the named sub-paragraph."""
    trees = load_criteria()
    parts = code.split(".")
    for cut in range(len(parts), 0, -1):
        tree = trees.get((catalogue, ".".join(parts[:cut])))
        if tree is not None:
            break
    else:
        return None
    node = tree
    while node.path != code:
        nxt = next(
            (c for c in node.children if code == c.path or code.startswith(c.path + ".")), None
        )
        if nxt is None:
            break
        node = nxt
    return node


def test_no_confident_suggestion_fails_its_own_quoted_criteria() -> None:
    texts = _descriptions()
    assert len(texts) >= 300
    offenders = []
    checked = 0
    for cats in JURISDICTIONS.values():
        for text, sugg in zip(texts, suggest_many(texts, list(cats), top_k=3), strict=True):
            for s in sugg:
                if s.confidence < CONFIDENT or s.code == NOT_LISTED:
                    continue
                node = _clause(s.catalogue, s.code)
                if node is None:
                    continue
                checked += 1
                v = evaluate(node, stated(text))
                if v.status is False:
                    offenders.append((s.code, round(s.confidence, 2), text[:80], v.failed[:1]))
    assert checked > 50  # the check really ran over confident suggestions
    assert not offenders, offenders[:10]
