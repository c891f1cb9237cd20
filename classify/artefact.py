"""Model artefacts on disk: safe formats only (JSON, .npz without pickle), checked by SHA-256."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exportdesk.classify.calibration import TemperatureCalibrator, WalkCalibrator
from exportdesk.classify.features import IndexArrays
from exportdesk.classify.lexical import SparseRows, TfidfTransform
from exportdesk.classify.ranker import Ranker
from exportdesk.extract.errors import ModelError
from exportdesk.extract.registry import RegistryError, RegistryReader, sha256_file, verify_files

FILES = ("index.npz", "entry_tfidf.npz", "tfidf.json", "ranker.json", "calibration.json")
WALK_CALIBRATION = "walk_calibration.json"  # optional; listed in the manifest when present


class ArtefactError(ModelError):
    """The model folder is missing, incomplete or altered since it was written."""


def classifier_root() -> Path:
    """``<models_dir>/classifier``: where the classifier's versions live (settings)."""
    from exportdesk.extract.settings import get_settings

    return Path(get_settings().models_dir) / "classifier"


TFIDF_PARAMS: dict = {
    "ngram_range": (1, 2),
    "sublinear_tf": True,
    "min_df": 1,
    "token_pattern": r"(?u)\b\w[\w.\-/]*\b",
    "lowercase": True,
}


def make_vectorizer(vocabulary: dict[str, int] | None = None):
    """The scikit-learn vectoriser training fits (imported here only: it is slow to import)."""
    from exportdesk.extract.imports import without

    with without("pandas"):  # scikit-learn loads pandas when installed; unused here
        from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(vocabulary=vocabulary, **TFIDF_PARAMS)


@dataclass
class Artefact:
    """A loaded classifier: index arrays, vectoriser, ranker and (separately) calibration."""

    version: str
    manifest: dict
    index: IndexArrays
    vectorizer: TfidfTransform  # or a fitted TfidfVectorizer while training
    ranker: Ranker
    calibrator: TemperatureCalibrator
    # Optional second stage: confidence after the review walk (walk_calibration.json).
    walk_calibrator: WalkCalibrator | None = None


def save(
    folder: Path,
    version: str,
    index: IndexArrays,
    vectorizer,
    ranker: Ranker,
    calibrator: TemperatureCalibrator,
    extra_manifest: dict,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / "index.npz",
        entry_catalogue=index.entry_catalogue.astype(str),
        entry_code=index.entry_code.astype(str),
        entry_flags=index.entry_flags,
        entry_units=np.array(["|".join(sorted(u)) for u in index.entry_units]),
        title_emb=index.title_emb.astype(np.float16),
        row_emb=index.row_emb.astype(np.float16),
        row_entry=index.row_entry,
        ex_emb=index.ex_emb.astype(np.float16),
        ex_label_eu=index.ex_label["eu"],
        ex_label_us=index.ex_label["us"],
        ex_group=index.ex_group,
    )
    import scipy.sparse as sp  # training only: the run path reads the file with numpy

    m = index.entry_tfidf
    csr = sp.csr_matrix((m.data, m.indices, m.indptr), shape=m.shape)
    sp.save_npz(folder / "entry_tfidf.npz", csr, compressed=True)
    (folder / "tfidf.json").write_text(
        json.dumps(
            {
                "params": {**TFIDF_PARAMS, "ngram_range": [1, 2]},
                "vocabulary": {k: int(v) for k, v in vectorizer.vocabulary_.items()},
                "idf": vectorizer.idf_.tolist(),
            }
        )
    )
    (folder / "ranker.json").write_text(json.dumps(ranker.to_json(), indent=1))
    write_calibration(folder, calibrator)
    manifest = {
        "version": version,
        **extra_manifest,
        "files": {name: sha256_file(folder / name) for name in FILES},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))


def write_calibration(folder: Path, calibrator: TemperatureCalibrator) -> None:
    """Calibration lives in its own file: re-fitting it leaves the ranker untouched.
    (The manifest hash of calibration.json must be refreshed by the caller.)"""
    (folder / "calibration.json").write_text(json.dumps(calibrator.to_json(), indent=1))


def _reader(root: Path | None) -> RegistryReader:
    """An explicit ``root`` (``<folder>/classifier``) is read alone; without one, the shipped
    models and the data folder's trained ones (settings)."""
    if root is not None:
        return RegistryReader(root.parent)
    from exportdesk.extract.settings import get_settings

    return RegistryReader.for_settings(get_settings())


def versions(root: Path | None = None) -> list[str]:
    return _reader(root).versions("classifier" if root is None else root.name)


def version_folder(version: str, root: Path | None = None) -> Path:
    """Where ``version`` lives: under ``root`` when given, else shipped or trained."""
    return root / version if root is not None else _reader(None).folder("classifier", version)


def active_version(root: Path | None = None) -> str:
    """The version to load: the registry's active classifier (so activating an older version
    is the rollback), else the newest folder. ``root`` is ``<models_dir>/classifier``; without
    it, the shipped and the data folder's versions are considered together."""
    reader = _reader(root)
    try:
        version = reader.active("classifier" if root is None else root.name)
    except RegistryError as exc:
        raise ArtefactError(str(exc)) from exc
    if version is None:
        where = root or " or ".join(str(b / "classifier") for b in reader.bases)
        raise ArtefactError(
            f"no trained classifier under {where}; train one with "
            "`python -m exportdesk.models.classification.train`"
        )
    return version


def _load_csr(path: Path) -> SparseRows:
    """A matrix written by ``scipy.sparse.save_npz`` in CSR format, read with numpy alone."""
    with np.load(path, allow_pickle=False) as z:
        if z["format"].item() != b"csr":
            raise ArtefactError(f"{path} is not a CSR matrix; retrain the classifier")
        rows, cols = (int(n) for n in z["shape"])
        return SparseRows(z["data"], z["indices"], z["indptr"], (rows, cols))


def load(folder: Path) -> Artefact:
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ArtefactError(f"{folder} has no manifest.json; retrain the classifier")
    manifest = json.loads(manifest_path.read_text())
    try:
        verify_files(folder, manifest["files"])
    except RegistryError as exc:
        raise ArtefactError(str(exc)) from exc
    with np.load(folder / "index.npz", allow_pickle=False) as z:
        index = IndexArrays(
            entry_catalogue=z["entry_catalogue"],
            entry_code=z["entry_code"],
            entry_flags=z["entry_flags"],
            entry_units=[set(u.split("|")) - {""} for u in z["entry_units"]],
            entry_tfidf=_load_csr(folder / "entry_tfidf.npz"),
            title_emb=z["title_emb"].astype(np.float32),
            row_emb=z["row_emb"].astype(np.float32),
            row_entry=z["row_entry"],
            ex_emb=z["ex_emb"].astype(np.float32),
            ex_label={"eu": z["ex_label_eu"], "us": z["ex_label_us"]},
            ex_group=z["ex_group"],
        )
    tf = json.loads((folder / "tfidf.json").read_text())
    params = tf["params"]
    vec = TfidfTransform(
        tf["vocabulary"],
        np.asarray(tf["idf"]),
        params["token_pattern"],
        tuple(params["ngram_range"]),
        params["sublinear_tf"],
        params["lowercase"],
    )
    return Artefact(
        version=manifest["version"],
        manifest=manifest,
        index=index,
        vectorizer=vec,
        ranker=Ranker.from_json(json.loads((folder / "ranker.json").read_text())),
        calibrator=TemperatureCalibrator.from_json(
            json.loads((folder / "calibration.json").read_text())
        ),
        walk_calibrator=(
            WalkCalibrator.from_json(json.loads((folder / WALK_CALIBRATION).read_text()))
            if WALK_CALIBRATION in manifest["files"]
            else None
        ),
    )
