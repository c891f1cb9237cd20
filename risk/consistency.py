"""Consistency across the documents of one application: form, certificate, invoice, letter.

Each page is given the kind of document it belongs to (from its heading, in English,
German, French or Spanish; a page without one continues the previous document). Facts
read on pages of different kinds are then compared, and every difference is reported
with two pieces of evidence, one for each place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from exportdesk.extract.model import ApplicationResult, Evidence, Item, Page, Party, Warning
from exportdesk.extract.normalise import fold
from exportdesk.risk.findings import INCONSISTENT, finding
from exportdesk.risk.names import ascii_fold, strip_legal_forms

KINDS = {
    "certificate": r"end[- ]?us(e|er)('?s)? (certificate|statement|undertaking|declaration)|"
    r"certificate of end[- ]?use|ultimate consignee|endverbleib|certificat d.utilisat|"
    r"certificat de (destination|l.utilisateur)|certificado de (usuario|uso|destino) final|"
    r"non-transfer and use",
    "invoice": r"\binvoice\b|\bfactur|\brechnung\b|pro[- ]?forma",
    "form": r"\bapplication\b|\bantrag\b|\bdemande\b|\bsolicitud\b|\blicen[cs]e\b|genehmigung",
    "letter": r"^(dear|sehr geehrte|madame|monsieur|estimad)|\bre:",
}
HEAD_LINES = 8
MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "januar",
                "februar",
                "marz",
                "april",
                "mai",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "dezember",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "janvier",
                "fevrier",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "aout",
                "septembre",
                "octobre",
                "novembre",
                "decembre",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            1,
        )
    },
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERNS = [
    (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b(\d{{1,2}})\.? ?(?:de )?({_MONTH}),? (?:de )?(\d{{4}})\b"), ("d", "M", "y")),
    (re.compile(rf"\b({_MONTH}) (\d{{1,2}}),? (\d{{4}})\b"), ("M", "d", "y")),
]
EXPIRY = re.compile(r"valid (until|through|to)|expir|gultig bis|valable jusqu|valido hasta")
# Quantities and values read twice may differ by rounding; more than this is a difference.
RELATIVE_TOLERANCE = 0.005


@dataclass
class Line:
    page: int
    text: str
    bbox: tuple[float, float, float, float]

    @property
    def evidence(self) -> Evidence:
        return Evidence(page=self.page, bbox=self.bbox, text=self.text)


def page_lines(page: Page) -> list[Line]:
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for w in page.words:
        groups[(w.block, w.line)].append(w)
    lines = []
    for words in groups.values():
        words.sort(key=lambda w: w.x0)
        box = (
            min(w.x0 for w in words),
            min(w.top for w in words),
            max(w.x1 for w in words),
            max(w.bottom for w in words),
        )
        lines.append(Line(page.page, " ".join(w.text for w in words), box))
    lines.sort(key=lambda ln: (round(ln.bbox[1]), ln.bbox[0]))
    return lines


def page_kinds(result: ApplicationResult) -> dict[int, str]:
    """The kind of document each page belongs to; unknown pages continue the previous one."""
    kinds: dict[int, str] = {}
    current = "form"
    for page in result.document.pages:
        head = " ".join(fold(ln.text) for ln in page_lines(page)[:HEAD_LINES])
        for kind, pattern in KINDS.items():
            if re.search(pattern, head):
                current = kind
                break
        kinds[page.page] = current
    return kinds


def parse_dates(text: str) -> list[tuple[dt.date, int]]:
    """Dates written in the text, with their position (day-first for numeric dates)."""
    folded = fold(text)
    found = []
    for pattern, order in DATE_PATTERNS:
        for m in pattern.finditer(folded):
            parts = dict(zip(order, m.groups(), strict=True))
            month = MONTHS[parts["M"]] if "M" in parts else int(parts["m"])
            try:
                found.append((dt.date(int(parts["y"]), month, int(parts["d"])), m.start()))
            except ValueError:
                continue
    return found


def _page_of(evidence: list[Evidence]) -> int | None:
    return evidence[0].page if evidence else None


def _same_name(a: str, b: str) -> bool:
    na, nb = strip_legal_forms(ascii_fold(a)), strip_legal_forms(ascii_fold(b))
    return fuzz.token_sort_ratio(na, nb) >= 85 or fuzz.token_set_ratio(na, nb) >= 95


def _pair(rule: str, message: str, a: list[Evidence], b: list[Evidence], **detail) -> Warning:
    return finding(INCONSISTENT, message, [*a[:1], *b[:1]], rule=rule, **detail)


def party_flags(result: ApplicationResult, kinds: dict[int, str]) -> list[Warning]:
    by_role: dict[str, dict[str, list[Party]]] = defaultdict(lambda: defaultdict(list))
    for party in result.parties:
        page = _page_of(party.evidence)
        if page is not None:
            by_role[party.role][kinds.get(page, "form")].append(party)
    found = []
    for role, per_kind in by_role.items():
        if role == "end_user":
            continue  # compared with the certificate below, where several are normal
        names = sorted(per_kind)
        for i, ka in enumerate(names):
            for kb in names[i + 1 :]:
                for a in per_kind[ka]:
                    matches = [b for b in per_kind[kb] if _same_name(a.name, b.name)]
                    if not matches:
                        b = per_kind[kb][0]
                        found.append(
                            _pair(
                                "party_name",
                                f"The {role.replace('_', ' ')} differs: '{a.name}' on "
                                f"the {ka} (p.{_page_of(a.evidence)}), '{b.name}' on the {kb} "
                                f"(p.{_page_of(b.evidence)}).",
                                a.evidence,
                                b.evidence,
                                role=role,
                            )
                        )
                    elif a.country and matches[0].country and a.country != matches[0].country:
                        b = matches[0]
                        found.append(
                            _pair(
                                "party_country",
                                f"The {role.replace('_', ' ')} '{a.name}' is in "
                                f"{a.country} on the {ka} but {b.country} on the {kb}.",
                                a.evidence,
                                b.evidence,
                                role=role,
                            )
                        )
    return found


def end_user_flags(result: ApplicationResult, kinds: dict[int, str]) -> list[Warning]:
    applicants = [p.name for p in result.parties if p.role == "applicant"]
    # An end user named like the applicant is the applicant's own use (or a "same as
    # applicant" box read as a name); it needs no separate certificate.
    declared = [
        p
        for p in result.parties
        if p.role == "end_user"
        and kinds.get(_page_of(p.evidence) or 0) != "certificate"
        and not any(_same_name(p.name, a) for a in applicants)
    ]
    if not declared:
        return []
    found = []
    certified = [
        (p.name, p.evidence)
        for p in result.parties
        if p.role == "end_user" and kinds.get(_page_of(p.evidence) or 0) == "certificate"
    ]
    certified += [
        (e.end_user, e.evidence)
        for e in result.end_use
        if e.end_user and kinds.get(_page_of(e.evidence) or 0) == "certificate"
    ]
    statements = [e.end_user for e in result.end_use if e.end_user]
    unsupported = [
        p
        for p in declared
        if not any(_same_name(p.name, n) for n, _ in certified)
        and not any(_same_name(p.name, n) for n in statements)
    ]
    if not unsupported:
        return []  # every declared end user has its statement; more certificates add users
    seen: set[str] = set()
    for name, evidence in certified:
        if name in seen or any(_same_name(name, p.name) for p in declared):
            continue
        seen.add(name)
        found.append(
            _pair(
                "end_user",
                f"The end-user certificate names '{name}', but the application names "
                f"{', '.join(repr(p.name) for p in unsupported)} as end user, with no certificate.",
                evidence,
                unsupported[0].evidence,
                certified=name,
            )
        )
    return found


def _differs(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) > RELATIVE_TOLERANCE * max(abs(a), abs(b))


def item_flags(result: ApplicationResult, kinds: dict[int, str]) -> list[Warning]:
    placed: list[tuple[str, Item]] = [
        (kinds.get(_page_of(i.evidence) or 0, "form"), i) for i in result.items if i.evidence
    ]
    found = []
    for n, (ka, a) in enumerate(placed):
        for kb, b in placed[n + 1 :]:
            if ka == kb or fuzz.token_set_ratio(fold(a.description), fold(b.description)) < 85:
                continue
            where = f"item {a.index} on the {ka}, item {b.index} on the {kb}"
            if _differs(a.quantity, b.quantity):
                found.append(
                    _pair(
                        "quantity",
                        f"Quantity differs ({where}): {a.quantity:g} against {b.quantity:g}.",
                        a.evidence,
                        b.evidence,
                    )
                )
            if a.currency and b.currency and a.currency != b.currency:
                found.append(
                    _pair(
                        "currency",
                        f"Currency differs ({where}): {a.currency} against {b.currency}.",
                        a.evidence,
                        b.evidence,
                    )
                )
            elif _differs(a.total_value, b.total_value):
                found.append(
                    _pair(
                        "value",
                        f"Value differs ({where}): {a.total_value:,.2f} "
                        f"against {b.total_value:,.2f}.",
                        a.evidence,
                        b.evidence,
                    )
                )
    return found


def date_flags(result: ApplicationResult, kinds: dict[int, str]) -> list[Warning]:
    application: tuple[dt.date, Line] | None = None
    certificate: tuple[dt.date, Line] | None = None
    expiry: tuple[dt.date, Line] | None = None
    for page in result.document.pages:
        kind = kinds.get(page.page, "form")
        for line in page_lines(page):
            for date, _ in parse_dates(line.text):
                if kind == "certificate":
                    if EXPIRY.search(fold(line.text)):
                        expiry = expiry or (date, line)
                    else:
                        certificate = (date, line)  # the last one: where it was signed
                elif application is None and kind in ("form", "letter"):
                    # an invoice's date is not the application's: certificates follow invoices
                    application = (date, line)
    if application is None:
        return []
    found = []
    day, line = application
    if certificate and certificate[0] > day:
        found.append(
            _pair(
                "certificate_after_application",
                f"The end-user certificate is dated "
                f"{certificate[0].isoformat()}, after the application ({day.isoformat()}).",
                [certificate[1].evidence],
                [line.evidence],
            )
        )
    if expiry and expiry[0] < day:
        found.append(
            _pair(
                "certificate_expired",
                f"The end-user certificate expired on "
                f"{expiry[0].isoformat()}, before the application ({day.isoformat()}).",
                [expiry[1].evidence],
                [line.evidence],
            )
        )
    return found


def consistency_flags(result: ApplicationResult) -> list[Warning]:
    kinds = page_kinds(result)
    return [
        *party_flags(result, kinds),
        *end_user_flags(result, kinds),
        *item_flags(result, kinds),
        *date_flags(result, kinds),
    ]
