"""Build script: turns the shared OFAC SDN snapshot into the screening list the product owns.

Run ``python -m exportdesk.risk.build_screening [--reference DIR]``. This and
``classify/build_catalogues.py`` are the only modules that read the shared reference
folder; the product reads what this writes: ``risk/lists/ofac-sdn.jsonl.gz`` and
``risk/lists/editions.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exportdesk.risk.lists import Edition, write_list
from exportdesk.risk.sdn import read_sdn

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = Path("/work/shared/reference")
SOURCE_FILE = "screening/ofac_sdn_2024-05-03.csv"


def build(reference: Path, out_dir: Path) -> Edition:
    path = reference / SOURCE_FILE
    entries = read_sdn(path)
    edition = Edition.for_file(
        path,
        entries=len(entries),
        date="2024-05-03",
        source="US Treasury OFAC Specially Designated Nationals list (sdn.csv), daily git copy "
        "github.com/jackdwyer/specially-designated-nationals-list at commit a5ec3c5 "
        "(shared reference screening/ofac_sdn_2024-05-03.csv)",
        licence="US Government work, public domain",
    )
    write_list(out_dir, entries, edition)
    return edition


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=HERE / "lists")
    args = parser.parse_args(argv)
    edition = build(args.reference, args.out)
    print(f"wrote {edition.entries} entries, edition {edition.date} -> {args.out}")


if __name__ == "__main__":
    main()
