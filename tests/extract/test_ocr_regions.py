"""Region-selective OCR (EXPORTDESK_OCR_REGIONS=blocks): the text blocks found on a low-resolution
copy are read in one call on a composed image, and every word lands back on the page exactly."""

from __future__ import annotations

from pathlib import Path

import builders
import cv2
import numpy as np
import pytest
from PIL import Image

from exportdesk.extract import regions
from exportdesk.extract.model import Word
from exportdesk.extract.ocr import OcrPage, PixelWord
from exportdesk.extract.read import read_bytes
from exportdesk.extract.settings import Settings
from exportdesk.samples.scan import images_to_pdf

DPI = 300


def _page() -> Image.Image:
    """A white 300 dpi page with three 'phrases' of glyph-like bars, one scanner speck and one
    solid picture; every bar differs in width so each ink component is recognisable."""
    pixels = np.full((3300, 2550), 255, dtype=np.uint8)
    for row, (x, y) in enumerate([(300, 400), (1400, 400), (300, 1200)]):
        for i in range(6):  # glyphs 10-15 px apart: one phrase each
            left = x + i * 60 + row * 3
            pixels[y : y + 40, left : left + 40 + i + 7 * row] = 0
    pixels[2000:2003, 2000:2003] = 0  # a speck
    pixels[2400:2700, 300:700] = 20  # a solid picture (1.0 x 1.33 inch)
    return Image.fromarray(pixels)


class InkEngine:
    """Reads each ink component of the image it is given as one 'word' whose text is the
    component's pixel count: the same glyph must come back with the same text, wherever it
    sat in the image read. Records what it was asked to read."""

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []
        self.psms: list[int] = []

    def read(self, image_path: Path, settings: Settings) -> OcrPage:
        gray = np.asarray(Image.open(image_path).convert("L"))
        self.sizes.append((gray.shape[1], gray.shape[0]))
        self.psms.append(settings.ocr_psm)
        count, _, stats, _ = cv2.connectedComponentsWithStats((gray < 128).astype(np.uint8))
        words = [
            PixelWord(f"ink{int(area)}", int(x), int(y), int(w), int(h), 0.95, 1, 1000 + int(y))
            for x, y, w, h, area in stats[1:count]
        ]
        return OcrPage(words=words)

    def orientation(self, image_path: Path, settings: Settings) -> int:
        return 0


def _read(mode: str, engine: InkEngine) -> list[tuple[str, float, float, float, float]]:
    settings = Settings(
        ocr_regions=mode, deskew_min_degrees=0, ocr_remove_rulings=False, max_read_memory_mb=0
    )
    pdf = images_to_pdf([_page()], DPI)
    result = read_bytes(pdf, "blocks.pdf", settings, engine)
    return sorted((w.text, w.x0, w.top, w.x1, w.bottom) for w in result.document.pages[0].words)


def test_blocks_are_the_phrases_not_specks_or_pictures() -> None:
    boxes = regions.text_blocks(_page(), DPI)
    assert len(boxes) == 3
    for (x0, y0, x1, y1), (x, y) in zip(boxes, [(300, 400), (1400, 400), (300, 1200)], strict=True):
        assert x0 <= x and y0 <= y and x1 >= x + 5 * 60 + 40 and y1 >= y + 40


def test_words_read_on_the_composition_map_back_to_the_same_pixels() -> None:
    page = _page()
    composition = regions.compose(page, regions.text_blocks(page, DPI), DPI)
    assert composition is not None
    canvas, original = np.asarray(composition.image), np.asarray(page)
    assert canvas.size < original.size / 10  # the blank page and the picture are not copied
    words = InkEngine().read(_saved(composition.image), Settings())
    moved = composition.to_page(words.words)
    assert len(moved) == 18
    for before, after in zip(words.words, moved, strict=True):
        here = canvas[
            before.top : before.top + before.height, before.left : before.left + before.width
        ]
        there = original[
            after.top : after.top + after.height, after.left : after.left + after.width
        ]
        assert after.width == before.width and after.height == before.height
        assert np.array_equal(here, there)


def test_blocks_mode_reads_one_composed_image_and_gives_the_page_modes_boxes() -> None:
    whole, blocks = InkEngine(), InkEngine()
    page_words = _read("page", whole)
    block_words = _read("blocks", blocks)
    assert whole.sizes == [(2550, 3300)]
    assert len(blocks.sizes) == 1 and blocks.sizes[0] != (2550, 3300)
    assert blocks.psms == [6]
    # Every glyph is read once, in the same place in PDF points; the speck and picture are not.
    glyphs = [w for w in page_words if w[0] not in ("ink9", "ink120000")]
    assert len(glyphs) == 18
    assert block_words == glyphs


def test_a_page_without_ink_is_read_with_no_call() -> None:
    engine = InkEngine()
    settings = Settings(ocr_regions="blocks", max_read_memory_mb=0)
    blank = images_to_pdf([Image.new("L", (2550, 3300), 255)], DPI)
    result = read_bytes(blank, "blank.pdf", settings, engine)
    assert result.document.pages[0].words == []
    assert engine.sizes == []
    assert [w.code for w in result.warnings] == ["blank_page"]


@pytest.mark.ocr
def test_blocks_mode_reads_a_scan_like_the_whole_page_in_the_same_places() -> None:
    scan = builders.scanned_pdf(seed=3)
    page = read_bytes(scan, "p.pdf", Settings(max_read_memory_mb=0)).document.pages[0]
    blocks = read_bytes(scan, "b.pdf", Settings(ocr_regions="blocks", max_read_memory_mb=0))
    got = blocks.document.pages[0].words
    assert [w.text for w in got]
    # The same word read in both modes is centred on the same point (Tesseract may draw a
    # box a few points taller in one read); repeated words are matched to their nearest twin.
    same = 0
    for w in got:
        twins = [p for p in page.words if p.text == w.text]
        if not twins:
            continue
        same += 1
        offset = min(
            max(abs(a - b) for a, b in zip(_centre(w), _centre(p), strict=True)) for p in twins
        )
        assert offset <= 1.5, (w.text, offset)
    assert same >= 0.95 * len(page.words)


def _centre(word: Word) -> tuple[float, float]:
    return (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2


def _saved(image: Image.Image) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="exportdesk-test-")) / "c.pgm"
    image.save(path)
    return path
