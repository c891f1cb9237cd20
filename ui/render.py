"""Page images for the review screen, with the selected fact's evidence boxes drawn on them."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from exportdesk.extract.model import BBox
from exportdesk.extract.read import largest_image_pixels_pdfium
from exportdesk.extract.settings import get_settings

FILL = (255, 196, 0)
OUTLINE = (220, 80, 0)


# The screen never needs more than this many pixels for one page (about 4000 x 5000).
MAX_SCREEN_PIXELS = 20_000_000


def render_page(
    pdf: bytes,
    page: int,
    boxes: list[BBox] | None = None,
    dpi: int = 110,
    max_image_pixels: int | None = None,
) -> bytes:
    """PNG of page ``page`` (1-based) with each box (PDF points, top-left origin) highlighted.

    A huge page is drawn at a lower resolution (at most MAX_SCREEN_PIXELS), and a page
    that draws an image over ``max_image_pixels`` (a decompression bomb) is refused
    before anything is decoded.
    """
    limit = max_image_pixels or get_settings().max_image_pixels
    doc = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page <= len(doc):
            raise ValueError(f"page {page} does not exist; the document has {len(doc)} pages")
        pdf_page = doc[page - 1]
        biggest = largest_image_pixels_pdfium(pdf_page)
        if biggest > limit:
            raise ValueError(
                f"page {page} draws an image of {biggest:,} pixels, over the limit of "
                f"{limit:,}; it is not shown (a possible decompression bomb)"
            )
        width, height = pdf_page.get_size()
        scale = dpi / 72
        pixels = width * height * scale * scale
        if pixels > MAX_SCREEN_PIXELS:
            scale *= (MAX_SCREEN_PIXELS / pixels) ** 0.5
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
