"""The bundled clean samples raise no screening hit and no red flag their gold does not justify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportdesk.extract.model import ApplicationResult, DocumentInfo, EndUse, Item, Party
from exportdesk.risk.enduse import control_status, red_flags
from exportdesk.risk.parties import screening_findings

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "pdfs"
GOLD = sorted(p for p in SAMPLES.glob("*.json") if not p.stem.endswith("-scan"))


def from_gold(path: Path) -> tuple[ApplicationResult, dict]:
    gold = json.loads(path.read_text())

    def keep(model, record):
        return {k: v for k, v in record.items() if k in model.model_fields}

    result = ApplicationResult(
        document=DocumentInfo(filename=gold["file"], sha256="0" * 64, page_count=1),
        parties=[Party(confidence=1, **keep(Party, p)) for p in gold["parties"]],
        items=[Item(confidence=1, **keep(Item, i)) for i in gold["items"]],
        end_use=[EndUse(confidence=1, **keep(EndUse, e)) for e in gold["end_use"]],
    )
    return result, gold


def justified(rule: str, gold: dict) -> bool:
    """Whether the sample's gold says the flag is true of the document."""
    flags = [set(e["flags"]) for e in gold["end_use"]]
    if rule == "vague_end_use":
        return any("vague_wording" in f for f in flags)
    if rule.startswith("missing_no_"):
        return all(rule in f for f in flags)
    return False


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_of_clean_sample_raises_only_justified_flags(path: Path) -> None:
    result, gold = from_gold(path)
    assert screening_findings(result) == []
    unjustified = [w.message for w in red_flags(result) if not justified(w.detail["rule"], gold)]
    assert unjustified == []


@pytest.mark.slow
@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_processed_clean_sample_raises_only_justified_findings(path: Path) -> None:
    from exportdesk.review.pipeline import process_path

    result = process_path(path.with_suffix(".pdf"))
    gold = json.loads(path.read_text())
    for w in result.warnings:
        if w.code in ("party_screening_hit", "inconsistent_documents"):
            pytest.fail(f"false finding on a clean sample: {w.message}")
        if w.code != "end_use_red_flag" or justified(w.detail["rule"], gold):
            continue
        if w.detail["rule"] == "declared_code_contradicts_suggestion":
            # The declared code is the sample's truth; the flag must at least report a real
            # disagreement of control status between it and the suggestion.
            item = result.items[w.detail["item"] - 1]
            top = item.suggestions[0]
            assert control_status(None, w.detail["declared"]) != control_status(
                top.catalogue, top.code
            )
            continue
        pytest.fail(f"unjustified red flag on a clean sample: {w.message}")
