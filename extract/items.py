"""Goods lines: header-keyword tables with gutter columns (across pages) and key-value blocks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from exportdesk.extract import labels
from exportdesk.extract.layout import Line, PageLayout, Segment, Token, evidence, mean_confidence
from exportdesk.extract.model import Item, Warning
from exportdesk.extract.nlp import LabelHit, fuzzy_leading_label, label_hits, leading_label
from exportdesk.extract.normalise import (
    clean_spaces,
    currency_of,
    fold,
    normalise_code,
    parse_money,
    parse_number,
)

_NUMERIC_KEYS = ("quantity", "unit_price", "total")
_ITEM_HEADER = re.compile(
    r"(?i)^\s*(?:\d+\s*[.)]?\s*)?(item|line|position|pos\.?|article|"
    r"posten|artikel)\s*(no\.?|nr\.?|#)?\s*\d+\s*[:.]?\s*$"
)


@dataclass
class Column:
    key: str | None
    x0: float
    x1: float
    currency: str | None = None


@dataclass
class Record:
    """The raw cells of one goods line before they are typed into an Item."""

    cells: dict[str, list[str]] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    page: int = 1
    currency_hint: str | None = None

    def add(self, key: str, text: str, tokens: list[Token]) -> None:
        self.cells.setdefault(key, []).append(text)
        self.tokens.extend(tokens)

    def text(self, key: str) -> str | None:
        parts = self.cells.get(key)
        return clean_spaces(" ".join(parts)) if parts else None


# ---------------------------------------------------------------------------- tables
def header_columns(line: Line) -> list[Column] | None:
    """Columns named by a header line, or None if the line is not a goods-table header."""
    text = line.text
    hits = sorted(
        (h for h in label_hits(text) if h.kind == "column"),
        key=lambda h: (-(h.end - h.start), h.start),
    )
    # a header label never runs across a gap between two header cells
    seg_of_char: list[int] = []
    for k, seg in enumerate(line.segments):
        seg_of_char.extend([k] * (len(seg.text) + 1))
    chosen: list[LabelHit] = []
    for h in hits:
        if (
            seg_of_char
            and seg_of_char[min(h.start, len(seg_of_char) - 1)]
            != seg_of_char[min(h.end - 1, len(seg_of_char) - 1)]
        ):
            continue
        if all(h.end <= c.start or h.start >= c.end for c in chosen):
            chosen.append(h)
    # OCR-damaged header cells ("Stiickpreis", "Bezeichnung der Giter"): fuzzy, per cell
    offset = 0
    for seg in line.segments:
        end = offset + len(seg.text)
        if not any(offset <= h.start < end for h in chosen) and len(seg.text) >= 5:
            fuzzy = fuzzy_leading_label(seg.text, ("column",))
            if fuzzy is not None:
                chosen.append(
                    LabelHit(fuzzy.kind, fuzzy.key, offset + fuzzy.start, offset + fuzzy.end)
                )
        offset = end + 1
    keys = {h.key for h in chosen}
    if "description" not in keys or not keys & {"quantity", "total", "unit_price"} or len(keys) < 3:
        return None
    # character offsets -> tokens
    spans, pos = [], 0
    for t in line.tokens:
        spans.append((pos, pos + len(t.text)))
        pos += len(t.text) + 1
    covered = sum(1 for (s, e) in spans if any(h.start < e and s < h.end for h in chosen))
    if covered < 0.6 * len(line.tokens):
        return None
    columns: list[Column] = []
    for h in sorted(chosen, key=lambda h: h.start):
        toks = [
            t for t, (s, e) in zip(line.tokens, spans, strict=True) if h.start < e and s < h.end
        ]
        if toks:
            columns.append(Column(h.key, min(t.x0 for t in toks), max(t.x1 for t in toks)))
    for t, (s, e) in zip(line.tokens, spans, strict=True):
        if any(h.start < e and s < h.end for h in chosen):
            continue
        cur = currency_of(t.text.strip("()[]"))
        mid = (t.x0 + t.x1) / 2
        # "Unit price (EUR)", or "(EUR)" under "Unit price" in a header wrapped on two lines
        above = next((c for c in columns if c.x0 - 2 <= mid <= c.x1 + 2 and c.key), None)
        left = above or max(
            (c for c in columns if c.x1 <= t.x0 + 1), key=lambda c: c.x1, default=None
        )
        if cur and left is not None and left.key is not None:
            left.currency = cur
            later = [c.x0 for c in columns if c.x0 > left.x0]
            left.x1 = max(left.x1, min([t.x1, *[x - 1 for x in later]]))
        elif left is None or t.x0 - left.x1 > line_gap(line):
            columns.append(Column(None, t.x0, t.x1))
    columns.sort(key=lambda c: c.x0)
    return columns


def line_gap(line: Line) -> float:
    heights = sorted(t.height for t in line.tokens)
    return 1.2 * heights[len(heights) // 2] if heights else 10.0


_TOTAL_ROW = re.compile(
    r"^\W*("
    + "|".join(re.escape(w) for w in sorted(labels.TOTAL_ROW_WORDS, key=len, reverse=True))
    + r")\b"
)


def _is_total_line(line: Line) -> bool:
    return _TOTAL_ROW.match(fold(line.text)) is not None


def _is_prose(line: Line, table_width: float) -> bool:
    segs = line.segments
    return (
        len(segs) == 1 and len(line.tokens) >= 6 and (segs[0].x1 - segs[0].x0) > 0.6 * table_width
    )


def _opens_field(text: str) -> bool:
    """A party/end-use label line ("Consignee:", "END-USER CERTIFICATE"), not a wrapped cell."""
    hit = leading_label(text, ("role", "heading", "end_use"))
    if hit is None:
        return False
    after = text[hit.end :].lstrip()
    return not after or after.startswith(":") or hit.kind == "heading"


def table_body(
    layout: PageLayout, header_no: int, columns: list[Column]
) -> tuple[list[Line], bool]:
    """Lines under a header up to the table's end; True if the table ran off the page."""
    x0, x1 = columns[0].x0, columns[-1].x1
    body: list[Line] = []
    bottom = layout.lines[header_no].bottom
    for line in layout.lines[header_no + 1 :]:
        gap = line.top - bottom
        if gap > 3.2 * layout.line_height:
            return body, False
        # wrapped cell text sits tight under its row; a loose line without figures is not ours,
        # and a section number ("21. SPECIFIC PURPOSE") is no figure
        if gap > 1.5 * layout.line_height and not any(
            parse_number(t.text) is not None for t in _figure_tokens(line)
        ):
            return body, False
        if _is_total_line(line) or header_columns(line) is not None:
            for s in line.segments:
                s.used = True
            return body, False
        if _is_prose(line, x1 - x0) or _opens_field(line.text):
            return body, False
        if line.tokens[-1].x1 < x0 - 20 or line.tokens[0].x0 > x1 + 20:
            return body, False
        body.append(line)
        bottom = line.bottom
    return body, True


_SECTION_NUMBER = re.compile(r"^\(?\d{1,2}[a-z]?[.)]$")


def _figure_tokens(line: Line) -> list[Token]:
    """The line's tokens less a leading section number followed by words ("21. PURPOSE")."""
    toks = line.tokens
    if (
        len(toks) >= 2
        and _SECTION_NUMBER.match(toks[0].text)
        and all(parse_number(t.text) is None for t in toks[1:])
    ):
        return toks[1:]
    return toks


def _split_number_column(runs: list[list[float]], columns: list[Column]) -> list[list[float]]:
    """A line-number column never shares a band with the next column ("3" + "500" is not 3500).

    Row numbers sit close to the quantity, so the body's gutter between them can vanish
    (a tight layout, a stray line across the table); the header still tells them apart.
    """
    no = next((c for c in columns if c.key == "no"), None)
    if no is None:
        return runs
    after = [c for c in columns if c.x0 > no.x1 - 1]
    if not after:
        return runs
    nxt = min(after, key=lambda c: c.x0)
    cut = (no.x1 + nxt.x0) / 2 if nxt.x0 > no.x1 else nxt.x0 - 0.5
    out: list[list[float]] = []
    for a, b in runs:
        if a < cut < b and min(b, no.x1) > max(a, no.x0) and min(b, nxt.x1) > max(a, nxt.x0):
            out += [[a, cut], [cut, b]]
        else:
            out.append([a, b])
    return out


def assign_bands(columns: list[Column], body: list[Line]) -> list[tuple[float, float, Column]]:
    """Column bands from gutters in the body's word projection, each named by its header.

    A gutter is an x-range that (almost) no body line covers: a stray OCR line of noise
    across the table must not merge every column into one.
    """
    tokens = [t for line in body for t in line.tokens if t.word.confidence >= 0.3]
    heights = sorted(t.height for t in tokens) or [10.0]
    join = 0.45 * heights[len(heights) // 2]  # wider than a space inside "12 500,00"
    if not tokens:
        runs = [[c.x0, c.x1] for c in columns]
    else:
        lo = int(min(t.x0 for t in tokens)) - 1
        hi = int(max(t.x1 for t in tokens)) + 2
        cover = [0] * (hi - lo)
        for line in body:
            seen: set[int] = set()
            for t in line.tokens:
                if t.word.confidence < 0.3:
                    continue
                seen.update(range(int(t.x0) - lo, int(t.x1) - lo + 1))
            for x in seen:
                if 0 <= x < len(cover):
                    cover[x] += 1
        limit = max(0, int(0.08 * len(body)))
        runs = []
        for x, n in enumerate(cover):
            if n > limit:
                if runs and x + lo <= runs[-1][1] + join:
                    runs[-1][1] = x + lo + 1
                else:
                    runs.append([x + lo, x + lo + 1])
    named = []
    for a, b in _split_number_column(runs, columns):
        overlaps = [(min(b, c.x1) - max(a, c.x0), c) for c in columns]
        best = max(overlaps, key=lambda o: o[0])
        if best[0] <= 0:
            # numbers are right-aligned and overflow leftwards: prefer the header to the right
            right = [c for c in columns if c.x1 >= b - 1 and c.key in _NUMERIC_KEYS]
            pool = right if _numeric_band(a, b, body) and right else columns
            best = min(
                ((abs((a + b) / 2 - (c.x0 + c.x1) / 2), c) for c in pool), key=lambda o: o[0]
            )
        named.append((float(a), float(b), best[1]))
    return _split_doubled_money(named, columns)


def _split_doubled_money(
    named: list[tuple[float, float, Column]], columns: list[Column]
) -> list[tuple[float, float, Column]]:
    """Two money bands under one header (OCR lost the other header): unit price, then total."""
    keys = {c.key for c in columns}
    totals = [i for i, (_, _, c) in enumerate(named) if c.key == "total"]
    if len(totals) == 2 and "unit_price" not in keys:
        a, b, c = named[totals[0]]
        named[totals[0]] = (a, b, Column("unit_price", a, b, c.currency))
    prices = [i for i, (_, _, c) in enumerate(named) if c.key == "unit_price"]
    if len(prices) == 2 and "total" not in keys:
        a, b, c = named[prices[1]]
        named[prices[1]] = (a, b, Column("total", a, b, c.currency))
    return named


def _numeric_band(a: float, b: float, body: list[Line]) -> bool:
    texts = [t.text for line in body for t in line.tokens if a <= (t.x0 + t.x1) / 2 <= b]
    numeric = sum(1 for x in texts if parse_money(x)[0] is not None or currency_of(x))
    return bool(texts) and numeric >= 0.6 * len(texts)


def _column_for(token: Token, bands: list[tuple[float, float, Column]]) -> Column:
    mid = (token.x0 + token.x1) / 2
    for a, b, col in bands:
        if a - 1 <= mid <= b + 1:
            return col
    return min(bands, key=lambda band: min(abs(mid - band[0]), abs(mid - band[1])))[2]


def table_records(layout: PageLayout, columns: list[Column], body: list[Line]) -> list[Record]:
    bands = assign_bands(columns, body)
    header_currency = next((c.currency for c in columns if c.currency), None)
    records: list[Record] = []
    for line in body:
        cells: dict[str, list[Token]] = {}
        for t in line.tokens:
            col = _column_for(t, bands)
            if col.key is not None:
                cells.setdefault(col.key, []).append(t)
        # a row starts with a line number or a figure; OCR may lose one, rarely all
        number = " ".join(t.text for t in cells.get("no", []))
        starts = re.fullmatch(r"\d{1,3}[.)]?", number.strip()) is not None or any(
            parse_money(" ".join(t.text for t in cells.get(key, [])))[0] is not None
            for key in _NUMERIC_KEYS
        )
        if starts:
            records.append(Record(page=layout.page.page, currency_hint=header_currency))
        elif not records:
            continue
        rec = records[-1]
        for key, toks in cells.items():
            rec.add(key, " ".join(t.text for t in toks), toks)
        for s in line.segments:
            s.used = True
    return records


def find_tables(layouts: list[PageLayout]) -> list[Record]:
    records: list[Record] = []
    carried: list[Column] | None = None
    for layout in layouts:
        found_header = False
        for number, line in enumerate(layout.lines):
            if any(s.used for s in line.segments):
                continue
            columns, header_no = None, number
            if number + 1 < len(layout.lines):  # a header wrapped onto two lines wins
                merged = _two_line_header(line, layout.lines[number + 1], layout.line_height)
                columns = header_columns(merged) if merged is not None else None
                if columns is not None:
                    header_no = number + 1
                    for s in layout.lines[number + 1].segments:
                        s.used = True
            if columns is None:
                columns = header_columns(line)
            if columns is None:
                continue
            found_header = True
            for s in line.segments:
                s.used = True
            body, ran_off = table_body(layout, header_no, columns)
            records += table_records(layout, columns, body)
            carried = columns if ran_off else None
        if not found_header and carried is not None and layout.lines:
            # a table continued on a page without a repeated header: keep the last columns
            body, ran_off = _continuation(layout, carried)
            records += table_records(layout, carried, body)
            carried = carried if ran_off else None
    return records


def _two_line_header(first: Line, second: Line, line_height: float) -> Line | None:
    """A header whose cells wrap onto a second line ("Unit" over "price") as one line."""
    if second.top - first.bottom > 0.8 * line_height or any(
        parse_number(t.text) is not None for t in second.tokens
    ):
        return None
    if not label_hits(first.text) or len(first.segments) < 3:
        return None
    cells = [list(seg.tokens) for seg in first.segments]
    for t in second.tokens:
        target = next(
            (
                c
                for c in cells
                if min(t.x1, max(x.x1 for x in c)) - max(t.x0, min(x.x0 for x in c)) > 0
            ),
            None,
        )
        if target is None:
            return None  # a word under no header cell: the next line is not part of the header
        target.append(t)
    tokens: list[Token] = []
    segments: list[Segment] = []
    for cell in sorted(cells, key=lambda c: min(x.x0 for x in c)):
        ordered = sorted(cell, key=lambda x: (round(x.top), x.x0))
        segments.append(Segment(ordered, first.page, first.number))
        tokens += ordered
    return Line(tokens, first.page, first.number, segments)


def _continuation(layout: PageLayout, columns: list[Column]) -> tuple[list[Line], bool]:
    first = layout.lines[0]
    numeric = [t for t in first.tokens if parse_number(t.text) is not None]
    if not numeric:
        return [], False
    x0, x1 = columns[0].x0, columns[-1].x1
    body: list[Line] = []
    bottom = first.top
    for line in layout.lines:
        if (
            line.top - bottom > 3.2 * layout.line_height
            or _is_total_line(line)
            or _is_prose(line, x1 - x0)
        ):
            if _is_total_line(line):
                for s in line.segments:
                    s.used = True
            return body, False
        body.append(line)
        bottom = line.bottom
    return body, True


# ---------------------------------------------------------------------------- key-value
def keyvalue_records(layouts: list[PageLayout]) -> list[Record]:
    """Items written as labelled fields ("(e) Quantity: 10", or a label with its value below)."""
    records: list[Record] = []
    current: Record | None = None
    for layout in layouts:
        for line in layout.lines:
            for seg in line.segments:
                if seg.used:
                    continue
                if _ITEM_HEADER.match(seg.text):
                    current = Record(page=layout.page.page)
                    records.append(current)
                    seg.used = True
                    continue
                hit = leading_label(seg.text, ("column",))
                if hit is None or hit.key == "no":
                    continue
                rest = seg.text[hit.end :].lstrip()
                if rest.startswith(":"):
                    rest = rest[1:].strip()
                elif rest and not _looks_like_value(hit.key, rest):
                    continue
                tokens = list(seg.tokens)
                if not rest:
                    below = _values_below(
                        layout, seg, many=hit.key == "description", any_text=hit.key == "unit"
                    )
                    if not below:
                        continue
                    rest = " ".join(s.text for s in below)
                    tokens += [t for s in below for t in s.tokens]
                    for s in below:
                        s.used = True
                seg.used = True
                if current is None or hit.key in current.cells:
                    current = Record(page=layout.page.page)
                    records.append(current)
                current.add(hit.key, rest, tokens)
    return records


def _looks_like_value(key: str, rest: str) -> bool:
    if key in _NUMERIC_KEYS:
        return parse_money(rest)[0] is not None
    return key in ("classification", "model") and len(rest.split()) <= 3


def _values_below(
    layout: PageLayout, seg: Segment, many: bool, any_text: bool = False
) -> list[Segment]:
    out: list[Segment] = []
    bottom = seg.bottom
    for line in layout.lines[seg.line_no + 1 : seg.line_no + 6]:
        cands = [s for s in line.segments if abs(s.x0 - seg.x0) < 16 and not s.used]
        if not cands or cands[0].top - bottom > 1.8 * layout.line_height:
            break
        cand = cands[0]
        # a unit's value ("units", "Einheit") may read like a label itself
        if not any_text and (
            leading_label(cand.text, ("column", "role", "end_use", "heading")) is not None
            or _ITEM_HEADER.match(cand.text)
        ):
            break
        out.append(cand)
        bottom = cand.bottom
        if not many:
            break
    return out


# ---------------------------------------------------------------------------- typing
def document_currency(layouts: list[PageLayout]) -> str | None:
    """The currency a document states once ("Currency: EUR", "All values in USD") or uses most."""
    counts: Counter[str] = Counter()
    for layout in layouts:
        for line in layout.lines:
            for t in line.tokens:
                cur = currency_of(t.text) if (t.text.isupper() or not t.text.isalpha()) else None
                if cur:
                    counts[cur] += 1
    return counts.most_common(1)[0][0] if counts else None


def _split_quantity(text: str | None) -> tuple[float | None, str | None]:
    if not text:
        return None, None
    m = re.match(r"^\s*([\d.,' ]*\d)\s*([^\d\s].*)?$", text)
    if not m:
        return parse_number(text), None
    value = parse_number(m.group(1))
    if value is None:
        value = parse_number(m.group(1).split()[0])
    unit = m.group(2).strip() if m.group(2) else None
    return value, unit


def _clean_unit(text: str | None) -> str | None:
    """A unit is a short word ("pcs", "kg", "Stück"); OCR debris is no unit."""
    if not text:
        return None
    words = [w.strip(" .,;:|‘’'\"`}{[]()") for w in text.split()]
    words = [w for w in words if w and not re.fullmatch(r"[\d.,]+", w)]
    if len(words) != 1 or len(words[0]) > 12 or not re.fullmatch(r"[^\W\d_]+\.?", words[0]):
        return None
    return words[0]


def _agrees(quantity: float, unit_price: float | None, total: float | None) -> bool:
    if unit_price is None or total is None:
        return False
    return abs(quantity * unit_price - total) <= max(0.011, 0.005 * abs(total))


def reconcile_figures(
    quantity: float,
    unit_price: float | None,
    total: float | None,
    price_text: str | None,
    total_text: str | None,
) -> tuple[float | None, float | None]:
    """Unit price and total that agree with quantity x unit price = total, when the cells allow.

    Two adjacent number columns can run together ("116 000 348 000" read as one figure), be
    cut at the wrong space, or be swapped; the arithmetic tells which reading is right.
    Figures that already agree, or that no reading makes agree, are left as they are.
    """
    if _agrees(quantity, unit_price, total):
        return unit_price, total
    if _agrees(quantity, total, unit_price):
        return total, unit_price
    pieces = f"{price_text or ''} {total_text or ''}".split()
    if len(pieces) < 2 or len(pieces) > 10:
        return unit_price, total
    for cut in range(1, len(pieces)):
        left, _ = parse_money(" ".join(pieces[:cut]))
        right, _ = parse_money(" ".join(pieces[cut:]))
        if left is not None and right is not None and _agrees(quantity, left, right):
            return left, right
    return unit_price, total


def to_item(record: Record, index: int, doc_currency: str | None) -> Item | None:
    description = record.text("description")
    quantity, unit_from_qty = _split_quantity(record.text("quantity"))
    unit_price, cur1 = parse_money(record.text("unit_price"))
    total, cur2 = parse_money(record.text("total"))
    if quantity:
        unit_price, total = reconcile_figures(
            quantity, unit_price, total, record.text("unit_price"), record.text("total")
        )
    if not description or (quantity is None and total is None and unit_price is None):
        return None
    currency = (
        cur2
        or cur1
        or currency_of(record.text("currency") or "")
        or record.currency_hint
        or doc_currency
    )
    unit = _clean_unit(record.text("unit") or unit_from_qty)
    if quantity is None and record.text("unit"):  # the figure slid into the unit column
        quantity, _ = _split_quantity(record.text("unit"))
    completeness = sum(v is not None for v in (quantity, total, unit_price, currency)) / 4
    conf = (0.55 + 0.4 * completeness) * (0.6 + 0.4 * mean_confidence(record.tokens))
    return Item(
        index=index,
        description=description,
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        total_value=total,
        currency=currency,
        model=record.text("model"),
        manufacturer=record.text("manufacturer"),
        declared_classification=normalise_code(record.text("classification")),
        confidence=round(min(conf, 0.99), 3),
        evidence=evidence(record.tokens),
    )


def check_totals(items: list[Item]) -> list[Warning]:
    """A line whose total is not quantity times unit price (beyond rounding) is a warning."""
    warnings = []
    for item in items:
        if item.quantity is None or item.unit_price is None or item.total_value is None:
            continue
        expected = item.quantity * item.unit_price
        if abs(expected - item.total_value) > max(1.0, 0.005 * abs(expected)):
            page = item.evidence[0].page if item.evidence else None
            warnings.append(
                Warning(
                    code="total_mismatch",
                    message=f"Item {item.index}: total {item.total_value:,.2f} is not quantity "
                    f"{item.quantity:g} x unit price {item.unit_price:,.2f} = {expected:,.2f}. "
                    "Check the figures with the applicant before assessing the value.",
                    page=page,
                )
            )
    return warnings


def extract_items(layouts: list[PageLayout]) -> tuple[list[Item], list[Warning]]:
    doc_currency = document_currency(layouts)
    records = find_tables(layouts) + keyvalue_records(layouts)
    items: list[Item] = []
    for record in records:
        item = to_item(record, len(items) + 1, doc_currency)
        if item is not None:
            items.append(item)
    return items, derive_quantities(items) + check_totals(items)


def derive_quantities(items: list[Item]) -> list[Warning]:
    """A quantity OCR lost is total / unit price when that is a whole number; said in a warning."""
    warnings = []
    for item in items:
        if not item.unit_price or item.total_value is None:
            continue
        if item.quantity is not None and _agrees(item.quantity, item.unit_price, item.total_value):
            continue  # "427,1 kg" x 115,92 = 49 509,43: a fractional quantity that adds up
        ratio = item.total_value / item.unit_price
        whole = ratio >= 1 and abs(ratio - round(ratio)) <= 0.001 * ratio
        if item.quantity is not None and whole and round(ratio) != item.quantity:
            # OCR glued a stray digit onto the quantity ("1 337" read from "| 337")
            if str(round(ratio)) in str(int(item.quantity)):
                warnings.append(
                    Warning(
                        code="quantity_corrected",
                        message=f"Item {item.index}: read quantity {item.quantity:g}, but total / "
                        f"unit price is {round(ratio)}; using that. Check it on the page.",
                        page=item.evidence[0].page if item.evidence else None,
                    )
                )
                item.quantity = float(round(ratio))
                item.confidence = round(item.confidence * 0.8, 3)
            continue
        if item.quantity is None and whole:
            item.quantity = float(round(ratio))
            item.confidence = round(item.confidence * 0.8, 3)
            warnings.append(
                Warning(
                    code="quantity_derived",
                    message=f"Item {item.index}: the quantity could not be read; "
                    f"{item.quantity:g} is total / unit price. Check it on the page.",
                    page=item.evidence[0].page if item.evidence else None,
                )
            )
    return warnings
