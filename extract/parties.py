"""Parties to the transaction: labelled blocks in any column layout, letterheads, prose."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from exportdesk.extract import labels
from exportdesk.extract.countries import find_country, resolve_country
from exportdesk.extract.layout import (
    PageLayout,
    Paragraph,
    Segment,
    Token,
    evidence,
    mean_confidence,
)
from exportdesk.extract.linker import bare_subfield, best_value, classify_label
from exportdesk.extract.model import Party
from exportdesk.extract.nlp import (
    LEGAL_FORMS,
    blank,
    leading_label,
    organisations,
    rule_entities,
)
from exportdesk.extract.normalise import clean_spaces, fix_email, fold
from exportdesk.extract.references import Reference, box_number, parse_reference, resolve

_SEPARATORS = " \t:;-–—/|"
_CONTACT = re.compile(
    r"(?i)^(tel|phone|fax|e-?mail|mail|www|http|vat|eori|attn|contact|telephone|telefon|"
    r"t[ée]l[ée]phone|tel[ée]fono)\b|@|"
    r"^\+?[\d\s()./-]{7,}$"
)


@dataclass
class LabelSegment:
    segment: Segment
    role: str
    rest: str  # text after the label on the same segment


def find_role_labels(layouts: list[PageLayout]) -> list[LabelSegment]:
    """Segments that open with a party-role label and read like a label, not like prose."""
    found = []
    for layout in layouts:
        for seg in layout.segments:
            parsed = parse_role_label(seg.text)
            if parsed is not None:
                found.append(LabelSegment(seg, parsed[0], parsed[1]))
    found += _boxes_named_by_references(layouts, {f.role for f in found})
    return sorted(found, key=lambda f: (f.segment.page, f.segment.index))


_NUMBERED_BOX = re.compile(r"^\(?(\d{1,2}[a-z]?)[.)]?\s+(\S.*)$")


def _boxes_named_by_references(layouts: list[PageLayout], roles: set[str]) -> list[LabelSegment]:
    """A box whose label a scan garbled ("2 C+"), named by a reference on its page that
    gives its number and role ("Same as consignee (box 2)"), when no box has that role."""
    out = []
    for layout in layouts:
        named: dict[str, str] = {}
        for seg in layout.segments:
            ref = parse_reference(seg.text)
            if ref is not None and ref[0] is not None and ref[1] is not None:
                named.setdefault(ref[1], ref[0])
        for seg in layout.segments:
            m = _NUMBERED_BOX.match(seg.text)
            if m is None or m.group(1).lower() not in named:
                continue
            role = named[m.group(1).lower()]
            if role in roles or len(m.group(2).split()) > 4 or parse_role_label(seg.text):
                continue
            if parse_reference(seg.text) is not None or re.search(r"\d", m.group(2)):
                continue
            out.append(LabelSegment(seg, role, ""))
            roles = roles | {role}
    return out


def parse_role_label(text: str) -> tuple[str, str] | None:
    # other kinds compete so that "Importe" (a column) never reads as "Importer" (a role)
    hit = leading_label(text, ("role", "heading", "end_use", "column"))
    if hit is None:
        # wording the lexicon lacks ("Empfangsberechtigter:", "DESTINATARIO FINALE"):
        # the trained label classifier, for label-shaped text only
        learned = classify_label(text)
        if learned is not None and learned[0].startswith("role:"):
            return learned[0].split(":", 1)[1], ""
        return None
    if hit.kind != "role":
        return None
    label_text = text[hit.start : hit.end]
    if not (label_text[:1].isupper() or text.isupper()):
        return None
    after = text[hit.end :]
    if re.match(r"^['’`]s\b", after, re.IGNORECASE):
        return None  # "APPLICANT'S SIGNATURE", "Consignee's reference": not the party's box
    stripped = after.lstrip(" ")
    # "Consignee name: X", "Consignee country: Y": one field of the party per line
    if _subfield_rest(stripped):
        return hit.key, stripped
    # a label is followed by nothing, a colon, a slash-joined variant or a parenthesis
    if (
        stripped
        and stripped[0] not in ":/(-–|"
        and not stripped[0].isdigit()
        and not text.isupper()
    ):
        return None
    rest = stripped
    roles = [hit.key]
    for _ in range(2):  # "Applicant / Exporter", "Endempfänger / Endverwender"
        rest = rest.lstrip(_SEPARATORS)
        if rest.startswith("("):
            close = rest.find(")")
            rest = rest[close + 1 :] if close >= 0 else ""
            continue
        again = leading_label(rest, ("role",)) if rest else None
        if again is None or again.start > 0:
            break
        roles.append(again.key)
        rest = rest[again.end :]
    return _combined_role(roles), rest.strip(_SEPARATORS + " ")


def _combined_role(roles: list[str]) -> str:
    """One role for a label joining several ("SELLER / PURCHASER", "Purchaser/Consignee").

    The applicant has a box of its own on every form, so a box that also names another
    role is about the counterparty: the first role other than the applicant wins.
    """
    for skip in (("applicant", "other"), ("applicant",)):
        chosen = next((r for r in roles if r not in skip), None)
        if chosen is not None:
            return chosen
    return roles[0]


def _subfield_rest(text: str) -> bool:
    sub = leading_label(text, ("subfield",)) if text else None
    return sub is not None and sub.start == 0 and text[sub.end :].lstrip().startswith(":")


_BOX_HEADING = re.compile(r"^\(?\d{1,2}[a-z]?[.)]?\s+[A-ZÀ-Þ]")
_NUMBERED_HEADING = re.compile(r"^\(?\d{1,2}[a-z]?[.)]\s+\S")


def _is_any_label(text: str) -> bool:
    """Whether a line opens another field (so a party block ends there)."""
    if _NUMBERED_HEADING.match(text) and text.isupper() and not re.search(r"\d{3}", text):
        return True  # "20. ORIGINAL ULTIMATE CONSIGNEE": a numbered box of a form
    hit = leading_label(text, ("role", "end_use", "heading", "column"))
    if hit is None:
        return False
    after = text[hit.end :].lstrip()
    if hit.kind == "column":  # "No", "Type", "Make" are also words inside an address block
        return after.startswith(":")
    return not after or after[0] in ":/(" or len(text.split()) <= 4


def _line_of(layout: PageLayout, seg: Segment):
    return layout.lines[seg.line_no]


def _value_beside(
    layout: PageLayout, label: LabelSegment, nxt: Segment | None, others: list[Segment] | None
) -> bool:
    """Whether the value sits right of the label (else under it): the linker decides.

    Without a trained linker, the rule: a non-label segment to the right, and nothing
    starting right under the label.
    """
    seg = label.segment
    if label.rest or nxt is None or _is_any_label(nxt.text):
        return False
    if _BOX_HEADING.match(seg.text) and _BOX_HEADING.match(nxt.text) and len(nxt.text.split()) <= 4:
        return False  # "5 Purchaser ... | 6 Countries": the next numbered box, not a value
    linked = best_value(layout, seg, others or [seg])
    if linked is not None:
        anchor, _ = linked
        return anchor is nxt
    width = layout.page.width or 612
    return nxt.x0 - seg.x1 < 0.4 * width and _segment_under(layout, seg) is None


def collect_value(
    layout: PageLayout, label: LabelSegment, others: list[Segment] | None = None
) -> list[tuple[str, list[Token]]]:
    """The value lines that belong to a label: inline, to its right, or below it in its column.

    `others` are the page's other role labels (the linker weighs a nearer competing label).
    """
    seg = label.segment
    line = _line_of(layout, seg)
    right_neighbours = [s for s in line.segments if s.x0 > seg.x1]
    nxt = right_neighbours[0] if right_neighbours else None
    width = layout.page.width or 612
    values: list[tuple[str, list[Token]]] = []
    rest_tokens = _tokens_for_rest(seg, label.rest)
    if label.rest:
        values.append((label.rest, rest_tokens))
    pitch = layout.line_height
    if nxt is not None and _value_beside(layout, label, nxt, others):
        # value to the right of the label; following lines align with it
        anchor_x = nxt.x0
        values.append((nxt.text, nxt.tokens))
        nxt.used = True
        bottom = nxt.bottom
        for later in layout.lines[seg.line_no + 1 :]:
            if any(s.x1 < anchor_x - 6 for s in later.segments):
                break  # something starts in the label column: the next field
            cands = [s for s in later.segments if abs(s.x0 - anchor_x) < 14 and not s.used]
            if not cands or cands[0].top - bottom > 1.6 * pitch or _is_any_label(cands[0].text):
                break
            values.append((cands[0].text, cands[0].tokens))
            cands[0].used = True
            bottom = cands[0].bottom
            if len(values) >= 7:
                break
        return values
    left = seg.x0 - 14
    right = nxt.x0 - 6 if nxt is not None else width
    bottom = seg.bottom
    # where this block's sub-labels start, from the rows below that read as sub-labels
    label_xs = [
        s.x0
        for later in layout.lines[seg.line_no + 1 : seg.line_no + 9]
        for s in later.segments
        if left <= s.x0 < right and not s.used and bare_subfield(s.text) is not None
    ]
    for later in layout.lines[seg.line_no + 1 :]:
        cands = [s for s in later.segments if left <= s.x0 < right and not s.used]
        if not cands:
            if later.top - bottom > 1.6 * pitch:
                break
            continue
        cand = cands[0]
        # a row of a sub-label grid: one of its cells is a sub-label, or its first cell
        # stands where the block's sub-labels stand (a label the scan garbled: "CITY" as "cry")
        grid = any(bare_subfield(c.text) is not None for c in cands) or (
            len(cands) >= 2
            and len(cand.text.split()) == 1
            and any(abs(cand.x0 - x) < 6 for x in label_xs)
        )
        # forms leave writing room between sub-label rows (NAME, ADDRESS, CITY ...)
        allowed = 3.5 * pitch if grid else 1.6 * pitch
        if cand.top - bottom > allowed or _is_any_label(cand.text):
            break
        widest = max((sum(t.x1 - t.x0 for t in toks) for _, toks in values), default=0.0)
        if values and cand.x1 - cand.x0 > max(2.5 * widest, 0.45 * width):
            break  # a line of running text under the block, not part of the address
        if grid:
            # a grid of sub-labels (NAME | value, CITY | value POSTAL CODE | value)
            garbled = cand if bare_subfield(cand.text) is None else None
            values += subfield_pairs(cands, garbled)
            for c in cands:
                c.used = True
        else:
            values.append((cand.text, cand.tokens))
            cand.used = True
        bottom = max(c.bottom for c in cands) if grid else cand.bottom
        if len(values) >= 9:
            break
    return values


def _without_subfield(text: str) -> str:
    """The value of a 'name: value' line, or the line as it is."""
    hit = leading_label(text, ("subfield",))
    if hit is not None and hit.start == 0 and text[hit.end :].lstrip().startswith(":"):
        return text[hit.end :].lstrip()[1:].strip()
    return text


def subfield_pairs(
    segments: list[Segment], garbled: Segment | None = None
) -> list[tuple[str, list[Token]]]:
    """'key: value' lines from a row of sub-labels, each followed by its value segment.

    A sub-label with no value of its own (the next segment is another sub-label, or none)
    is dropped; a segment that is not a sub-label is kept as it is. `garbled` is a cell in
    the sub-label column that no longer reads as one: its value counts as an address part.
    """
    out: list[tuple[str, list[Token]]] = []
    i = 0
    while i < len(segments):
        key = bare_subfield(segments[i].text)
        if key is None and segments[i] is garbled:
            key = "address"
        if key is None:
            out.append((segments[i].text, segments[i].tokens))
            i += 1
            continue
        following = segments[i + 1] if i + 1 < len(segments) else None
        if following is not None and bare_subfield(following.text) is None:
            out.append((f"{key}: {following.text}", following.tokens))
            i += 2
        else:
            i += 1
    return out


def _segment_under(layout: PageLayout, seg: Segment) -> Segment | None:
    """The unused segment starting right under `seg` (its value, in a label-above layout)."""
    if seg.line_no + 1 >= len(layout.lines):
        return None
    below = layout.lines[seg.line_no + 1]
    if below.top - seg.bottom > 1.6 * layout.line_height:
        return None
    for s in below.segments:
        if abs(s.x0 - seg.x0) < 14 and not s.used and not _is_any_label(s.text):
            return s
    return None


def _tokens_for_rest(seg: Segment, rest: str) -> list[Token]:
    if not rest:
        return []
    words = rest.split()
    return (
        seg.tokens[len(seg.tokens) - len(words) :] if len(words) <= len(seg.tokens) else seg.tokens
    )


def parse_party_lines(lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """(name, address, country) from a block's lines; Name:/Address:/Country: sub-labels count."""
    name = country = None
    fields: list[str] = []  # address, city, postcode and state sub-fields, in order
    rest: list[str] = []
    for raw in lines:
        text = clean_spaces(fix_email(raw))
        hit = leading_label(text, ("subfield",))
        if hit is not None and text[hit.end :].lstrip().startswith(":"):
            value = text[hit.end :].lstrip()[1:].strip()
            if hit.key == "name" and value:
                name = value
            elif hit.key in ("address", "city", "postcode", "state") and value:
                fields.append(value)
            elif hit.key == "country" and value:
                country = resolve_country(value) or _country_in(value)
            continue
        if _CONTACT.search(text):
            continue
        rest.append(text)
    if name is None and rest:
        name = rest.pop(0)
        # a name wrapped onto a second line ends with a connector: "Universidade de" / "Aveiro"
        while rest and _CONNECTOR_END.search(name) and not re.match(r"^\d", rest[0]):
            name = f"{name} {rest.pop(0)}"
        # "Foo GmbH, Street 1, 12345 City, Germany" on one line: the name ends at its legal form
        if ", " in name:
            orgs = [s for s in rule_entities(blank().make_doc(name)) if s.label_ == "ORG"]
            if orgs and orgs[0].start_char == 0 and orgs[0].end_char < len(name) - 2:
                head, tail = name[: orgs[0].end_char], name[orgs[0].end_char :].strip(" ,")
                name = head
                rest.insert(0, tail)
            elif re.search(r"\d", name.split(", ", 1)[1]):
                name, tail = name.split(", ", 1)
                rest.insert(0, tail)
    address_lines = fields + rest
    if country is None and address_lines:
        last = address_lines[-1]
        country = resolve_country(last)
        if country is not None:
            address_lines.pop()
        else:
            country = _country_in(last) or (
                _country_in(address_lines[-2]) if len(address_lines) > 1 else None
            )
    if country is None and address_lines:
        country = country_from_address_codes(" · ".join(address_lines))
    address = ", ".join(a.strip(" ,") for a in address_lines if a.strip(" ,")) or None
    return name, address, country


_POSTCODE_PREFIX = re.compile(r"(?<![\w-])([A-Z]{1,2})-\d{3,5}\b")
_TRAILING_CODE = re.compile(r"(?:^|[,·•|;]\s*)([A-Z]{2})\s*[,.·•|;]?\s*$")
# one-letter postcode prefixes still seen on European addresses
_ONE_LETTER = {
    "D": "DE",
    "F": "FR",
    "I": "IT",
    "A": "AT",
    "B": "BE",
    "N": "NO",
    "S": "SE",
    "L": "LU",
    "P": "PT",
    "E": "ES",
    "H": "HU",
}


_US_STATES = frozenset(
    re.findall(
        r"[A-Z]{2}",
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC",
    )
)


def country_from_address_codes(address: str) -> str | None:
    """A country written only as a code: 'CH-1227 Genève', 'SE-417 56 Göteborg', '..., CH'."""
    for line in reversed(address.split(" · ")):
        m = _TRAILING_CODE.search(line)
        if m is None or m.group(1) in _US_STATES:  # "Springfield, IL" is not Israel
            continue
        found = find_country(m.group(1), allow_code=True)
        if found:
            return found[0]
    m = _POSTCODE_PREFIX.search(address)
    if m:
        code = m.group(1)
        return _ONE_LETTER.get(code) if len(code) == 1 else resolve_country(code)
    return None


_CONNECTOR_END = re.compile(
    r"(?i)(\s(de|du|des|of|and|und|für|fur|for|di|del|della|van|von|der|y|e|et|&|och|i)|[-–—&,])$"
)


def _country_in(text: str) -> str | None:
    found = find_country(text)
    return found[0] if found else None


def _name_like(name: str | None) -> bool:
    """An organisation's name has letters in it; OCR debris ("cry", "“a") and "None" do not."""
    if not name or fold(name).strip(" .") in labels.NONE_VALUES:
        return False
    letters = sum(ch.isalpha() for ch in name)
    if letters < 4 and not (letters == 3 and name.strip(" .").isupper()):  # "ABB" is a name
        return False
    return letters >= 0.5 * len(name.replace(" ", ""))


def _grouped(found: list[LabelSegment]) -> list[list[LabelSegment]]:
    """Consecutive labels of one role that each carry one sub-field belong to one party."""
    groups: list[list[LabelSegment]] = []
    for label in found:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.role == label.role
            and _subfield_rest(label.rest)
            and _subfield_rest(last.rest)
            and last.segment.page == label.segment.page
            and 0 < label.segment.line_no - last.segment.line_no <= 4
        ):
            groups[-1].append(label)
        else:
            groups.append([label])
    return groups


def labelled_parties(layouts: list[PageLayout]) -> list[Party]:
    """Parties from labelled boxes; a box that refers to another box gets that box's party."""
    found: list[tuple[Party, str | None, int]] = []
    pending: list[Reference] = []
    by_page = {layout.page.page: layout for layout in layouts}
    role_labels = find_role_labels(layouts)
    on_page: dict[int, list[Segment]] = {}
    for found_label in role_labels:
        on_page.setdefault(found_label.segment.page, []).append(found_label.segment)
    for group in _grouped(role_labels):
        label = group[0]
        layout = by_page[label.segment.page]
        order = label.segment.page * 100_000 + label.segment.index
        if len(group) > 1:  # "Consignee name: ...", "Consignee address: ...", ...
            values = [(g.rest, g.segment.tokens) for g in group]
            for g in group[1:]:
                g.segment.used = True
        else:
            values = collect_value(layout, label, on_page[label.segment.page])
        texts = [t for t, _ in values]
        reference = parse_reference(_without_subfield(texts[0])) if texts else None
        if reference is not None:
            if len(texts) > 1 and not _CONTACT.search(texts[1]):
                # a printed option ("[ ] Same as consignee") with the party written under it
                values, texts = values[1:], texts[1:]
            else:
                label.segment.used = True
                pending.append(
                    Reference(label.role, *reference, label.segment.tokens + values[0][1], order)
                )
                continue
        if not texts or fold(texts[0]).strip(" .") in labels.NONE_VALUES:
            continue
        name, address, country = parse_party_lines(texts)
        if not _name_like(name):
            continue
        tokens = label.segment.tokens + [t for _, toks in values for t in toks]
        conf = 0.92 * (0.6 + 0.4 * mean_confidence(tokens))
        if country is None:
            conf *= 0.8
        label.segment.used = True
        party = Party(
            role=label.role,
            name=name,
            address=address,
            country=country,
            confidence=round(conf, 3),
            evidence=evidence(tokens),
        )
        found.append(
            (party, box_number(label.segment, layout.lines[label.segment.line_no].segments), order)
        )
    return [p for p, _, _ in found] + resolve(pending, found)


# ----------------------------------------------------------------------------- prose
_ROLE_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "intermediate_consignee",
        re.compile(
            r"intermediate consignee|freight forwarder|forwarder|"
            r"zwischenempf|destinataire intermediaire|transit"
        ),
    ),
    (
        "purchaser",
        re.compile(
            r"purchaser|buyer|purchased by|ordered by|placed by|kaufer|acheteur|comprador|"
            r"besteller|bestellt von|commande par|pedido por"
        ),
    ),
    (
        "consignee",
        re.compile(
            r"consignee|shipped to|delivered to|deliver(y|ed)? to|ship to|"
            r"empfanger|destinataire|consignatario"
        ),
    ),
    (
        "end_user",
        re.compile(
            r"end[- ]?user|\bwe,|certif(y|ies)|undertake|endverwender|"
            r"utilisateur final|usuario final|end use"
        ),
    ),
    (
        "applicant",
        re.compile(
            r"supplied by|delivered by|exporter|manufactured by|seller|"
            r"to be delivered by|from"
        ),
    ),
]


_ACTS_AS = re.compile(
    r"^[^.;]{0,120}?\b(acts?|acting|serves?|is|will be) (also )?as (the )?"
    r"(?P<role>purchaser|buyer|consignee|intermediate consignee|freight forwarder|forwarder|"
    r"(final |ultimate )?end[- ]?user)\b"
)
_ACTS_AS_ROLE = {
    "buyer": "purchaser",
    "freight forwarder": "intermediate_consignee",
    "forwarder": "intermediate_consignee",
}


def _stated_role(after: str) -> str | None:
    """A role the sentence gives the organisation outright ("..., which acts as purchaser")."""
    m = _ACTS_AS.search(fold(after[:160]))
    if m is None:
        return None
    role = re.sub(r"^(final|ultimate) ", "", m.group("role")).replace("-", " ")
    role = _ACTS_AS_ROLE.get(role, role)
    return role.replace(" ", "_") if role != "end user" else "end_user"


def role_from_context(before: str, after: str) -> str | None:
    b = fold(before[-90:])
    a = fold(after[:80])
    if re.search(r"\b(as|is) the (final |ultimate )?end[- ]?user", a):
        return "end_user"
    best: tuple[int, str] | None = None
    for role, pattern in _ROLE_CUES:
        for m in pattern.finditer(b):
            distance = len(b) - m.end()
            if best is None or distance < best[0]:
                best = (distance, role)
    return best[1] if best else None


def prose_parties(paragraphs: list[Paragraph]) -> list[Party]:
    """Parties named in running text ("We, X of Y, certify ...", "shipped to the consignee, X")."""
    found = []
    for para in paragraphs:
        text = para.text
        if len(text.split()) < 6:
            continue
        covered = -1  # an organisation inside the previous one's address is a place name
        for span in organisations(text):
            if span.start_char < covered:
                continue
            stated = _stated_role(text[span.end_char :])
            role = stated or role_from_context(text[: span.start_char], text[span.end_char :])
            if role is None:
                continue
            name = span.text.strip(" ,")
            if fold(name).strip(" .") in labels.NONE_VALUES or not re.search(r"[^\W\d_]{3}", name):
                continue
            address, country = _address_after(text[span.end_char : span.end_char + 180])
            covered = span.end_char + len(address or "") + 4
            conf = (0.82 if stated else 0.75) * (0.6 + 0.4 * mean_confidence(para.tokens))
            found.append(
                Party(
                    role=role,
                    name=name,
                    address=address or None,
                    country=country,
                    confidence=round(conf, 3),
                    evidence=evidence(_tokens_matching(para, name)),
                )
            )
    return found


_CLAUSE_END = re.compile(
    r"\b(hereby|certif|as the|is the|who |under |will |shall |for |and the )"
    r"|;|(?<=[A-Za-z0-9]{2})\.(\s+[A-Z][a-z]|\s*$)"
)


def _address_after(tail: str) -> tuple[str | None, str | None]:
    """Address and country written after an organisation's name in a sentence."""
    tail = re.sub(
        r"^\s*,?\s*(of|located at|at|based (at|in)|with (its )?registered office "
        r"(at|in))?\s*,?\s*",
        "",
        tail,
    )
    cut = _CLAUSE_END.search(tail)
    clause = tail[: cut.start()] if cut else tail
    found = find_country(clause)
    code = re.search(r",\s*([A-Z]{2,3})\s*[,.;]?\s*$", clause)
    if found is None and code is None:  # OCR turned "KR." into "KR," and the clause ran on
        code = re.search(r",\s*([A-Z]{2})\s*(?=[,.;])", clause)
        if code is not None:
            clause = clause[: code.end()]
    if found is None and code is not None:
        resolved = (
            resolve_country(code.group(1))
            if len(code.group(1)) == 2
            else find_country(code.group(1), allow_code=True)
        )
        resolved = resolved[0] if isinstance(resolved, tuple) else resolved
        if resolved:
            return clause[: code.start()].strip(" ,") or None, resolved
    if found is None:
        return None, None
    return clause[: found[1]].strip(" ,") or None, found[0]


def _tokens_matching(para: Paragraph, text: str) -> list[Token]:
    wanted = fold(text).split()
    tokens = para.tokens
    folded = [fold(t.text).strip(",.;") for t in tokens]
    for i in range(len(tokens)):
        if folded[i : i + len(wanted)] == [w.strip(",.;") for w in wanted]:
            return tokens[i : i + len(wanted)]
    return tokens


def _row_from(segments: list[Segment], first: Segment, line_height: float) -> list[Segment]:
    """`first` and the segments right after it on its line, while the gaps stay small: a
    letterhead line "street · postcode town · country" whose dots a scan lost."""
    row = [first]
    for seg in segments:
        if seg.x0 <= row[-1].x0:
            continue
        if seg.x0 - row[-1].x1 > 3 * max(line_height, 1.0):
            break
        row.append(seg)
    return row


def letterhead_party(layout: PageLayout, role: str = "applicant") -> Party | None:
    """The sender in a letterhead: an organisation name near the top of the page."""
    height = layout.page.height or 842
    for line in layout.lines:
        if line.top > 0.3 * height:
            break
        for seg in line.segments:
            if seg.used:
                continue
            doc = blank().make_doc(seg.text)
            orgs = [s for s in rule_entities(doc) if s.label_ == "ORG"]
            if not orgs or len(orgs[0].text) < 0.6 * len(seg.text):
                continue
            lines = [seg.text]
            tokens = list(seg.tokens)
            bottom = seg.bottom
            for later in layout.lines[seg.line_no + 1 : seg.line_no + 7]:
                cands = [
                    s for s in later.segments if abs(s.x0 - seg.x0) < 14 or abs(s.x1 - seg.x1) < 14
                ]
                if not cands:  # a line of the other column ("Invoice No.") between two
                    if later.top - bottom > 1.6 * layout.line_height:
                        break
                    continue
                if cands[0].top - bottom > 1.6 * layout.line_height:
                    break
                row = _row_from(later.segments, cands[0], layout.line_height)
                lines.append(", ".join(s.text for s in row))
                tokens += [t for s in row for t in s.tokens]
                bottom = cands[0].bottom
            name, address, country = parse_party_lines(lines)
            if not name:
                continue
            conf = 0.7 * (0.6 + 0.4 * mean_confidence(tokens))
            return Party(
                role=role,
                name=orgs[0].text,
                address=address,
                country=country,
                confidence=round(conf, 3),
                evidence=evidence(tokens),
            )
    return None


_ALSO_ROLE = re.compile(
    r"\bthe (?P<a>consignee|purchaser|buyer|end[- ]?user) (is|will be|acts as) (also |likewise )?"
    r"(the )?(?P<b>consignee|purchaser|buyer|end[- ]?user)\b"
)


def _role_word(word: str) -> str:
    return {
        "buyer": "purchaser",
        "end-user": "end_user",
        "end user": "end_user",
        "enduser": "end_user",
    }.get(word, word)


def _same_party_statements(prose: list[Paragraph], found: list[Party]) -> list[Party]:
    """'The consignee is also the end user': the named party again, in the second role."""
    out = []
    for para in prose:
        for m in _ALSO_ROLE.finditer(fold(para.text)):
            source, target = _role_word(m.group("a")), _role_word(m.group("b"))
            known = next((p for p in found if p.role == source), None)
            if known is None or source == target:
                continue
            out.append(
                known.model_copy(
                    update={
                        "role": target,
                        "confidence": round(0.9 * known.confidence, 3),
                        "evidence": list(known.evidence) + evidence(para.tokens),
                    }
                )
            )
    return out


_FIRST_PERSON = re.compile(
    r"\b(we|our|nous|notre|wir|unser\w*|nosotros|nuestr\w+|noi|nostr\w+|wij|onze|vi|vår\w*|"
    r"my|nasz\w*)\b"
)


def _first_person_statement(layout: PageLayout) -> bool:
    """Whether the page is an end-use statement written by its signatory ("We ... certify")."""
    heading = any(
        (hit := leading_label(line.text, ("heading",))) is not None and hit.start < 4
        for line in layout.lines
    )
    return heading and bool(_FIRST_PERSON.search(fold(layout.page.text)))


def _legal_form(name: str) -> str:
    last = fold(name).replace(".", "").replace(",", " ").split()
    return last[-1] if last else ""


def same_party(a: Party, b: Party) -> bool:
    """Same organisation despite OCR slips; 'X GmbH' and 'X Inc.' are different firms."""
    # a prose mention that dropped the legal form ("X Lda." written "X")
    short, long = sorted((fold(a.name).strip(" .,"), fold(b.name).strip(" .,")), key=len)
    if (len(short.split()) >= 2 and long.startswith(short + " ")) or long.startswith(short + ","):
        return True
    if (
        _legal_form(a.name) != _legal_form(b.name)
        and fuzz.ratio(_legal_form(a.name), _legal_form(b.name)) < 60
    ):
        return False
    return fuzz.ratio(fold(a.name), fold(b.name)) >= 86


def merge_parties(parties: list[Party]) -> list[Party]:
    """One entry per role and organisation; the first (labelled) one wins, gaps are filled."""
    out: list[Party] = []
    for p in parties:
        twin = next((q for q in out if q.role == p.role and same_party(p, q)), None)
        if twin is None:
            out.append(p)
            continue
        if twin.country is None and p.country is not None:
            twin.country = p.country
        if twin.address is None and p.address is not None:
            twin.address = p.address
    return out


# Glyphs OCR mixes up with each other in short, letter-only legal forms ("Sp. z 0.0.").
_LOOKALIKES = [set("0oO"), set("1lI|"), set("5sS"), set("8B"), set("2zZ"), set("6G")]


def _lookalike(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _LOOKALIKES)


def repair_legal_form(name: str) -> str:
    """The name with an OCR-garbled legal form at its end written as the form itself.

    Only a tail of the same length whose every character equals the form's or is a known
    look-alike of it (0/o, 1/l, 5/S ...) is replaced, so a real name is never rewritten.
    """
    words = name.split()
    for n in (4, 3, 2, 1):
        if len(words) <= n:
            continue
        tail = " ".join(words[-n:])
        for form in LEGAL_FORMS:
            if (
                len(form) == len(tail) >= 4
                and tail != form
                and len(form.split()) == n
                and all(_lookalike(a, b) for a, b in zip(tail, form, strict=True))
                and sum(a != b for a, b in zip(tail, form, strict=True)) <= 3
                and any(a.isdigit() or a == "|" for a in tail)
            ):
                return " ".join([*words[:-n], form])
    return name


def extract_parties(layouts: list[PageLayout], prose: list[Paragraph]) -> list[Party]:
    labelled = labelled_parties(layouts)
    found = list(labelled)
    if layouts and not any(p.role == "applicant" for p in found):
        head = letterhead_party(layouts[0])
        if head is not None:
            found.append(head)
    for layout in layouts:
        # an end-use statement on the end user's own letterhead ("we are the end user")
        if _first_person_statement(layout):
            head = letterhead_party(layout, "end_user")
            if head is not None and not any(same_party(head, p) for p in labelled):
                found.append(head)
    found += prose_parties(prose)
    found += _same_party_statements(prose, found)
    parties = merge_parties(found)
    # a prose mention of an organisation already listed under another role adds nothing
    # except where the prose is the only source for that role; a labelled box always counts
    # ("SELLER / PURCHASER" naming the applicant again, without a country)
    result = []
    for p in parties:
        if (
            p.confidence < 0.75
            and not any(p is q for q in labelled)
            and any(same_party(p, q) and q.role != p.role and q.confidence >= 0.8 for q in parties)
        ):
            continue
        p.name = repair_legal_form(p.name)
        result.append(p)
    return result
