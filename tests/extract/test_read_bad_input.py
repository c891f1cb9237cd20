"""Every kind of unreadable input yields a result with a precise warning, never an exception."""

from __future__ import annotations

import builders
import pytest

from exportdesk.extract.read import display_name, read_bytes
from exportdesk.extract.settings import Settings


def _codes(result) -> list[str]:
    return [w.code for w in result.warnings]


@pytest.mark.parametrize(
    ("data", "code", "hint"),
    [
        (b"", "empty_file", "send the file again"),
        (b"Dear officer, please find our application attached.\n", "not_a_pdf", "plain-text"),
        (builders.jpeg_bytes(), "not_a_pdf", "JPEG"),
        (builders.docx_bytes(), "not_a_pdf", "Word document"),
        (builders.truncated_pdf(), "truncated", "interrupted"),
        (builders.encrypted_pdf(), "encrypted", "unprotected copy"),
        (builders.zero_page_pdf(), "no_pages", "complete application"),
        (builders.garbage_pdf(), "corrupt", "export the PDF again"),
    ],
    ids=[
        "empty",
        "text",
        "renamed-jpeg",
        "renamed-docx",
        "truncated",
        "password",
        "zero-pages",
        "garbage",
    ],
)
def test_unreadable_file_gives_one_file_level_warning(data: bytes, code: str, hint: str) -> None:
    result = read_bytes(data, "application.pdf")
    assert _codes(result) == [code]
    assert hint in result.warnings[0].message
    assert not result.readable
    assert result.document.pages == []
    assert result.parties == result.items == result.end_use == []


def test_too_many_pages_names_the_limit_and_the_override() -> None:
    result = read_bytes(
        builders.text_pdf([["one"], ["two"], ["three"]]), "big.pdf", Settings(max_pages=2)
    )
    assert _codes(result) == ["too_many_pages"]
    assert "3 pages" in result.warnings[0].message
    assert "EXPORTDESK_MAX_PAGES" in result.warnings[0].message


def test_file_over_size_limit_is_refused() -> None:
    result = read_bytes(builders.text_pdf(), "huge.pdf", Settings(max_file_bytes=1000))
    assert _codes(result) == ["file_too_large"]
    assert not result.readable


def test_damaged_xref_is_rebuilt_and_reported() -> None:
    result = read_bytes(builders.broken_xref_pdf(), "xref.pdf")
    assert _codes(result) == ["xref_repaired"]
    assert result.readable
    assert [p.source for p in result.document.pages] == ["text_layer", "text_layer"]
    assert "Nordlicht" in result.document.pages[0].text


def test_intact_pdf_is_not_reported_as_repaired() -> None:
    result = read_bytes(builders.text_pdf(), "fine.pdf")
    assert result.warnings == []


def test_decompression_bomb_page_is_not_rendered() -> None:
    result = read_bytes(builders.bomb_pdf(), "bomb.pdf")
    assert _codes(result) == ["image_too_large"]
    assert result.warnings[0].page == 1
    assert "3,600,000,000 pixels" in result.warnings[0].message
    assert result.document.pages[0].words == []


@pytest.mark.ocr
def test_ocr_slower_than_timeout_becomes_page_warning_and_other_pages_survive() -> None:
    result = read_bytes(builders.mixed_pdf(), "mixed.pdf", Settings(ocr_timeout_seconds=0.05))
    assert _codes(result) == ["ocr_timeout"]
    assert result.warnings[0].page == 2
    assert result.readable
    assert "Nordlicht" in result.document.pages[0].text  # the digital page still counts


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\..\\app.pdf", "app.pdf"),
        ("evil\x1b[31mred\x00.pdf", "evil\\x1b[31mred\\x00.pdf"),
        ("", "unnamed.pdf"),
    ],
)
def test_hostile_file_names_are_reduced_to_a_printable_base_name(given: str, shown: str) -> None:
    assert display_name(given) == shown
