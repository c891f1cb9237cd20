"""Page geometry: deskewed words, lines, gap-split segments, paragraphs and evidence boxes."""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass, field
from functools import lru_cache

from exportdesk.extract.model import BBox, Evidence, Page, Word


@dataclass
class Token:
    """A word with its layout position (deskewed for scans); `word` keeps the true box."""

    word: Word
    page: int
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def text(self) -> str:
        return self.word.text

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Run:
    """Tokens read left to right on one line, with their joint box."""

    tokens: list[Token]
    page: int
    line_no: int

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    @property
    def x0(self) -> float:
        return min(t.x0 for t in self.tokens)

    @property
    def x1(self) -> float:
        return max(t.x1 for t in self.tokens)

    @property
    def top(self) -> float:
        return min(t.top for t in self.tokens)

    @property
    def bottom(self) -> float:
        return max(t.bottom for t in self.tokens)

    @property
    def height(self) -> float:
        return statistics.median(t.height for t in self.tokens)


@dataclass
class Segment(_Run):
    """Words on one line with no wide gap between them: a cell, a label, a value, a text line."""

    index: int = 0  # position in the page's reading order
    # a chunk made of several segments (see `paragraphs`) reports and marks its parts
    parts: list[Segment] | None = field(default=None, compare=False, repr=False)
    _used: bool = field(default=False, compare=False, repr=False)

    @property
    def used(self) -> bool:
        """Whether an earlier stage already read this segment."""
        if self.parts:
            return any(p.used for p in self.parts)
        return self._used

    @used.setter
    def used(self, value: bool) -> None:
        if self.parts:
            for p in self.parts:
                p.used = value
        else:
            self._used = value


@dataclass
class Line(_Run):
    segments: list[Segment] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.line_no


@dataclass
class PageLayout:
    page: Page
    lines: list[Line]
    skew_degrees: float
    line_height: float

    @property
    def segments(self) -> list[Segment]:
        return [s for line in self.lines for s in line.segments]


def estimate_skew(words: list[Word]) -> float:
    """Median slope (degrees) of OCR text lines, from word centres within each Tesseract line."""
    groups: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        groups.setdefault((w.block, w.line), []).append(w)
    slopes = []
    for group in groups.values():
        if len(group) < 3:
            continue
        xs = [(w.x0 + w.x1) / 2 for w in group]
        ys = [w.bottom for w in group]
        span = max(xs) - min(xs)
        if span < 80:
            continue
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        var = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
        slopes.append(slope)
    if len(slopes) < 3:
        return 0.0
    angle = math.degrees(math.atan(statistics.median(slopes)))
    return angle if abs(angle) <= 5 else 0.0


def _tokens(page: Page, skew: float) -> list[Token]:
    if abs(skew) < 0.05:
        return [Token(w, page.page, w.x0, w.top, w.x1, w.bottom) for w in page.words]
    theta = -math.radians(skew)
    cx, cy = (page.width or 612) / 2, (page.height or 792) / 2
    cos, sin = math.cos(theta), math.sin(theta)
    tokens = []
    for w in page.words:
        mx, my = (w.x0 + w.x1) / 2 - cx, (w.top + w.bottom) / 2 - cy
        nx, ny = cx + mx * cos - my * sin, cy + mx * sin + my * cos
        hw, hh = (w.x1 - w.x0) / 2, (w.bottom - w.top) / 2
        tokens.append(Token(w, page.page, nx - hw, ny - hh, nx + hw, ny + hh))
    return tokens


_RULE_CHARS = "|[]{}_¦"


# Glyphs OCR confuses with each other; one representative per group.
_LOOKALIKE = str.maketrans({c: g[0] for g in ("o0O", "l1Ii|", "s5S", "B8", "zZ2", "G6") for c in g})


@lru_cache(maxsize=1)
def _legal_form_lookalikes() -> dict[str, str]:
    from exportdesk.extract.nlp import LEGAL_FORMS

    return {f.translate(_LOOKALIKE): f for f in LEGAL_FORMS if len(f) >= 3 and " " not in f}


def _legal_form_read_right(text: str, previous: str | None) -> str:
    """'pic' after a capitalised word is 'plc' ('5.A.' is 'S.A.'): a legal form OCR garbled."""
    if previous is None or not previous[:1].isupper() or len(text) < 3:
        return text
    form = _legal_form_lookalikes().get(text.translate(_LOOKALIKE))
    if form is None or form == text:
        return text
    swapped = {c for a, b in zip(text, form, strict=True) if a != b for c in (a, b)}
    if "i" in swapped and not (text.islower() and form.islower()):
        return text  # "Sri" (Lanka) is no "Srl"; "pic" after a firm's name is "plc"
    return form


def _clean_ocr_words(words: list[Word]) -> list[Word]:
    """Drop table rulings that OCR read as '|', '[' or '_' and strip them from word edges."""
    out: list[Word] = []
    for w in words:
        text = w.text.strip(_RULE_CHARS + " ")
        if not text or all(ch in _RULE_CHARS + "-—=~'\".,:;" for ch in text):
            continue
        core = text.rstrip(",;")
        fixed = _legal_form_read_right(core, out[-1].text if out else None)
        if fixed != core:
            text = fixed + text[len(core) :]
        out.append(w if text == w.text else w.model_copy(update={"text": text}))
    return out


def build_layout(page: Page) -> PageLayout:
    """Lines (top to bottom) split into segments at gaps wider than about one character height."""
    words = [w for w in page.words if w.text.strip()]
    if page.source == "ocr":
        words = _clean_ocr_words(words)
    skew = estimate_skew(words) if page.source == "ocr" else 0.0
    tokens = [t for t in _tokens(page.model_copy(update={"words": words}), skew)]
    if not tokens:
        return PageLayout(page, [], skew, 10.0)
    heights = [t.height for t in tokens if t.height > 0]
    line_height = statistics.median(heights) if heights else 10.0
    tokens.sort(key=lambda t: (t.cy, t.x0))
    rows: list[list[Token]] = []
    row_cy = -1e9
    for t in tokens:
        if rows and abs(t.cy - row_cy) <= 0.45 * line_height:
            rows[-1].append(t)
            row_cy = statistics.fmean(x.cy for x in rows[-1])
        else:
            rows.append([t])
            row_cy = t.cy
    lines = []
    # a space is about a third of the font height; a gap of most of a height separates fields
    gap_limit = 0.8 * line_height
    index = 0
    for number, row in enumerate(rows):
        row.sort(key=lambda t: t.x0)
        line = Line(row, page.page, number)
        current: list[Token] = [row[0]]
        row_limit = gap_limit
        if page.source == "ocr":
            # OCR boxes hug the ink: a word is about 0.65 of its font size high and the
            # gaps between words grow by the side bearings, so a word space reaches about
            # one box height; a field gap is wider than one and a half.
            row_height = statistics.median(t.height for t in row)
            row_limit = max(gap_limit, min(1.5 * row_height, 2.0 * line_height))
        for prev, tok in itertools.pairwise(row):
            # a larger font (a letterhead) spaces its words wider than the body text
            local = max(row_limit, 0.8 * min(prev.height, tok.height))
            if tok.x0 - prev.x1 > local:
                line.segments.append(Segment(current, page.page, number, index))
                index += 1
                current = [tok]
            else:
                current.append(tok)
        line.segments.append(Segment(current, page.page, number, index))
        index += 1
        lines.append(line)
    if page.source == "ocr" and rows:
        # OCR boxes hug the ink, so their median height (x-height words) is well under
        # the font size that the vertical rules (1.6 line heights between a label and its
        # value ...) were written for; the tallest word of a line is close to it.
        line_height = max(line_height, statistics.median(max(t.height for t in r) for r in rows))
    return PageLayout(page, lines, skew, line_height)


def union_bbox(tokens: list[Token]) -> BBox:
    """Box around the tokens' true (not deskewed) positions, in PDF points."""
    words = [t.word for t in tokens]
    return (
        round(min(w.x0 for w in words), 2),
        round(min(w.top for w in words), 2),
        round(max(w.x1 for w in words), 2),
        round(max(w.bottom for w in words), 2),
    )


def evidence(tokens: list[Token], text: str | None = None) -> list[Evidence]:
    """One evidence box per page the tokens lie on."""
    by_page: dict[int, list[Token]] = {}
    for t in tokens:
        by_page.setdefault(t.page, []).append(t)
    out = []
    for page, group in sorted(by_page.items()):
        source = group[0].word.source
        out.append(
            Evidence(
                page=page,
                bbox=union_bbox(group),
                text=text if text is not None else " ".join(t.text for t in group),
                source=source,
            )
        )
    return out


def mean_confidence(tokens: list[Token]) -> float:
    if not tokens:
        return 0.0
    return statistics.fmean(t.word.confidence for t in tokens)


@dataclass
class Paragraph:
    """Consecutive text lines read as one block of prose."""

    segments: list[Segment]

    @property
    def tokens(self) -> list[Token]:
        return [t for s in self.segments for t in s.tokens]

    @property
    def text(self) -> str:
        return join_lines([s.text for s in self.segments])

    @property
    def page(self) -> int:
        return self.segments[0].page


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines, mending words hyphenated at a line end ("manu-" + "facture")."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out = f"{out} {line}" if out else line
    return out


def paragraphs(layout: PageLayout, min_width_share: float = 0.35) -> list[Paragraph]:
    """Blocks of prose: wide single-segment lines, close together and left-aligned."""
    width = layout.page.width or 612
    pitch = layout.line_height
    out: list[Paragraph] = []
    current: list[Segment] = []
    for line in layout.lines:
        chunks = _chunks(line.segments, 2.0 * pitch)

        def prose_like(
            s: Segment, chunks: list[Segment] = chunks, current: list[Segment] = current
        ) -> bool:
            # wide, or a sentence of its own (a short last assurance), or a wrapped line
            return (
                s.x1 - s.x0 >= min_width_share * width
                or (len(s.tokens) >= 5 and len(chunks) == 1 and s.text.endswith("."))
                or bool(current and abs(s.x0 - current[-1].x0) < 12)
            )

        wide = [s for s in chunks if prose_like(s)]
        segment = wide[0] if len(wide) == 1 and len(chunks) <= 2 else None
        if segment is not None and current:
            gap = segment.top - current[-1].bottom
            aligned = abs(segment.x0 - current[0].x0) < 14
            if gap <= 1.1 * pitch and aligned:
                current.append(segment)
                continue
        if current:
            out.append(Paragraph(current))
            current = []
        if segment is not None and (
            segment.x1 - segment.x0 >= min_width_share * width
            or (len(segment.tokens) >= 5 and segment.text.endswith("."))
        ):
            current = [segment]
    if current:
        out.append(Paragraph(current))
    return out


def _chunks(segments: list[Segment], gap: float) -> list[Segment]:
    """Segments of a line re-joined where only a modest gap parts them (justified text)."""
    out: list[Segment] = []
    for seg in segments:
        if out and seg.x0 - out[-1].x1 < gap and not seg.used and not out[-1].used:
            last = out[-1]
            out[-1] = Segment(
                last.tokens + seg.tokens,
                seg.page,
                seg.line_no,
                last.index,
                parts=[*(last.parts or []), seg],
            )
        else:
            out.append(Segment(list(seg.tokens), seg.page, seg.line_no, seg.index, parts=[seg]))
    return out
