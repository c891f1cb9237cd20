"""PDF builders for tests: good, scanned, mixed and deliberately broken files, all made in code."""

from __future__ import annotations

import io
import zipfile
import zlib

import pikepdf
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from exportdesk.samples.scan import scanned_twin

# Realistic application text: names, numbers and codes that OCR commonly misreads.
APPLICATION_LINES = [
    "APPLICATION FOR AN INDIVIDUAL EXPORT LICENCE",
    "1. Applicant: Nordlicht Optronik GmbH, Hauptstrasse 12, 80331 Munich, Germany",
    "2. Consignee: Andes Survey Ltda, Avenida Providencia 1208, Santiago, Chile",
    "3. End user: Policia de Investigaciones, General Mackenna 1370, Santiago",
    "4. Goods: Thermal imaging camera TIC-640, uncooled microbolometer, 640 x 480 pixels",
    "   Quantity 12 units, unit price EUR 4,250.00, total value EUR 51,000.00",
    "5. Goods: Spare lens assembly 25 mm f/1.0 for TIC-640, quantity 24 units",
    "   Unit price EUR 310.00, total value EUR 7,440.00, declared code 6A003",
    "6. End use: border surveillance by the national police; no re-export without",
    "   prior written authorisation; not for use in weapons of mass destruction.",
    "Signed in Munich on 14 March 2026 by the export control officer of the applicant.",
]


def text_pdf(pages: list[list[str]] | None = None, font_size: int = 11) -> bytes:
    """A digital PDF with a text layer; default: two pages of application text."""
    pages = pages if pages is not None else [APPLICATION_LINES, APPLICATION_LINES[::-1]]
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    for lines in pages:
        y = 780
        c.setFont("Helvetica", font_size)
        for line in lines:
            c.drawString(50, y, line)
            y -= font_size * 2
        c.showPage()
    c.save()
    return buffer.getvalue()


def words_of(lines: list[str]) -> list[str]:
    return [w for line in lines for w in line.split()]


def scanned_pdf(seed: int = 7, **kwargs: object) -> bytes:
    return scanned_twin(text_pdf([APPLICATION_LINES]), seed, **kwargs)  # type: ignore[arg-type]


def mixed_pdf() -> bytes:
    """Page 1 digital, page 2 scanned."""
    digital = pdfium.PdfDocument(text_pdf([APPLICATION_LINES]))
    scan = pdfium.PdfDocument(scanned_pdf())
    digital.import_pages(scan)
    out = io.BytesIO()
    digital.save(out)
    digital.close()
    scan.close()
    return out.getvalue()


def encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, encrypt="applicant-secret")
    c.drawString(50, 780, "Confidential application")
    c.showPage()
    c.save()
    return buffer.getvalue()


def zero_page_pdf() -> bytes:
    out = io.BytesIO()
    pikepdf.new().save(out)
    return out.getvalue()


def truncated_pdf() -> bytes:
    data = text_pdf()
    return data[: len(data) // 3]


def broken_xref_pdf() -> bytes:
    """A good PDF whose startxref points into the middle of nowhere."""
    data = text_pdf()
    head, sep, tail = data.rpartition(b"startxref")
    number = tail.split()[0]
    return head + sep + tail.replace(number, str(int(number) - 37).encode(), 1)


def garbage_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def bomb_pdf(side: int = 60_000) -> bytes:
    """One page showing a `side` x `side` 1-bit image that compresses to a few kilobytes."""
    pdf = pikepdf.new()
    row = bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(side)]
    stream = b"".join(chunks) + compressor.flush()
    image = pikepdf.Stream(pdf, stream)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = side, side
    image.ColorSpace = pikepdf.Name.DeviceGray
    image.BitsPerComponent = 1
    image.Filter = pikepdf.Name.FlateDecode
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
