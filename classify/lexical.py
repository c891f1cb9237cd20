"""TF-IDF at run time: the scikit-learn vectoriser's arithmetic and scipy's sparse product,
without importing either.

Training fits ``sklearn.feature_extraction.text.TfidfVectorizer``; its vocabulary and idf are
saved as JSON. Importing scikit-learn costs seconds of model load on a busy two-core
machine, so the product applies the fitted weights here. Importing ``scipy.sparse`` alone took
0.3 s of every classification's start (docs/benchmarks.md, "Command-line start-up"), for one
product of sparse rows; `similarity` computes it with numpy, adding the same products in the
same order as scipy's CSR product, so the scores are the same to the last bit. Tests check
both against their scikit-learn and scipy counterparts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class CsrLike(Protocol):
    """Rows of a sparse matrix in CSR layout: a ``SparseRows`` or a ``scipy.sparse`` CSR
    matrix (training passes scikit-learn's)."""

    @property
    def data(self) -> np.ndarray: ...
    @property
    def indices(self) -> np.ndarray: ...
    @property
    def indptr(self) -> np.ndarray: ...
    @property
    def shape(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class SparseRows:
    """CSR arrays as ``scipy.sparse.save_npz`` writes them: row i holds
    ``data[indptr[i]:indptr[i + 1]]`` in the columns ``indices[...]``."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.data.dtype)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        out[rows, self.indices] = self.data
        return out


class TermColumns:
    """The columns of a CSR matrix: for each column (term), the rows holding it and their
    values, in row order. Built once per index; `similarity` reads it."""

    def __init__(self, matrix: CsrLike):
        n_rows, n_cols = matrix.shape[0], matrix.shape[1]
        indices = np.asarray(matrix.indices)
        order = np.argsort(indices, kind="stable")
        rows = np.repeat(np.arange(n_rows), np.diff(np.asarray(matrix.indptr)))
        self.n_rows = n_rows
        self.rows = rows[order]
        self.values = np.asarray(matrix.data)[order]
        self.starts = np.concatenate(([0], np.cumsum(np.bincount(indices, minlength=n_cols))))


def similarity(queries: CsrLike, columns: TermColumns) -> np.ndarray:
    """``queries @ matrix.T`` as a dense float64 array.

    Each score is summed from zero, term by term in the order the query row stores its terms,
    one product ``query value * entry value`` at a time: the order ``scipy.sparse``'s CSR
    product (``csr_matmat``) uses, so the result equals ``(queries @ matrix.T).toarray()``
    exactly, not only to rounding.
    """
    data, indices, indptr = (np.asarray(a) for a in (queries.data, queries.indices, queries.indptr))
    out = np.zeros((queries.shape[0], columns.n_rows), dtype=np.result_type(data, columns.values))
    for i in range(queries.shape[0]):
        row = out[i]
        for k in range(indptr[i], indptr[i + 1]):
            start, end = columns.starts[indices[k]], columns.starts[indices[k] + 1]
            row[columns.rows[start:end]] += data[k] * columns.values[start:end]
    return out


class TfidfTransform:
    """lowercase -> token regex -> word n-grams -> sublinear tf x idf -> L2 normalise."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        token_pattern: str,
        ngram_range: tuple[int, int] = (1, 2),
        sublinear_tf: bool = True,
        lowercase: bool = True,
    ):
        self.vocabulary_ = vocabulary
        self.idf_ = np.asarray(idf, dtype=np.float64)
        self._token = re.compile(token_pattern)
        self.ngram_range = tuple(ngram_range)
        self.sublinear_tf = sublinear_tf
        self.lowercase = lowercase

    def _grams(self, text: str) -> list[str]:
        tokens = self._token.findall(text.lower() if self.lowercase else text)
        lo, hi = self.ngram_range
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    def transform(self, texts: list[str]) -> SparseRows:
        indptr, indices, data = [0], [], []
        for text in texts:
            counts = Counter(
                self.vocabulary_[g] for g in self._grams(text) if g in self.vocabulary_
            )
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            vals = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            order = np.argsort(cols)
            cols, vals = cols[order], vals[order]
            if self.sublinear_tf:
                vals = np.log(vals) + 1.0
            vals = vals * self.idf_[cols]
            norm = np.sqrt((vals**2).sum())
            if norm > 0:
                vals = vals / norm
            indices.extend(cols.tolist())
            data.extend(vals.tolist())
            indptr.append(len(indices))
        return SparseRows(
            np.asarray(data, dtype=np.float64),
            np.asarray(indices, dtype=np.int64),
            np.asarray(indptr, dtype=np.int64),
            (len(texts), len(self.idf_)),
        )
