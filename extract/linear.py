"""Linear models read from plain arrays: the run path scores without importing scikit-learn.

The linker and the label classifier are trained with scikit-learn (logistic regression, and
a character n-gram TF-IDF in front of one). Importing scikit-learn to unpickle them costs
1-2 s of start-up (it loads scipy.stats), more than the whole reading of a digital page.
Their fitted parameters are a few arrays, so the trainer also writes them as ``.npz``
(`models.extraction.export_linear`) and this module computes the same probabilities with
numpy alone. ``tests/extract/test_linear.py`` checks the results against scikit-learn's own
``predict_proba`` on the committed models.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's _VectorizerMixin._white_spaces


class LinearModel:
    """Logistic regression: sigmoid for two classes, softmax (multinomial) for more."""

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray):
        self.coef_ = np.asarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self.classes_ = classes

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        scores = np.asarray(x, dtype=np.float64) @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, x: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
        scores = self.decision_function(np.atleast_2d(np.asarray(x, dtype=np.float64)))
        if scores.ndim == 1:
            p = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)


class CharNgramTfidf:
    """TfidfVectorizer(analyzer="char_wb", lowercase=True, norm="l2") with a fixed vocabulary."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, ngram_range: tuple[int, int]):
        self.index = {gram: i for i, gram in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.min_n, self.max_n = ngram_range

    def ngrams(self, text: str) -> list[str]:
        """scikit-learn's ``_char_wb_ngrams`` after lower-casing, step for step."""
        out: list[str] = []
        for w in _WHITE_SPACES.sub(" ", text.lower()).split():
            w = " " + w + " "
            for n in range(self.min_n, self.max_n + 1):
                offset = 0
                out.append(w[offset : offset + n])
                while offset + n < len(w):
                    offset += 1
                    out.append(w[offset : offset + n])
                if offset == 0:  # a short word counts once
                    break
        return out

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), len(self.idf)))
        for r, text in enumerate(texts):
            for gram, count in Counter(self.ngrams(text)).items():
                col = self.index.get(gram)
                if col is not None:
                    rows[r, col] = count
        rows *= self.idf
        norms = np.sqrt((rows * rows).sum(axis=1, keepdims=True))
        norms[norms == 0.0] = 1.0
        return rows / norms


class TextClassifier:
    """The label classifier: n-gram TF-IDF, then logistic regression."""

    def __init__(self, vectorizer: CharNgramTfidf, model: LinearModel):
        self.vectorizer = vectorizer
        self.model = model
        self.classes_ = model.classes_

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.predict_proba(self.vectorizer.transform(texts))


def load_arrays(data: bytes) -> LinearModel | TextClassifier:
    """A model from the bytes of an ``.npz`` the exporter wrote (no pickled objects allowed)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        kind = str(arrays["kind"])
        model = LinearModel(arrays["coef"], arrays["intercept"], arrays["classes"])
        if kind == "logistic":
            return model
        if kind == "char_wb_tfidf_logistic":
            lo, hi = (int(v) for v in arrays["ngram_range"])
            vectorizer = CharNgramTfidf(
                [str(g) for g in arrays["vocabulary"]], arrays["idf"], (lo, hi)
            )
            return TextClassifier(vectorizer, model)
    raise ValueError(
        f"unknown linear model kind {kind!r}; re-export it with "
        "`python -m exportdesk.models.extraction.export_linear FOLDER`"
    )
