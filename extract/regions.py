"""Region-selective OCR: text blocks found on a low-resolution copy of a page, composed into one
image for a single Tesseract call, and the words read there moved back onto the page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

if TYPE_CHECKING:  # ocr.py imports this module
    from exportdesk.extract.ocr import PixelWord

# The layout pass looks at the page near this resolution: a 10 pt line is still 5-8 pixels
# tall, and the pass costs 10-40 ms a page.
LAYOUT_DPI = 75
# Glyphs of one phrase are joined across gaps up to this (inches); a wider gap starts a
# new block. Label and value on one form row usually stay apart.
PHRASE_GAP_INCHES = 0.12
# Pixels darker than this count as ink (the same cut as the ruling removal).
INK_LEVEL = 170
# A low-resolution pixel is ink when at least this share of the page pixels under it are.
INK_SHARE = 0.08
# Components with fewer low-resolution ink pixels are specks of scanner noise.
MIN_BLOCK_INK = 4
# A block at least this big (inches, both sides) and at least this share ink is a picture,
# a solid logo or a black bar: it holds no line of text, so it is not read.
PICTURE_INCHES = 0.3
PICTURE_INK_SHARE = 0.6
# Margin kept around a block when it is copied (inches): the block was found at low resolution.
BLOCK_PAD_INCHES = 0.02


@dataclass(frozen=True)
class Placement:
    """One page block copied into the composition: its box on the page and where it went."""

    left: int
    top: int
    right: int
    bottom: int
    at_x: int  # the block's top-left corner in the composition
    at_y: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def distance(self, y: float) -> float:
        """How far a composition row is from this block's band (0 inside it)."""
        if self.at_y <= y <= self.at_y + self.height:
            return 0.0
        return min(abs(y - self.at_y), abs(y - self.at_y - self.height))


@dataclass
class Composition:
    """The page's text blocks stacked one under another, with how to map them back."""

    image: Image.Image
    placements: list[Placement]

    def to_page(self, words: list[PixelWord]) -> list[PixelWord]:
        """Words read on the composition, in the page's pixels. Each block is only moved, so
        a word keeps its size; its block number becomes its block's (1-based, page order)."""
        moved = []
        for w in words:
            centre = w.top + w.height / 2
            index = min(
                range(len(self.placements)), key=lambda i: self.placements[i].distance(centre)
            )
            p = self.placements[index]
            moved.append(
                replace(
                    w,
                    left=w.left + p.left - p.at_x,
                    top=w.top + p.top - p.at_y,
                    block=index + 1,
                )
            )
        return moved


def text_blocks(gray: Image.Image, dpi: float) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom, page pixels) of the page's text, top to bottom.

    Ink is measured on a copy near 75 dpi, glyphs closer than a phrase gap are joined, and
    each joined component is a block. Scanner specks and solid pictures are left out.
    """
    pixels = np.asarray(gray)
    height, width = pixels.shape
    factor = max(1, round(dpi / LAYOUT_DPI))
    dark = (pixels < INK_LEVEL).astype(np.float32)
    small = cv2.resize(
        dark, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA
    )
    ink = (small > INK_SHARE).astype(np.uint8)
    gap = max(3, int(PHRASE_GAP_INCHES * dpi / factor))
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    picture = PICTURE_INCHES * dpi / factor
    boxes = []
    for x, y, w, h, _area in stats[1:count]:
        inked = int(ink[y : y + h, x : x + w].sum())
        if inked < MIN_BLOCK_INK:
            continue
        if w >= picture and h >= picture and inked >= PICTURE_INK_SHARE * w * h:
            continue
        boxes.append(
            (x * factor, y * factor, min(width, (x + w) * factor), min(height, (y + h) * factor))
        )
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def compose(
    gray: Image.Image, boxes: list[tuple[int, int, int, int]], dpi: float
) -> Composition | None:
    """The blocks copied one under another on white, each on its own band; None if no block."""
    if not boxes:
        return None
    pixels = np.asarray(gray)
    height, width = pixels.shape
    pad = max(2, round(BLOCK_PAD_INCHES * dpi))
    crops = [
        (max(0, x0 - pad), max(0, y0 - pad), min(width, x1 + pad), min(height, y1 + pad))
        for x0, y0, x1, y1 in boxes
    ]
    # The white between bands keeps Tesseract from joining two blocks into one line.
    band_gap = max(8, int(np.median([y1 - y0 for _, y0, _, y1 in crops])) // 2)
    canvas_width = max(x1 - x0 for x0, _, x1, _ in crops) + 2 * band_gap
    canvas_height = sum(y1 - y0 + band_gap for _, y0, _, y1 in crops) + band_gap
    canvas = np.full((canvas_height, canvas_width), 255, dtype=np.uint8)
    placements = []
    at_y = band_gap
    for x0, y0, x1, y1 in crops:
        canvas[at_y : at_y + y1 - y0, band_gap : band_gap + x1 - x0] = pixels[y0:y1, x0:x1]
        placements.append(Placement(x0, y0, x1, y1, band_gap, at_y))
        at_y += y1 - y0 + band_gap
    return Composition(Image.fromarray(canvas), placements)
