"""Coverage-guided fuzzing of the reader (atheris/libFuzzer): bytes in, never an exception out.

Run by `make fuzz` (30 minutes) and, with a short budget, by tests/fuzz/test_fuzz_reader.py:

    python tests/fuzz/fuzz_reader.py CORPUS_DIR -max_total_time=1800 -rss_limit_mb=2048

The property: `read_bytes` returns an ApplicationResult for every input (problems become
warnings) and stays under libFuzzer's RSS limit. OCR is replaced by a fake engine so each
execution takes milliseconds; what is fuzzed is the parsing, checking and rendering path.
The seed corpus is built in code (seeds.py): valid, scanned and deliberately broken PDFs.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "hostile")]

with atheris.instrument_imports(include=["pdfminer", "pdfplumber", "exportdesk.extract"]):
    import pdfminer  # noqa: F401 - instrumented for coverage
    import pdfplumber  # noqa: F401

    from exportdesk.extract import read
    from exportdesk.extract.ocr import OcrPage
    from exportdesk.extract.settings import Settings

logging.disable(logging.CRITICAL)  # pdfminer logs every oddity; the fuzzer needs none of it


class BlankEngine:
    """Reads nothing from any image: OCR is not what is being fuzzed."""

    def read(self, image_path: Path, settings: Settings) -> OcrPage:
        return OcrPage(words=[])

    def orientation(self, image_path: Path, settings: Settings) -> int:
        return 0


SETTINGS = Settings(
    max_pages=8,
    max_image_pixels=8_000_000,
    max_render_pixels=2_000_000,
    ocr_dpi=72,
    ocr_workers=1,
    max_read_memory_mb=0,  # in-process, so libFuzzer sees the coverage
)
ENGINE = BlankEngine()


def one_input(data: bytes) -> None:
    result = read.read_bytes(data, "fuzz.pdf", SETTINGS, ENGINE)
    # The contract must still serialise: a result that cannot be printed is a lost file.
    result.to_contract()


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
