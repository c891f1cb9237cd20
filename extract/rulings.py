"""Table rulings off a page image before OCR: Tesseract misreads digits that touch a cell border."""

from __future__ import annotations

import numpy as np
from PIL import Image


def _long_runs(dark: np.ndarray, length: int) -> np.ndarray:
    """Pixels that lie in a run of at least `length` dark pixels along axis 1."""
    h, w = dark.shape
    if w < length:
        return np.zeros_like(dark)
    padded = np.concatenate(
        [np.zeros((h, 1), np.int32), np.cumsum(dark, axis=1, dtype=np.int32)], axis=1
    )
    full = (padded[:, length:] - padded[:, :-length]) == length  # window starting at x is dark
    starts = np.concatenate(
        [np.zeros((h, 1), np.int32), np.cumsum(full, axis=1, dtype=np.int32)], axis=1
    )
    # pixel p is covered if some full window starts in [p - length + 1, p]
    idx = np.arange(w)
    hi = np.minimum(idx + 1, full.shape[1])
    lo = np.clip(idx - length + 1, 0, full.shape[1])
    return (starts[:, hi] - starts[:, lo]) > 0


def remove_rulings(image: Image.Image, dpi: float = 300.0, threshold: int = 170) -> Image.Image:
    """The page with long horizontal and vertical strokes (table rules, boxes) painted white.

    Horizontal runs of at least 0.2 inch and vertical runs of at least 0.13 inch count as
    rulings; letters are shorter than that at the sizes applications use. Tolerates the
    1-2 degrees of skew a scanner adds, because a thick rule still has long runs per row.
    """
    gray = np.asarray(image.convert("L"))
    dark = gray < threshold
    horizontal = _long_runs(dark, max(20, int(0.2 * dpi)))
    vertical = _long_runs(dark.T, max(15, int(0.13 * dpi))).T
    mask = horizontal | vertical
    # widen by two pixels to take the blurred edge of the rule with it
    for _ in range(2):
        mask[1:, :] |= mask[:-1, :].copy()
        mask[:-1, :] |= mask[1:, :].copy()
        mask[:, 1:] |= mask[:, :-1].copy()
        mask[:, :-1] |= mask[:, 1:].copy()
    out = gray.copy()
    out[mask] = 255
    return Image.fromarray(out, "L")
