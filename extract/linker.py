"""The trained label-to-value linker: which segment near a role label holds the party's name.

Candidates are the segments to the right of a label and in the lines under it. Each
(label, candidate) pair is described by geometry (offsets in line heights, alignment,
same line, lines between, a nearer competing label) and content (is it a label or a
sub-label, does a NAME sub-label precede it, legal form, digits, contact or reference
text). A logistic model trained on randomised form pages (`samples/random_forms.py`,
`python -m exportdesk.models.extraction.train_linker`) scores each pair; the best one
anchors the party block. Without the model file, `best_value` returns None and the
caller keeps its rules.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
from functools import lru_cache
from pathlib import Path

from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.imports import without
from exportdesk.extract.layout import PageLayout, Segment
from exportdesk.extract.nlp import blank, leading_label, rule_entities
from exportdesk.extract.references import parse_reference

log = logging.getLogger(__name__)

LINKER_VERSION = "linker-1"
FEATURES = [
    "dx",
    "dy",
    "left_align",
    "same_line",
    "lines_between",
    "x_overlap",
    "is_label",
    "is_subfield",
    "after_name_subfield",
    "after_other_subfield",
    "legal_form",
    "digit_share",
    "upper_share",
    "words",
    "contact",
    "reference",
    "label_colon",
    "nearer_label",
    "first_in_column",
]
_CONTACT = re.compile(
    r"(?i)^(tel|phone|fax|e-?mail|www|vat|eori|attn|contact)\b|@|^\+?[\d\s()./-]{7,}$"
)


def candidates(layout: PageLayout, label: Segment, lines_below: int = 8) -> list[Segment]:
    """Segments that could hold the value of `label`: right of it, or in the lines below."""
    out = []
    for line in layout.lines[label.line_no : label.line_no + 1 + lines_below]:
        for seg in line.segments:
            if seg is label or seg.x1 < label.x0 - 20:
                continue
            if line.number == label.line_no and seg.x0 < label.x1:
                continue
            out.append(seg)
    return out


def bare_subfield(text: str) -> str | None:
    """The sub-field key when `text` is nothing but a sub-label ("NAME", "Postal code:")."""
    hit = leading_label(text, ("subfield",))
    if hit is None or hit.start > 0 or text[hit.end :].strip(" :.") != "":
        return None
    return hit.key


def _is_label(text: str) -> bool:
    hit = leading_label(text, ("role", "end_use", "heading"))
    return hit is not None and len(text.split()) <= 6


def features(
    layout: PageLayout, label: Segment, cand: Segment, others: list[Segment]
) -> list[float]:
    """The linker's description of one (label, candidate) pair; order as in FEATURES."""
    h = max(layout.line_height, 1.0)
    line = layout.lines[cand.line_no].segments
    before = [s for s in line if s.x1 <= cand.x0 + 1 and s is not cand]
    prev = max(before, key=lambda s: s.x1) if before else None
    prev_key = bare_subfield(prev.text) if prev is not None else None
    text = cand.text
    letters = [c for c in text if c.isalpha()]
    orgs = [s for s in rule_entities(blank().make_doc(text)) if s.label_ == "ORG"]
    overlap = max(0.0, min(cand.x1, label.x1 + 3 * h) - max(cand.x0, label.x0 - h))

    def dist(a: Segment) -> float:
        return ((cand.x0 - a.x0) ** 2 + (cand.top - a.top) ** 2) ** 0.5

    nearer = any(
        o is not label and o.top <= cand.top + 2 and o.x0 <= cand.x1 and dist(o) < dist(label)
        for o in others
    )
    column = [
        s
        for ln in layout.lines[label.line_no + 1 : cand.line_no]
        for s in ln.segments
        if abs(s.x0 - cand.x0) < 2 * h
    ]
    return [
        (cand.x0 - label.x1) / h,
        (cand.top - label.top) / h,
        abs(cand.x0 - label.x0) / h,
        float(cand.line_no == label.line_no),
        float(cand.line_no - label.line_no),
        overlap / max(cand.x1 - cand.x0, 1.0),
        float(_is_label(text)),
        float(bare_subfield(text) is not None),
        float(prev_key == "name"),
        float(prev_key is not None and prev_key != "name"),
        float(bool(orgs) and len(orgs[0].text) >= 0.6 * len(text)),
        sum(c.isdigit() for c in text) / max(len(text), 1),
        sum(c.isupper() for c in letters) / max(len(letters), 1),
        float(min(len(text.split()), 10)),
        float(bool(_CONTACT.search(text))),
        float(parse_reference(text) is not None),
        float(label.text.rstrip().endswith(":")),
        float(nearer),
        float(not column),
    ]


def model_dir() -> Path:
    """The active linker version's folder (registry kind "linker"), else the shipped one."""
    from exportdesk.extract.registry import RegistryError, RegistryReader
    from exportdesk.extract.settings import get_settings

    settings = get_settings()
    root = settings.models_dir
    try:
        folder = RegistryReader.for_settings(settings).active_folder("linker")
    except RegistryError as exc:
        log.warning("linker registry entry unusable (%s); using %s", exc, LINKER_VERSION)
        folder = None
    return folder or root / "linker" / LINKER_VERSION


def _load(key: str) -> object | None:
    """One artefact named in the manifest, checked against its sha256; None if absent/altered.

    The plain-array form (``<key>_arrays``, read by numpy alone) is preferred: unpickling the
    scikit-learn objects would import scikit-learn and scipy, 1-2 s of every command's start.
    """
    folder = model_dir()
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        log.info("no linker model at %s; party blocks are anchored by rules", folder)
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("features") != FEATURES:
        log.warning("linker model in %s was trained on other features; not used", folder)
        return None
    arrays = manifest.get(f"{key}_arrays")
    name = arrays or manifest[key]
    path = folder / name
    data = path.read_bytes()
    if sha256_bytes(data) != manifest["files"].get(name):
        log.warning("linker artefact %s does not match its manifest; not used", path)
        return None
    if arrays:
        from exportdesk.extract.linear import load_arrays

        return load_arrays(data)
    log.info(
        "linker %s has no plain-array export; loading scikit-learn (slower start). "
        "Run `python -m exportdesk.models.extraction.export_linear %s` once.",
        folder,
        folder,
    )
    # our own committed artefact, checked against the manifest's hash above
    # scikit-learn's estimators load pandas when it is installed; nothing here uses it
    with without("pandas"):
        return pickle.loads(data)


@lru_cache(maxsize=1)
def load_model() -> object | None:
    """The trained linker (logistic regression over FEATURES), or None."""
    return _load("model")


@lru_cache(maxsize=1)
def load_label_model() -> object | None:
    """The trained label classifier (character n-grams -> label class), or None."""
    return _load("label_model")


_LABEL_SHAPED = re.compile(r"^[\W\d]{0,6}[^\W\d][^:]{1,40}:?$")


@lru_cache(maxsize=4096)
def classify_label(text: str, threshold: float = 0.85) -> tuple[str, float] | None:
    """("role:consignee", p) when a short, label-shaped text reads as a label the lexicon lacks.

    Only texts shaped like labels are asked (at most four words without figures, ending
    in a colon or written in capitals), so a party's name is rarely taken for one.
    """
    stripped = text.strip()
    if not _LABEL_SHAPED.match(stripped) or len(stripped.split()) > 4:
        return None
    if any(ch.isdigit() for ch in stripped.lstrip("0123456789.() ")):
        return None  # "PO 4711:", "TEL +44 ...": a value, not a label
    if not (stripped.endswith(":") or stripped.isupper()):
        return None
    model = load_label_model()
    if model is None:
        return None
    probs = model.predict_proba([stripped])[0]  # type: ignore[attr-defined]
    i = max(range(len(probs)), key=lambda k: probs[k])
    cls = str(model.classes_[i])  # type: ignore[attr-defined]
    if probs[i] < threshold or cls == "value":
        return None
    return cls, float(probs[i])


def best_value(
    layout: PageLayout, label: Segment, others: list[Segment], threshold: float = 0.5
) -> tuple[Segment, float] | None:
    """The candidate the linker scores highest for `label`, with its probability."""
    model = load_model()
    if model is None:
        return None
    cands = [c for c in candidates(layout, label) if not c.used]
    if not cands:
        return None
    rows = [features(layout, label, c, others) for c in cands]
    probs = model.predict_proba(rows)[:, 1]  # type: ignore[attr-defined]
    i = max(range(len(cands)), key=lambda k: probs[k])
    if probs[i] < threshold:
        return None
    return cands[i], float(probs[i])
