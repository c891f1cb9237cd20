"""Image bombs the pdfplumber size check cannot see, and the review screen's page images."""

from __future__ import annotations

from pathlib import Path

import builders
import hostile_files as hf
import pikepdf
import pytest

from exportdesk.ui.render import MAX_SCREEN_PIXELS, render_page

LIMIT = {"EXPORTDESK_MAX_READ_MEMORY_MB": "700"}


def test_bomb_on_a_page_without_type_page_is_not_decoded(tmp_path: Path) -> None:
    run = hf.process_beside_good(tmp_path, "untyped.pdf", hf.bomb_on_untyped_page_pdf(), env=LIMIT)
    assert run.codes("untyped.pdf") in (["image_too_large"], ["resource_limit"])
    assert "Traceback" not in run.stderr


def test_bomb_drawn_by_an_annotation_stays_within_the_limit(tmp_path: Path) -> None:
    # It came back blank_page: pdfium drew the stamp's appearance stream and decoded the
    # all-black 60,000 x 60,000 image under the 700 MB limit (about 570 MB more, 6 s), so OCR
    # saw a black page. The size check now counts annotation appearances too.
    run = hf.process_beside_good(tmp_path, "annot.pdf", hf.bomb_in_annotation_pdf(), env=LIMIT)
    assert run.codes("annot.pdf") == ["image_too_large"]
    assert "Traceback" not in run.stderr


def test_size_check_counts_images_an_annotation_draws_without_decoding_them() -> None:
    import resource

    import pypdfium2 as pdfium

    from exportdesk.extract.read import largest_image_pixels_pdfium

    page = pdfium.PdfDocument(hf.bomb_in_annotation_pdf())[0]
    assert list(page.get_objects()) == []  # what the check used to look at
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert largest_image_pixels_pdfium(page) == 60_000 * 60_000
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50 * 1024  # declared size only: decoding would take ~450 MB or more


def test_review_screen_refuses_an_image_bomb_drawn_by_an_annotation() -> None:
    with pytest.raises(ValueError, match="over the limit"):
        render_page(hf.bomb_in_annotation_pdf(), 1)


def test_review_screen_refuses_to_draw_an_image_bomb() -> None:
    with pytest.raises(ValueError, match="over the limit"):
        render_page(builders.bomb_pdf(), 1)


def test_review_screen_draws_a_giant_page_at_bounded_size() -> None:
    import io

    from PIL import Image

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14400, 14400))  # the largest page PDF allows: 200 inches
    out = io.BytesIO()
    pdf.save(out)
    png = render_page(out.getvalue(), 1)
    with Image.open(io.BytesIO(png)) as image:
        assert image.width * image.height <= MAX_SCREEN_PIXELS * 1.01
