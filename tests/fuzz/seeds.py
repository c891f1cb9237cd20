"""The fuzzer's seed corpus, built in code: valid, scanned and deliberately broken PDFs."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "hostile")]

import builders  # noqa: E402
import hostile_files as hf  # noqa: E402


def seeds() -> list[bytes]:
    small = [builders.APPLICATION_LINES[:4]]
    return [
        builders.text_pdf(small),
        builders.text_pdf(),
        builders.scanned_pdf(),
        builders.broken_xref_pdf(),
        builders.truncated_pdf(),
        builders.encrypted_pdf(),
        builders.zero_page_pdf(),
        builders.garbage_pdf(),
        builders.bomb_pdf(side=4000),
        hf.kids_not_a_dict_pdf(),
        hf.self_referencing_kids_pdf(),
        hf.deep_page_tree_pdf(40),
        hf.every_xref_entry_wrong_pdf(),
        hf.shifted_tounicode_pdf(),
        hf.content_stream_bomb_pdf(total=4 * 2**20),
    ]


def write(folder: Path) -> int:
    """Write each seed once, named by its digest; returns how many are in the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for data in seeds():
        (folder / hashlib.sha256(data).hexdigest()[:16]).write_bytes(data)
    return sum(1 for _ in folder.iterdir())


if __name__ == "__main__":
    print(write(Path(sys.argv[1])))
