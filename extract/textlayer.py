"""Words with boxes from a page's own text layer (pdfplumber), and whether it is usable."""

from __future__ import annotations

import math
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


# Letter frequencies (per cent, a..z) of running text in the languages applications come in.
# Rounded textbook figures; only their shape matters, not the exact values.
_LETTER_PROFILES: dict[str, tuple[float, ...]] = {
    "en": (
        8.2,
        1.5,
        2.8,
        4.3,
        12.7,
        2.2,
        2.0,
        6.1,
        7.0,
        0.2,
        0.8,
        4.0,
        2.4,
        6.7,
        7.5,
        1.9,
        0.1,
        6.0,
        6.3,
        9.1,
        2.8,
        1.0,
        2.4,
        0.2,
        2.0,
        0.1,
    ),
    "fr": (
        7.6,
        0.9,
        3.3,
        3.7,
        14.7,
        1.1,
        0.9,
        0.7,
        7.5,
        0.6,
        0.1,
        5.5,
        3.0,
        7.1,
        5.8,
        3.0,
        1.4,
        6.6,
        7.9,
        7.2,
        6.3,
        1.8,
        0.1,
        0.4,
        0.1,
        0.3,
    ),
    "de": (
        6.5,
        1.9,
        2.7,
        5.1,
        16.4,
        1.7,
        3.0,
        4.6,
        6.6,
        0.3,
        1.4,
        3.4,
        2.5,
        9.8,
        2.6,
        0.8,
        0.1,
        7.0,
        7.3,
        6.2,
        4.2,
        0.8,
        1.9,
        0.1,
        0.1,
        1.1,
    ),
    "es": (
        11.5,
        2.2,
        4.0,
        5.0,
        12.2,
        0.7,
        1.0,
        0.7,
        6.2,
        0.5,
        0.1,
        5.0,
        3.2,
        6.7,
        8.7,
        2.5,
        0.9,
        6.9,
        8.0,
        4.6,
        2.9,
        1.1,
        0.1,
        0.2,
        0.9,
        0.5,
    ),
}
# Below this many letters a page's profile says too little to judge.
MIN_LETTERS_TO_JUDGE = 150
# Cosine similarity to the nearest profile below which the text is not language. Measured:
# 81 text-layer pages (dev-external set and samples/) score 0.92-0.97; the builders'
# application with every letter shifted by one scores 0.57.
MIN_LANGUAGE_SIMILARITY = 0.7


def language_similarity(words: list[Word]) -> float | None:
    """How much the page's letter frequencies look like a European language (0..1).

    A font whose ToUnicode map is wrong (letters shifted or scrambled) yields text that
    extracts cleanly but means nothing; its letter distribution gives it away. None when
    the page has too few letters to tell.
    """
    counts = [0] * 26
    for w in words:
        for ch in unicodedata.normalize("NFKD", w.text.lower()):
            if "a" <= ch <= "z":
                counts[ord(ch) - 97] += 1
    if sum(counts) < MIN_LETTERS_TO_JUDGE:
        return None
    norm = math.sqrt(sum(c * c for c in counts))
    best = 0.0
    for profile in _LETTER_PROFILES.values():
        dot = sum(c * p for c, p in zip(counts, profile, strict=True))
        best = max(best, dot / (norm * math.sqrt(sum(p * p for p in profile))))
    return best


def is_plausible_language(words: list[Word]) -> bool:
    similarity = language_similarity(words)
    return similarity is None or similarity >= MIN_LANGUAGE_SIMILARITY


def is_usable(words: list[Word], page: pdfplumber.page.Page, min_chars: int) -> bool:
    """Whether the text layer is worth trusting over OCR for this page."""
    chars = meaningful_chars(words)
    if chars < min_chars or garbage_ratio(words) > 0.3:
        return False
    # A scan with a small digital stamp (fax header, Bates number) is still a scan.
    return not (image_cover_ratio(page) > 0.5 and chars < 200)
