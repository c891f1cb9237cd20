"""CLI for list editions: `catalogues diff OLD NEW` and `catalogues impact NEW` (thin wrappers)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from exportdesk.ui.commands.store_cmds import DataDir, open_store, store_settings

err = Console(stderr=True)
catalogues = typer.Typer(help="Control-list editions: compare them, see what a new one touches.")


def _edition(name: str):
    from exportdesk.classify.edition_diff import load_edition

    try:
        return load_edition(name)
    except ValueError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None


@catalogues.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="Older edition: a catalogue name or a JSONL file.")],
    new: Annotated[str, typer.Argument(help="Newer edition, e.g. wassenaar-dual-use-2025.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every entry as JSON.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="List unchanged and out-of-scope entries too.")
    ] = False,
) -> None:
    """Entries added, removed, changed or renumbered between two editions."""
    from exportdesk.classify.edition_diff import diff

    result = diff(_edition(old), _edition(new))
    if as_json:
        payload = {
            "old": result.old,
            "new": result.new,
            "counts": result.counts(),
            "changes": [asdict(c) for c in result.changes],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("status", "old", "new", "similarity", "title", "note")
    quiet = {"unchanged", "out_of_scope"}
    for c in result.changes:
        if show_all or c.status not in quiet:
            sim = f"{c.similarity:.2f}" if c.similarity is not None else ""
            table.add_row(c.status, c.old_code or "", c.new_code or "", sim, c.title[:60], c.note)
    console = Console()
    console.print(f"{result.old}\n  -> {result.new}", markup=False, highlight=False)
    console.print(table)
    console.print(", ".join(f"{k}: {v}" for k, v in sorted(result.counts().items())), markup=False)


@catalogues.command("impact")
def impact_command(
    new: Annotated[str, typer.Argument(help="The edition coming into force.")],
    old: Annotated[
        str | None,
        typer.Option(help="The catalogue it replaces (default: the one the edition names)."),
    ] = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Confirmed decisions and open cases whose codes changed meaning in NEW."""
    from exportdesk.classify.edition_diff import diff
    from exportdesk.review.edition_impact import impact

    new_edition = _edition(new)
    old_name = old or new_edition.replaces
    if old_name is None:
        err.print(f"Say which catalogue {new} replaces: --old eu-dual-use.", markup=False)
        raise typer.Exit(2)
    changes = diff(_edition(old_name), new_edition)
    store = open_store(store_settings(data_dir))
    try:
        rows = impact(store, changes, old_name)
    finally:
        store.close()
    if as_json:
        out = [
            {
                "kind": r.kind,
                "application_id": r.application_id,
                "item": r.item_index,
                "code": r.code,
                "status": r.change.status,
                "new_code": r.change.new_code,
                "similarity": r.change.similarity,
                "decided_by": r.who,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("kind", "application", "item", "code", "what changed", "decided by")
    for r in rows:
        what = r.change.status + (
            f" -> {r.change.new_code}" if r.change.status == "renumbered" else ""
        )
        if r.change.similarity is not None and r.change.status == "changed":
            what += f" (wording {r.change.similarity:.0%} alike)"
        table.add_row(
            r.kind.replace("_", " "),
            str(r.application_id),
            str(r.item_index),
            r.code,
            what,
            r.who or "",
        )
    Console().print(table)
    kinds = {k: sum(r.kind == k for r in rows) for k in sorted({r.kind for r in rows})}
    Console().print(f"{len(rows)} affected: {kinds}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(catalogues, name="catalogues")
