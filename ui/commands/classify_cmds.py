"""`exportdesk classify --jsonl` and `exportdesk eval-classify FILE`: thin CLI over classify."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

BATCH = 100


def register(app: typer.Typer) -> None:
    app.command(name="classify")(classify_command)
    app.command(name="eval-classify")(eval_classify_command)


@contextmanager
def _exit_codes(err: Console) -> Iterator[None]:
    """A bad argument exits 2, an unusable model 1, each with its message on stderr."""
    from exportdesk.classify.artefact import ArtefactError

    try:
        yield
    except ValueError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    except ArtefactError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from exc


def _parse(line_no: int, line: str) -> tuple[object, str | None, str | None]:
    """(id, description, error) for one input line."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"line {line_no}: not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(obj, dict):
        return None, None, f"line {line_no}: expected a JSON object with id and description"
    item_id = obj.get("id")  # echoed back exactly as given
    desc = obj.get("description")
    if not isinstance(desc, str) or not desc.strip():
        return item_id, None, f'line {line_no}: "description" is missing or empty'
    return item_id, desc, None


def classify_command(
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl", help='Read JSON Lines on stdin: {"id": ..., "description": ...} per line.'
        ),
    ] = False,
    catalogue: Annotated[
        list[str] | None,
        typer.Option(
            "--catalogue",
            help="Limit the search to this catalogue (repeatable): eu-dual-use, "
            "eu-military, us-ccl, us-usml.",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Suggestions per item.")] = 5,
) -> None:
    """Suggest control-list entries for item descriptions; one JSON line out per line in."""
    err = Console(stderr=True)
    if not jsonl:
        err.print(
            "Only JSON Lines input is supported: pipe lines to `exportdesk classify --jsonl`.",
            markup=False,
        )
        raise typer.Exit(2)
    from exportdesk.classify.api import load_classifier, resolve_catalogues

    with _exit_codes(err):
        cats = resolve_catalogues(catalogue)
        err.print("loading the classifier…", markup=False)
        clf = load_classifier()

    failures = 0
    pending: list[tuple[int, object, str | None, str | None]] = []

    def flush() -> None:
        todo = [p for p in pending if p[3] is None]
        lists = iter(clf.suggest_many([p[2] or "" for p in todo], cats, top))
        for line_no, item_id, _desc, error in pending:
            out: dict[str, object]
            if error is not None:
                out = {"id": item_id, "suggestions": [], "error": error, "line": line_no}
            else:
                out = {
                    "id": item_id,
                    "suggestions": [s.model_dump(mode="json") for s in next(lists)],
                }
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        pending.clear()

    for line_no, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        item_id, desc, error = _parse(line_no, line)
        if error:
            failures += 1
            err.print(error, markup=False)
        pending.append((line_no, item_id, desc, error))
        if len(pending) >= BATCH:
            flush()
    flush()
    from exportdesk.ui import teardown

    teardown.skip()  # every answer is on stdout; nothing is left open
    if failures:
        err.print(
            f'{failures} line(s) could not be read; their output lines carry "error".', markup=False
        )
        raise typer.Exit(1)


def eval_classify_command(
    file: Annotated[Path, typer.Argument(help="JSONL with description and eu / us labels.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Top-1 / top-3 accuracy at entry level, calibration error and reliability, EU and US apart."""
    err = Console(stderr=True)
    if not file.is_file():
        err.print(
            f"{file} is not a file. Pass a JSONL file such as "
            "classify/evalset/heldout_eval_items.jsonl.",
            markup=False,
        )
        raise typer.Exit(2)
    from exportdesk.models.classification.evaluate import evaluate_file

    err.print(f"classifying {file}…", markup=False)
    with _exit_codes(err):
        metrics = evaluate_file(file)
    if as_json:
        sys.stdout.write(json.dumps({j: m.to_json() for j, m in metrics.items()}, indent=2) + "\n")
        return
    console = Console()
    for j, m in metrics.items():
        console.print(
            f"{j.upper()} catalogues: {m.n} items  top-1 {m.top1:.3f}  "
            f"top-3 {m.top3:.3f}  ECE {m.ece:.3f}",
            markup=False,
        )
        table = Table(
            "confidence bin",
            "items",
            "mean confidence",
            "accuracy",
            title=f"{j.upper()} reliability (top suggestion)",
        )
        for r in m.table:
            table.add_row(
                f"({r.lower:.1f}, {r.upper:.1f}]",
                str(r.count),
                f"{r.mean_confidence:.3f}",
                f"{r.accuracy:.3f}",
            )
        console.print(table)
