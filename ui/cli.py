"""The `exportdesk` command: thin typer wrappers that parse arguments and call library functions.

Stdout carries only data (JSON); logs and progress go to stderr. Exit status follows
shared/contract/CLI.md: 0 all read, 1 some file unreadable, 2 usage error; `process
--strict-models` adds 3 (every file read, but a model failed its integrity check).
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

# Never let a library try the model hub: it hangs for 81 s before failing (STACK.md).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# One BLAS thread per process: OpenBLAS threads spin on a busy machine. Classifying one item
# took 1.5-2.5 s of CPU with the default threads and 1.2-1.3 s with one (docs/benchmarks.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import typer
from rich.console import Console

from exportdesk.extract.model import ApplicationResult
from exportdesk.extract.names import EscapingFormatter, display_name, escape_control

MODEL_INTEGRITY_FAILED = "model_integrity_failed"
app = typer.Typer(
    name="exportdesk",
    help="Intake assistant for export-licence applications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log details to stderr.")
    ] = False,
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    # Messages quote file names and parser errors: escape them so none can forge a line.
    handler.setFormatter(EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler])
    # pdfminer logs every recoverable oddity at WARNING; they reach users as result warnings.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


@app.command()
def process(
    paths: Annotated[list[Path], typer.Argument(help="Application PDFs to read.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print contract JSON on stdout.")] = False,
    no_suggestions: Annotated[
        bool, typer.Option("--no-suggestions", help="Skip control-list classification.")
    ] = False,
    strict_models: Annotated[
        bool,
        typer.Option(
            "--strict-models",
            help="Exit 3 when every file was read but a model (classifier, NER) failed its "
            "integrity check. Without it such a run exits 0, as the contract says for files "
            "that were read, with model_integrity_failed on each result and on stderr.",
        ),
    ] = False,
) -> None:
    """Read application PDFs and print what the pipeline found."""
    from exportdesk.review.pipeline import process_paths
    from exportdesk.ui import teardown

    labels = [f"[{n}/{len(paths)}] {display_name(str(p))}" for n, p in enumerate(paths, start=1)]

    def progress_for(index: int) -> Callable[[int, int], None]:
        def progress(done: int, total: int) -> None:
            err.print(f"{labels[index]}: page {done}/{total}", highlight=False, markup=False)

        return progress

    results: list[ApplicationResult] = []
    # The next file is read in its child while this one is interpreted (review.pipeline).
    for label, result in zip(
        labels,
        process_paths(paths, suggestions=not no_suggestions, progress_for=progress_for),
        strict=True,
    ):
        results.append(result)
        for warning in results[-1].warnings:
            where = f" p.{warning.page}" if warning.page else ""
            message = escape_control(warning.message)
            err.print(f"{label}{where}: {warning.code}: {message}", markup=False)
    if as_json:
        payload = [r.to_contract() for r in results]
        out = payload[0] if len(payload) == 1 else payload
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_summary(results)
    teardown.skip()  # everything is on stdout; nothing is left open
    if not all(r.readable for r in results):
        raise typer.Exit(1)
    refused = {
        w.message.split(":", 1)[0]
        for r in results
        for w in r.warnings
        if w.code == MODEL_INTEGRITY_FAILED
    }
    if refused:
        err.print(
            "error: a model failed its integrity check, so results were made without it "
            f"({'; '.join(sorted(refused))}); run `exportdesk models list` and restore or "
            "retrain it." + ("" if strict_models else " Exit status 0: every file was read."),
            markup=False,
        )
        if strict_models:
            raise typer.Exit(3)


def _print_summary(results: list[ApplicationResult]) -> None:
    from rich.table import Table

    table = Table("file", "pages", "sources", "parties", "items", "end-use", "warnings")
    for r in results:
        sources = ",".join(sorted({p.source for p in r.document.pages})) or "-"
        table.add_row(
            r.document.filename,
            str(r.document.page_count),
            sources,
            str(len(r.parties)),
            str(len(r.items)),
            str(len(r.end_use)),
            ", ".join(w.code for w in r.warnings) or "-",
        )
    Console().print(table)


def _register_commands() -> None:
    """Each module in ui/commands adds its own commands through `register(app)`."""
    from exportdesk.ui import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main() -> None:
    """The one place the CLI turns a deliberate error into a message and exit status 1."""
    # A command loads models, catalogues and the screening list as hundreds of thousands of
    # small objects; at the default threshold (700) the cycle collector runs every few hundred
    # of them and rescans what is already loaded. Collecting every 10,000 allocations took
    # 0.4 s of CPU off `process` of a 3-page digital PDF (docs/benchmarks.md). Cycles are
    # still collected, only later.
    gc.set_threshold(10_000, 50, 100)
    from exportdesk.extract.errors import ExportdeskError
    from exportdesk.ui import teardown

    try:
        app()
    except ExportdeskError as exc:
        err.print(f"error: {exc}", markup=False)
        raise SystemExit(1) from None
    except SystemExit as exc:  # typer ends every command this way, 0 included
        teardown.exit_process(exc.code)


if __name__ == "__main__":
    main()
