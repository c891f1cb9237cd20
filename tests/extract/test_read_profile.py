"""The reader's per-stage timings: collected on request, kept off the output contract."""

from __future__ import annotations

from pathlib import Path

import builders

from exportdesk.extract.ocr import OcrPage, PixelWord
from exportdesk.extract.read import StageProfile, read_bytes
from exportdesk.extract.settings import Settings


class CountingEngine:
    """Reads every page as the same confident words; counts orientation (OSD) calls."""

    def __init__(self, confidence: float = 0.9, rotate: int = 0) -> None:
        self.confidence, self.rotate = confidence, rotate
        self.osd_calls = 0

    def read(self, image_path: Path, settings: Settings) -> OcrPage:
        words = [
            PixelWord(f"word{i}", 100 + 60 * i, 100, 50, 20, self.confidence, 1, 1)
            for i in range(8)
        ]
        return OcrPage(words=words)

    def orientation(self, image_path: Path, settings: Settings) -> int:
        self.osd_calls += 1
        return self.rotate


def test_profile_times_every_reading_stage_of_a_scanned_page() -> None:
    profile: StageProfile = {}
    engine = CountingEngine()
    result = read_bytes(builders.scanned_pdf(seed=5), "scan.pdf", engine=engine, profile=profile)
    assert list(profile) == [1]
    stages = profile[1]
    for stage in ("image", "orientation", "level", "rulings", "ocr"):
        assert stages[stage] >= 0.0, stage
    assert stages.get("osd_calls", 0) == engine.osd_calls == 0
    assert "stages" not in result.model_dump_json()


def test_profile_counts_osd_calls_on_a_low_confidence_page() -> None:
    profile: StageProfile = {}
    engine = CountingEngine(confidence=0.2)
    always_osd = Settings(orientation_evidence_margin=1.5)
    read_bytes(builders.scanned_pdf(seed=5), "scan.pdf", always_osd, engine, profile=profile)
    assert profile[1]["osd_calls"] == engine.osd_calls >= 1


def test_digital_page_profile_has_only_the_text_layer_time() -> None:
    profile: StageProfile = {}
    read_bytes(builders.text_pdf(), "digital.pdf", profile=profile)
    assert list(profile[1]) == ["image"]
