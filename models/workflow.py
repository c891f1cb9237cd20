"""The trainer's loop as library calls: export confirmed decisions, retrain, gate, activate.

The CLI (`exportdesk dataset export`, `train`, `models ...`) and the Trainer page's
background job call these; they hold no logic of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from exportdesk.extract.registry import sha256_file
from exportdesk.extract.settings import Settings
from exportdesk.models import dataset
from exportdesk.models.classification.fixed_set import FIXED_SET
from exportdesk.models.classification.retrain import Progress, fixed_set_for, stderr_progress, train
from exportdesk.models.registry import Activation, Registry, RegistryError


def default_embedder():  # the real MiniLM, loaded once per process
    from exportdesk.classify.embed import default_embedder as load

    return load()


def export_from_store(
    settings: Settings, out: Path, statuses: tuple[str, ...] = ("confirmed",)
) -> dataset.ExportResult:
    from exportdesk.review.store import CaseStore

    store = CaseStore(settings)
    try:
        return dataset.export(store, out, statuses)
    finally:
        store.close()


def export_named(settings: Settings) -> Path:
    """Export into ``<data_dir>/datasets/<first 12 hex of the card's digest>``: the same store
    state lands in the same folder, and an older export is never overwritten."""
    import hashlib
    import shutil
    import tempfile

    base = settings.data_dir / "datasets"
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=base))
    try:
        card = export_from_store(settings, tmp).card
        digest = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:12]
        final = base / digest
        if final.exists():
            return final
        tmp.rename(final)
        return final
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def activate(
    settings: Settings,
    version: str,
    *,
    actor: str,
    kind: str = "classifier",
    force: bool = False,
    embedder_factory: Callable[[], object] = default_embedder,
    fixed_set: Path = FIXED_SET,
    progress: Progress = stderr_progress,
    note: str | None = None,
) -> Activation:
    """Activate a version of any model kind after its integrity check and its kind's gate:
    the classifier's fixed evaluation set, the NER's F1 on the generated test sentences
    recorded at training; a kind without a recorded measure is activated only by force."""
    registry = Registry.for_settings(settings)
    if kind != "classifier":
        return registry.activate(
            version,
            actor=actor,
            evaluate=lambda v: {"overall": {"top1": recorded_score(registry, kind, v)}},
            force=force,
            top1_tolerance=settings.activation_top1_tolerance,
            ece_tolerance=settings.activation_ece_tolerance,
            kind=kind,
            note=note,
            measure=RECORDED_MEASURES.get(kind, f"{kind} score"),
        )
    embedder: list[object] = []

    def evaluate(v: str) -> dict:
        if (
            not embedder
            and registry.fixed_set_metrics("classifier", v, sha256_file(fixed_set)) is None
        ):
            embedder.append(embedder_factory())
        return fixed_set_for(registry, v, embedder[0] if embedder else None, fixed_set, progress)

    return registry.activate(
        version,
        actor=actor,
        evaluate=evaluate,
        force=force,
        top1_tolerance=settings.activation_top1_tolerance,
        ece_tolerance=settings.activation_ece_tolerance,
        note=note,
    )


RECORDED_MEASURES = {"ner": "NER F1 on the generated test sentences"}


def recorded_score(registry: Registry, kind: str, version: str) -> float | None:
    """The score a version's own metrics.json records for its kind's gate, if any."""
    path = registry.folder(kind, version) / "metrics.json"
    if kind != "ner" or not path.exists():
        return None
    metrics = json.loads(path.read_text(encoding="utf-8"))
    # train_ner writes ents_f; a retrained version records before/after figures.
    after = metrics.get("after", {}).get("generated_test", {})
    return after.get("f", metrics.get("ents_f"))


def rollback(
    settings: Settings,
    *,
    actor: str,
    kind: str = "classifier",
    embedder_factory: Callable[[], object] = default_embedder,
) -> Activation:
    """Return to the version of ``kind`` that was active before the current one (forced: it
    is a deliberate step back, whatever the gate says)."""
    registry = Registry.for_settings(settings)
    previous = registry.previous_active(kind)
    if previous is None:
        raise RegistryError(
            f"the registry records no earlier active {kind} version to roll back to; "
            f"use `exportdesk models activate VERSION --kind {kind} --force`"
        )
    return activate(
        settings,
        previous,
        actor=actor,
        kind=kind,
        force=True,
        note="rollback",
        embedder_factory=embedder_factory,
    )


def measured_only() -> object:
    """An embedder factory for callers that must not measure (the review app's request
    thread): activation then works only with fixed-set figures already on disk."""
    raise RegistryError(
        "a version involved has no fixed-set figures yet, and measuring takes minutes; run "
        "`exportdesk models evaluate VERSION` for it (or activate from the command line)"
    )


def retrain(
    settings: Settings,
    *,
    actor: str,
    dataset_dir: Path | None = None,
    version: str | None = None,
    activate_after: bool = False,
    force: bool = False,
    embedder: object | None = None,
    base_rows: list[dict] | None = None,
    fixed_set: Path = FIXED_SET,
    progress: Progress = stderr_progress,
    ner: bool = True,
    ner_options: dict | None = None,
) -> dict:
    """Export (unless a dataset folder is given), train, and optionally activate.

    Returns a summary: version, folder, fixed-set and held-out figures, and the activation
    outcome (refused activations are reported, not raised).
    """
    from exportdesk.models.registry import ActivationRefused

    if dataset_dir is None:
        dataset_dir = export_named(settings)
        progress(f"exported the confirmed decisions to {dataset_dir}")
    items, card = dataset.load(dataset_dir)
    progress(f"dataset: {card['items']['count']} confirmed items")
    emb = embedder if embedder is not None else default_embedder()
    spans = dataset_dir / dataset.SPANS_FILE
    result = train(
        items,
        card,
        settings=settings,
        embedder=emb,
        version=version,
        base_rows=base_rows,
        fixed_set=fixed_set,
        actor=actor,
        progress=progress,
        spans_path=spans if ner and spans.exists() else None,
        ner_options=ner_options,
    )
    summary: dict = {
        "version": result.version,
        "folder": str(result.folder),
        "dataset": str(dataset_dir),
        "fixed_set": _overall(result.metrics["fixed_set"]),
        "heldout_split": _overall(result.metrics["heldout_split"]),
        "active_at_training": None,
        "ner": result.ner,
        "activation": None,
    }
    cmp = result.metrics["active_at_training"]
    if cmp:
        summary["active_at_training"] = {
            "version": cmp["version"],
            "fixed_set": _overall(cmp["fixed_set"]),
            "heldout_split": _overall(cmp["heldout_split"]),
        }
    if activate_after:
        try:
            done = activate(
                settings,
                result.version,
                actor=actor,
                force=force,
                embedder_factory=lambda: emb,
                fixed_set=fixed_set,
                progress=progress,
            )
            summary["activation"] = {
                "activated": True,
                "previous": done.previous,
                "forced": done.forced,
                "gate": done.gate.reasons,
            }
        except ActivationRefused as exc:
            progress(str(exc))
            summary["activation"] = {
                "activated": False,
                "previous": exc.previous,
                "gate": exc.gate.reasons,
            }
    return summary


def _overall(metrics: dict | None) -> dict | None:
    if not metrics:
        return None
    return {k: v for k, v in metrics["overall"].items() if k != "reliability"}
