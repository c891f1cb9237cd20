"""Calibration: the ranker's raw candidate scores to probabilities, fitted on held-out rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


@dataclass
class TemperatureCalibrator:
    """Divides logits by one temperature before the softmax (Guo et al., 2017)."""

    temperature: float = 1.0

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return softmax(np.asarray(logits, dtype=np.float64) / self.temperature)

    def to_json(self) -> dict:
        return {"method": "temperature", "temperature": self.temperature}

    @classmethod
    def from_json(cls, d: dict) -> TemperatureCalibrator:
        if d.get("method") != "temperature":
            raise ValueError(f"unsupported calibration method {d.get('method')!r}")
        return cls(temperature=float(d["temperature"]))


def fit_temperature(logit_sets: list[np.ndarray], gold: list[int | None]) -> TemperatureCalibrator:
    """The temperature minimising held-out negative log-likelihood. A query whose correct
    answer was not among its candidates (``None``) counts as a miss for every candidate, so
    retrieval failures make the model less confident rather than being ignored."""

    from scipy.optimize import minimize_scalar

    def nll(log_t: float) -> float:
        t = np.exp(log_t)
        total = 0.0
        for z, g in zip(logit_sets, gold, strict=True):
            p = softmax(z / t)
            # A retrieval miss: the probability mass left for "something else" is 1 - max p.
            total -= np.log(max(p[g] if g is not None else 1.0 - p.max(), 1e-12))
        return total / len(logit_sets)

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return TemperatureCalibrator(temperature=float(np.exp(res.x)))
