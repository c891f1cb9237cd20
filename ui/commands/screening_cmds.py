"""`exportdesk screening`: the restricted-party list edition, importing a newer one, a lookup."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

screening_app = typer.Typer(
    help="Restricted-party screening (OFAC SDN list).", no_args_is_help=True
)
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.add_typer(screening_app, name="screening")


def _data_dir() -> Path:
    from exportdesk.extract.settings import get_settings

    return get_settings().data_dir


@screening_app.command("update")
def update(
    file: Annotated[Path, typer.Argument(help="A newer OFAC sdn.csv (as OFAC publishes it).")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="Publication date of the list (YYYY-MM-DD); default: the file date."
        ),
    ] = None,
) -> None:
    """Record a newer edition of the SDN list; screening uses it from now on."""
    from exportdesk.risk.lists import import_list
    from exportdesk.risk.sdn import ListFormatError

    if not file.is_file():
        err.print(f"{file} is not a file. Pass the sdn.csv you downloaded from OFAC.", markup=False)
        raise typer.Exit(2)
    try:
        edition = import_list(file, _data_dir(), date, getpass.getuser())
    except (ListFormatError, ValueError) as exc:
        err.print(f"{file.name}: {exc}", markup=False)
        raise typer.Exit(2) from exc
    sys.stdout.write(edition.model_dump_json(indent=2) + "\n")
    err.print(f"screening now uses {edition.label}", markup=False)


@screening_app.command("edition")
def edition() -> None:
    """Print the list edition in use and the editions it replaced."""
    from exportdesk.risk.lists import current_edition, previous_editions

    data_dir = _data_dir()
    payload = {
        "current": current_edition(data_dir).model_dump(),
        "previous": [e.model_dump() for e in previous_editions(data_dir)],
    }
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


@screening_app.command("check")
def check(
    names: Annotated[list[str], typer.Argument(help="Party names to screen.")],
    country: Annotated[
        str | None, typer.Option("--country", help="ISO alpha-2 country of the party.")
    ] = None,
) -> None:
    """Screen names against the list; prints one JSON line per name with its hits."""
    from exportdesk.risk.screening import screen

    data_dir = _data_dir()
    for name in names:
        hits = screen(name, country, data_dir)
        line = {
            "name": name,
            "hits": [
                {
                    "score": h.score,
                    "matched_name": h.matched_name,
                    "entry": h.entry.model_dump(),
                    "country_mismatch": h.country_mismatch,
                }
                for h in hits
            ],
        }
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
