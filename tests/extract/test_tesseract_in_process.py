"""Tesseract kept loaded in the process (EXPORTDESK_OCR_IN_PROCESS, extract/tesslib.py): the same
words as the `tesseract` command, models loaded once and inherited by forked reader children."""

from __future__ import annotations

import os
from collections.abc import Iterator

import builders
import pytest

from exportdesk.extract import ocr, tesslib
from exportdesk.extract.read import read_bytes
from exportdesk.extract.settings import Settings

pytestmark = pytest.mark.ocr


def _words(settings: Settings, seed: int = 3) -> list[tuple[object, ...]]:
    result = read_bytes(builders.scanned_pdf(seed=seed), "scan.pdf", settings)
    page = result.document.pages[0]
    return [(w.text, w.bbox, w.confidence, w.block, w.line) for w in page.words]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every libtesseract model load in this process, by language, from an empty pool."""
    made: list[str] = []
    real = tesslib.LoadedTesseract.__init__

    def counting(self: tesslib.LoadedTesseract, lib: object, lang: str, tessdata: object) -> None:
        made.append(lang)
        real(self, lib, lang, tessdata)

    monkeypatch.setattr(tesslib.LoadedTesseract, "__init__", counting)
    pool: list[tesslib.LoadedTesseract] = []
    monkeypatch.setattr(tesslib, "_pool", pool)
    yield made
    for loaded in pool:
        loaded.close()


def test_in_process_reads_the_same_words_boxes_and_confidences_as_the_command() -> None:
    assert tesslib.library() is not None, "libtesseract5 is missing (make setup)"
    command = _words(Settings(ocr_in_process=False, max_read_memory_mb=0))
    in_process = _words(Settings(ocr_in_process=True, max_read_memory_mb=0))
    assert len(command) > 80
    assert in_process == command


def test_models_load_once_for_many_pages(loads: list[str]) -> None:
    settings = Settings(max_read_memory_mb=0, ocr_workers=1)
    for seed in (3, 4, 5):
        assert _words(settings, seed)
    assert loads == ["eng+fra"]


def test_a_forked_reader_uses_the_models_its_parent_loaded(loads: list[str]) -> None:
    settings = Settings(max_read_memory_mb=0, ocr_workers=2)
    ocr.warm_up(settings)
    assert loads == ["eng+fra", "eng+fra"]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: read a page, report how many models it loaded itself
        code = 1
        try:
            before = len(loads)
            read_words = _words(settings)
            os.write(write, f"{len(loads) - before} {len(read_words)}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    report = os.read(read, 100).decode()
    os.close(read)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    loaded, count = map(int, report.split())
    assert loaded == 0 and count > 80


def test_a_page_over_its_time_limit_is_a_warning() -> None:
    settings = Settings(max_read_memory_mb=0, ocr_timeout_seconds=0.001)
    result = read_bytes(builders.scanned_pdf(seed=3), "slow.pdf", settings)
    assert [w.code for w in result.warnings] == ["ocr_timeout"]
    assert result.document.pages[0].words == []


def test_reading_in_process_prints_nothing_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    capfd.readouterr()
    # a skewed, noisy page: the command printed Leptonica's and Tesseract's notes on these
    assert _words(Settings(max_read_memory_mb=0), seed=8)
    assert capfd.readouterr().err == ""
