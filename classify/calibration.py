"""Calibration: the ranker's raw candidate scores to probabilities, fitted on held-out rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PIVOT = 0.6  # familiarity at which the temperature equals its base value


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


@dataclass
class TemperatureCalibrator:
    """Divides logits by a temperature before the softmax (Guo et al., 2017).

    The temperature may depend on how familiar a description is (its best cosine to any
    training exemplar): ``T = temperature * exp(familiarity_slope * (familiarity - PIVOT))``,
    and may differ per jurisdiction (EU and US scores are not equally sharp). With neither
    given it is one plain temperature.
    """

    temperature: float = 1.0
    familiarity_slope: float = 0.0
    by_jurisdiction: dict[str, tuple[float, float]] | None = None

    def temperature_for(self, familiarity: float | None, jurisdiction: str | None = None) -> float:
        t0, slope = self.temperature, self.familiarity_slope
        if jurisdiction and self.by_jurisdiction and jurisdiction in self.by_jurisdiction:
            t0, slope = self.by_jurisdiction[jurisdiction]
        if familiarity is None or not slope:
            return t0
        return float(np.clip(t0 * np.exp(slope * (familiarity - PIVOT)), 0.05, 20.0))

    def probabilities(
        self,
        logits: np.ndarray,
        familiarity: float | None = None,
        jurisdiction: str | None = None,
    ) -> np.ndarray:
        t = self.temperature_for(familiarity, jurisdiction)
        return softmax(np.asarray(logits, dtype=np.float64) / t)

    def to_json(self) -> dict:
        d: dict = {
            "method": "temperature",
            "temperature": self.temperature,
            "familiarity_slope": self.familiarity_slope,
            "pivot": PIVOT,
        }
        if self.by_jurisdiction:
            d["by_jurisdiction"] = {
                j: {"temperature": t, "familiarity_slope": s}
                for j, (t, s) in self.by_jurisdiction.items()
            }
        return d

    @classmethod
    def from_json(cls, d: dict) -> TemperatureCalibrator:
        if d.get("method") != "temperature":
            raise ValueError(f"unsupported calibration method {d.get('method')!r}")
        by = {
            j: (float(v["temperature"]), float(v["familiarity_slope"]))
            for j, v in (d.get("by_jurisdiction") or {}).items()
        }
        return cls(
            temperature=float(d["temperature"]),
            familiarity_slope=float(d.get("familiarity_slope", 0.0)),
            by_jurisdiction=by or None,
        )


def _nll(logit_sets: list[np.ndarray], gold: list[int | None], temps: np.ndarray) -> float:
    total = 0.0
    for z, g, t in zip(logit_sets, gold, temps, strict=True):
        p = softmax(z / t)
        # A retrieval miss: the probability mass left for "something else" is 1 - max p.
        total -= np.log(max(p[g] if g is not None else 1.0 - p.max(), 1e-12))
    return total / len(logit_sets)


def fit_temperature(
    logit_sets: list[np.ndarray],
    gold: list[int | None],
    familiarity: list[float] | None = None,
    jurisdictions: list[str] | None = None,
) -> TemperatureCalibrator:
    """The temperature (and, given familiarities, its slope) minimising held-out negative
    log-likelihood. A query whose correct answer was not among its candidates (``None``)
    counts as a miss, so retrieval failures make the model less confident."""
    from scipy.optimize import minimize, minimize_scalar

    res = minimize_scalar(
        lambda lt: _nll(logit_sets, gold, np.full(len(gold), np.exp(lt))),
        bounds=(np.log(0.05), np.log(20.0)),
        method="bounded",
    )
    base = TemperatureCalibrator(temperature=float(np.exp(res.x)))
    if familiarity is None:
        return base
    if jurisdictions is not None:
        overall = fit_temperature(logit_sets, gold, familiarity)
        by = {}
        for j in sorted(set(jurisdictions)):
            idx = [i for i, x in enumerate(jurisdictions) if x == j]
            part = fit_temperature(
                [logit_sets[i] for i in idx], [gold[i] for i in idx], [familiarity[i] for i in idx]
            )
            by[j] = (part.temperature, part.familiarity_slope)
        overall.by_jurisdiction = by
        return overall
    f = np.asarray(familiarity, dtype=np.float64)

    def objective(params: np.ndarray) -> float:
        cal = TemperatureCalibrator(float(np.exp(params[0])), float(params[1]))
        return _nll(logit_sets, gold, np.array([cal.temperature_for(x) for x in f]))

    # An explicit starting simplex: the default step from a zero slope is too small to move.
    start = np.array([[res.x, 0.0], [res.x + 0.3, 0.0], [res.x, -2.0]])
    fit = minimize(
        objective,
        start[0],
        method="Nelder-Mead",
        options={"initial_simplex": start, "xatol": 1e-3, "fatol": 1e-6, "maxiter": 400},
    )
    return TemperatureCalibrator(float(np.exp(fit.x[0])), float(fit.x[1]))


# Features of the answer after the review walk (walk.top_features), in this order.
WALK_FEATURES = (
    "logit_top",
    "top_not_listed",
    "top_met",
    "top_needs",
    "fell_through",
    "margin",
    "familiarity",
)


@dataclass
class WalkCalibrator:
    """Confidence of the top answer after the review walk: a logistic model per
    jurisdiction over ``WALK_FEATURES``, fitted on another author's items
    (models/classification/walk_calibration.py). The other suggestions are rescaled to
    share what is left, so the list still sums to at most one."""

    weights: dict[str, np.ndarray]  # jurisdiction -> (len(WALK_FEATURES) + 1,), bias last

    def top_probability(self, features: np.ndarray, jurisdiction: str) -> float | None:
        w = self.weights.get(jurisdiction)
        if w is None:
            return None
        z = float(np.dot(w[:-1], features) + w[-1])
        return float(1.0 / (1.0 + np.exp(-z)))

    def apply(self, probs: np.ndarray, features: np.ndarray, jurisdiction: str) -> np.ndarray:
        top = int(np.argmax(probs))
        c = self.top_probability(features, jurisdiction)
        if c is None:
            return probs
        out = probs.astype(np.float64).copy()
        rest = 1.0 - out[top]
        out[top] = 0.0
        out *= (1.0 - c) / rest if rest > 1e-12 else 0.0
        out = np.minimum(out, c * 0.999)  # the top answer stays first
        out[top] = c
        return out

    def to_json(self) -> dict:
        return {
            "method": "walk-logistic",
            "features": list(WALK_FEATURES),
            "weights": {j: w.tolist() for j, w in self.weights.items()},
        }

    @classmethod
    def from_json(cls, d: dict) -> WalkCalibrator:
        if d.get("method") != "walk-logistic" or tuple(d.get("features", ())) != WALK_FEATURES:
            raise ValueError("walk calibration was fitted on other features; refit it")
        return cls({j: np.asarray(w, dtype=np.float64) for j, w in d["weights"].items()})
