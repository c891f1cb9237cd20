"""Trainer commands: `dataset export`, `train`, `models list|activate|rollback|diff|evaluate`."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from exportdesk.extract.registry import sha256_file
from exportdesk.extract.settings import Settings

err = Console(stderr=True)
DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Case store folder (default: EXPORTDESK_DATA_DIR)."),
]
ModelsDir = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="One models folder to read and write. Default: the shipped models (read only) "
        "plus the data folder's trained ones (<data_dir>/models), where new versions, "
        "activations and evaluations are written.",
    ),
]
Kind = Annotated[
    str,
    typer.Option("--kind", help="Model kind: classifier, ner, label or linker."),
]

dataset_app = typer.Typer(help="Labelled datasets from confirmed decisions.", no_args_is_help=True)
models_app = typer.Typer(
    help="The model registry: versions, activation, rollback.", no_args_is_help=True
)


def _settings(data_dir: Path | None = None, models_dir: Path | None = None) -> Settings:
    # An explicit --models-dir is one folder, read and written; without it the shipped models
    # are read only and trained versions and activations go to <data_dir>/models.
    overrides = {"data_dir": data_dir, "models_dir": models_dir, "trained_models_dir": models_dir}
    return Settings(**{k: v.resolve() for k, v in overrides.items() if v is not None})


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def _fail(exc: Exception) -> None:
    err.print(f"error: {exc}", markup=False)
    raise typer.Exit(1)


@dataset_app.command("export")
def dataset_export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the dataset into.")],
    include_in_review: Annotated[
        bool,
        typer.Option(
            "--include-in-review", help="Also take decided items of applications still in review."
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Write items.jsonl, spans.spacy and the dataset card; print the card as JSON."""
    from exportdesk.models.workflow import export_from_store

    statuses = ("confirmed", "in_review") if include_in_review else ("confirmed",)
    try:
        result = export_from_store(_settings(data_dir), out, statuses)
    except Exception as exc:
        _fail(exc)
    err.print(
        f"wrote {out}: {result.card['items']['count']} items, "
        f"{result.card['spans']['spans']} spans",
        markup=False,
    )
    _print_json(result.card)


def train_command(
    dataset: Annotated[
        Path | None,
        typer.Option(
            "--dataset",
            help="An exported dataset folder; default: export "
            "the confirmed decisions from the store first.",
        ),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="Version name (default YYYY.MM.DD-N).")
    ] = None,
    activate: Annotated[
        bool, typer.Option("--activate", help="Activate it if it passes the fixed-set gate.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="With --activate: activate even if worse than the active version."
        ),
    ] = False,
    ner: Annotated[
        bool,
        typer.Option(
            "--ner/--no-ner",
            help="Also fine-tune the extraction NER on the confirmed organisation names.",
        ),
    ] = True,
    data_dir: DataDir = None,
    models_dir: ModelsDir = None,
) -> None:
    """Retrain the classifier from the base data plus confirmed decisions.

    Progress goes to stderr and a JSON summary to stdout. Exit 3: trained, activation refused.
    """
    from exportdesk.models.workflow import retrain

    try:
        summary = retrain(
            _settings(data_dir, models_dir),
            actor=_actor(),
            dataset_dir=dataset,
            version=version,
            activate_after=activate,
            force=force,
            ner=ner,
        )
    except Exception as exc:
        _fail(exc)
    _print_json(summary)
    if activate and not summary["activation"]["activated"]:
        raise typer.Exit(3)


@models_app.command("list")
def models_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    kind: Kind = "classifier",
    models_dir: ModelsDir = None,
) -> None:
    """Versions of a model kind on disk, the active one marked, with fixed-set figures if
    measured (classifier)."""
    from exportdesk.models.classification.fixed_set import FIXED_SET
    from exportdesk.models.registry import Registry

    fixed_sha = sha256_file(FIXED_SET) if kind == "classifier" else None
    try:
        infos = Registry.for_settings(_settings(models_dir=models_dir)).list(kind, fixed_sha)
    except Exception as exc:
        _fail(exc)
    if as_json:
        _print_json([vars(i) for i in infos])
        return
    table = Table("", "version", "created", "top-1", "top-3", "ECE", "trained by", "files")
    for i in infos:
        m = i.fixed_set or {}
        table.add_row(
            "*" if i.active else "",
            i.version,
            i.created or "-",
            *(f"{m[k]:.3f}" if m.get(k) is not None else "-" for k in ("top1", "top3", "ece")),
            i.trained_by or "not recorded",
            "BROKEN" if i.broken else "intact",
        )
    Console().print(table)
    for i in infos:
        if i.broken:
            err.print(f"{i.kind} {i.version} is broken: {i.broken}", markup=False)
        elif i.figures_note:
            err.print(f"{i.version}: {i.figures_note}", markup=False)
    if not infos:
        err.print(f"no {kind} versions yet; run `exportdesk train`")


@models_app.command("activate")
def models_activate(
    version: Annotated[str, typer.Argument(help="The version to make active.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Activate even if it is worse on the fixed evaluation set."),
    ] = False,
    kind: Kind = "classifier",
    models_dir: ModelsDir = None,
) -> None:
    """Make VERSION the active version of its kind (integrity and the kind's gate checked).
    Activating an older version is the rollback."""
    from exportdesk.models.registry import ActivationRefused
    from exportdesk.models.workflow import activate

    try:
        done = activate(
            _settings(models_dir=models_dir), version, actor=_actor(), kind=kind, force=force
        )
    except ActivationRefused as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(3) from None
    except Exception as exc:
        _fail(exc)
    _print_json(
        {
            "active": done.version,
            "previous": done.previous,
            "forced": done.forced,
            "gate": done.gate.reasons,
        }
    )


@models_app.command("rollback")
def models_rollback(kind: Kind = "classifier", models_dir: ModelsDir = None) -> None:
    """Re-activate the version of a kind that was active before the current one."""
    from exportdesk.models.workflow import rollback

    try:
        done = rollback(_settings(models_dir=models_dir), actor=_actor(), kind=kind)
    except Exception as exc:
        _fail(exc)
    _print_json({"active": done.version, "previous": done.previous, "forced": done.forced})


@models_app.command("diff")
def models_diff(
    a: Annotated[str, typer.Argument(help="First version.")],
    b: Annotated[str, typer.Argument(help="Second version.")],
    models_dir: ModelsDir = None,
) -> None:
    """What changed from A to B: training data, calibration and fixed-set metric deltas (JSON)."""
    from exportdesk.models.classification.fixed_set import FIXED_SET
    from exportdesk.models.registry import Registry, diff

    try:
        _print_json(
            diff(
                Registry.for_settings(_settings(models_dir=models_dir)),
                a,
                b,
                sha256_file(FIXED_SET),
            )
        )
    except Exception as exc:
        _fail(exc)


@models_app.command("evaluate")
def models_evaluate(
    version: Annotated[str, typer.Argument(help="The version to measure.")],
    models_dir: ModelsDir = None,
) -> None:
    """Measure a version on the fixed evaluation set (cached under the data folder's
    models/evaluations/)."""
    from exportdesk.models.classification.retrain import fixed_set_for, stderr_progress
    from exportdesk.models.registry import Registry
    from exportdesk.models.workflow import default_embedder

    registry = Registry.for_settings(_settings(models_dir=models_dir))
    try:
        fixed = fixed_set_for(registry, version, default_embedder(), progress=stderr_progress)
    except Exception as exc:
        _fail(exc)
    _print_json({"version": version, "fixed_set": fixed})


def register(app: typer.Typer) -> None:
    app.add_typer(dataset_app, name="dataset")
    app.add_typer(models_app, name="models")
    app.command("train")(train_command)
