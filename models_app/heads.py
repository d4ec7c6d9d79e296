"""Light heads: one logistic regression per class on frozen embeddings (no Django).

Perch's agile modelling in small: with a fixed embedding, a linear classifier per class fits in
well under a second on thousands of labelled clips, so the pool can be re-ranked after every
submitted batch while the full detector trains in the background. scikit-learn's
``LogisticRegression`` (lbfgs, balanced class weights: rare species are the point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

MAX_ITER = 200
MIN_PRIOR = 0.02  # a class with only one kind of label gets this prior (or 1 - it), not 0 or 1


@dataclass
class LinearHead:
    """Per-class weights ``coef`` ``[C, D]`` and ``intercept`` ``[C]`` over unit-length embeddings."""

    class_names: list[str]
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, vectors: np.ndarray, *, chunk_rows: int = 262_144) -> np.ndarray:
        """``[N, C]`` float32 class probabilities (independent sigmoids)."""
        out = np.empty((len(vectors), len(self.class_names)), dtype=np.float32)
        w, b = self.coef.astype(np.float32), self.intercept.astype(np.float32)
        for start in range(0, len(vectors), chunk_rows):
            z = np.asarray(vectors[start : start + chunk_rows], dtype=np.float32) @ w.T + b
            out[start : start + len(z)] = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return out


def fit(
    vectors: np.ndarray, labels: np.ndarray, class_names: list[str], *, c: float = 10.0
) -> LinearHead:
    """Fit one head per column of the boolean ``labels`` ``[N, C]`` on ``vectors`` ``[N, D]``.

    ``c``: inverse L2 strength; 10 suits unit-length embeddings (at 1 a handful of labels barely
    moves the scores from the prior)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    n, d = vectors.shape
    coef = np.zeros((len(class_names), d), dtype=np.float32)
    intercept = np.zeros(len(class_names), dtype=np.float32)
    for j in range(len(class_names)):
        y = labels[:, j].astype(bool)
        if y.all() or not y.any():
            p = 1 - MIN_PRIOR if y.all() and n else MIN_PRIOR
            intercept[j] = np.log(p / (1 - p))
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=MAX_ITER)
        model.fit(vectors, y)
        coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
    return LinearHead(list(class_names), coef, intercept)


def uncertainty(probs: np.ndarray) -> np.ndarray:
    """Per row, the largest binary entropy (bits) among the classes: high = worth a label."""
    p = np.clip(probs.astype(np.float64), 1e-7, 1 - 1e-7)
    return (
        (-(p * np.log2(p) + (1 - p) * np.log2(1 - p))).max(axis=1)
        if p.shape[1]
        else np.zeros(len(p))
    )


def clip_ap(
    probs: np.ndarray, labels: np.ndarray, class_names: list[str]
) -> dict[str, float | None]:
    """Average precision per class (None for a class without both positives and negatives)."""
    from sklearn.metrics import average_precision_score

    out: dict[str, float | None] = {}
    for j, name in enumerate(class_names):
        y = labels[:, j].astype(bool) if len(labels) else np.zeros(0, bool)
        out[name] = (
            float(average_precision_score(y, probs[:, j])) if y.any() and not y.all() else None
        )
    return out
