"""The run path's TF-IDF similarity equals scipy's sparse product bit for bit, and loading
and scoring a classifier does not import scipy.sparse."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from probes import run_fresh

from exportdesk.classify import artefact as art
from exportdesk.classify.lexical import SparseRows, TermColumns, similarity


def _random_csr(rng: np.random.Generator, rows: int, cols: int, density: float) -> sp.csr_matrix:
    m = sp.random(rows, cols, density=density, format="csr", random_state=rng, dtype=np.float64)
    m.data = rng.random(m.nnz) * 10.0 ** rng.integers(-3, 3, m.nnz)  # sums that round
    return m


def test_similarity_equals_scipy_product_exactly() -> None:
    rng = np.random.default_rng(11)
    entries = _random_csr(rng, 300, 2000, 0.02)
    queries = _random_csr(rng, 40, 2000, 0.01)
    expected = (queries @ entries.T).toarray()
    light = SparseRows(queries.data, queries.indices, queries.indptr, queries.shape)
    got = similarity(light, TermColumns(entries))
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected)  # every bit, not a tolerance
    # scikit-learn's matrices (training) go through the same function
    assert np.array_equal(similarity(queries, TermColumns(entries)), expected)
    # a different summation order does differ somewhere: the check above can fail
    assert not np.array_equal(queries.toarray() @ entries.toarray().T, expected)


def test_shipped_classifier_scores_as_with_scipy() -> None:
    root = art.classifier_root()
    loaded = art.load(root / art.versions(root)[-1])
    reference = sp.load_npz(root / art.versions(root)[-1] / "entry_tfidf.npz").tocsr()
    texts = ["20 kW fibre laser, CW", "cooled thermal imaging camera", "assault rifle 5.56 mm", ""]
    q = loaded.vectorizer.transform(texts)
    q_scipy = sp.csr_matrix((q.data, q.indices, q.indptr), shape=q.shape)
    expected = (q_scipy @ reference.T).toarray()
    assert np.array_equal(similarity(q, loaded.index.tfidf_columns), expected)
    assert (expected > 0).sum() > 100  # the texts do share terms with many entries


def test_classification_does_not_import_scipy_sparse() -> None:
    probe = (
        "import sys; from exportdesk.classify import suggest_many; "
        "suggest_many(['thermal imaging camera, cooled focal plane array']); "
        "print(sorted(m for m in ('scipy.sparse', 'sklearn') if m in sys.modules))"
    )
    assert run_fresh(probe).strip() == "[]"
