"""Calibrated detection scores: one threshold means the same thing for every model.

A detector's heatmap peak is a ranking score, not a probability: how often a 0.4 is a real
call differs between trainings. ``fit_calibration`` maps raw scores to the probability that
a detection is a real call with Platt scaling on the logit,
``p = sigmoid(a * logit(raw) + b)``, fitted by maximum likelihood on matched detections
(``evaluation.detection_outcomes``). The map is monotone, so rankings and AP do not change;
the served threshold is then ``SERVED_THRESHOLD`` ("more likely a call than not").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SERVED_THRESHOLD = 0.5
MIN_DETECTIONS = 10  # fewer matched detections than this: keep the identity
PRIOR_STRENGTH = 5.0  # pseudo-detections pulling (a, b) towards the identity (1, 0)
_EPS = 1e-6
_A_RANGE = (0.05, 20.0)  # keep the map increasing and finite whatever the data


@dataclass(frozen=True)
class Calibration:
    """``p = sigmoid(a * logit(raw) + b)``; the default (1, 0) leaves scores unchanged.

    ``n`` is the number of detections it was fitted on (0: not fitted).
    """

    a: float = 1.0
    b: float = 0.0
    n: int = 0

    @property
    def is_identity(self) -> bool:
        return self.a == 1.0 and self.b == 0.0

    def apply(self, scores: np.ndarray | float) -> np.ndarray:
        """Calibrated probabilities of raw scores in [0, 1] (same shape)."""
        raw = np.asarray(scores, dtype=np.float64)
        if self.is_identity:
            return raw.copy()
        return _sigmoid(self.a * _logit(raw) + self.b)

    def raw_threshold(self, calibrated: float) -> float:
        """The raw score whose calibrated score is ``calibrated`` (inverse of ``apply``).

        Lets a decoder filter on raw scores and still keep exactly the events whose
        calibrated score reaches ``calibrated``.
        """
        if self.is_identity or calibrated <= 0.0 or calibrated >= 1.0:
            return float(calibrated)
        return float(_sigmoid((_logit(np.float64(calibrated)) - self.b) / self.a))

    def to_dict(self) -> dict:
        """Plain-JSON form (for a model version's row or a checkpoint)."""
        return {"method": "platt", "a": float(self.a), "b": float(self.b), "n": int(self.n)}

    @classmethod
    def from_dict(cls, data: dict | None) -> Calibration:
        """Inverse of ``to_dict``; ``None`` or ``{}`` gives the identity."""
        if not data:
            return cls()
        if data.get("method", "platt") != "platt":
            raise ValueError(f"unknown calibration method {data.get('method')!r}")
        return cls(float(data.get("a", 1.0)), float(data.get("b", 0.0)), int(data.get("n", 0)))


def fit_calibration(
    scores: np.ndarray, is_tp: np.ndarray, *, prior_strength: float = PRIOR_STRENGTH
) -> Calibration:
    """Platt scaling of raw ``scores`` against ``is_tp`` (maximum a posteriori).

    A Gaussian prior centred on the identity, worth about ``prior_strength`` detections,
    keeps a handful of detections from producing an extreme map; with fewer than
    ``MIN_DETECTIONS`` detections, or only hits or only misses, the identity is returned.
    """
    x = _logit(np.asarray(scores, dtype=np.float64).ravel())
    y = np.asarray(is_tp, dtype=np.float64).ravel()
    if len(x) != len(y):
        raise ValueError("scores and is_tp must have the same length")
    if len(x) < MIN_DETECTIONS or y.min() == y.max():
        return Calibration()
    a, b = _newton(x, y, prior_strength)
    return Calibration(float(np.clip(a, *_A_RANGE)), float(b), len(x))


def expected_calibration_error(probs: np.ndarray, is_tp: np.ndarray, *, n_bins: int = 10) -> float:
    """Mean |hit rate − mean probability| over equal-width probability bins, weighted by
    the bins' share of detections (0 = perfectly reliable)."""
    p = np.asarray(probs, dtype=np.float64).ravel()
    y = np.asarray(is_tp, dtype=np.float64).ravel()
    if not len(p):
        return float("nan")
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    n = np.bincount(bins, minlength=n_bins)
    gap = np.abs(np.bincount(bins, y, n_bins) - np.bincount(bins, p, n_bins))
    return float(gap.sum() / n.sum())


def _newton(x: np.ndarray, y: np.ndarray, strength: float) -> tuple[float, float]:
    """Minimise the logistic loss of ``a*x + b`` plus ``strength/2 * ((a-1)² + b²)``.

    The objective is strictly convex (the prior makes it so); Newton steps with
    backtracking (halve until the objective drops) converge in a few iterations.
    """
    design = np.column_stack([x, np.ones_like(x)])
    prior = np.array([1.0, 0.0])

    def objective(t: np.ndarray) -> float:
        z = design @ t
        nll = np.sum(np.logaddexp(0.0, z) - y * z)
        return float(nll + 0.5 * strength * np.sum((t - prior) ** 2))

    theta, value = prior.copy(), objective(prior)
    for _ in range(100):
        p = _sigmoid(design @ theta)
        grad = design.T @ (p - y) + strength * (theta - prior)
        hess = (design * (p * (1 - p))[:, None]).T @ design + strength * np.eye(2)
        step = np.linalg.solve(hess, grad)
        for _ in range(30):
            new_value = objective(theta - step)
            if new_value <= value:
                break
            step = step / 2
        theta, value = theta - step, new_value
        if np.abs(step).max() < 1e-9:
            break
    return float(theta[0]), float(theta[1])


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))
