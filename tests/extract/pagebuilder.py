"""Hand-built pages for extraction tests: words placed like a PDF's text layer would give them."""

from __future__ import annotations

from exportdesk.extract.model import ApplicationResult, DocumentInfo, Page, Word

CHAR_WIDTH = 0.5  # of the font size, roughly Helvetica's average
SPACE = 0.28


def words_at(
    x: float,
    top: float,
    text: str,
    size: float = 9.0,
    source: str = "text_layer",
    confidence: float = 1.0,
) -> list[Word]:
    """The words of `text` laid out from (x, top), one space between them."""
    out = []
    for word in text.split():
        width = len(word) * size * CHAR_WIDTH
        out.append(
            Word(
                text=word,
                x0=x,
                top=top,
                x1=x + width,
                bottom=top + size,
                source=source,
                confidence=confidence,
            )
        )  # type: ignore[arg-type]
        x += width + size * SPACE
    return out


def page(
    cells: list[tuple[float, float, str]],
    number: int = 1,
    source: str = "text_layer",
    width: float = 595.0,
    height: float = 842.0,
) -> Page:
    """A page from (x, top, text) cells; cells on the same `top` form one line."""
    words: list[Word] = []
    for x, top, text in cells:
        words += words_at(x, top, text, source=source)
    return Page(
        page=number,
        source=source,
        width=width,
        height=height,  # type: ignore[arg-type]
        words=words,
    )


def result(*pages: Page) -> ApplicationResult:
    return ApplicationResult(
        document=DocumentInfo(
            filename="hand.pdf", sha256="0" * 64, page_count=len(pages), pages=list(pages)
        )
    )


def lines(
    x: float, top: float, texts: list[str], pitch: float = 12.0
) -> list[tuple[float, float, str]]:
    """Consecutive lines of text starting at (x, top)."""
    return [(x, top + i * pitch, t) for i, t in enumerate(texts)]
