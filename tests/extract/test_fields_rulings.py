"""Ruling removal: cell borders go, the digits inside the cell stay."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from exportdesk.extract.rulings import remove_rulings


def test_box_is_removed_and_small_glyphs_are_kept() -> None:
    image = Image.new("L", (600, 300), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, 550, 250), outline=0, width=3)  # a table cell border
    draw.line((300, 50, 300, 250), fill=0, width=3)  # a column rule
    draw.rectangle((320, 140, 326, 170), fill=0)  # a digit-sized stroke (a "1")
    draw.rectangle((340, 140, 356, 146), fill=0)  # a short bar (a "7"'s top)
    out = np.asarray(remove_rulings(image, dpi=300))
    assert out[50, 200] == 255 and out[150, 300] == 255 and out[250, 400] == 255
    assert out[155, 323] == 0 and out[143, 348] == 0
