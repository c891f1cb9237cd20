"""The trained ranker: a conditional-logit model over one query's candidates (NOT_LISTED included).

Scoring is pure: ``logits`` returns raw scores. Turning them into probabilities is the
calibrator's job (``calibration.py``), so re-calibrating never re-runs the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Ranker:
    weights: np.ndarray  # (F,)
    mean: np.ndarray  # (F,) feature standardisation
    scale: np.ndarray  # (F,)
    feature_names: list[str]

    def logits(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale) @ self.weights

    def to_json(self) -> dict:
        return {
            "feature_names": self.feature_names,
            "weights": self.weights.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
        }

    @classmethod
    def from_json(cls, d: dict) -> Ranker:
        return cls(
            weights=np.asarray(d["weights"], dtype=np.float64),
            mean=np.asarray(d["mean"], dtype=np.float64),
            scale=np.asarray(d["scale"], dtype=np.float64),
            feature_names=list(d["feature_names"]),
        )


def _segment_logsumexp(z: np.ndarray, starts: np.ndarray) -> np.ndarray:
    m = np.maximum.reduceat(z, starts)
    sizes = np.diff(np.append(starts, len(z)))
    e = np.exp(z - np.repeat(m, sizes))
    return m + np.log(np.add.reduceat(e, starts))


def fit_ranker(
    groups: list[np.ndarray], gold: list[int], feature_names: list[str], l2: float = 1.0
) -> Ranker:
    """Maximum-likelihood conditional logit: each group is one query's candidate matrix and
    ``gold`` the index of its correct candidate. L2-penalised, fitted with L-BFGS."""
    from scipy.optimize import minimize

    X = np.vstack(groups).astype(np.float64)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    # Indicator columns that only NOT_LISTED uses keep their raw scale for readability.
    Z = (X - mean) / scale
    sizes = np.array([len(g) for g in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gold_pos = starts + np.asarray(gold)
    n = len(groups)

    def loss_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = Z @ w
        lse = _segment_logsumexp(z, starts)
        loss = (lse.sum() - z[gold_pos].sum()) / n + l2 * (w @ w) / (2 * n)
        p = np.exp(z - np.repeat(lse, sizes))
        p[gold_pos] -= 1.0
        grad = (Z.T @ p) / n + l2 * w / n
        return float(loss), grad

    res = minimize(
        loss_grad, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}
    )
    return Ranker(weights=res.x, mean=mean, scale=scale, feature_names=feature_names)
