"""Page images for the review screen, with the selected fact's evidence boxes drawn on them."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from exportdesk.extract.model import BBox

FILL = (255, 196, 0)
OUTLINE = (220, 80, 0)


def render_page(pdf: bytes, page: int, boxes: list[BBox] | None = None, dpi: int = 110) -> bytes:
    """PNG of page ``page`` (1-based) with each box (PDF points, top-left origin) highlighted."""
    doc = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(doc):
            raise ValueError(f"page {page} does not exist; the document has {len(doc)} pages")
        pdf_page = doc[page - 1]
        scale = dpi / 72
        image = pdf_page.render(scale=scale).to_pil().convert("RGB")
        pdf_page.close()
    finally:
        doc.close()
    if boxes:
        rects = [
            [x0 * scale - 3, top * scale - 3, x1 * scale + 3, bottom * scale + 3]
            for x0, top, x1, bottom in boxes
        ]
        tinted = image.copy()
        for rect in rects:
            ImageDraw.Draw(tinted).rectangle(rect, fill=FILL)
        # A translucent fill keeps the words under the box readable.
        image = Image.blend(image, tinted, 0.35)
        for rect in rects:
            ImageDraw.Draw(image).rectangle(rect, outline=OUTLINE, width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
