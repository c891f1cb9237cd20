"""Checks on raw bytes before any PDF parser sees them: size, type, truncation, damaged xref."""

from __future__ import annotations

import io
import re
import zipfile

from exportdesk.extract.errors import problem
from exportdesk.extract.settings import Settings

# Magic numbers of files that are commonly renamed to .pdf by mistake.
_MAGIC: list[tuple[bytes, str]] = [
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"<!DOCTYPE html", "an HTML page"),
    (b"<html", "an HTML page"),
]


def describe_non_pdf(data: bytes) -> str:
    """A short human description of what the bytes look like, for the error message."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "a ZIP archive"
        if any(n.startswith("word/") for n in names):
            return "a Word document (.docx)"
        if any(n.startswith("xl/") for n in names):
            return "an Excel workbook (.xlsx)"
        return "a ZIP archive"
    head = data[:512]
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "a plain-text file"
    return ""


def check_bytes(data: bytes, name: str, settings: Settings) -> None:
    """Raise InputProblem for bytes that are not worth handing to a PDF parser."""
    if not data:
        raise problem("empty_file", name=name)
    if len(data) > settings.max_file_bytes:
        raise problem(
            "file_too_large",
            name=name,
            size_mb=len(data) / 2**20,
            limit_mb=settings.max_file_bytes / 2**20,
        )
    # The PDF spec allows junk before the header; readers accept it within the first 1 KiB.
    if b"%PDF-" not in data[:1024]:
        kind = describe_non_pdf(data)
        raise problem("not_a_pdf", name=name, kind=f" (it looks like {kind})" if kind else "")


def has_eof_marker(data: bytes) -> bool:
    return b"%%EOF" in data[-2048:]


_STARTXREF = re.compile(rb"startxref\s+(\d+)")


def xref_is_damaged(data: bytes) -> bool:
    """True when the last `startxref` offset does not point at an xref table or stream.

    Parsers silently rebuild a damaged xref by scanning the file; we still want to tell the
    reviewer, because a rebuilt xref can hide or resurrect objects (pages, form fields).
    """
    matches = list(_STARTXREF.finditer(data[-4096:]))
    if not matches:
        return True
    offset = int(matches[-1].group(1))
    if offset <= 0 or offset >= len(data):
        return True
    target = data[offset : offset + 32].lstrip()
    if target.startswith(b"xref"):
        return _table_entries_are_wrong(data, offset)
    return not re.match(rb"\d+\s+\d+\s+obj", target)


_SUBSECTION = re.compile(rb"(\d+)\s+(\d+)\s*[\r\n]+")
_ENTRY = re.compile(rb"(\d{10})\s(\d{5})\s([nf])")
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj")


def _table_entries_are_wrong(data: bytes, offset: int, sample: int = 2000) -> bool:
    """True when an in-use entry of a classic xref table does not point at its object.

    A table can sit in the right place and still be wrong in every entry; parsers then
    rebuild it silently. Checking the first `sample` entries costs well under a millisecond
    per hundred objects.
    """
    position = offset + data[offset:].index(b"xref") + 4
    checked = 0
    while checked < sample:
        while position < len(data) and data[position] in b" \t\r\n":
            position += 1
        header = _SUBSECTION.match(data, position)
        if header is None:
            return False  # `trailer` (or anything else) ends the table
        first, count = int(header.group(1)), int(header.group(2))
        position = header.end()
        for number in range(first, first + min(count, sample - checked)):
            entry = _ENTRY.match(data, position)
            if entry is None:
                return True
            position = entry.end()
            while position < len(data) and data[position] in b" \t\r\n":
                position += 1
            if entry.group(3) == b"f":
                continue
            target = _OBJ.match(data, int(entry.group(1)))
            if target is None or int(target.group(1)) != number:
                return True
            checked += 1
        if count > sample - checked:
            return False
    return False
