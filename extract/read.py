"""Bytes to pages: open the PDF safely, then read each page from its text layer or by OCR."""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image

from exportdesk.extract import sniff
from exportdesk.extract.errors import InputProblem, ReadingError, problem
from exportdesk.extract.hashing import sha256_bytes
from exportdesk.extract.model import ApplicationResult, DocumentInfo, Page, Warning
from exportdesk.extract.names import display_name
from exportdesk.extract.ocr import OcrEngine, OcrTimeout, TesseractEngine, ocr_image, to_pdf_words
from exportdesk.extract.settings import Settings, get_settings
from exportdesk.extract.textlayer import (
    is_plausible_language,
    is_usable,
    largest_image_pixels,
    text_layer_words,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
# Page number -> seconds per reading stage ("image", "orientation", "level", "rulings", "regions",
# "ocr") and "osd_calls"; filled only when a caller passes one (the benchmark's profile).
StageProfile = dict[int, dict[str, float]]


def read_pdf(
    path: Path,
    settings: Settings | None = None,
    engine: OcrEngine | None = None,
    progress: ProgressFn | None = None,
) -> ApplicationResult:
    """Read one file from disk. Never raises for a bad file: problems become warnings."""
    settings = settings or get_settings()
    name = display_name(str(path))
    try:
        data = _read_regular_file(path, name, settings)
    except InputProblem as exc:
        return _failed(name, b"", exc)
    except OSError as exc:
        return _failed(name, b"", problem("unreadable_path", name=name, detail=exc.strerror))
    return read_bytes(data, name, settings, engine, progress)


def _read_regular_file(path: Path, name: str, settings: Settings) -> bytes:
    """The file's bytes, refusing FIFOs, devices and sockets before reading a byte of them.

    Opened non-blocking (a FIFO without a writer would hang a plain open), then checked on
    the open descriptor, so the file cannot be swapped between the check and the read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise problem("not_a_regular_file", name=name)
        if info.st_size > settings.max_file_bytes:  # refuse before reading it into memory
            raise problem(
                "file_too_large",
                name=name,
                size_mb=info.st_size / 2**20,
                limit_mb=settings.max_file_bytes / 2**20,
            )
        data = handle.read(settings.max_file_bytes + 1)  # a file growing while read
    return data


def read_bytes(
    data: bytes,
    name: str,
    settings: Settings | None = None,
    engine: OcrEngine | None = None,
    progress: ProgressFn | None = None,
    profile: StageProfile | None = None,
    pages: range | None = None,
) -> ApplicationResult:
    """Read one application from its bytes into pages of words (no field extraction yet).

    `profile`, when given, receives the per-page stage timings (it stays off the result).
    `pages` (0-based indexes) reads only those pages, numbered as in the whole file: a long
    scan's page-range job (review/runner.py); `extract.ranges.merge` joins the parts.
    """
    settings = settings or get_settings()
    engine = engine or TesseractEngine()
    name = display_name(name)
    try:
        sniff.check_bytes(data, name, settings)
        pdf, warnings = _open(data, name, settings)
    except InputProblem as exc:
        return _failed(name, data, exc)
    try:
        read, page_warnings = _read_pages(
            pdf, data, name, settings, engine, progress, profile, pages
        )
    except InputProblem as exc:
        return _failed(name, data, exc)
    finally:
        pdf.close()
    document = DocumentInfo(
        filename=name,
        sha256=sha256_bytes(data),
        page_count=len(read),
        pages=read,
        size_bytes=len(data),
    )
    return ApplicationResult(document=document, warnings=warnings + page_warnings)


def _failed(name: str, data: bytes, exc: InputProblem) -> ApplicationResult:
    return failed_result(name, data, exc.to_warning())


def failed_result(name: str, data: bytes, warning: Warning) -> ApplicationResult:
    """The result for a file that could not be read at all: no pages, one file-level warning."""
    document = DocumentInfo(
        filename=name,
        sha256=sha256_bytes(data),
        page_count=0,
        pages=[],
        size_bytes=len(data),
    )
    return ApplicationResult(document=document, warnings=[warning])


def _open(data: bytes, name: str, settings: Settings) -> tuple[pdfium.PdfDocument, list[Warning]]:
    warnings: list[Warning] = []
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # pdfium's error text can be stale (it reports the last error of the process), so
        # decide from the bytes themselves.
        if not sniff.has_eof_marker(data):
            raise problem("truncated", name=name) from exc
        if b"/Encrypt" in data:
            raise problem("encrypted", name=name) from exc
        if _pdfminer_page_count(data) == 0:  # pdfium refuses page-less files outright
            raise problem("no_pages", name=name) from exc
        raise problem("corrupt", name=name, detail=_pdfium_reason(exc)) from exc
    count = len(pdf)
    if count == 0:
        pdf.close()
        raise problem("no_pages", name=name)
    if count > settings.max_pages:
        pdf.close()
        raise problem("too_many_pages", name=name, pages=count, limit=settings.max_pages)
    if not sniff.has_eof_marker(data):
        warnings.append(
            Warning(
                code="truncated_repaired",
                message=f"'{name}' is cut off before its end; {count} page(s) could be "
                "recovered. Compare the page count with the original and ask for the file "
                "again if pages are missing.",
            )
        )
    elif sniff.xref_is_damaged(data):
        warnings.append(
            Warning(
                code="xref_repaired",
                message=f"'{name}' has a damaged cross-reference table; exportdesk rebuilt "
                f"it and found {count} page(s). Check them against the paper original.",
            )
        )
    return pdf, warnings


def _pdfium_reason(exc: Exception) -> str:
    return str(exc).replace("Failed to load document ", "").strip("() ") or "unknown error"


def _pdfminer_page_count(data: bytes) -> int | None:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except Exception:
        return None


def _read_pages(
    pdf: pdfium.PdfDocument,
    data: bytes,
    name: str,
    settings: Settings,
    engine: OcrEngine,
    progress: ProgressFn | None,
    profile: StageProfile | None = None,
    subset: range | None = None,
) -> tuple[list[Page], list[Warning]]:
    count = len(pdf)
    pages: list[Page | None] = [None] * count
    warnings: list[Warning] = []
    to_ocr: list[int] = []
    plumber = _open_plumber(data, warnings)
    for index in range(count) if subset is None else subset:
        number = index + 1
        start = time.perf_counter()
        try:  # a malformed page tree (a /Kids entry that is no page, a loop) fails here
            width, height = pdf[index].get_size()
        except Exception as exc:
            log.warning("page %d cannot be loaded: %s", number, exc)
            pages[index] = Page(page=number, source="ocr")
            warnings.append(
                Warning(
                    code="page_unreadable",
                    page=number,
                    message=f"Page {number} cannot be loaded: the file's page tree is "
                    "damaged there, so it was skipped. Compare the pages with the paper "
                    "original and ask for a corrected file if one is missing.",
                )
            )
            continue
        page = Page(page=number, source="ocr", width=round(width, 2), height=round(height, 2))
        pages[index] = page
        if plumber is None:
            to_ocr.append(index)
            continue
        try:
            pp = plumber.pages[index]  # pdfminer may count pages differently: IndexError
            words = text_layer_words(pp)
            biggest = largest_image_pixels(pp)
            usable = is_usable(words, pp, settings.text_layer_min_chars)
        except Exception as exc:  # a malformed page must not lose the others
            log.warning("text layer of page %d unreadable: %s", number, exc)
            words, biggest, usable = [], 0, False
        if usable and not is_plausible_language(words):
            usable = False
            warnings.append(
                Warning(
                    code="text_layer_implausible",
                    page=number,
                    message=f"Page {number}'s text layer does not read as language (its font "
                    "maps letters to the wrong characters), so the page was read by OCR "
                    "instead. Check its values against the page image.",
                )
            )
        if usable:
            page.source, page.words = "text_layer", words
            page.seconds = round(time.perf_counter() - start, 4)
            if profile is not None:
                profile[number] = {"image": page.seconds}
            if progress:
                progress(number, count)
        elif biggest > settings.max_image_pixels:
            warnings.append(image_too_large_warning(number, biggest, settings))
        else:
            to_ocr.append(index)
    if plumber is not None:
        plumber.close()
    if to_ocr:
        _ocr_pages(pdf, to_ocr, pages, warnings, settings, engine, progress, profile)
    result = [p for p in pages if p is not None]
    if subset is None and sum(w.code == "page_unreadable" for w in warnings) == count:
        raise problem("corrupt", name=name, detail=f"none of its {count} page(s) could be loaded")
    return result, sorted(warnings, key=lambda w: w.page or 0)


def _open_plumber(data: bytes, warnings: list[Warning]) -> pdfplumber.PDF | None:
    plumber = None
    try:
        plumber = pdfplumber.open(io.BytesIO(data))
        len(plumber.pages)  # pdfminer walks the whole page tree here, and may fail there
        return plumber
    except Exception as exc:  # pdfium opened it; pdfminer could not: OCR every page
        if plumber is not None:
            with contextlib.suppress(Exception):
                plumber.close()
        warnings.append(
            Warning(
                code="text_layer_unreadable",
                message=f"The PDF's text layer could not be parsed ({type(exc).__name__}); "
                "every page was read by OCR instead, which is slower and less exact.",
            )
        )
        return None


def render_page_image(
    pdf: pdfium.PdfDocument, index: int, settings: Settings
) -> tuple[Image.Image, float]:
    """The page as an image for OCR, and its DPI.

    A typical scan page is one full-page image; taking that image as it is costs ~20 ms
    against ~140 ms to render the page at 300 dpi, and it loses nothing.
    """
    page = pdf[index]
    biggest = largest_image_pixels_pdfium(page)
    if biggest > settings.max_image_pixels:
        raise ImageTooLarge(biggest)
    try:
        scan = _full_page_scan(page, settings)
    except Exception:  # any surprise in the shortcut: fall back to rendering
        scan = None
    if scan is not None:
        return scan
    width, height = page.get_size()
    dpi = float(settings.ocr_dpi)
    pixels = (width / 72 * dpi) * (height / 72 * dpi)
    if pixels > settings.max_render_pixels:
        dpi *= (settings.max_render_pixels / pixels) ** 0.5
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    return bitmap.to_pil(), dpi


class ImageTooLarge(ReadingError):
    """A page draws an image whose declared size is over the limit; it is not decoded."""

    def __init__(self, pixels: int) -> None:
        super().__init__(f"{pixels:,} pixels")
        self.pixels = pixels


def largest_image_pixels_pdfium(page: pdfium.PdfPage, depth: int = 8) -> int:
    """Declared pixels of the largest image the page draws, form XObjects and annotation
    appearances included.

    pdfplumber's check misses images on pages pdfminer does not see as pages (no
    /Type /Page); pdfium is the engine that would decode them, so ask it. pdfium also draws
    each annotation's appearance stream when it renders the page, and ``get_objects`` does not
    list those: a 60,000 x 60,000 image drawn by a stamp annotation was decoded in full
    (about 570 MB more and 6 s, measured 2026-11-30) before it was counted here.
    """
    best = 0
    for obj in itertools.chain(page.get_objects(max_depth=depth), _annotation_objects(page, depth)):
        if isinstance(obj, pdfium.PdfImage):
            with contextlib.suppress(Exception):
                width, height = obj.get_px_size()
                best = max(best, int(width) * int(height))
    return best


def _annotation_objects(page: pdfium.PdfPage, depth: int) -> Iterator[pdfium.PdfObject]:
    """The objects of every annotation's normal appearance stream (what rendering draws)."""
    import pypdfium2.raw as pdfium_c

    for i in range(max(pdfium_c.FPDFPage_GetAnnotCount(page), 0)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, i)
        if not annot:
            continue
        try:  # the objects belong to the open annotation: use them before it closes
            for j in range(max(pdfium_c.FPDFAnnot_GetObjectCount(annot), 0)):
                raw = pdfium_c.FPDFAnnot_GetObject(annot, j)
                if not raw:
                    continue
                obj = pdfium.PdfObject(raw, page=page, pdf=page.pdf, level=0)
                yield obj
                if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM and depth > 1:
                    yield from page.get_objects(max_depth=depth, form=obj, level=1)
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)


def image_too_large_warning(page: int, pixels: int, settings: Settings) -> Warning:
    return Warning(
        code="image_too_large",
        page=page,
        message=f"Page {page} holds an image of {pixels:,} pixels, over the "
        f"limit of {settings.max_image_pixels:,} (a possible decompression "
        "bomb); it was not rendered. Ask for a normally scanned copy, or raise "
        "EXPORTDESK_MAX_IMAGE_PIXELS if the file is trusted.",
    )


def _full_page_scan(page: pdfium.PdfPage, settings: Settings) -> tuple[Image.Image, float] | None:
    """The page's only object if it is an upright image covering the page at 150-600 dpi."""
    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or not isinstance(objects[0], pdfium.PdfImage):
        return None
    image_obj = objects[0]
    pixel_width, pixel_height = image_obj.get_px_size()  # declared size, read without decoding
    if pixel_width * pixel_height > settings.max_image_pixels:
        return None  # the caller's check turns this into image_too_large
    m = image_obj.get_matrix()
    if abs(m.b) > 1e-6 or abs(m.c) > 1e-6 or m.a <= 0 or m.d <= 0:
        return None  # rotated or mirrored placement: let pdfium render it
    width, height = page.get_size()
    left, bottom, right, top = image_obj.get_bounds()
    if abs(left) > 1 or abs(bottom) > 1 or abs(right - width) > 1 or abs(top - height) > 1:
        return None
    try:
        image = image_obj.get_bitmap(render=False).to_pil().convert("L")
    except Exception:
        return None  # unusual colour space or filter: pdfium's renderer knows better
    dpi = image.width / (width / 72)
    if not 150 <= dpi <= 600 or abs(image.height / (height / 72) - dpi) > 2:
        return None
    return image, dpi


def _ocr_pages(
    pdf: pdfium.PdfDocument,
    indexes: list[int],
    pages: list[Page | None],
    warnings: list[Warning],
    settings: Settings,
    engine: OcrEngine,
    progress: ProgressFn | None,
    profile: StageProfile | None = None,
) -> None:
    # Rendering uses pdfium, which is not thread-safe: render serially, OCR in parallel.
    # Tesseract runs as a child process, so threads are enough to keep both cores busy.
    def work(index: int, image: Image.Image, dpi: float, taken: float) -> None:
        page = pages[index]
        assert page is not None
        start = time.perf_counter()
        try:
            read = ocr_image(image, engine, settings, dpi)
        except OcrTimeout:
            warnings.append(
                Warning(
                    code="ocr_timeout",
                    page=page.page,
                    message=f"OCR of page {page.page} took longer than "
                    f"{settings.ocr_timeout_seconds:g} s and was stopped; its text is missing. "
                    "Check the page by eye, or raise EXPORTDESK_OCR_TIMEOUT_SECONDS.",
                )
            )
            return
        except Exception as exc:
            warnings.append(
                Warning(
                    code="ocr_failed",
                    page=page.page,
                    message=f"OCR of page {page.page} failed ({exc}); its text is missing. "
                    "Check that Tesseract is installed (`make setup`).",
                )
            )
            return
        page.words = to_pdf_words(read, 72.0 / dpi)
        mean = read.mean_confidence
        page.ocr_mean_confidence = round(mean, 4) if mean is not None else None
        page.rotation = float(read.rotation)
        page.seconds = round(time.perf_counter() - start, 4)
        if profile is not None:
            profile[page.page] = {"image": taken, **read.stages}
        if not read.words:
            warnings.append(
                Warning(
                    code="blank_page",
                    page=page.page,
                    message=f"Page {page.page} has no readable text. If it is not meant to "
                    "be blank, rescan it at 300 dpi.",
                )
            )
        elif "low_confidence" in read.notes:
            warnings.append(
                Warning(
                    code="low_ocr_confidence",
                    page=page.page,
                    message=f"Page {page.page} was read with low confidence ({mean:.0%}). "
                    "Check its values by eye, or rescan it at 300 dpi.",
                )
            )

    done = 0
    with ThreadPoolExecutor(max_workers=max(1, settings.ocr_workers)) as pool:
        futures = []
        for index in indexes:
            start = time.perf_counter()
            try:
                image, dpi = render_page_image(pdf, index, settings)
            except ImageTooLarge as exc:
                warnings.append(image_too_large_warning(index + 1, exc.pixels, settings))
                continue
            except Exception as exc:
                warnings.append(
                    Warning(
                        code="render_failed",
                        page=index + 1,
                        message=f"Page {index + 1} could not be rendered for OCR ({exc}).",
                    )
                )
                continue
            taken = time.perf_counter() - start
            futures.append(pool.submit(work, index, image, dpi, taken))
        for future in futures:
            future.result()
            done += 1
            if progress:
                progress(done, len(indexes))
