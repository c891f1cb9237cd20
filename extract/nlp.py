"""spaCy: label matching, rule entities (legal-form ORG, MONEY, QUANTITY), the trained NER."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from exportdesk.extract.imports import spacy_without_cli, without

# spaCy's thinc would load torch (the pipelines here run on numpy), and spaCy's __init__ its
# whole command-line package: neither is used here (extract/imports.py)
with without("torch"), spacy_without_cli():
    import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from exportdesk.extract import labels
from exportdesk.extract.normalise import fold
from exportdesk.extract.registry import RegistryError, RegistryReader, verify_files

log = logging.getLogger(__name__)

LEGAL_FORMS = [
    "GmbH",
    "GmbH & Co. KG",
    "AG",
    "KG",
    "KGaA",
    "e.V.",
    "SE",
    "S.A.",
    "SA",
    "SAS",
    "S.A.S.",
    "SARL",
    "S.à r.l.",
    "S.L.",
    "SL",
    "S.L.U.",
    "S.p.A.",
    "SpA",
    "S.r.l.",
    "Srl",
    "SRL",
    "S.R.L.",
    "Sp. z o.o.",
    "s.r.o.",
    "a.s.",
    "AB",
    "AS",
    "ASA",
    "Oy",
    "Oyj",
    "A/S",
    "ApS",
    "B.V.",
    "BV",
    "N.V.",
    "NV",
    "Lda.",
    "Lda",
    "Ltda.",
    "Ltda",
    "A.Ş.",
    "Ltd. Şti.",
    "Kft.",
    "Zrt.",
    "Nyrt.",
    "Ltd",
    "Ltd.",
    "Limited",
    "PLC",
    "plc",
    "Inc.",
    "Inc",
    "LLC",
    "L.L.C.",
    "Corp.",
    "Corp",
    "Corporation",
    "Co., Ltd.",
    "Co. Ltd.",
    "Co.",
    "K.K.",
    "Pvt. Ltd.",
    "Pvt Ltd",
    "FZE",
    "FZCO",
    "FZ-LLC",
    "(Pty) Ltd",
    "Pty Ltd",
    "Pty. Ltd.",
    "Pte. Ltd.",
    "Pte Ltd",
    "S.A. de C.V.",
    "Ltée",
    "d.o.o.",
    "OÜ",
    "UAB",
    "SIA",
    "Sdn. Bhd.",
    "Bhd",
    "JSC",
    "LLP",
    "S.C.",
    "Ges.m.b.H.",
    "Sàrl",
    "SpA.",
    "Aps",
]
# Lower-case words that may sit inside an organisation name.
_ORG_CONNECTORS = r"de|du|des|la|le|of|and|und|y|e|der|di|del|della|von|van|for|&|et|do|da|dos"


@dataclass(frozen=True)
class LabelHit:
    kind: str  # "role", "column", "end_use", "heading", "subfield"
    key: str
    start: int  # character offsets in the original text
    end: int


@lru_cache(maxsize=1)
def blank() -> Language:
    return spacy.blank("en")


@lru_cache(maxsize=1)
def _label_matcher() -> PhraseMatcher:
    nlp = blank()
    matcher = PhraseMatcher(nlp.vocab)
    groups = [
        ("role", labels.ROLE_LABELS),
        ("column", labels.COLUMN_LABELS),
        ("subfield", labels.SUBFIELD_LABELS),
        ("end_use", {"end_use": labels.END_USE_LABELS}),
        ("heading", {"heading": labels.END_USE_HEADINGS}),
    ]
    for kind, table in groups:
        for key, phrases in table.items():
            matcher.add(f"{kind}:{key}", [nlp.make_doc(fold(p)) for p in phrases])
    return matcher


_PLURAL_MARK = re.compile(r"(?<=[a-z])\((s|es|ies|n|en|in|innen|e|x)\)")


def label_hits(text: str) -> list[LabelHit]:
    """Every lexicon label in `text`, matched case- and accent-insensitively."""
    # plural marks glued to a word ("consignee(s)", "Empfänger(in)") hide the word from the
    # tokenizer; blanked with spaces of the same length, offsets stay those of `text`
    folded = _PLURAL_MARK.sub(lambda m: " " * len(m.group(0)), fold(text))
    doc = blank().make_doc(folded)
    hits = []
    for match_id, start, end in _label_matcher()(doc):
        kind, key = blank().vocab.strings[match_id].split(":", 1)
        span = doc[start:end]
        hits.append(LabelHit(kind, key, span.start_char, span.end_char))
    return hits


_PREFIX_WORDS = {
    "block",
    "box",
    "section",
    "field",
    "feld",
    "case",
    "rubrique",
    "casilla",
    "abschnitt",
    "partie",
    "part",
    "no",
    "nr",
    "n°",
    "item",
    # "Name and address of the consignee", "Details of end user"
    "name",
    "and",
    "address",
    "of",
    "details",
    "full",
    "company",
    "nom",
    "et",
    "adresse",
    "du",
    "de",
    "la",
    "l'",
    "name/address",
}


@lru_cache(maxsize=8192)
def leading_label(text: str, kinds: tuple[str, ...]) -> LabelHit | None:
    """The label that opens `text` (after numbering such as '14.', '(3)', 'Block 5'), if any.

    Among labels starting at the same place the longest wins, so 'Intermediate consignee'
    beats 'consignee' and 'End-user certificate' beats 'End-user'.
    """
    hits = [h for h in label_hits(text) if h.kind in kinds]
    if hits:
        first = min(hits, key=lambda h: (h.start, -(h.end - h.start)))
        if _is_numbering(fold(text[: first.start])):
            return first
        return None
    return fuzzy_leading_label(text, kinds)


@lru_cache(maxsize=8)
def _fuzzy_choices(kinds: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]]:
    """Label phrases of 7+ letters for OCR-damaged labels ("Ausfiihrer", "Warenempfanqer")."""
    groups = {
        "role": labels.ROLE_LABELS,
        "column": labels.COLUMN_LABELS,
        "end_use": {"end_use": labels.END_USE_LABELS},
        "heading": {"heading": labels.END_USE_HEADINGS},
        "subfield": labels.SUBFIELD_LABELS,
    }
    phrases: list[str] = []
    keys: list[tuple[str, str]] = []
    for kind in kinds:
        for key, table_phrases in groups.get(kind, {}).items():
            for p in table_phrases:
                if len(p) >= 7:
                    phrases.append(fold(p))
                    keys.append((kind, key))
    return phrases, keys


_NUMBERING = re.compile(
    r"^[\s(]*(?:(?:block|box|section|feld|no\.?)\s*)?"
    r"(?:[\dil]{1,2}[a-z]?[.,:)]+|\d{1,2}[a-z]?(?=\s)|\([a-z]\))?\s*"
)


def fuzzy_leading_label(text: str, kinds: tuple[str, ...]) -> LabelHit | None:
    from rapidfuzz import fuzz, process

    folded = fold(text)
    m = _NUMBERING.match(folded)
    start = m.end() if m else 0
    words = [(w.start() + start, w.end() + start) for w in re.finditer(r"\S+", folded[start:])]
    phrases, keys = _fuzzy_choices(kinds)
    best: tuple[float, LabelHit] | None = None
    for n in (1, 2, 3, 4):
        if len(words) < n:
            break
        candidate = folded[start : words[n - 1][1]].rstrip(":")
        if len(candidate) < 7:
            continue
        needed = 82 if len(candidate) >= 9 else 90
        for _, score, index in process.extract(
            candidate, phrases, scorer=fuzz.ratio, score_cutoff=min(needed, 80), limit=5
        ):
            if abs(len(phrases[index]) - len(candidate)) > 2:
                continue
            if keys[index][0] != "subfield":
                if score < needed:
                    continue
            # a sub-label may lose one letter in seven ("ADORESS"), but only where it looks
            # like one: "Adressen" in an address is a value, "ADORESS" over a box a label
            elif not _looks_like_label(text, start, len(candidate)):
                continue
            if best is None or score > best[0]:
                kind, key = keys[index]
                best = (score, LabelHit(kind, key, start, start + len(candidate)))
    return best[1] if best else None


def _looks_like_label(text: str, start: int, length: int) -> bool:
    """A damaged sub-label is printed in capitals, followed by a colon, or stands alone in
    its cell ("stareprovince"); fold keeps offsets."""
    span = text[start : start + length]
    letters = [c for c in span if c.isalpha()]
    rest = text[start + length :].strip()
    return (
        (bool(letters) and all(c.isupper() for c in letters))
        or rest.startswith(":")
        or (not rest and start == 0)
    )


def _is_numbering(prefix: str) -> bool:
    previous = ""
    for raw in re.sub(r"[().:,]", " ", prefix).split():
        word = raw.strip("-–—#")
        if (
            not word
            or word.isdigit()
            or word in _PREFIX_WORDS
            or (word == "the" and previous == "of")
        ):
            previous = word
            continue
        if len(word) <= 2 and (word.isalpha() or not word.isalnum()):
            continue  # (a), b), IV, and an enumerator a scan garbled: "(@)", "(©)"
        if word in {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}:
            continue
        return False
    return True


@lru_cache(maxsize=1)
def _rule_matcher() -> Matcher:
    nlp = blank()
    matcher = Matcher(nlp.vocab)
    name_token = {"TEXT": {"REGEX": r"^[A-ZÀ-ÖØ-ÞĀ-ſ][\w.'’&-]*$"}}
    inner = {"TEXT": {"REGEX": rf"^([A-ZÀ-ÖØ-ÞĀ-ſ0-9][\w.'’&/-]*|{_ORG_CONNECTORS})$"}, "OP": "*"}
    org_patterns: list[list[dict[str, Any]]] = []
    for form in LEGAL_FORMS:
        form_tokens = [{"ORTH": t.text} for t in nlp.make_doc(form)]
        org_patterns.append([name_token, inner, *form_tokens])
    matcher.add("ORG", org_patterns)
    number = {"TEXT": {"REGEX": r"^\d[\d.,']*$"}}
    currency = {"TEXT": {"REGEX": r"^([A-Z]{3}|[€$£¥]|US\$)$"}}
    matcher.add(
        "MONEY",
        [
            [currency, number, {"TEXT": {"REGEX": r"^[\d.,']+$"}, "OP": "*"}],
            [number, {"TEXT": {"REGEX": r"^[\d.,']+$"}, "OP": "*"}, currency],
        ],
    )
    unit = {
        "LOWER": {
            "IN": [
                "pcs",
                "pc",
                "pieces",
                "ea",
                "each",
                "units",
                "unit",
                "sets",
                "set",
                "kg",
                "g",
                "t",
                "m",
                "l",
                "litres",
                "liters",
                "rounds",
                "boxes",
                "pairs",
                "kits",
                "lots",
                "licences",
                "licenses",
                "stück",
                "stk",
                "pièces",
                "unidades",
                "piezas",
                "pezzi",
            ]
        }
    }
    matcher.add("QUANTITY", [[number, unit], [number, {"TEXT": {"REGEX": r"^\d{3}$"}}, unit]])
    return matcher


def rule_entities(doc: Doc) -> list[Span]:
    """ORG (names ending in a legal form), MONEY and QUANTITY spans from the rule matcher."""
    spans = [
        Span(doc, start, end, label=doc.vocab.strings[mid])
        for mid, start, end in _rule_matcher()(doc)
    ]
    return filter_spans(spans)


def ner_model_dir() -> Path:
    """Where the NER to use lives: settings.ner_model_dir when set, else the ``model/`` folder
    of the registry's active ``ner`` version (``<models_dir>/ner/<version>/model``)."""
    from exportdesk.extract.settings import get_settings

    settings = get_settings()
    if settings.ner_model_dir:
        return settings.ner_model_dir
    folder = RegistryReader.for_settings(settings).active_folder("ner")
    return (folder or settings.models_dir / "ner" / "none") / "model"


def ner() -> Language | None:
    """The active organisation NER, or None (rules only) when none is installed or its files
    fail its manifest (``ner_integrity_error`` says which, and extraction reports it as
    ``model_integrity_failed``). Resolved on every call (one small JSON read), so activating
    another version reaches a running app."""
    return _checked_ner(ner_model_dir())[0]


def ner_integrity_error() -> str | None:
    """Why the active NER was refused (its files do not match its manifest), or None."""
    return _checked_ner(ner_model_dir())[1]


@lru_cache(maxsize=2)
def _checked_ner(path: Path) -> tuple[Language | None, str | None]:
    # Corrupted weights once cut parties from 4 to 1 under the same version label: an altered
    # model is never used, and the failure is kept so each document can say so.
    try:
        return _load_ner(path), None
    except RegistryError as exc:
        log.error("NER refused: %s", exc)
        return None, str(exc)


@lru_cache(maxsize=2)
def _load_ner(path: Path) -> Language | None:
    if not (path / "meta.json").exists():
        log.warning(
            "NER model not found at %s; prose parties use rules only. "
            "Train it with `python -m exportdesk.models.extraction.train_ner`.",
            path,
        )
        return None
    manifest = path.parent / "manifest.json"
    if manifest.exists():
        # A registry version: its files must match the manifest before they are trusted.
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        verify_files(path.parent, files)
    return _load_sharing_tokenizer(path)


_SHARED_TOKENIZER = "exportdesk.shared_tokenizer.v1"


@spacy.registry.tokenizers(_SHARED_TOKENIZER)
def _shared_tokenizer() -> Any:
    return lambda nlp: blank().tokenizer


def _load_sharing_tokenizer(path: Path) -> Language:
    """The model on `blank()`'s vocab and tokenizer when its saved tokenizer is the same one.

    Building an English tokenizer (4,000 special cases) costs about as much as loading the
    NER itself; the model trained on ``spacy.blank("en")`` saved exactly that tokenizer, so
    when the bytes agree it is built once. A model with another tokenizer loads its own.
    """
    saved = path / "tokenizer"
    tokenizer: Any = blank().tokenizer
    if saved.is_file() and saved.read_bytes() == tokenizer.to_bytes(exclude=["vocab"]):
        return spacy.load(
            path,
            vocab=blank().vocab,
            exclude=["tokenizer"],
            config={"nlp": {"tokenizer": {"@tokenizers": _SHARED_TOKENIZER}}},
        )
    return spacy.load(path)


def ner_version() -> str | None:
    model = ner()
    if model is None:
        return None
    return f"{model.meta.get('name', 'ner')}-{model.meta.get('version', '0')}"


@dataclass(frozen=True)
class OrgSpan:
    text: str
    start_char: int
    end_char: int


def organisations(text: str) -> tuple[OrgSpan, ...]:
    """Organisation spans in prose: the statistical NER's and the legal-form rule's, merged."""
    return _organisations(text, ner() is not None)


@lru_cache(maxsize=512)
def _organisations(text: str, with_model: bool) -> tuple[OrgSpan, ...]:
    # a statement is read twice (parties, then its end user): run the model once
    model = ner() if with_model else None
    doc = model(text) if model is not None else blank().make_doc(text)
    spans = [e for e in doc.ents if e.label_ == "ORG"]
    spans += [s for s in rule_entities(doc) if s.label_ == "ORG"]
    return tuple(
        OrgSpan(s.text, s.start_char, s.end_char)
        for s in sorted(filter_spans(spans), key=lambda s: s.start)
    )
