"""Write a linker version's scikit-learn models as plain arrays, for the run path.

    python -m exportdesk.models.extraction.export_linear [FOLDER]

Reads ``model.pickle`` and ``labels.pickle`` named in FOLDER's manifest (default: the active
linker), writes ``model.npz`` and ``labels.npz`` beside them, and adds them to the manifest
(``model_arrays``, ``label_model_arrays`` and their sha256 under ``files``).
``exportdesk.extract.linear`` reads them with numpy alone; the trainer calls this after
every training run. The pickles stay, for anyone who wants the scikit-learn objects.
"""

from __future__ import annotations

import io
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from exportdesk.extract.registry import sha256_file

ARRAY_FILES = {
    "model": ("model_arrays", "model.npz"),
    "label_model": ("label_model_arrays", "labels.npz"),
}


def arrays_of(estimator: object) -> dict[str, np.ndarray]:
    """The fitted parameters of a LogisticRegression, or of TfidfVectorizer(char_wb) + it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, LogisticRegression):
        return dict(
            kind=np.array("logistic"),
            coef=estimator.coef_,
            intercept=estimator.intercept_,
            classes=np.asarray(estimator.classes_),
        )
    if isinstance(estimator, Pipeline) and len(estimator.steps) == 2:
        vec, lr = estimator.steps[0][1], estimator.steps[1][1]
        supported = (
            isinstance(vec, TfidfVectorizer)
            and isinstance(lr, LogisticRegression)
            and vec.analyzer == "char_wb"
            and vec.lowercase
            and vec.strip_accents is None
            and vec.preprocessor is None
            and vec.norm == "l2"
            and vec.use_idf
            and not vec.sublinear_tf
            and not vec.binary
        )
        if supported:
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            return dict(
                kind=np.array("char_wb_tfidf_logistic"),
                vocabulary=np.array(vocab),
                idf=vec.idf_,
                ngram_range=np.array(vec.ngram_range),
                coef=lr.coef_,
                intercept=lr.intercept_,
                classes=np.asarray(lr.classes_).astype(str),
            )
    raise ValueError(
        f"cannot export {estimator!r} as plain arrays; extract.linear reads only "
        "LogisticRegression and TfidfVectorizer(analyzer='char_wb') + LogisticRegression"
    )


def export(folder: Path) -> dict[str, str]:
    """Write the .npz files for the manifest's pickles and record them; returns {key: file}."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    written = {}
    for key, (arrays_key, name) in ARRAY_FILES.items():
        if key not in manifest:
            continue
        # our own artefact, named in the manifest next to it
        estimator = pickle.loads((folder / manifest[key]).read_bytes())
        buffer = io.BytesIO()
        np.savez(buffer, **arrays_of(estimator))  # type: ignore[arg-type]
        (folder / name).write_bytes(buffer.getvalue())
        manifest[arrays_key] = name
        manifest.setdefault("files", {})[name] = sha256_file(folder / name)
        written[arrays_key] = name
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        folder = Path(args[0])
    else:
        from exportdesk.extract.linker import model_dir

        folder = model_dir()
    if not (folder / "manifest.json").exists():
        print(f"no manifest.json in {folder}; give a linker version's folder", file=sys.stderr)
        return 2
    for key, name in export(folder).items():
        print(f"{key}: {folder / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
