"""Datasets from confirmed decisions: items as JSONL, extraction spans as a spaCy DocBin, a card.

An export is a pure function of the store's state: rows are sorted, JSON keys are sorted,
and nothing records the time of the export, so the same store gives the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from exportdesk.classify.catalogue import CATALOGUES, NOT_LISTED, entry_code, jurisdiction_of
from exportdesk.extract.errors import ModelError
from exportdesk.extract.hashing import sha256_file
from exportdesk.extract.model import ApplicationResult, Evidence
from exportdesk.models.queries import application_ids, utc_iso
from exportdesk.review.store import CaseStore

ITEMS_FILE = "items.jsonl"
SPANS_FILE = "spans.spacy"
CARD_FILE = "dataset_card.json"
CARD_MD = "DATASET_CARD.md"
CARD_SCHEMA = "exportdesk.dataset-card/v1"
# Span labels: party and end-user names (what the extraction NER learns), item descriptions
# and end-use statements.
LABELS = ("ORG", "ITEM", "END_USE")


class DatasetError(ModelError):
    """The dataset folder is missing, incomplete or altered; the message says what to do."""


# Bidirectional controls (LRM, RLM, embeddings, isolates) that right-to-left text carries.
BIDI_CONTROLS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"


@lru_cache(maxsize=1)
def tokenizer() -> Language:
    """The multi-language blank pipeline: its tokenizer is script-agnostic (Latin with
    diacritics, Arabic, Hebrew). Bidi control marks are split off as their own tokens, so a
    name right after a right-to-left mark still starts on a token boundary."""
    from spacy.util import compile_prefix_regex, compile_suffix_regex

    nlp = spacy.blank("xx")
    bidi = f"[{BIDI_CONTROLS}]"
    tok: Any = nlp.tokenizer
    tok.prefix_search = compile_prefix_regex([bidi, *(nlp.Defaults.prefixes or [])]).search
    tok.suffix_search = compile_suffix_regex([bidi, *(nlp.Defaults.suffixes or [])]).search
    return nlp


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _evidence(ev: Iterable[Evidence]) -> list[dict]:
    return [{"page": e.page, "bbox": list(e.bbox), "source": e.source} for e in ev]


# --- items -------------------------------------------------------------------------------
def item_record(case, position: int, item, decision) -> dict:
    """One confirmed item in the training format (``description``, ``eu``, ``us``) plus its
    final code and provenance."""
    code = decision.final_code
    top = decision.suggested
    cat = decision.final_catalogue
    jur = jurisdiction_of(cat) if cat in CATALOGUES else None
    label = entry_code(code) if code.upper() != "EAR99" else NOT_LISTED
    labels = {"eu": None, "us": None}
    if jur:
        labels[jur] = label
    return {
        "id": f"app{case.id}/item{item.index}",
        "group": f"decision/app{case.id}/item{item.index}",
        "description": item.description,
        **labels,
        "final": {"catalogue": cat, "code": code, "jurisdiction": jur},
        "provenance": {
            "application_id": case.id,
            "document_sha256": case.sha256,
            "item_index": item.index,
            "description_corrected": f"items[{item.index}].description" in case.corrected_fields,
            "evidence": _evidence(item.evidence),
            "decision_id": decision.id,
            "decided_by": decision.decided_by,
            "decided_at": utc_iso(decision.decided_at),
            "suggested": {
                "catalogue": top.catalogue if top else None,
                "code": top.code if top else None,
                "confidence": top.confidence if top else None,
            },
            "override_reason": decision.override_reason,
            "model_version": decision.model_version,
            "catalogue_edition": decision.catalogue_edition,
            "extraction_versions": dict(sorted(case.versions.items())),
        },
    }


# --- spans -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpanSource:
    """A confirmed value and the evidence text it should be found in."""

    application_id: int
    field: str
    label: str
    value: str
    page: int
    bbox: tuple[float, float, float, float]
    text: str


def span_sources(case_id: int, result: ApplicationResult) -> list[SpanSource]:
    out = []

    def add(field: str, label: str, value: str | None, evidence: list[Evidence]) -> None:
        if not value:
            return
        for ev in evidence:
            if ev.text:
                out.append(SpanSource(case_id, field, label, value, ev.page, ev.bbox, ev.text))

    for i, p in enumerate(result.parties):
        add(f"parties.{i}.name", "ORG", p.name, p.evidence)
    for i, it in enumerate(result.items):
        add(f"items.{i}.description", "ITEM", it.description, it.evidence)
    for i, e in enumerate(result.end_use):
        add(f"end_use.{i}.statement", "END_USE", e.statement, e.evidence)
        add(f"end_use.{i}.end_user", "ORG", e.end_user, e.evidence)
    return out


def find(text: str, value: str) -> tuple[int, int] | None:
    """Character offsets (code points, as Python and spaCy count them) of ``value`` in
    ``text``: exact first, then ignoring case when that keeps the length."""
    at = text.find(value)
    if at < 0 and len(text.lower()) == len(text) and len(value.lower()) == len(value):
        at = text.lower().find(value.lower())
    return (at, at + len(value)) if at >= 0 else None


def make_doc(text: str, spans: list[tuple[int, int, str]], meta: dict) -> tuple[Doc, int]:
    """A Doc with the spans as entities. Offsets that cut a token are widened to the token
    ("expand"); the exact offsets stay in ``user_data["spans"]``. Returns how many widened."""
    doc = tokenizer().make_doc(text)
    ents, widened = [], 0
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label)
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            widened += 1
        if span is not None:
            ents.append(span)
    doc.ents = filter_spans(ents)
    doc.user_data["spans"] = [[s, e, lab] for s, e, lab in spans]
    doc.user_data["meta"] = meta
    return doc, widened


def spans_docbin(sources: list[SpanSource]) -> tuple[DocBin, dict]:
    """One Doc per distinct evidence text, holding every confirmed value found in it."""
    grouped: dict[tuple, list[tuple[int, int, str, str]]] = {}
    unlocated: Counter[str] = Counter()
    for src in sources:
        hit = find(src.text, src.value)
        key = (src.application_id, src.page, src.text)
        if hit is None:
            unlocated[src.label] += 1
            continue
        grouped.setdefault(key, []).append((hit[0], hit[1], src.label, src.field))
    db = DocBin(store_user_data=True)
    by_label: Counter[str] = Counter()
    widened = 0
    for (app_id, page, text), found in sorted(grouped.items()):
        uniq = sorted(set(found))
        spans = [(s, e, lab) for s, e, lab, _f in uniq]
        doc, w = make_doc(
            text, spans, {"application_id": app_id, "page": page, "fields": [f for *_x, f in uniq]}
        )
        widened += w
        by_label.update(lab for _s, _e, lab in spans)
        db.add(doc)
    stats = {
        "docs": len(grouped),
        "spans": sum(by_label.values()),
        "by_label": dict(sorted(by_label.items())),
        "unlocated": dict(sorted(unlocated.items())),
        "widened_to_tokens": widened,
    }
    return db, stats


def read_spans(path: Path) -> list[Doc]:
    """The Docs of an exported DocBin (msgpack, no pickle)."""
    return list(DocBin().from_bytes(path.read_bytes()).get_docs(tokenizer().vocab))


# --- export ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    folder: Path
    card: dict


def export(store: CaseStore, out: Path, statuses: tuple[str, ...] = ("confirmed",)) -> ExportResult:
    """Write items.jsonl, spans.spacy and the dataset card for applications in ``statuses``.

    Only the decision in force per item counts (the newest); items nobody decided are left
    out. Applications whose result could not be read contribute nothing.
    """
    records, sources = [], []
    for app_id in application_ids(store, statuses):
        case = store.case(app_id)
        if case.result is None:
            continue
        for position, item in enumerate(case.result.items):
            decision = case.decisions.get(item.index)
            if decision is not None:
                records.append(item_record(case, position, item, decision))
        sources += span_sources(case.id, case.result)
    records.sort(key=lambda r: (r["provenance"]["application_id"], r["provenance"]["item_index"]))
    out.mkdir(parents=True, exist_ok=True)
    items_path = out / ITEMS_FILE
    items_path.write_text("".join(_dumps(r) + "\n" for r in records), encoding="utf-8")
    db, span_stats = spans_docbin(sources)
    (out / SPANS_FILE).write_bytes(db.to_bytes())
    card = build_card(records, span_stats, statuses, out)
    (out / CARD_FILE).write_text(
        json.dumps(card, ensure_ascii=False, sort_keys=True, indent=2) + "\n", encoding="utf-8"
    )
    (out / CARD_MD).write_text(card_markdown(card), encoding="utf-8")
    return ExportResult(out, card)


def build_card(
    records: list[dict], span_stats: dict, statuses: tuple[str, ...], folder: Path
) -> dict:
    dates = sorted(r["provenance"]["decided_at"] for r in records if r["provenance"]["decided_at"])
    by_cat = Counter(r["final"]["catalogue"] for r in records)
    by_code = Counter(
        f"{r['final']['catalogue']} {entry_code(r['final']['code'])}" for r in records
    )
    return {
        "schema": CARD_SCHEMA,
        "selection": {
            "application_statuses": list(statuses),
            "rule": "the newest decision per item; undecided items left out",
        },
        "items": {
            "count": len(records),
            "applications": len({r["provenance"]["application_id"] for r in records}),
            "overrides": sum(r["provenance"]["override_reason"] is not None for r in records),
            "by_catalogue": dict(sorted(by_cat.items())),
            "by_code": dict(sorted(by_code.items())),
            "reviewers": len({r["provenance"]["decided_by"] for r in records}),
        },
        "spans": span_stats,
        "decided_at": {"first": dates[0] if dates else None, "last": dates[-1] if dates else None},
        "files": {
            name: {"sha256": sha256_file(folder / name), "bytes": (folder / name).stat().st_size}
            for name in (ITEMS_FILE, SPANS_FILE)
        },
    }


def card_markdown(card: dict) -> str:
    lines = [
        "# Dataset card",
        "",
        f"Applications with status: {', '.join(card['selection']['application_statuses'])}"
        f" ({card['selection']['rule']}).",
        "",
        f"- Items: {card['items']['count']} from {card['items']['applications']} "
        f"applications, {card['items']['overrides']} overrides, "
        f"{card['items']['reviewers']} reviewers",
        f"- Decided between {card['decided_at']['first']} and {card['decided_at']['last']}",
        f"- Spans: {card['spans']['spans']} in {card['spans']['docs']} texts; not found in "
        f"their evidence text: {sum(card['spans']['unlocated'].values())}",
        "",
        "| catalogue | items |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in card["items"]["by_catalogue"].items()]
    lines += ["", "| catalogue and entry | items |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in card["items"]["by_code"].items()]
    lines += ["", "| file | SHA-256 | bytes |", "|---|---|---|"]
    lines += [f"| {k} | `{v['sha256']}` | {v['bytes']} |" for k, v in card["files"].items()]
    return "\n".join(lines) + "\n"


def load(folder: Path) -> tuple[list[dict], dict]:
    """The items of an export, after checking each file against the card's SHA-256."""
    card_path = folder / CARD_FILE
    if not card_path.exists():
        raise DatasetError(
            f"{folder} holds no {CARD_FILE}; create the dataset with "
            "`exportdesk dataset export --out FOLDER`"
        )
    card = json.loads(card_path.read_text(encoding="utf-8"))
    for name, meta in card["files"].items():
        path = folder / name
        if not path.exists() or sha256_file(path) != meta["sha256"]:
            raise DatasetError(
                f"{path} is missing or differs from the SHA-256 in {CARD_FILE}; "
                "export the dataset again instead of editing it"
            )
    items = [
        json.loads(line)
        for line in (folder / ITEMS_FILE).read_text("utf-8").splitlines()
        if line.strip()
    ]
    return items, card
