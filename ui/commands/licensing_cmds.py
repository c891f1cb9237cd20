"""CLI for licensing: `conditions list|add|retire` (the admin's templates) and `licence letter`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from exportdesk.ui.commands.store_cmds import DataDir, open_store, store_settings, whoami

err = Console(stderr=True)
conditions = typer.Typer(
    help="Licence condition templates (kept by the admin).", no_args_is_help=True
)
licence = typer.Typer(help="Issued licence decisions.", no_args_is_help=True)


@conditions.command("list")
def conditions_list(
    data_dir: DataDir = None,
    retired: Annotated[bool, typer.Option("--all", help="Include retired templates.")] = False,
) -> None:
    """Print the templates, one `key<TAB>text` line each."""
    from exportdesk.review.licensing import templates

    store = open_store(store_settings(data_dir))
    try:
        for t in templates(store, active_only=not retired):
            typer.echo(f"{t.key}\t{t.text}" + ("" if t.active else "\t(retired)"))
    finally:
        store.close()


@conditions.command("add")
def conditions_add(
    key: Annotated[str, typer.Argument(help="Short key without spaces, e.g. no-reexport.")],
    text: Annotated[str, typer.Argument(help="The condition's wording.")],
    data_dir: DataDir = None,
) -> None:
    """Add a template or reword one (letters already issued keep their wording)."""
    from exportdesk.review.licensing import save_template

    # The server's operator acts as admin, as for `users add`.
    _run(data_dir, lambda store: save_template(store, key, text, f"cli:{whoami()}", "admin"))


@conditions.command("retire")
def conditions_retire(
    key: Annotated[str, typer.Argument(help="The template to stop offering.")],
    data_dir: DataDir = None,
) -> None:
    """Stop offering a template; decisions that used it keep its text."""
    from exportdesk.review.licensing import retire_template

    _run(data_dir, lambda store: retire_template(store, key, f"cli:{whoami()}", "admin"))


@licence.command("letter")
def licence_letter(
    application: Annotated[int, typer.Argument(help="Application number.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the PDF here.")] = None,
    version: Annotated[int | None, typer.Option(help="Letter version (default: latest).")] = None,
    data_dir: DataDir = None,
) -> None:
    """The decision letter PDF of an application, to --out or stdout."""
    from exportdesk.review.licensing import letter

    pdf: bytes = _run(data_dir, lambda store: letter(store, application, version))
    if out is None:
        sys.stdout.buffer.write(pdf)
    else:
        out.write_bytes(pdf)
        err.print(f"wrote {out} ({len(pdf)} bytes)", markup=False)


def _run(data_dir: Path | None, action: Callable[[Any], Any]) -> Any:
    """Run ``action`` on the case store; a refused request exits 1 with its message."""
    from exportdesk.review.store import StoreError

    store = open_store(store_settings(data_dir))
    try:
        return action(store)
    except StoreError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    app.add_typer(conditions, name="conditions")
    app.add_typer(licence, name="licence")
