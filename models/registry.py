"""The model registry: the active version per model kind, activation behind a quality gate, diffs.

``<models_dir>/registry.json`` names the active version per kind; the run path reads it
through ``extract/registry.py`` (the one reader), so activating an older version is the
rollback, for every kind (classifier, ner, label, linker). Activation is refused when the
candidate is worse than the active version on its kind's fixed measure, unless forced; every
activation is logged in the registry file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from exportdesk.extract.registry import KINDS, SCHEMA, RegistryError, RegistryReader, sha256_file

__all__ = ["KINDS", "ActivationRefused", "Registry", "RegistryError", "built_by", "diff"]

EVALUATIONS = "evaluations"  # <home>/evaluations/<kind>/<version>.json (read: shipped too)


@dataclass(frozen=True)
class VersionInfo:
    kind: str
    version: str
    created: str | None
    active: bool
    fixed_set: dict | None  # overall fixed-set metrics when known
    trained_by: str | None
    figures_note: str | None = None  # why fixed_set is None, and what to run
    broken: str | None = None  # the integrity failure against the manifest, if any
    shipped: bool = False  # in the read-only shipped folder (else the data folder's)


@dataclass
class Gate:
    """The activation check's verdict and the figures it was based on."""

    allowed: bool
    reasons: list[str] = field(default_factory=list)
    candidate: dict | None = None
    active: dict | None = None


@dataclass(frozen=True)
class Activation:
    kind: str
    version: str
    previous: str | None
    forced: bool
    gate: Gate


def built_by(script: str) -> str:
    """Who built a version from the command line: the account and the script, for the
    manifest's ``trained_by`` (the Trainer page and ``models list`` show it)."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (containers)
        user = "unknown account"
    return f"{user} ({script})"


def _write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)


class Registry(RegistryReader):
    """The reader plus what the trainer does: evaluations, listing, activation and rollback."""

    def model_digest(self, kind: str, version: str) -> str:
        """SHA-256 of the version's manifest, which lists every file's SHA-256: it changes
        whenever the model does, even if the folder keeps its name."""
        path = self.folder(kind, version) / "manifest.json"
        if not path.exists():
            self.manifest(kind, version)  # raises the explained error
        return sha256_file(path)

    def fixed_set_metrics(self, kind: str, version: str, fixed_sha: str) -> dict | None:
        """Fixed-set metrics of exactly this model on the evaluation file with digest
        ``fixed_sha``: from the version's own metrics.json if its manifest seals that file,
        else from the evaluation cache if it was measured on the same manifest."""
        folder = self.folder(kind, version)
        sealed = self.manifest(kind, version).get("files", {}).get("metrics.json")
        own = folder / "metrics.json"
        if sealed and own.exists() and sha256_file(own) == sealed:
            fixed = json.loads(own.read_text(encoding="utf-8")).get("fixed_set")
            if fixed and fixed.get("sha256") == fixed_sha:
                return fixed
        for cache in self._evaluation_files(kind, version):
            data = json.loads(cache.read_text(encoding="utf-8"))
            fixed = data.get("fixed_set")
            if (
                fixed
                and fixed.get("sha256") == fixed_sha
                and data.get("model_manifest_sha256") == self.model_digest(kind, version)
            ):
                return fixed
        return None

    def _evaluation_files(self, kind: str, version: str) -> list[Path]:
        """Cached evaluations of a version: the data folder's first, then the shipped one."""
        homes = [self.home] + [b for b in self.bases if b != self.home]
        found = [base / EVALUATIONS / kind / f"{version}.json" for base in homes]
        return [path for path in found if path.exists()]

    def missing_figures(self, kind: str, version: str, fixed_sha: str) -> str:
        """Why a version has no fixed-set figures for the evaluation file ``fixed_sha``, and
        the command that measures them (for the Trainer page and ``models list``)."""
        run = f"`exportdesk models evaluate {version}` measures it"
        measured = []
        own = self.folder(kind, version) / "metrics.json"
        if own.exists():
            measured.append(json.loads(own.read_text(encoding="utf-8")).get("fixed_set"))
        stale_model = False
        for cache in self._evaluation_files(kind, version):
            data = json.loads(cache.read_text(encoding="utf-8"))
            measured.append(data.get("fixed_set"))
            try:
                stale_model = stale_model or (
                    data.get("model_manifest_sha256") != self.model_digest(kind, version)
                )
            except RegistryError:
                stale_model = True
        measured = [m for m in measured if m]
        if any(m.get("sha256") == fixed_sha for m in measured) and stale_model:
            return f"measured before the model's files changed; {run} again"
        if measured:
            return f"measured on an older fixed evaluation set only; {run} on the current one"
        return f"not measured on the fixed evaluation set yet; {run}"

    def store_evaluation(self, kind: str, version: str, fixed: dict) -> None:
        _write_json_atomic(
            self.home / EVALUATIONS / kind / f"{version}.json",
            {
                "version": version,
                "model_manifest_sha256": self.model_digest(kind, version),
                "fixed_set": fixed,
            },
        )

    def list(self, kind: str = "classifier", fixed_sha: str | None = None) -> list[VersionInfo]:
        """Every version on disk with its figures, who trained it, and whether its files still
        match its manifest (a broken version is listed with the failure, not left out)."""
        active = self.active(kind)
        out = []
        for v in self.versions(kind):
            manifest = self.manifest(kind, v)
            try:
                self.verify(kind, v)
                broken = None
            except RegistryError as exc:
                broken = str(exc)
            fixed = self.fixed_set_metrics(kind, v, fixed_sha) if fixed_sha else None
            note = None
            if fixed_sha and not fixed:
                note = self.missing_figures(kind, v, fixed_sha)
            out.append(
                VersionInfo(
                    kind,
                    v,
                    manifest.get("created"),
                    v == active,
                    fixed["overall"] if fixed else None,
                    manifest.get("trained_by"),
                    note,
                    broken,
                    self.trained is not None and self.folder(kind, v).parent.parent == self.root,
                )
            )
        return out

    # --- activation -----------------------------------------------------------------
    def gate(
        self,
        candidate: dict,
        active: dict | None,
        top1_tolerance: float,
        ece_tolerance: float,
        measure: str = "fixed-set top-1",
    ) -> Gate:
        """Compare overall figures: the score (``top1``; for kinds other than the classifier,
        the kind's own measure) may not drop by more than the tolerance, and calibration
        error, where there is one, may not rise by more than its tolerance."""
        if active is None:
            return Gate(True, ["no active version to compare with"], candidate, None)
        reasons = []
        c, a = candidate["overall"], active["overall"]
        if c["top1"] is None or a["top1"] is None:
            return Gate(False, [f"{measure} is missing for one of the versions"], c, a)
        if c["top1"] < a["top1"] - top1_tolerance:
            reasons.append(
                f"{measure} {c['top1']:.4f} is below the active version's {a['top1']:.4f}"
            )
        if (
            c.get("ece") is not None
            and a.get("ece") is not None
            and c["ece"] > a["ece"] + ece_tolerance
        ):
            reasons.append(
                f"fixed-set ECE {c['ece']:.4f} exceeds the active version's "
                f"{a['ece']:.4f} by more than {ece_tolerance}"
            )
        if reasons:
            return Gate(False, reasons, c, a)
        return Gate(True, [f"{measure} {c['top1']:.4f} vs active {a['top1']:.4f}"], c, a)

    def activate(
        self,
        version: str,
        *,
        actor: str,
        evaluate: Callable[[str], dict],
        top1_tolerance: float,
        ece_tolerance: float,
        force: bool = False,
        kind: str = "classifier",
        note: str | None = None,
        measure: str = "fixed-set top-1",
    ) -> Activation:
        """Make ``version`` active if its integrity holds and it passes the gate (or ``force``).

        ``evaluate(version)`` returns fixed-set metrics for a version; the caller supplies it so
        that cached figures are used and only missing ones are measured.
        """
        self.verify(kind, version)
        explicit = self.named(kind)
        # A registry that names a version missing on disk must not block activating another.
        on_disk = self.versions(kind)
        previous = explicit if explicit in on_disk else (on_disk[-1] if on_disk else None)
        if explicit == version:
            raise RegistryError(f"{kind} {version} is already active")
        cand = evaluate(version)
        # With no entry yet, the newest folder is what the loader uses: compare against it.
        act = (
            evaluate(previous)
            if previous and previous != version and previous in self.versions(kind)
            else None
        )
        verdict = self.gate(cand, act, top1_tolerance, ece_tolerance, measure)
        if not verdict.allowed and not force:
            raise ActivationRefused(version, previous, verdict)
        data = self.read_local()  # the shipped registry.json is never written here
        data["schema"] = SCHEMA
        data["active"][kind] = version
        data["history"].append(
            {
                "kind": kind,
                "version": version,
                "previous": previous if previous != version else None,
                "by": actor,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "forced": bool(force and not verdict.allowed),
                "gate": verdict.reasons,
                "note": note,
            }
        )
        _write_json_atomic(self.path, data)
        return Activation(
            kind,
            version,
            previous if previous != version else None,
            force and not verdict.allowed,
            verdict,
        )

    def previous_active(self, kind: str = "classifier") -> str | None:
        """The version that was active before the current one (what a rollback returns to)."""
        for event in reversed(self.read()["history"]):
            if event["kind"] == kind and event["version"] == self.active(kind):
                return event.get("previous")
        return None


class ActivationRefused(RegistryError):
    """The candidate is worse than the active version on the fixed evaluation set."""

    def __init__(self, version: str, previous: str | None, gate: Gate) -> None:
        self.version, self.previous, self.gate = version, previous, gate
        super().__init__(
            f"{version} was not activated: "
            + "; ".join(gate.reasons)
            + f". {previous} stays active. Pass --force to activate it anyway."
        )


def diff(
    registry: Registry, a: str, b: str, fixed_sha: str | None, kind: str = "classifier"
) -> dict:
    """What differs between two versions: training data, calibration, and metric deltas."""
    ma, mb = registry.manifest(kind, a), registry.manifest(kind, b)
    keys = sorted((set(ma) | set(mb)) - {"files", "version", "metrics"})
    changed = {k: {"a": ma.get(k), "b": mb.get(k)} for k in keys if ma.get(k) != mb.get(k)}
    out: dict[str, Any] = {"a": a, "b": b, "manifest_changes": changed, "metrics": {}}
    if fixed_sha:
        fa = registry.fixed_set_metrics(kind, a, fixed_sha)
        fb = registry.fixed_set_metrics(kind, b, fixed_sha)
        if fa and fb:
            out["metrics"] = _metric_deltas(fa, fb)
        else:
            missing = [v for v, f in ((a, fa), (b, fb)) if not f]
            out["metrics_missing"] = (
                f"no fixed-set metrics yet for {', '.join(missing)}; "
                "`exportdesk models evaluate VERSION` measures them"
            )
    return out


def _metric_deltas(fa: dict, fb: dict) -> dict:
    rows: dict[str, dict] = {}
    sections = [("overall", {"all": fa["overall"]}, {"all": fb["overall"]})]
    sections += [
        (s, fa.get(s, {}), fb.get(s, {}))
        for s in ("per_jurisdiction", "per_catalogue", "per_category")
    ]
    for name, ga, gb in sections:
        for group in sorted(set(ga) | set(gb)):
            ra, rb = ga.get(group, {}), gb.get(group, {})
            entry = {}
            for metric in ("n", "top1", "top3", "ece"):
                va, vb = ra.get(metric), rb.get(metric)
                delta = round(vb - va, 4) if va is not None and vb is not None else None
                entry[metric] = {"a": va, "b": vb, "delta": delta}
            rows[f"{name}:{group}"] = entry
    return rows
