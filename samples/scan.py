"""Scanned twins: a digital PDF made into an image-only PDF, as if it went through a scanner."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def degrade(
    image: Image.Image,
    rng: random.Random,
    skew_degrees: float | None = None,
    rotate90: int = 0,
    noise: float = 12.0,
    blur: float = 0.8,
) -> Image.Image:
    """Skew, blur, add sensor noise and speckles, like a cheap office scanner at 300 dpi."""
    gray = image.convert("L")
    angle = rng.uniform(-1.5, 1.5) if skew_degrees is None else skew_degrees
    gray = gray.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if blur:
        gray = gray.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(gray, dtype=np.float64)
    np_rng = np.random.default_rng(rng.randrange(2**32))
    arr = arr + np_rng.normal(0, noise, arr.shape)
    speckles = np_rng.random(arr.shape) < 0.0008
    arr[speckles] = 0
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if rotate90:
        out = out.rotate(rotate90, expand=True)  # counter-clockwise, as a sheet fed sideways
    return out


def scanned_twin(
    pdf_bytes: bytes,
    seed: int,
    dpi: int = 300,
    jpeg_quality: int = 70,
    skew_degrees: float | None = None,
    rotate90: dict[int, int] | None = None,
) -> bytes:
    """An image-only PDF of `pdf_bytes`: rasterised, degraded, JPEG-compressed, no text layer.

    `rotate90` maps a 1-based page number to a counter-clockwise turn (90/180/270).
    """
    rng = random.Random(seed)
    rotate90 = rotate90 or {}
    source = pdfium.PdfDocument(pdf_bytes)
    images: list[Image.Image] = []
    try:
        for index in range(len(source)):
            rendered = source[index].render(scale=dpi / 72, grayscale=True).to_pil()
            images.append(degrade(rendered, rng, skew_degrees, rotate90=rotate90.get(index + 1, 0)))
    finally:
        source.close()
    return images_to_pdf(images, dpi, jpeg_quality)


def images_to_pdf(images: list[Image.Image], dpi: int, jpeg_quality: int = 70) -> bytes:
    """Wrap page images into a PDF, each page sized so the image is `dpi` dots per inch."""
    out = pdfium.PdfDocument.new()
    try:
        for image in images:
            buffer = io.BytesIO()
            image.convert("L").save(buffer, format="JPEG", quality=jpeg_quality)
            width, height = image.width * 72 / dpi, image.height * 72 / dpi
            page = out.new_page(width, height)
            obj = pdfium.PdfImage.new(out)
            buffer.seek(0)
            obj.load_jpeg(buffer, inline=False, autoclose=True)
            obj.set_matrix(pdfium.PdfMatrix().scale(width, height))
            page.insert_obj(obj)
            page.gen_content()
        result = io.BytesIO()
        out.save(result)
        return result.getvalue()
    finally:
        out.close()


def write_scanned_twin(source: Path, target: Path, seed: int, **kwargs: object) -> None:
    target.write_bytes(scanned_twin(source.read_bytes(), seed, **kwargs))  # type: ignore[arg-type]
