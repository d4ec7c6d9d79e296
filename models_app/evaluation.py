"""Detection and clip-level metrics (BatDetect2-style onset matching).

A prediction matches a ground-truth call in the same clip when their onsets differ by at
most ``onset_tol_s``; matching is greedy by descending score and one-to-one. Average
precision is the non-interpolated area under the precision–recall curve
(``sum (R_n - R_{n-1}) * P_n``, as in scikit-learn), with recall relative to *all*
ground-truth calls, so calls never predicted cap the AP below 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def evaluate(
    predictions: Sequence[Sequence[Any]],
    ground_truth: Sequence[Sequence[Any]],
    *,
    onset_tol_s: float = 0.01,
    threshold: float = 0.5,
    class_names: Sequence[str] | None = None,
    clip_scores: np.ndarray | None = None,
) -> dict:
    """Score per-clip predicted events against per-clip ground-truth boxes.

    ``predictions[i]`` holds events with ``start_s``, ``score`` and ``class_name`` (and
    optionally ``class_probs``: dict name → prob); ``ground_truth[i]`` holds boxes with
    ``start_s`` and ``label``. ``clip_scores`` (``[n_clips, n_classes]``, in
    ``class_names`` order) are clip-level class probabilities; without them a clip's
    class score is its best event's ``score * class_prob``.

    Returns plain floats/dicts: ``det_ap``, ``precision``/``recall``/``f1`` at
    ``threshold`` (class-agnostic) and ``class_precision``/``class_recall``/``class_f1``
    (a match must also have the right class), ``class_ap`` (per class), ``map`` (mean over
    classes with ground truth), ``clip_ap`` and ``clip_map``, and counts.
    """
    if len(predictions) != len(ground_truth):
        raise ValueError("predictions and ground_truth must have one entry per clip")
    names = (
        list(class_names) if class_names is not None else _class_names(predictions, ground_truth)
    )
    det = _detection_metrics(predictions, ground_truth, onset_tol_s, threshold)
    class_ap = {c: _class_ap(predictions, ground_truth, c, onset_tol_s) for c in names}
    valid = [v for v in class_ap.values() if not np.isnan(v)]
    clip_ap = _clip_ap(predictions, ground_truth, names, clip_scores)
    clip_valid = [v for v in clip_ap.values() if not np.isnan(v)]
    return {
        **det,
        "class_ap": class_ap,
        "map": float(np.mean(valid)) if valid else float("nan"),
        "clip_ap": clip_ap,
        "clip_map": float(np.mean(clip_valid)) if clip_valid else float("nan"),
    }


def average_precision(scores: np.ndarray, is_tp: np.ndarray, n_gt: int) -> float:
    """Non-interpolated AP of ranked predictions; ``nan`` when there is no ground truth.

    Tied scores form one threshold (as in scikit-learn), so the result does not depend on
    the order of equal-scored predictions.
    """
    if n_gt == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    if len(order) == 0:
        return 0.0
    s = np.asarray(scores, dtype=float)[order]
    cum_tp = np.cumsum(np.asarray(is_tp, dtype=float)[order])
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # last index of each tie group
    precision = cum_tp[last] / (last + 1)
    recall = cum_tp[last] / n_gt
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def match_clip(
    pred_onsets: np.ndarray, pred_scores: np.ndarray, gt_onsets: np.ndarray, tol: float
) -> np.ndarray:
    """Greedy one-to-one matching in one clip; returns a TP flag per prediction.

    Predictions are taken best score first; each claims the nearest unclaimed
    ground-truth onset within ``tol``.
    """
    is_tp = np.zeros(len(pred_onsets), dtype=bool)
    free = np.ones(len(gt_onsets), dtype=bool)
    for i in np.argsort(-np.asarray(pred_scores, dtype=float), kind="stable"):
        if not free.any():
            break
        dist = np.where(free, np.abs(gt_onsets - pred_onsets[i]), np.inf)
        j = int(np.argmin(dist))
        if dist[j] <= tol + 1e-9:
            is_tp[i] = True
            free[j] = False
    return is_tp


# ------------------------------------------------------------------ internals


def _class_names(
    predictions: Sequence[Sequence[Any]], ground_truth: Sequence[Sequence[Any]]
) -> list[str]:
    names = {b.label for clip in ground_truth for b in clip if b.label is not None}
    names |= {e.class_name for clip in predictions for e in clip}
    return sorted(names)


def _ranked_matches(
    predictions: Sequence[Sequence[Any]],
    ground_truth: Sequence[Sequence[Any]],
    tol: float,
    score_fn,
    gt_filter,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Match every clip and pool the (score, is_tp) pairs for an AP computation."""
    all_scores, all_tp, n_gt = [], [], 0
    for preds, gts in zip(predictions, ground_truth):
        gt_onsets = np.array([g.start_s for g in gts if gt_filter(g)], dtype=float)
        scored = [(p.start_s, score_fn(p)) for p in preds]
        scored = [(t, s) for t, s in scored if s is not None and s > 0]
        n_gt += len(gt_onsets)
        if not scored:
            continue
        onsets, scores = (np.array(v, dtype=float) for v in zip(*scored))
        all_scores.append(scores)
        all_tp.append(match_clip(onsets, scores, gt_onsets, tol))
    if not all_scores:
        return np.zeros(0), np.zeros(0, dtype=bool), n_gt
    return np.concatenate(all_scores), np.concatenate(all_tp), n_gt


def _prf(n_tp: int, n_pred: int, n_gt: int) -> tuple[float, float, float]:
    precision = n_tp / n_pred if n_pred else 0.0
    recall = n_tp / n_gt if n_gt else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _detection_metrics(predictions, ground_truth, tol: float, threshold: float) -> dict:
    """Class-agnostic AP and P/R/F1 at ``threshold``, plus class-aware P/R/F1."""
    scores, tp, n_gt = _ranked_matches(
        predictions, ground_truth, tol, lambda p: p.score, lambda g: True
    )
    keep = scores >= threshold
    p, r, f = _prf(int(tp[keep].sum()), int(keep.sum()), n_gt)
    n_tp_cls, n_pred_cls = 0, 0
    for preds, gts in zip(predictions, ground_truth):
        kept = [e for e in preds if e.score >= threshold]
        n_pred_cls += len(kept)
        for c in {e.class_name for e in kept}:
            own = [e for e in kept if e.class_name == c]
            gt_on = np.array([g.start_s for g in gts if g.label == c], dtype=float)
            on = np.array([e.start_s for e in own], dtype=float)
            n_tp_cls += int(match_clip(on, np.array([e.score for e in own]), gt_on, tol).sum())
    cp, cr, cf = _prf(n_tp_cls, n_pred_cls, n_gt)
    return {
        "det_ap": average_precision(scores, tp, n_gt),
        "precision": p,
        "recall": r,
        "f1": f,
        "class_precision": cp,
        "class_recall": cr,
        "class_f1": cf,
        "n_gt": n_gt,
        "n_pred": int(keep.sum()),
        "n_tp": int(tp[keep].sum()),
        "threshold": threshold,
        "onset_tol_s": tol,
    }


def _class_score(event: Any, name: str) -> float | None:
    """Score of ``event`` for class ``name``: detection × class probability."""
    probs = getattr(event, "class_probs", None)
    if probs:
        return event.score * probs.get(name, 0.0)
    return event.score if event.class_name == name else None


def _class_ap(predictions, ground_truth, name: str, tol: float) -> float:
    scores, tp, n_gt = _ranked_matches(
        predictions, ground_truth, tol, lambda p: _class_score(p, name), lambda g: g.label == name
    )
    return average_precision(scores, tp, n_gt)


def _clip_ap(predictions, ground_truth, names: list[str], clip_scores: np.ndarray | None) -> dict:
    """Per-class AP of ranking clips by their class score (clip present/absent)."""
    out = {}
    for k, name in enumerate(names):
        truth = np.array([any(g.label == name for g in gts) for gts in ground_truth])
        if clip_scores is not None:
            scores = np.asarray(clip_scores, dtype=float)[:, k]
        else:
            scores = np.array(
                [max([_class_score(e, name) or 0.0 for e in p], default=0.0) for p in predictions]
            )
        out[name] = average_precision(scores, truth, int(truth.sum()))
    return out
