"""Small applications built by hand for the risk tests: parties, items, statements, pages."""

from __future__ import annotations

from exportdesk.extract.model import (
    ApplicationResult,
    DocumentInfo,
    EndUse,
    Evidence,
    Item,
    Page,
    Party,
    Suggestion,
    Word,
)


def ev(page: int = 1, top: float = 100.0, text: str | None = None) -> list[Evidence]:
    return [Evidence(page=page, bbox=(50.0, top, 300.0, top + 12), text=text)]


def party(role: str, name: str, country: str | None = None, page: int = 1) -> Party:
    return Party(role=role, name=name, country=country, confidence=0.9, evidence=ev(page))


def statement(
    text: str, flags: list[str] | None = None, page: int = 1, end_user: str | None = None
) -> EndUse:
    return EndUse(
        statement=text,
        end_user=end_user,
        confidence=0.9,
        evidence=ev(page, 400),
        flags=flags or ["no_reexport_assurance", "no_wmd_assurance"],
    )


def item(
    index: int,
    description: str,
    page: int = 1,
    quantity: float | None = 10,
    total: float | None = 1000.0,
    currency: str | None = "EUR",
    declared: str | None = None,
    suggestion: tuple[str, str, float] | None = None,
) -> Item:
    suggestions = []
    if suggestion:
        catalogue, code, conf = suggestion
        suggestions = [Suggestion(catalogue=catalogue, code=code, confidence=conf, rationale="r")]
    return Item(
        index=index,
        description=description,
        quantity=quantity,
        total_value=total,
        currency=currency,
        declared_classification=declared,
        confidence=0.9,
        evidence=ev(page, 200 + index),
        suggestions=suggestions,
    )


def page(number: int, lines: list[str]) -> Page:
    words = []
    for n, line in enumerate(lines):
        x = 50.0
        for token in line.split():
            words.append(
                Word(
                    text=token,
                    x0=x,
                    top=60.0 + 14 * n,
                    x1=x + 6 * len(token),
                    bottom=70.0 + 14 * n,
                    source="text_layer",
                    line=n,
                )
            )
            x += 6 * len(token) + 4
    return Page(page=number, source="text_layer", words=words)


def application(pages: list[Page] | None = None, **fields) -> ApplicationResult:
    pages = pages or [page(1, ["APPLICATION FOR EXPORT LICENCE"])]
    doc = DocumentInfo(filename="t.pdf", sha256="0" * 64, page_count=len(pages), pages=pages)
    return ApplicationResult(document=doc, **fields)


CLEAN_STATEMENT = (
    "The goods will be used solely for the maintenance of the civil air traffic radar at "
    "Tromso airport. We undertake not to re-export the goods without prior authorisation. "
    "The goods will not be used for weapons of mass destruction."
)
