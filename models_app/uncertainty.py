"""What "uncertain" means, once: the scores the sampler ranks clips by and the rescore stores.

Pure numpy (no torch, no Django), so ``sampling.strategies`` and the simulation use these very
functions. Class probabilities are independent sigmoids (multi-label), so every measure is built
on the Bernoulli entropy of one output; "entropy" of a clip is the largest over its classes (its
least certain class), never a categorical entropy over a softmax it does not have.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-7


def binary_entropy(p) -> np.ndarray:
    """Entropy in bits of Bernoulli(p), elementwise: 1 at p = 0.5, 0 at p in {0, 1}.

    float32 in stays float32 (large pools), anything else is computed in float64.
    """
    p = np.asarray(p)
    p = np.clip(p.astype(np.float32 if p.dtype == np.float32 else np.float64), EPS, 1 - EPS)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def entropy(probs: np.ndarray) -> np.ndarray:
    """Per clip (row), the largest binary entropy over its classes: its least certain class."""
    return binary_entropy(probs).max(axis=1)


def margin(probs: np.ndarray) -> np.ndarray:
    """1 - (p_top1 - p_top2): high when the two likeliest classes are close.

    With a single class, the margin is that of the binary decision, |2p - 1|.
    """
    if probs.shape[1] == 1:
        return 1.0 - np.abs(2.0 * probs[:, 0] - 1.0)
    top2 = -np.partition(-probs, 1, axis=1)[:, :2]
    return 1.0 - (top2[:, 0] - top2[:, 1])


def least_confidence(probs: np.ndarray) -> np.ndarray:
    """1 - max_c p_c: high when no class is confidently present."""
    return 1.0 - probs.max(axis=1)


MEASURES = {"entropy": entropy, "margin": margin, "least_confidence": least_confidence}


def clip_uncertainty(class_probs) -> dict[str, float]:
    """One clip's scores by each measure, as the sampler would rank it (stored with its prediction)."""
    probs = np.asarray(class_probs, dtype=np.float64).reshape(1, -1)
    if probs.shape[1] == 0:
        return dict.fromkeys(MEASURES, 0.0)
    return {name: float(fn(probs)[0]) for name, fn in MEASURES.items()}
