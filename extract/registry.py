"""The model registry as every layer reads it: versions of each model kind, the active one,
and each version's files checked against its manifest. Activation lives in models/registry.py.

Layout under ``<models_dir>``: ``<kind>/<version>/manifest.json`` names every file of the
version (paths relative to the version folder) with its SHA-256; ``registry.json`` names the
active version per kind. Without an entry for a kind, the newest version is active.
The shipped ``models/`` folder is read only; trained versions, activations and evaluations
go to the data folder (``<data_dir>/models``, settings.trained_dir) and are read beside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Self

from exportdesk.extract.errors import ModelError

if TYPE_CHECKING:
    from exportdesk.extract.settings import Settings
from exportdesk.extract.hashing import sha256_file

SCHEMA = "exportdesk.model-registry/v1"
# classifier: models/classifier/<v>/ (classify/artefact.py loads it)
# ner: models/ner/<v>/model, a spaCy pipeline (extract/nlp.py loads it)
# label, linker: the extraction models of the form-understanding work (issue 9)
KINDS = ("classifier", "ner", "label", "linker")


class RegistryError(ModelError):
    """A registry request that cannot be carried out; the message says what to do."""


def sha256_tree(folder: Path, relative_to: Path | None = None) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, keyed by its path relative to ``relative_to``
    (default ``folder``) with forward slashes: what a manifest's ``files`` holds."""
    base = relative_to or folder
    return {
        path.relative_to(base).as_posix(): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def verify_files(folder: Path, files: dict[str, str]) -> None:
    """Every file a manifest names is present under ``folder`` with its SHA-256."""
    for name, digest in files.items():
        path = folder / name
        if not path.is_file() or sha256_file(path) != digest:
            raise RegistryError(
                f"{path} is missing or does not match the SHA-256 in its manifest; the "
                "version was altered on disk. Restore the folder from git or retrain it."
            )


class RegistryReader:
    """Reads the registry over two folders: the shipped models (``models_dir``, read only)
    and, when given, the data folder's trained models (``trained_dir``), where retraining
    writes new versions and activations and evaluations are recorded. Versions of both are
    listed together; the data folder's ``registry.json`` holds the activations made here and
    overrides the shipped choice for those kinds only."""

    def __init__(self, models_dir: Path, trained_dir: Path | None = None) -> None:
        self.root = Path(models_dir)
        # One folder for both (an explicit --models-dir): it is read and written, as before.
        same = trained_dir is not None and Path(trained_dir) == self.root
        self.trained = Path(trained_dir) if trained_dir is not None and not same else None
        self.home = self.trained if self.trained is not None else self.root  # written here
        self.path = self.home / "registry.json"

    @classmethod
    def for_settings(cls, settings: Settings) -> Self:
        return cls(settings.models_dir, settings.trained_dir)

    @property
    def bases(self) -> list[Path]:
        """The folders versions are read from: shipped first, then trained."""
        return [self.root] if self.trained is None else [self.root, self.trained]

    def read(self) -> dict:
        """The registry in force: the shipped ``registry.json`` with the data folder's on top.
        The data folder's records only what was activated here, so a kind never activated
        here follows the shipped choice (also after an upgrade ships a new one)."""
        if self.trained is None:
            return self._load(self.path)
        shipped, local = self._load(self.root / "registry.json"), self._load(self.path)
        return {
            **shipped,
            **local,
            "active": {**shipped["active"], **local["active"]},
            "history": shipped["history"] + local["history"],
        }

    def read_local(self) -> dict:
        """Only the records of the folder that is written (what an activation appends to)."""
        return self._load(self.path)

    @staticmethod
    def _load(path: Path) -> dict:
        if not path.exists():
            return {"schema": SCHEMA, "active": {}, "history": []}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise RegistryError(
                f"{path} is not valid JSON ({exc.msg}); restore it from "
                "git (`git checkout models/registry.json`) or from a backup of the data folder"
            ) from exc
        data.setdefault("active", {})
        data.setdefault("history", [])
        return data

    @staticmethod
    def check_kind(kind: str) -> None:
        if kind not in KINDS:
            raise RegistryError(f"unknown model kind {kind!r}; known kinds: {', '.join(KINDS)}")

    def folder(self, kind: str, version: str) -> Path:
        """The version's folder: where it exists (shipped first), else where a new version of
        that name is written (the data folder's, when there is one)."""
        self.check_kind(kind)
        for base in self.bases:
            if (base / kind / version / "manifest.json").exists():
                return base / kind / version
        return self.home / kind / version

    def versions(self, kind: str = "classifier") -> list[str]:
        self.check_kind(kind)
        found = set()
        for base in self.bases:
            if (base / kind).is_dir():
                found |= {p.name for p in (base / kind).iterdir() if (p / "manifest.json").exists()}
        return sorted(found)

    def named(self, kind: str) -> str | None:
        """The version registry.json names as active for ``kind``, if any."""
        self.check_kind(kind)
        return self.read()["active"].get(kind)

    def active(self, kind: str = "classifier") -> str | None:
        """The active version: the registry's entry (which must exist on disk), else the
        newest version, else None."""
        named = self.named(kind)
        if named:
            if not (self.folder(kind, named) / "manifest.json").exists():
                raise RegistryError(
                    f"{self.path} names {kind} version {named!r}, but "
                    f"{self.folder(kind, named)} holds no manifest; activate an existing "
                    f"version (`exportdesk models list --kind {kind}`) or retrain"
                )
            return named
        found = self.versions(kind)
        return found[-1] if found else None

    def manifest(self, kind: str, version: str) -> dict:
        path = self.folder(kind, version) / "manifest.json"
        if not path.exists():
            known = ", ".join(self.versions(kind)) or "none"
            raise RegistryError(
                f"there is no {kind} version {version!r} under "
                + " or ".join(str(base / kind) for base in self.bases)
                + f" (known: {known}); `exportdesk models list` shows them"
            )
        return json.loads(path.read_text(encoding="utf-8"))

    def verify(self, kind: str, version: str) -> None:
        """The integrity check: every file of the manifest is present with its SHA-256."""
        verify_files(self.folder(kind, version), self.manifest(kind, version).get("files", {}))

    def active_folder(self, kind: str) -> Path | None:
        """The folder of the active version of ``kind``, or None when there is none."""
        version = self.active(kind)
        return self.folder(kind, version) if version else None
