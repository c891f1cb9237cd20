"""Words with boxes from a page's own text layer (pdfplumber), and whether it is usable."""

from __future__ import annotations

import unicodedata

import pdfplumber.page

from exportdesk.extract.model import Word

# A line break in reading order is a jump of more than this many points in `top`.
_LINE_TOLERANCE = 3.0


def text_layer_words(page: pdfplumber.page.Page) -> list[Word]:
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5)
    raw.sort(key=lambda w: (round(w["top"] / _LINE_TOLERANCE), w["x0"]))
    words: list[Word] = []
    line, last_top = 0, None
    for w in raw:
        if last_top is not None and abs(w["top"] - last_top) > _LINE_TOLERANCE:
            line += 1
        last_top = w["top"]
        words.append(
            Word(
                text=w["text"],
                x0=float(w["x0"]),
                top=float(w["top"]),
                x1=float(w["x1"]),
                bottom=float(w["bottom"]),
                source="text_layer",
                confidence=1.0,
                line=line,
            )
        )
    return words


def meaningful_chars(words: list[Word]) -> int:
    """Letters and digits a reader could use; `(cid:12)` glyph codes and symbols do not count."""
    count = 0
    for w in words:
        if w.text.startswith("(cid:"):
            continue
        count += sum(1 for ch in w.text if unicodedata.category(ch)[0] in "LN")
    return count


def garbage_ratio(words: list[Word]) -> float:
    """Share of characters that are unmapped glyphs, private-use or control characters."""
    total = bad = 0
    for w in words:
        if w.text.startswith("(cid:"):
            total += len(w.text)
            bad += len(w.text)
            continue
        for ch in w.text:
            total += 1
            if unicodedata.category(ch) in ("Co", "Cc", "Cn", "Cs") or ch == "\ufffd":
                bad += 1
    return bad / total if total else 1.0


def image_cover_ratio(page: pdfplumber.page.Page) -> float:
    """Largest share of the page area covered by a single image (a scan covers ~1.0)."""
    area = float(page.width * page.height) or 1.0
    best = 0.0
    for im in page.images:
        w = max(0.0, float(im["x1"]) - float(im["x0"]))
        h = max(0.0, float(im["bottom"]) - float(im["top"]))
        best = max(best, w * h / area)
    return best


def largest_image_pixels(page: pdfplumber.page.Page) -> int:
    """Declared pixel count of the largest embedded image, read without decoding it."""
    best = 0
    for im in page.images:
        size = im.get("srcsize") or (0, 0)
        try:
            best = max(best, int(size[0]) * int(size[1]))
        except (TypeError, ValueError):
            continue
    return best


def is_usable(words: list[Word], page: pdfplumber.page.Page, min_chars: int) -> bool:
    """Whether the text layer is worth trusting over OCR for this page."""
    chars = meaningful_chars(words)
    if chars < min_chars or garbage_ratio(words) > 0.3:
        return False
    # A scan with a small digital stamp (fax header, Bates number) is still a scan.
    return not (image_cover_ratio(page) > 0.5 and chars < 200)
