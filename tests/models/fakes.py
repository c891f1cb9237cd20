"""Test doubles and tiny data for the trainer workflow: a hashing embedder, rows, a store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.model import (
    ApplicationResult,
    DocumentInfo,
    EndUse,
    Evidence,
    Item,
    Party,
    Suggestion,
)
from exportdesk.extract.registry import sha256_file
from exportdesk.models.classification.train import TRAIN_FILES
from exportdesk.review.store import CaseStore


class HashingEmbedder:
    """Character n-gram hashing: similar wording gives similar vectors, in milliseconds.
    Stands in for MiniLM behind the same ``encode`` protocol."""

    dim = 384

    def __init__(self) -> None:
        self._vec = HashingVectorizer(
            n_features=self.dim,
            analyzer="char_wb",
            ngram_range=(3, 4),
            alternate_sign=False,
            norm="l2",
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._vec.transform(texts).todense(), dtype=np.float32)


def template_rows() -> list[dict]:
    """The classifier's bundled template rows (train_items.jsonl)."""
    return [json.loads(line) for line in TRAIN_FILES[0].read_text("utf-8").splitlines()]


def pools(concepts: int = 8) -> tuple[list[dict], list[dict], list[dict]]:
    """Three disjoint pools from a few concepts: base rows, rows reviewers will confirm
    (other noun groups), and a small fixed set (yet other rows)."""
    rows = template_rows()
    chosen = sorted({r["concept"] for r in rows})[: concepts * 6 : 6]
    base, batch, fixed = [], [], []
    seen: dict[str, int] = {}
    for r in rows:
        if r["concept"] not in chosen:
            continue
        slot = seen.setdefault(r["concept"], 0) % 6
        seen[r["concept"]] += 1
        (base if slot in (0, 1, 2) else batch if slot in (3, 4) else fixed).append(r)
    return base[::2], batch, fixed[::2]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _result(
    data: bytes,
    descriptions: list[str],
    party: str,
    evidence_text: str,
    confidences: list[float] | None = None,
    seconds: list[float] | None = None,
) -> ApplicationResult:
    confidences = confidences or [0.42] * len(descriptions)
    seconds = seconds or [c / 2 for c in confidences]
    items = [
        Item(
            index=i,
            description=d,
            confidence=0.9,
            evidence=[
                Evidence(
                    page=1,
                    bbox=(50, 100 + 20 * i, 500, 112 + 20 * i),
                    text=f"{i}. {d}, 2 units",
                    source="text_layer",
                )
            ],
            suggestions=[
                Suggestion(
                    catalogue="eu-dual-use",
                    code="5A002",
                    confidence=c,
                    rationale="test",
                    model_version="fake-1",
                ),
                Suggestion(
                    catalogue="eu-military",
                    code="ML11",
                    confidence=c2,
                    rationale="test",
                    model_version="fake-1",
                ),
            ],
        )
        for i, (d, c, c2) in enumerate(
            zip(descriptions, confidences, seconds, strict=True), start=1
        )
    ]
    return ApplicationResult(
        document=DocumentInfo(filename="a.pdf", sha256=sha256_bytes(data), page_count=1),
        parties=[
            Party(
                role="consignee",
                name=party,
                confidence=0.9,
                evidence=[
                    Evidence(
                        page=1, bbox=(50, 40, 500, 52), text=evidence_text, source="text_layer"
                    )
                ],
            )
        ],
        items=items,
        end_use=[
            EndUse(
                statement="Border surveillance",
                confidence=0.8,
                evidence=[
                    Evidence(
                        page=1,
                        bbox=(50, 300, 500, 312),
                        text="End use: Border surveillance by police.",
                        source="ocr",
                    )
                ],
            )
        ],
        versions={"classifier": "fake-1"},
    )


def confirm(
    store: CaseStore,
    rows: list[dict],
    per_app: int = 3,
    reviewer: str = "reviewer",
    jurisdiction: str = "eu",
) -> list[int]:
    """Reviewers confirm ``rows`` (their ``eu``/``us`` label as the final code), a few items
    per application, and each application is confirmed as a whole."""
    from exportdesk.classify.catalogue import JURISDICTIONS, NOT_LISTED, load_entries

    where = {
        e.code: e.catalogue for e in load_entries() if e.catalogue in JURISDICTIONS[jurisdiction]
    }
    ids = []
    for n in range(0, len(rows), per_app):
        chunk = rows[n : n + per_app]
        data = f"application {n} {chunk[0]['description']}".encode()
        receipt = store.receive(data, f"app{n}.pdf", actor="clerk")
        store.record_extraction(
            receipt.sha256,
            _result(
                data,
                [r["description"] for r in chunk],
                "Société Générale d'Optique SA",
                "Consignee: Société Générale d'Optique SA, Lyon",
            ),
        )
        version = store.case(receipt.application_id).version
        for i, r in enumerate(chunk, start=1):
            code = r[jurisdiction]
            cat = JURISDICTIONS[jurisdiction][0] if code == NOT_LISTED else where[code]
            version = store.decide(
                receipt.application_id, version, i, cat, code, reviewer, reason="test data"
            )
        store.finish(receipt.application_id, version, "confirmed", reviewer)
        ids.append(receipt.application_id)
    return ids


def decided_store_rows(store: CaseStore) -> None:
    """Two applications whose two items each were decided by ann and then by bob (they
    disagree on one item), and one application with three undecided items."""
    plan = [
        [("eu-dual-use", "5A002"), ("eu-military", "ML11")],
        [("eu-dual-use", "6A003"), ("eu-dual-use", "5A002")],
    ]
    bob_differs = {(1, 2): ("eu-military", "ML5")}
    for n, codes in enumerate(plan):
        data = f"decided {n}".encode()
        receipt = store.receive(data, f"decided{n}.pdf", actor="clerk")
        store.record_extraction(
            receipt.sha256,
            _result(data, [f"item {n}-{i}" for i in range(len(codes))], "Acme GmbH", "Acme GmbH"),
        )
        version = store.case(receipt.application_id).version
        for reviewer in ("ann", "bob"):
            for i, (cat, code) in enumerate(codes, start=1):
                cat, code = (
                    bob_differs.get((n, i), (cat, code)) if reviewer == "bob" else (cat, code)
                )
                version = store.decide(
                    receipt.application_id,
                    version,
                    i,
                    cat,
                    code,
                    reviewer,
                    reason="checked the data sheet",
                    # bob's is a second review: replacing ann's is the explicit change
                    change_reason="second review" if reviewer == "bob" else None,
                )
    data = b"open application"
    receipt = store.receive(data, "open.pdf", actor="clerk")
    store.record_extraction(
        receipt.sha256,
        _result(
            data,
            ["thermal camera", "spare lens", "gyro module"],
            "Acme GmbH",
            "Acme GmbH",
            # by confidence: lens, gyro, camera; by margin: gyro (0.02), lens, camera
            confidences=[0.71, 0.33, 0.40],
            seconds=[0.355, 0.165, 0.38],
        ),
    )


def write_version(models_dir: Path, version: str, top1: float, measured: bool = True) -> Path:
    """A version folder with nothing but fixed-set metrics (unless ``measured`` is False) and
    a manifest that seals them (for registry and UI tests)."""
    from exportdesk.models.classification.fixed_set import FIXED_SET

    folder = models_dir / "classifier" / version
    folder.mkdir(parents=True)
    overall = {
        "n": 100,
        "top1": top1,
        "top3": min(1.0, top1 + 0.1),
        "ece": 0.03,
        "reliability": [
            {"lower": 0.8, "upper": 0.9, "count": 100, "mean_confidence": 0.85, "accuracy": top1}
        ],
    }
    per = {"eu-dual-use": {"n": 50, "top1": top1, "top3": top1, "ece": 0.03}}
    if measured:
        fixed = {"sha256": sha256_file(FIXED_SET), "overall": overall, "per_catalogue": per}
        (folder / "metrics.json").write_text(json.dumps({"fixed_set": fixed}))
    (folder / "manifest.json").write_text(
        json.dumps({"version": version, "created": "2026-01-01T00:00:00+00:00", "files": {}})
    )
    return reseal(folder)


def reseal(folder: Path) -> Path:
    """List every file of the folder (but the manifest) in the manifest with its SHA-256."""
    import hashlib

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"] = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.name != "manifest.json"
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder
