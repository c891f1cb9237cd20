"""TF-IDF transform at run time: the scikit-learn vectoriser's arithmetic without importing it.

Training fits ``sklearn.feature_extraction.text.TfidfVectorizer``; its vocabulary and idf are
saved as JSON. Importing scikit-learn costs seconds of model load on a busy two-core
machine, so the product applies the fitted weights here. A test checks that both give the
same matrix.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import scipy.sparse as sp


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

    def transform(self, texts: list[str]) -> sp.csr_matrix:
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
        return sp.csr_matrix(
            (np.asarray(data), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
            shape=(len(texts), len(self.idf_)),
        )
