"""A long document read as page ranges: which ranges, and joining their results into one.

A scan of many pages is read by several workers at once (review/runner.py): each reads one
range with ``read_bytes(..., pages=...)``, and ``merge`` joins the parts into the result that
reading the whole file at once gives (the same pages, words and warnings, in the same order).
"""

from __future__ import annotations

from typing import Any

from exportdesk.extract.errors import problem
from exportdesk.extract.model import ApplicationResult, DocumentInfo, Word


def page_ranges(count: int, size: int) -> list[range]:
    """0-based page indexes in consecutive ranges of at most ``size`` pages."""
    if size <= 0:
        raise ValueError("a page range holds at least one page")
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def merge(parts: list[ApplicationResult]) -> ApplicationResult:
    """Join the results of consecutive page ranges of one file, in page order.

    Document-level warnings (no page) are the same in every part and kept once, from the
    first; page warnings keep the page order reading the whole file gives them. A part that
    could not be read at all (the file failed before its pages) is the whole result.
    """
    if not parts:
        raise ValueError("nothing to merge: no page ranges were read")
    for part in parts:
        if not part.readable:
            return part
    first = parts[0]
    pages = [page for part in parts for page in part.document.pages]
    document_warnings = [w for w in first.warnings if w.page is None]
    page_warnings = [w for part in parts for w in part.warnings if w.page is not None]
    page_warnings.sort(key=lambda w: w.page or 0)
    if pages and sum(w.code == "page_unreadable" for w in page_warnings) == len(pages):
        corrupt = problem(
            "corrupt",
            name=first.document.filename,
            detail=f"none of its {len(pages)} page(s) could be loaded",
        )
        return ApplicationResult(
            document=DocumentInfo(
                filename=first.document.filename,
                sha256=first.document.sha256,
                page_count=0,
                pages=[],
                size_bytes=first.document.size_bytes,
            ),
            warnings=[corrupt.to_warning()],
        )
    document = first.document.model_copy(update={"pages": pages, "page_count": len(pages)})
    return ApplicationResult(document=document, warnings=document_warnings + page_warnings)


def dump_result(result: ApplicationResult) -> dict[str, Any]:
    """The contract JSON plus each page's words, which the contract leaves out: how a reader
    child hands back its result, and how a page-range job stores its pages."""
    data = result.to_contract()
    data["_words"] = [
        [w.model_dump(mode="json") for w in page.words] for page in result.document.pages
    ]
    return data


def load_result(data: dict[str, Any]) -> ApplicationResult:
    """The result ``dump_result`` wrote (JSON only, never pickle: it may come from a child
    that has just parsed hostile bytes)."""
    data = dict(data)
    words = data.pop("_words")
    result = ApplicationResult.model_validate(data)
    for page, page_words in zip(result.document.pages, words, strict=True):
        page.words = [Word.model_validate(w) for w in page_words]
    return result
