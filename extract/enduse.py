"""End-use statements (certificates, labelled fields, undertakings) and their assurance flags."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from exportdesk.extract import labels
from exportdesk.extract.labels import VAGUE_PATTERNS
from exportdesk.extract.layout import (
    PageLayout,
    Paragraph,
    Token,
    evidence,
    join_lines,
    mean_confidence,
    paragraphs,
)
from exportdesk.extract.model import EndUse, Party
from exportdesk.extract.nlp import leading_label, organisations
from exportdesk.extract.normalise import fold
from exportdesk.extract.parties import role_from_context

ASSURANCES = ("no_reexport_assurance", "no_wmd_assurance", "no_military_end_use_assurance")

# Patterns run on folded text (lower case, no diacritics).
FLAG_PATTERNS: dict[str, list[str]] = {
    "no_reexport_assurance": [
        r"\b(not|never)\b[^.]{0,60}\b(re-?export|re-?transfer|re-?sell|resold|transferr?ed|"
        r"divert|tran?shipped)",
        r"\bno (re-?export|re-?transfer|diversion)",
        r"(re-?export|re-?transfer|transfer|resale)[^.]{0,80}\b(without|only with|subject to)"
        r"[^.]{0,60}(authori[sz]ation|approval|consent|permission|licen[cs]e)",
        r"nicht[^.]{0,60}(wieder ?aus|weiter ?(gegeben|verau|geleitet)|reexport)",
        r"ne (seront|sera|pas)[^.]{0,50}(reexport|re-export|transfer|cede)",
        r"no (seran|sera|se)[^.]{0,40}(reexport|transfer)",
    ],
    "no_wmd_assurance": [
        r"weapons? of mass destruction",
        r"\bwmd\b",
        r"chemical,? biological,? (or|and) nuclear",
        r"nuclear,? (biological|chemical)",
        r"biological,? chemical",
        r"missiles? capable of",
        r"massenvernichtungswaffen",
        r"atomare?,? biologische",
        r"armes de destruction massive",
        r"armas de destruccion masiva",
        r"nuclear explosive",
    ],
    "no_military_end_use_assurance": [
        r"\b(not|never)\b[^.]{0,60}\bmilitary\b",
        r"\bno military (end[- ]?)?use",
        r"\b(civil|civilian) (end[- ]?)?(use|purposes?) only",
        r"(solely|exclusively|only) for "
        r"civil(ian)? (purposes|use|applications)",
        r"nicht[^.]{0,40}militarisch",
        r"(pas|aucune?)[^.]{0,40}fins? militaires?",
        r"no[^.]{0,40}(fines|uso) militar",
    ],
}
_CUES = [
    r"certif(y|ies)\b",
    r"\bend[- ]?use\b",
    r"will be used",
    r"(solely|exclusively|only) for",
    r"re-?export",
    r"undertake",
    r"mass destruction",
    r"intended for",
]
_SIGNATURE = re.compile(
    r"^(" + "|".join(re.escape(w) for w in labels.SIGNATURE_WORDS) + r")\b\s*[:_.]|^_{4,}"
)


def flags_for(statement: str) -> list[str]:
    """Assurances present (and `missing_...` for those absent) and `vague_wording`."""
    text = fold(statement)
    flags = []
    for name in ASSURANCES:
        present = any(re.search(p, text) for p in FLAG_PATTERNS[name])
        flags.append(name if present else f"missing_{name}")
    if any(re.search(p, text) for p in VAGUE_PATTERNS):
        flags.append("vague_wording")
    return sorted(flags)


@dataclass
class Found:
    text: str
    tokens: list[Token]
    confidence: float


def _signature_top(layout: PageLayout, below: float) -> float:
    for line in layout.lines:
        if line.top > below and _SIGNATURE.match(fold(line.text)):
            return line.top
    return float("inf")


def _heading_statements(layout: PageLayout, paras: list[Paragraph]) -> list[Found]:
    found = []
    headings = []
    for seg in layout.segments:
        hit = leading_label(seg.text, ("heading",))
        if hit is not None and len(seg.text.split()) <= 12:
            headings.append(seg)
    for k, head in enumerate(headings):
        stop = _signature_top(layout, head.bottom)
        if k + 1 < len(headings):
            stop = min(stop, headings[k + 1].top)
        body = [
            p
            for p in paras
            if head.bottom <= p.segments[0].top < stop and not any(s.used for s in p.segments)
        ]
        if not body:
            continue
        for p in body:
            for s in p.segments:
                s.used = True
        tokens = [t for p in body for t in p.tokens]
        found.append(Found(" ".join(p.text for p in body), tokens, 0.9))
        head.used = True
    return found


def _label_statements(layout: PageLayout) -> list[Found]:
    found = []
    for seg in layout.segments:
        if seg.used:
            continue
        hit = leading_label(seg.text, ("end_use",))
        if hit is None or not (seg.text[hit.start : hit.end][:1].isupper() or seg.text.isupper()):
            continue
        after = seg.text[hit.end :].lstrip()
        if after and after[0] not in ":(-–" and len(seg.text.split()) > 5:
            continue
        rest = after.lstrip(":(-–) ").strip()
        parts: list[str] = [rest] if rest else []
        tokens: list[Token] = list(seg.tokens)
        bottom = seg.bottom
        for line in layout.lines[seg.line_no + 1 :]:
            cands = [s for s in line.segments if s.x0 >= seg.x0 - 14 and not s.used]
            if not cands or cands[0].top - bottom > 1.6 * layout.line_height:
                break
            cand = cands[0]
            stop = leading_label(cand.text, ("role", "heading", "column"))
            if stop is not None and cand.text[stop.end :].lstrip()[:1] in (":", ""):
                break
            if _SIGNATURE.match(fold(cand.text)):
                break
            parts.append(cand.text)
            tokens += cand.tokens
            cand.used = True
            bottom = cand.bottom
        text = join_lines(parts)
        if len(text.split()) < 3:
            continue
        seg.used = True
        found.append(Found(text, tokens, 0.85))
    return found


def _cue_score(text: str) -> int:
    folded = fold(text)
    return sum(1 for c in _CUES if re.search(c, folded))


def _unlabelled_statements(paras: list[Paragraph]) -> list[Found]:
    found: list[Found] = []
    run: list[Paragraph] = []

    def flush() -> None:
        if run:
            tokens = [t for p in run for t in p.tokens]
            found.append(Found(" ".join(p.text for p in run), tokens, 0.65))
            for p in run:
                for s in p.segments:
                    s.used = True
            run.clear()

    for p in paras:
        if any(s.used for s in p.segments):
            flush()
            continue
        score = _cue_score(p.text)
        if score >= 2 or (run and score >= 1):
            run.append(p)
        else:
            flush()
    flush()
    return found


def _end_user_of(text: str, parties: list[Party]) -> str | None:
    for span in organisations(text):
        role = role_from_context(text[: span.start_char], text[span.end_char :])
        if role == "end_user":
            return span.text.strip(" ,")
    end_users = [p for p in parties if p.role == "end_user"]
    for p in end_users:
        if fuzz.partial_ratio(fold(p.name), fold(text)) >= 90:
            return p.name
    return end_users[0].name if end_users else None


def extract_end_use(layouts: list[PageLayout], parties: list[Party]) -> list[EndUse]:
    results: list[EndUse] = []
    for layout in layouts:
        paras = paragraphs(layout)
        found = _heading_statements(layout, paras)
        found += _label_statements(layout)
        found += _unlabelled_statements(paras)
        for f in found:
            conf = f.confidence * (0.6 + 0.4 * mean_confidence(f.tokens))
            results.append(
                EndUse(
                    statement=f.text,
                    end_user=_end_user_of(f.text, parties),
                    confidence=round(conf, 3),
                    evidence=evidence(f.tokens),
                    flags=flags_for(f.text),
                )
            )
    return results
