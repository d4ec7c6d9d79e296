"""Time–frequency boxes: the one definition of their overlap (IoU).

Agreement between annotators, ``SoundEventAnnotation.iou`` and the detector's evaluation all
use ``box_iou``. Django-free (numpy only), so the ML core imports it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class BoxLike(Protocol):
    start_s: float
    end_s: float
    low_hz: float | None
    high_hz: float | None


def box_iou(a, b) -> np.ndarray:
    """``[n, m]`` intersection over union of boxes, rows ``(start_s, end_s, low_hz, high_hz)``.

    A pair where either box has no frequency range (``nan``/``None`` low or high: a time interval,
    e.g. a full-band bird box) is compared by time IoU alone. An empty union gives 0.
    """
    a = np.asarray(a, dtype=float).reshape(-1, 4)
    b = np.asarray(b, dtype=float).reshape(-1, 4)
    t_inter = overlap(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    f_inter = overlap(a[:, 2], a[:, 3], b[:, 2], b[:, 3])
    dur_a, dur_b = a[:, 1] - a[:, 0], b[:, 1] - b[:, 0]
    area_a, area_b = dur_a * (a[:, 3] - a[:, 2]), dur_b * (b[:, 3] - b[:, 2])
    iou_t = ratio(t_inter, dur_a[:, None] + dur_b[None] - t_inter)
    inter = t_inter * f_inter
    iou_tf = ratio(inter, area_a[:, None] + area_b[None] - inter)
    no_freq = np.isnan(a[:, 2:]).any(axis=1)[:, None] | np.isnan(b[:, 2:]).any(axis=1)[None]
    return np.where(no_freq, iou_t, iou_tf)


def rows(boxes: Sequence[BoxLike]) -> np.ndarray:
    """Boxes as ``box_iou``'s rows (None becomes nan)."""
    return np.array(
        [(b.start_s, b.end_s, _nan(b.low_hz), _nan(b.high_hz)) for b in boxes], dtype=float
    ).reshape(-1, 4)


def iou(a: BoxLike, b: BoxLike) -> float:
    """IoU of two boxes (time-only when either is an interval)."""
    return float(box_iou(rows([a]), rows([b]))[0, 0])


def overlap(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """``[n, m]`` length of the intersection of intervals ``[a0, a1]`` and ``[b0, b1]``."""
    return np.clip(np.minimum(a1[:, None], b1[None]) - np.maximum(a0[:, None], b0[None]), 0, None)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den``, 0 where ``den`` is not positive."""
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _nan(value: float | None) -> float:
    return np.nan if value is None else value
