"""`exportdesk eval DIR`: score extraction against gold JSON (thin over extract.evaluate)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer) -> None:
    app.command(name="eval")(eval_command)


def eval_command(
    folder: Annotated[Path, typer.Argument(help="Folder of <name>.pdf + <name>.json gold pairs.")],
    limit: Annotated[int, typer.Option("--limit", help="Score only the first N documents.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score parties, items and end-use extraction against gold; digital and scanned apart."""
    from exportdesk.models.extraction.evaluate import evaluate_dir

    err = Console(stderr=True)
    if not folder.is_dir():
        err.print(
            f"{folder} is not a folder. Pass a folder written by "
            "`python -m exportdesk.samples.generate --out DIR`.",
            markup=False,
        )
        raise typer.Exit(2)

    def progress(done: int, total: int, name: str) -> None:
        err.print(f"[{done}/{total}] {name}", highlight=False, markup=False)

    try:
        report = evaluate_dir(folder, limit=limit or None, progress=progress)
    except FileNotFoundError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    data = report.to_dict()
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    console = Console()
    for variant, block in data.items():
        if variant == "failures":
            continue
        table = Table(
            "field",
            "P",
            "R",
            "F1",
            "tp",
            "fp",
            "fn",
            title=f"{variant}: {block['documents']} documents, {block['pages']} pages, "
            f"extraction {block['extract_seconds_per_page']:.3f} s/page "
            f"(reading {block['read_seconds_per_page']:.2f} s/page)",
        )
        for name, f in block["fields"].items():
            table.add_row(
                name,
                f"{f['precision']:.3f}",
                f"{f['recall']:.3f}",
                f"{f['f1']:.3f}",
                str(f["tp"]),
                str(f["fp"]),
                str(f["fn"]),
            )
        console.print(table)
    for failure in data["failures"]:
        err.print(f"extraction failed: {failure}", markup=False)
