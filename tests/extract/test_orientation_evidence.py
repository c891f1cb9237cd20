"""Low-confidence pages: orientation from the lines' own ink first, OSD only when unclear."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from exportdesk.extract.ocr import OcrPage, PixelWord, ocr_image, upright_evidence
from exportdesk.extract.settings import Settings

LINES = [
    "Hydraulic pumps for the Baltic shipyard, delivered by freight",
    "Quantity eighty, declared value in euros, quality checked daily",
    "End user: Kelpie Dockyards, Gdynia; stated purpose is hull repair",
] * 6


def _page() -> tuple[Image.Image, list[PixelWord]]:
    """A white page with printed lines, and the true box of every word on it."""
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    words: list[PixelWord] = []
    for row, line in enumerate(LINES):
        x, y = 150, 200 + 120 * row
        for text in line.split():
            left, top, right, bottom = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=0)
            words.append(PixelWord(text, left, top, right - left, bottom - top, 0.9, 1, row))
            x = right + 25
    return image, words


def _turned(words: list[PixelWord], width: int, height: int) -> list[PixelWord]:
    return [
        PixelWord(
            w.text,
            width - w.left - w.width,
            height - w.top - w.height,
            w.width,
            w.height,
            w.confidence,
            w.block,
            w.line,
        )
        for w in words
    ]


class ScriptedEngine:
    """Returns scripted readings in turn; counts OSD calls instead of running Tesseract."""

    def __init__(self, *readings: list[PixelWord], osd_answer: int = 0) -> None:
        self.readings = list(readings)
        self.osd_calls = 0
        self.osd_answer = osd_answer

    def read(self, image_path: Path, settings: Settings) -> OcrPage:
        return OcrPage(words=[PixelWord(**vars(w)) for w in self.readings.pop(0)])

    def orientation(self, image_path: Path, settings: Settings) -> int:
        self.osd_calls += 1
        return self.osd_answer


def _with_confidence(words: list[PixelWord], confidence: float) -> list[PixelWord]:
    return [PixelWord(**{**vars(w), "confidence": confidence}) for w in words]


def test_evidence_is_positive_upright_and_negative_upside_down() -> None:
    image, words = _page()
    upright = upright_evidence(image, words)
    turned = upright_evidence(image.rotate(180), _turned(words, image.width, image.height))
    assert upright is not None and upright > 0.12
    assert turned is not None and turned < -0.12


def test_upright_noisy_page_no_longer_calls_osd() -> None:
    image, words = _page()
    engine = ScriptedEngine(_with_confidence(words, 0.4))
    page = ocr_image(image, engine, Settings(deskew_min_degrees=0), 300)
    assert engine.osd_calls == 0
    assert page.rotation == 0 and "low_confidence" in page.notes


def test_upside_down_page_is_turned_without_osd() -> None:
    image, words = _page()
    turned = image.rotate(180)
    engine = ScriptedEngine(_with_confidence(_turned(words, image.width, image.height), 0.3), words)
    page = ocr_image(turned, engine, Settings(deskew_min_degrees=0), 300)
    assert engine.osd_calls == 0
    assert page.rotation == 180
    assert page.words[0].text == "Hydraulic"
    # the box maps back onto the upside-down page it came from
    first = _turned(words, image.width, image.height)[0]
    assert abs(page.words[0].left - first.left) <= 2 and abs(page.words[0].top - first.top) <= 2


def test_too_few_words_to_judge_still_asks_osd() -> None:
    image, words = _page()
    engine = ScriptedEngine(_with_confidence(words[:4], 0.4))
    ocr_image(image, engine, Settings(deskew_min_degrees=0), 300)
    assert engine.osd_calls == 1


def test_margin_above_one_always_asks_osd() -> None:
    image, words = _page()
    engine = ScriptedEngine(_with_confidence(words, 0.4))
    settings = Settings(deskew_min_degrees=0, orientation_evidence_margin=1.5)
    ocr_image(image, engine, settings, 300)
    assert engine.osd_calls == 1
