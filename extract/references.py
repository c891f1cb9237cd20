"""Cross-references between party boxes ("Same as consignee (box 2)", "idem", "as above")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from exportdesk.extract.layout import Segment, Token, evidence
from exportdesk.extract.model import Party
from exportdesk.extract.nlp import label_hits
from exportdesk.extract.normalise import fold

# Openings that point at another box, in the lexicon's languages (matched after `fold`).
_REFERENCE = re.compile(
    # a ticked box before the words reads as a stray letter or two ("X", "C1") in a scan
    r"^[\W\d]*(?:[a-z\d]{1,2}\s+)?"
    r"(same as|same|identical (to|with)|idem|ditto|as above|see (above|block|box|field|"
    r"section|item)|refer to|siehe|wie (oben|feld|block|kasten|nr)|identisch mit|gleich wie|"
    r"voir (ci-dessus|case|rubrique|bloc|cadre)|comme (ci-dessus|le |la |l')|identique (a|au)|"
    r"meme que|igual (que|a)|vease|ver (casilla|arriba)|idem que|come sopra|vedi|stesso|"
    r"uguale a|zie (boven|vak)|zelfde als|idem als|samma som|se (ovan|ruta|falt)|"
    r"jak (wyzej|powyzej|w)|patrz|taki sam jak)\b"
)
_BOX_NUMBER = re.compile(
    r"(?:box|block|field|section|item|feld|kasten|case|cadre|rubrique|casilla|campo|vak|ruta|"
    r"falt|pole|nr|no)\.?\s*(\d{1,2}[a-z]?)\b|\((\d{1,2}[a-z]?)\)"
)
_ABOVE = re.compile(r"\b(above|oben|ci-dessus|arriba|sopra|boven|ovan|wyzej|powyzej|idem|ditto)\b")


@dataclass
class Reference:
    """A party box whose value points at another box instead of naming a party."""

    role: str  # the role of the box holding the reference
    target_role: str | None  # the role it names ("consignee"), if any
    box: str | None  # the box number it names ("2", "18"), if any
    above: bool  # "as above", "idem": the box just before
    tokens: list[Token]
    order: int  # reading order of the box, to find "the one above"


def parse_reference(text: str) -> tuple[str | None, str | None, bool] | None:
    """(target role, box number, 'above') when `text` is a cross-reference, else None."""
    folded = fold(text).strip()
    if not _REFERENCE.match(folded):
        return None
    roles = [h.key for h in label_hits(text) if h.kind == "role"]
    number = _BOX_NUMBER.search(folded)
    box = (number.group(1) or number.group(2)) if number else None
    above = bool(_ABOVE.search(folded)) and not roles and box is None
    if not roles and box is None and not above:
        return None
    return (roles[0] if roles else None), box, above


def box_number(segment: Segment, line: list[Segment]) -> str | None:
    """The number printed with a box label: '14. APPLICANT', or '2' just left of 'Consignee'."""
    m = re.match(
        r"^\s*(?:box|block|section|feld|no\.?)?\s*(\d{1,2}[a-z]?)[.):]?\s",
        segment.text,
        re.IGNORECASE,
    )
    if m:
        return m.group(1).lower()
    before = [s for s in line if s.x1 <= segment.x0 and segment.x0 - s.x1 < 40]
    if before and re.fullmatch(r"\d{1,2}[a-z]?[.)]?", before[-1].text.strip()):
        return before[-1].text.strip(" .)").lower()
    return None


def resolve(
    references: list[Reference], parties: list[tuple[Party, str | None, int]]
) -> list[Party]:
    """A party for every reference that points at a box holding one, with evidence at both.

    `parties` are the labelled parties with their box number and reading order.
    """
    out = []
    for ref in references:
        target = _target(ref, parties)
        if target is None:
            continue
        out.append(
            Party(
                role=ref.role,
                name=target.name,
                address=target.address,
                country=target.country,
                confidence=round(0.95 * target.confidence, 3),
                evidence=evidence(ref.tokens) + list(target.evidence),
            )
        )
    return out


def _target(ref: Reference, parties: list[tuple[Party, str | None, int]]) -> Party | None:
    if ref.box is not None:
        for party, number, _ in parties:
            if number == ref.box:
                return party
    if ref.target_role is not None:
        same = [p for p, _, order in parties if p.role == ref.target_role]
        if same:
            return same[0]
    if ref.above or ref.target_role is None:
        before = [(order, p) for p, _, order in parties if order < ref.order]
        if before:
            return max(before, key=lambda x: x[0])[1]
    return None
