"""One application through every stage: read pages, extract fields, attach suggestions."""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from exportdesk.extract.isolation import PendingRead, ProgressFn, read_limited, start_limited
from exportdesk.extract.model import ApplicationResult, DocumentInfo, Suggestion, Warning
from exportdesk.extract.settings import Settings, get_settings
from exportdesk.review.suggestion_process import SuggestionProcess, SuggestionProcessError

SuggestFn = Callable[..., list[list[Suggestion]]]

log = logging.getLogger(__name__)


# The reading modules (pdfplumber, pdfminer, pypdfium2, pytesseract: 0.14 s of CPU):
# `process_paths` (the command line) leaves them to the reader child of its first file, which
# loads them while this process loads spaCy and the models (docs/benchmarks.md).
def _load_reading_modules() -> None:
    """Import the reading modules here, before forking a reader: a long-lived caller (the
    worker, a batch's later files) pays for them once, and every child it forks inherits
    them."""
    import exportdesk.extract.read  # noqa: F401


def _read_pdf(
    path: Path, settings: Settings, progress: ProgressFn | None = None
) -> ApplicationResult:
    from exportdesk.extract.read import read_pdf as read

    return read(path, settings, progress=progress)


def _read_bytes(
    data: bytes,
    name: str,
    settings: Settings,
    progress: ProgressFn | None = None,
    pages: range | None = None,
) -> ApplicationResult:
    from exportdesk.extract.read import read_bytes as read

    return read(data, name, settings, progress=progress, pages=pages)


def process_path(
    path: Path,
    settings: Settings | None = None,
    suggestions: bool = True,
    progress: ProgressFn | None = None,
) -> ApplicationResult:
    """Read and interpret one file on disk. Never raises for a bad file."""
    settings = settings or get_settings()
    _load_reading_modules()
    result = read_limited(
        lambda report: _read_pdf(path, settings, progress=report), str(path), settings, progress
    )
    return _interpret(result, settings, suggestions)


def process_paths(
    paths: Sequence[Path],
    settings: Settings | None = None,
    suggestions: bool = True,
    progress_for: Callable[[int], ProgressFn | None] | None = None,
) -> Iterator[ApplicationResult]:
    """Read and interpret many files, yielding each result in order. Never raises for a bad file.

    Both cores stay busy: each file is read in its own child process (as in `process_path`),
    and with several files, as many files are read at once as there are OCR workers. A file
    of one page, or the last page of an odd count, then no longer leaves a core idle while
    the next file waits. Each child keeps all OCR workers, so the last file, read alone,
    still uses every core (measured: 1.30x raw Tesseract against 1.35x with the workers
    shared out and 1.47x one file at a time; docs/benchmarks.md). Interpretation
    (extraction, classification, risk checks) of file n runs beside the reading of the
    files after it, and the models load while the first files are read. ``progress_for(i)``
    gives file i's progress callback; a child's progress is reported when its file's turn
    comes.
    """
    settings = settings or get_settings()
    window = max(1, min(settings.ocr_workers, len(paths)))
    pending: deque[PendingRead] = deque()
    started = 0

    def read_ahead() -> None:
        nonlocal started
        while started < len(paths) and len(pending) < window:
            pending.append(_start(paths[started], settings))
            started += 1

    read_ahead()
    forked = bool(pending) and pending[0].pid is not None
    # With forked readers, classification and the risk checks get a process too: it loads
    # the classifier and the screening index on the other core while this one loads spaCy
    # and extracts (review/suggestion_process.py).
    service = SuggestionProcess(settings.data_dir) if forked and suggestions else None
    suggest = service.suggest_many if service is not None else None
    risk = service.assess_risk if service is not None else None
    try:
        if pending:
            warm_up(settings, suggestions and service is None, screening=service is None)
        for i in range(len(paths)):
            result = pending.popleft().wait(progress_for(i) if progress_for else None)
            _warm_ocr_after_a_scan(result, settings)  # the next children inherit it
            if started < len(paths):
                _load_reading_modules()  # the next children inherit them
                read_ahead()
            yield _interpret(result, settings, suggestions, suggest, risk)
    finally:
        for reader in pending:  # the consumer stopped early: end the children reading ahead
            reader.cancel()
        if service is not None:
            service.close()


def _start(path: Path, settings: Settings) -> PendingRead:
    return start_limited(
        lambda report: _read_pdf(path, settings, progress=report), str(path), settings
    )


_ocr_warm = False


def _warm_ocr_after_a_scan(result: ApplicationResult, settings: Settings) -> None:
    """Once this process's first scanned document is read (a batch or a long-lived worker):
    load Tesseract here, so every later reader child inherits it loaded (libtesseract's
    models, the version and language answers) instead of loading it per document. A process
    that only ever sees text-layer PDFs never pays for it."""
    global _ocr_warm
    if not _ocr_warm and any(p.source == "ocr" for p in result.document.pages):
        _ocr_warm = _warm_up_ocr(settings)


def _warm_up_ocr(settings: Settings) -> bool:
    from exportdesk.extract.ocr import warm_up as ocr_warm_up

    try:
        ocr_warm_up(settings)
    except Exception as exc:  # the reader reports a missing Tesseract per page
        log.info("Tesseract warm-up failed (%s); each reader asks again", exc)
    return True


def warm_up(settings: Settings, suggestions: bool = True, screening: bool = True) -> None:
    """Load what interpretation uses (spaCy and the NER, the linker, the classifier, the
    screening index), each cached for the process. A failure here is left for the stage
    itself to report with its own warning."""
    try:
        from exportdesk.extract import linker, nlp

        nlp.blank()
        nlp.ner()
        linker.load_model()
        linker.load_label_model()
        if suggestions:
            from exportdesk.classify import warm_up as classifier_warm_up

            classifier_warm_up()
        if screening:
            from exportdesk.risk.screening import screening_index

            screening_index(settings.data_dir)
    except Exception as exc:  # the stage that needs it reports the same failure properly
        log.info("warm-up stopped early (%s: %s); the stage will load it", type(exc).__name__, exc)


def process_bytes(
    data: bytes,
    name: str,
    settings: Settings | None = None,
    suggestions: bool = True,
    progress: ProgressFn | None = None,
) -> ApplicationResult:
    settings = settings or get_settings()
    _load_reading_modules()
    result = read_limited(
        lambda report: _read_bytes(data, name, settings, progress=report), name, settings, progress
    )
    _warm_ocr_after_a_scan(result, settings)
    return _interpret(result, settings, suggestions)


def count_pages(data: bytes, name: str, settings: Settings | None = None) -> int:
    """Pages in a stored original, counted in the isolated reader child (it parses untrusted
    bytes); 0 when the file cannot be opened (reading it whole then reports why)."""
    settings = settings or get_settings()

    def count(_report: ProgressFn) -> ApplicationResult:
        import pypdfium2 as pdfium

        pages = 0
        try:
            pdf = pdfium.PdfDocument(data)
        except Exception:  # not a PDF pdfium opens: read whole, which explains the problem
            pdf = None
        if pdf is not None:
            try:
                pages = len(pdf)
            finally:
                pdf.close()
        empty = hashlib.sha256(b"").hexdigest()
        return ApplicationResult(
            document=DocumentInfo(filename=name, sha256=empty, page_count=pages)
        )

    return read_limited(count, name, settings).document.page_count


def read_page_range(
    data: bytes,
    name: str,
    pages: range,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
) -> ApplicationResult:
    """Read only ``pages`` (0-based) of a file, in the isolated reader child, as a long scan's
    page-range job does; ``extract.ranges.merge`` joins the parts."""
    settings = settings or get_settings()
    _load_reading_modules()
    result = read_limited(
        lambda report: _read_bytes(data, name, settings, progress=report, pages=pages),
        name,
        settings,
        progress,
    )
    _warm_ocr_after_a_scan(result, settings)
    return result


def interpret(result: ApplicationResult, settings: Settings | None = None) -> ApplicationResult:
    """Field extraction, classification and risk on pages already read (the assemble step)."""
    return _interpret(result, settings or get_settings(), suggestions=True)


def _interpret(
    result: ApplicationResult,
    settings: Settings,
    suggestions: bool,
    suggest: SuggestFn | None = None,
    risk: Callable[[ApplicationResult], ApplicationResult] | None = None,
) -> ApplicationResult:
    if not result.readable or not result.document.pages:
        return result
    # Imported here, not at the top: `process_paths` forks its first reader before spaCy and
    # the models load, so the child starts small and the loading overlaps its reading.
    from exportdesk.extract.fields import extract_fields

    try:
        extract_fields(result)
    except Exception as exc:  # a bug in one stage must not lose the pages already read
        log.exception("field extraction failed")
        result.warnings.append(
            Warning(
                code="extraction_failed",
                message=f"Field extraction failed ({type(exc).__name__}: {exc}); the pages "
                "were read but parties, items and end-use must be entered by hand. "
                "Please report this file to the exportdesk team.",
            )
        )
    if suggestions and result.items:
        _attach_suggestions(result, settings, suggest)
    # Risk signals come last: they read the parties, end use and the suggestions.
    if risk is not None:
        try:
            return risk(result)
        except SuggestionProcessError as exc:  # run them here, where a failure shows as usual
            log.warning("risk checks in the classification process failed (%s)", exc)
    from exportdesk.risk.assess import attach_risk

    attach_risk(result, settings.data_dir)
    return result


def _attach_suggestions(
    result: ApplicationResult, settings: Settings, suggest: SuggestFn | None = None
) -> None:
    # Imported here so `process --no-suggestions` never pays for loading the classifier.
    from exportdesk.classify import suggest_many
    from exportdesk.extract.errors import ModelError

    try:
        lists = (suggest or suggest_many)(
            [item.description for item in result.items],
            catalogues=settings.default_catalogues,
            top_k=settings.top_k,
        )
    except ModelError as exc:  # files that fail their manifest (ArtefactError): no trace
        log.error("classifier refused: %s", exc)
        result.warnings.append(
            Warning(
                code="model_integrity_failed",
                message=f"The classifier was not loaded: {exc}. No suggestions were made; "
                "classify the items by hand and ask an admin to restore or retrain the "
                "model (`exportdesk models list`).",
            )
        )
        return
    except Exception as exc:
        log.exception("classification failed")
        result.warnings.append(
            Warning(
                code="classification_failed",
                message=f"Suggestions could not be made ({type(exc).__name__}: {exc}); "
                "classify the items by hand.",
            )
        )
        return
    for item, found in zip(result.items, lists, strict=True):
        item.suggestions = found
    if lists and lists[0]:
        first = lists[0][0]
        if first.model_version:
            result.versions["classifier"] = first.model_version
        if first.catalogue_edition:
            result.versions["catalogues"] = first.catalogue_edition
