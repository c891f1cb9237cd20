"""Hostile PDFs built in code: malformed page trees, memory bombs, gibberish text layers."""

from __future__ import annotations

import io
import json
import os
import re
import resource
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import builders
import pikepdf


def _save(pdf: pikepdf.Pdf, **kwargs: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def kids_not_a_dict_pdf() -> bytes:
    """A good two-page file whose page tree lists an integer among its /Kids."""
    data = builders.text_pdf()
    return _raw_replace_kids(data, lambda kids: [*kids[:1], b"42", *kids[1:]])


def self_referencing_kids_pdf() -> bytes:
    """A page tree whose root lists itself among its own /Kids, counting it as a page."""
    data = builders.text_pdf()
    pages_ref = _pages_ref(data)
    edited = _raw_replace_kids(data, lambda kids: [*kids, pages_ref])
    return _fix_xref(re.sub(rb"/Count 2\b", b"/Count 3", edited, count=1))


def _pages_ref(data: bytes) -> bytes:
    match = re.search(rb"/Pages\s+(\d+)\s+(\d+)\s+R", data)
    assert match, "no /Pages reference in the builder's PDF"
    return match.group(1) + b" " + match.group(2) + b" R"


def _raw_replace_kids(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """Edit the /Kids array of the root page tree in place, then let pikepdf fix offsets."""
    pdf = pikepdf.open(io.BytesIO(data))
    pdf.save(buffer := io.BytesIO(), qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    raw = buffer.getvalue()
    match = re.search(rb"/Kids\s*\[([^\]]*)\]", raw)
    assert match
    kids = re.findall(rb"\d+\s+\d+\s+R", match.group(1))
    new = b"/Kids [ " + b" ".join(change(kids)) + b" ]"
    raw = raw[: match.start()] + new + raw[match.end() :]
    return _fix_xref(raw)


def _fix_xref(raw: bytes) -> bytes:
    """Rewrite the xref table so every offset is right after a hand edit (QDF layout)."""
    body, _sep, _ = raw.rpartition(b"\nxref\n")
    body += b"\n"
    offsets = {int(m.group(1)): m.start() for m in re.finditer(rb"(?m)^(\d+) 0 obj\b", body)}
    size = max(offsets) + 1
    lines = [b"xref\n", f"0 {size}\n".encode(), b"0000000000 65535 f \n"]
    for number in range(1, size):
        if number in offsets:
            lines.append(f"{offsets[number]:010d} 00000 n \n".encode())
        else:
            lines.append(b"0000000000 65535 f \n")
    trailer = re.search(rb"trailer\s*<<.*?>>\s*", raw[len(body) :], re.S)
    assert trailer
    tail = re.sub(rb"/Size \d+", f"/Size {size}".encode(), trailer.group(0))
    return body + b"".join(lines) + tail + b"startxref\n" + str(len(body)).encode() + b"\n%%EOF\n"


def deep_page_tree_pdf(depth: int = 5000) -> bytes:
    """One page at the bottom of a chain of `depth` intermediate /Pages nodes."""
    pdf = pikepdf.open(io.BytesIO(builders.text_pdf([builders.APPLICATION_LINES])))
    root = pdf.Root.Pages
    leaf = root.Kids[0]
    parent = root
    for _ in range(depth):
        node = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Pages, Count=1, Kids=pikepdf.Array([]))
        )
        node.Parent = parent
        parent.Kids = pikepdf.Array([node])
        parent = node
    parent.Kids = pikepdf.Array([leaf])
    leaf.Parent = parent
    return _save(pdf)


# --- running a hostile file beside a good one, bounded in memory and time ----------------

GOOD_NAME = "good.pdf"
# The whole CLI run (parent and reading children) must stay under this address space.
RUN_MEMORY_LIMIT = 3 * 2**30
RUN_SECONDS = 240


@dataclass
class Run:
    exit_code: int
    results: dict[str, dict]
    stderr: str

    def codes(self, name: str) -> list[str]:
        return [w["code"] for w in self.results[name]["warnings"]]


def process_beside_good(
    tmp_path: Path, name: str, data: bytes | Path, env: dict[str, str] | None = None
) -> Run:
    """`exportdesk process good.pdf <hostile> --json` in a child under RLIMIT_AS and a timeout.

    The good file must always come back read; callers then check what happened to the other.
    """
    good = tmp_path / GOOD_NAME
    good.write_bytes(builders.text_pdf())
    if isinstance(data, Path):
        bad = data
    else:
        bad = tmp_path / name
        bad.write_bytes(data)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (RUN_MEMORY_LIMIT, RUN_MEMORY_LIMIT))

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "exportdesk.ui.cli",
            "process",
            str(good),
            str(bad),
            "--json",
            "--no-suggestions",
        ],
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        preexec_fn=limit,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout.strip(), f"no JSON on stdout; stderr:\n{proc.stderr[-3000:]}"
    out = json.loads(proc.stdout)
    results = {o["document"]["filename"]: o for o in out}
    first = results[GOOD_NAME]
    assert first["document"]["page_count"] == 2, proc.stderr[-3000:]
    assert first["warnings"] == [], first["warnings"]
    return Run(proc.returncode, results, proc.stderr)


def every_xref_entry_wrong_pdf() -> bytes:
    """A good file whose `startxref` is right but every in-use xref offset is off by 7 bytes."""
    data = builders.text_pdf()
    start = int(re.search(rb"startxref\s+(\d+)", data[-64:]).group(1))  # type: ignore[union-attr]
    table_end = data.index(b"trailer", start)
    table = re.sub(
        rb"(\d{10}) (\d{5}) n",
        lambda m: b"%010d %s n" % (int(m.group(1)) + 7, m.group(2)),
        data[start:table_end],
    )
    return data[:start] + table + data[table_end:]


def _inflating_stream(pattern: bytes, total: int) -> bytes:
    """A zlib stream of `pattern` repeated to `total` bytes, built without compressing it all.

    After a full flush, deflate output no longer depends on earlier input, so one
    compressed block can be repeated; only the Adler-32 checksum is computed over it all.
    """
    block = pattern * (2**20 // len(pattern))
    count = max(1, total // len(block))
    compressor = zlib.compressobj(9)
    head = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(block, checksum)
    final_empty_block = b"\x03\x00"
    return head + segment * (count - 1) + final_empty_block + struct.pack(">I", checksum)


def content_stream_bomb_pdf(pattern: bytes = b" ", total: int = 2**30) -> bytes:
    """A one-page file whose content stream is a few MB on disk and `total` bytes inflated."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    stream = pikepdf.Stream(pdf, _inflating_stream(pattern, total))
    stream.Filter = pikepdf.Name.FlateDecode
    page.Contents = stream
    return _save(pdf, compress_streams=False)


def text_operator_bomb_pdf(total: int = 2**30) -> bytes:
    """Like `content_stream_bomb_pdf`, but the inflated stream is text-showing operators."""
    pdf = pikepdf.open(io.BytesIO(builders.text_pdf([["x"]])))
    page = pdf.pages[0]
    stream = pikepdf.Stream(pdf, _inflating_stream(b"BT /F1 9 Tf 9 9 Td (AAAA) Tj ET\n", total))
    stream.Filter = pikepdf.Name.FlateDecode
    page.Contents = stream
    return _save(pdf, compress_streams=False)


_SHIFT_CMAP = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Shifted def
/CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
3 beginbfrange
<20> <40> <0020>
<41> <59> <0042>
<61> <79> <0062>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def shifted_tounicode_pdf() -> bytes:
    """The builders' two-page application, drawn correctly, but its ToUnicode map shifts
    every letter by one (A->B, e->f): the text layer reads as gibberish, the page does not."""
    pdf = pikepdf.open(io.BytesIO(builders.text_pdf()))
    for page in pdf.pages:
        for _name, font in page.Resources.Font.items():
            font.ToUnicode = pdf.make_stream(_SHIFT_CMAP)
    return _save(pdf)


def bomb_on_untyped_page_pdf() -> bytes:
    """The builders' image bomb on a page whose dictionary lacks /Type /Page."""
    pdf = pikepdf.open(io.BytesIO(builders.bomb_pdf()))
    del pdf.pages[0].obj["/Type"]
    return _save(pdf)


def bomb_in_annotation_pdf() -> bytes:
    """A blank page whose only annotation's appearance stream draws the image bomb."""
    source = pikepdf.open(io.BytesIO(builders.bomb_pdf()))
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    image = pdf.copy_foreign(source.pages[0].Resources.XObject.Im0)
    appearance = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    appearance.Type = pikepdf.Name.XObject
    appearance.Subtype = pikepdf.Name.Form
    appearance.BBox = pikepdf.Array([0, 0, 595, 842])
    appearance.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    annotation = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Stamp,
            Rect=pikepdf.Array([0, 0, 595, 842]),
            AP=pikepdf.Dictionary(N=appearance),
        )
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([annotation]))
    return _save(pdf)
