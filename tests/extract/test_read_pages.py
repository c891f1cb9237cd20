"""Page reading: text layer versus OCR, rotation, mixed documents, OCR accuracy."""

from __future__ import annotations

import builders
import pytest
from rapidfuzz.distance import Levenshtein

from exportdesk.extract.read import read_bytes

EXPECTED_WORDS = builders.words_of(builders.APPLICATION_LINES)


def word_error_rate(expected: list[str], got: list[str]) -> float:
    return Levenshtein.distance(expected, got) / len(expected)


def test_digital_pages_come_from_the_text_layer_with_exact_words_and_boxes() -> None:
    result = read_bytes(builders.text_pdf(), "digital.pdf")
    page = result.document.pages[0]
    assert page.source == "text_layer"
    assert page.ocr_mean_confidence is None
    assert [w.text for w in page.words] == EXPECTED_WORDS
    first = page.words[0]
    # reportlab drew the first line at y=780 from the bottom of an 842 pt page, 11 pt Helvetica
    assert first.x0 == pytest.approx(50, abs=0.5)
    assert first.bottom == pytest.approx(842 - 780 + 2.5, abs=2)


def test_page_with_only_a_few_characters_is_sent_to_ocr_not_trusted() -> None:
    result = read_bytes(builders.text_pdf([["p. 3"]]), "stamp.pdf")
    assert result.document.pages[0].source == "ocr"


@pytest.mark.ocr
def test_scanned_page_word_error_rate_under_five_percent() -> None:
    result = read_bytes(builders.scanned_pdf(seed=11), "scan.pdf")
    page = result.document.pages[0]
    assert page.source == "ocr"
    assert page.ocr_mean_confidence is not None and page.ocr_mean_confidence > 0.8
    wer = word_error_rate(EXPECTED_WORDS, [w.text for w in page.words])
    assert wer < 0.05, f"WER {wer:.3f}"


@pytest.mark.ocr
def test_ocr_boxes_land_where_the_words_are_on_the_page() -> None:
    digital = read_bytes(builders.text_pdf([builders.APPLICATION_LINES]), "d.pdf")
    scanned = read_bytes(builders.scanned_pdf(seed=3, skew_degrees=0.0), "s.pdf")
    want = next(w for w in digital.document.pages[0].words if w.text == "Nordlicht")
    got = next(w for w in scanned.document.pages[0].words if w.text == "Nordlicht")
    for a, b in zip(want.bbox, got.bbox, strict=True):
        assert a == pytest.approx(b, abs=3.0)


@pytest.mark.ocr
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_scanned_page_rotated_is_turned_upright(turn: int) -> None:
    result = read_bytes(builders.scanned_pdf(seed=5, rotate90={1: turn}), "rotated.pdf")
    page = result.document.pages[0]
    assert page.rotation == turn  # turned `turn` counter-clockwise; undone clockwise
    assert word_error_rate(EXPECTED_WORDS, [w.text for w in page.words]) < 0.05
    # boxes stay inside the (rotated) page
    assert all(0 <= w.x0 < w.x1 <= page.width + 1 for w in page.words)
    assert all(0 <= w.top < w.bottom <= page.height + 1 for w in page.words)


@pytest.mark.ocr
def test_rotated_page_boxes_map_back_into_the_sideways_page() -> None:
    upright = read_bytes(builders.scanned_pdf(seed=5, skew_degrees=0.0), "u.pdf")
    turned = read_bytes(builders.scanned_pdf(seed=5, skew_degrees=0.0, rotate90={1: 90}), "t.pdf")
    a = next(w for w in upright.document.pages[0].words if w.text == "Nordlicht")
    b = next(w for w in turned.document.pages[0].words if w.text == "Nordlicht")
    width = upright.document.pages[0].width
    # turned 90 degrees counter-clockwise: (x, y) on the upright page -> (y, width - x)
    assert b.x0 == pytest.approx(a.top, abs=4)
    assert b.top == pytest.approx(width - a.x1, abs=4)


@pytest.mark.ocr
def test_mixed_document_reports_source_per_page() -> None:
    result = read_bytes(builders.mixed_pdf(), "mixed.pdf")
    assert [p.source for p in result.document.pages] == ["text_layer", "ocr"]
    assert result.document.pages[1].ocr_mean_confidence is not None
    assert result.warnings == []


def test_rulings_are_painted_out_and_glyph_sized_strokes_kept() -> None:
    from PIL import Image, ImageDraw

    from exportdesk.extract.ocr import remove_rulings

    image = Image.new("L", (900, 600), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, 850, 550), outline=0, width=3)  # table frame
    draw.line((400, 50, 400, 550), fill=0, width=3)  # column rule
    draw.rectangle((420, 280, 426, 320), fill=0)  # a "1" at 12 pt, 300 dpi
    draw.rectangle((450, 300, 490, 306), fill=0)  # a dash
    cleaned = remove_rulings(image, 300)
    assert cleaned.getpixel((50, 300)) == 255 and cleaned.getpixel((400, 300)) == 255
    assert cleaned.getpixel((600, 50)) == 255
    assert cleaned.getpixel((423, 300)) == 0 and cleaned.getpixel((470, 303)) == 0
