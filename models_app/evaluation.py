"""Detection and clip-level metrics: onset matching (BatDetect2-style) and box matching.

A prediction matches a ground-truth call in the same clip when their onsets differ by at
most ``onset_tol_s`` or, for the ``*_iou`` metrics, when their boxes' time–frequency
intersection over union is at least ``iou`` (a onset match says the call was found, a box
match that its extent is right too); matching is greedy by descending score and
one-to-one. Average
precision is the non-interpolated area under the precision–recall curve
(``sum (R_n - R_{n-1}) * P_n``, as in scikit-learn), with recall relative to *all*
ground-truth calls, so calls never predicted cap the AP below 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.boxes import box_iou  # noqa: F401  (public here: the evaluation's IoU)
from annotator.boxes import ratio as _ratio


def evaluate(
    predictions: Sequence[Sequence[Any]],
    ground_truth: Sequence[Sequence[Any]],
    *,
    onset_tol_s: float = 0.01,
    threshold: float = 0.5,
    class_names: Sequence[str] | None = None,
    clip_scores: np.ndarray | None = None,
    iou: float = 0.3,
) -> dict:
    """Score per-clip predicted events against per-clip ground-truth boxes.

    ``predictions[i]`` holds events with ``start_s``, ``end_s``, ``low_hz``, ``high_hz``,
    ``score`` and ``class_name`` (and optionally ``class_probs``: dict name → prob), or
    stored prediction dicts (``label`` for the class); ``ground_truth[i]`` holds boxes
    (objects or dicts) with ``start_s``, ``end_s``, ``low_hz``, ``high_hz`` and ``label``.
    ``clip_scores`` (``[n_clips, n_classes]``, in ``class_names`` order) are clip-level
    class probabilities; without them a clip's class score is its best event's
    ``score * class_prob``.

    Two matchings are reported: by onset (``|Δ onset| ≤ onset_tol_s``; the plain keys) and
    by box (time–frequency IoU ≥ ``iou``, time IoU for boxes without a frequency range;
    the ``*_iou`` keys). Returns plain floats/dicts: ``det_ap``, ``precision``/``recall``/
    ``f1`` at ``threshold`` (class-agnostic), ``class_precision``/``class_recall``/
    ``class_f1`` (a match must also have the right class), ``per_class_f1`` (name → F1 of
    that class alone), ``class_ap`` (per class), ``map`` (mean over classes with ground
    truth), the same with ``_iou``, ``clip_ap`` and ``clip_map``, and counts.
    """
    if len(predictions) != len(ground_truth):
        raise ValueError("predictions and ground_truth must have one entry per clip")
    predictions, ground_truth = as_predictions(predictions), as_ground_truth(ground_truth)
    names = (
        list(class_names) if class_names is not None else _class_names(predictions, ground_truth)
    )
    out: dict[str, Any] = {}
    for how, suffix in ((("onset", onset_tol_s), ""), (("iou", iou), "_iou")):
        det = _detection_metrics(predictions, ground_truth, how, threshold, names)
        class_ap = {c: _class_ap(predictions, ground_truth, c, how) for c in names}
        valid = [v for v in class_ap.values() if not np.isnan(v)]
        det["class_ap"] = class_ap
        det["map"] = float(np.mean(valid)) if valid else float("nan")
        out.update({k + suffix: v for k, v in det.items()})
    clip_ap = _clip_ap(predictions, ground_truth, names, clip_scores)
    clip_valid = [v for v in clip_ap.values() if not np.isnan(v)]
    return {
        **out,
        "threshold": threshold,
        "onset_tol_s": onset_tol_s,
        "iou": iou,
        "clip_ap": clip_ap,
        "clip_map": float(np.mean(clip_valid)) if clip_valid else float("nan"),
    }


def detection_outcomes(
    predictions: Sequence[Sequence[Any]],
    ground_truth: Sequence[Sequence[Any]],
    *,
    iou: float | None = None,
    onset_tol_s: float = 0.01,
    raw: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Every prediction's score and whether it matched a call: the data to calibrate on.

    Matching is class-agnostic, by onset within ``onset_tol_s`` or, with ``iou`` set, by
    box IoU ≥ ``iou``. Fit calibrations on uncalibrated scores: ``raw=True`` reads each
    event's ``raw_score`` (falling back to ``score`` where there is none).
    """
    if len(predictions) != len(ground_truth):
        raise ValueError("predictions and ground_truth must have one entry per clip")
    predictions, ground_truth = as_predictions(predictions), as_ground_truth(ground_truth)
    how = ("onset", onset_tol_s) if iou is None else ("iou", iou)
    pick = (lambda p: p.raw_score if p.raw_score is not None else p.score) if raw else None
    scores, tp, _ = _ranked_matches(predictions, ground_truth, how, pick, lambda g: True)
    return scores, tp


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
    """Greedy one-to-one onset matching in one clip; returns a TP flag per prediction.

    Predictions are taken best score first; each claims the nearest unclaimed
    ground-truth onset within ``tol``.
    """
    dist = np.abs(np.asarray(pred_onsets, float)[:, None] - np.asarray(gt_onsets, float)[None])
    return _greedy(pred_scores, -dist, dist <= tol + 1e-9)


def match_clip_iou(
    pred_boxes: np.ndarray, pred_scores: np.ndarray, gt_boxes: np.ndarray, min_iou: float
) -> np.ndarray:
    """Greedy one-to-one box matching in one clip; returns a TP flag per prediction.

    Boxes are rows ``(start_s, end_s, low_hz, high_hz)``; predictions are taken best score
    first and each claims the unclaimed ground-truth box it overlaps most, if that
    ``box_iou`` is at least ``min_iou``.
    """
    overlap = box_iou(pred_boxes, gt_boxes)
    return _greedy(pred_scores, overlap, overlap >= min_iou - 1e-9)


# --------------------------------------------------------------------- bootstrap

BOOTSTRAP_KEYS = (
    "det_ap",
    "det_ap_iou",
    "precision",
    "recall",
    "f1",
    "precision_iou",
    "recall_iou",
    "f1_iou",
)


def bootstrap_ci(
    predictions: Sequence[Sequence[Any]],
    ground_truth: Sequence[Sequence[Any]],
    *,
    keys: Sequence[str] = ("det_ap", "f1", "f1_iou"),
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    onset_tol_s: float = 0.01,
    iou: float = 0.3,
    threshold: float = 0.5,
) -> dict[str, list[float]]:
    """Percentile bootstrap interval over clips for detection metrics of ``evaluate``.

    Clips are resampled with replacement ``n`` times; each resample's metric equals what
    ``evaluate`` would report on that resampled list. The clips are matched once and the
    resamples reweight those matches (vectorised), so 1000 resamples of a few hundred
    clips take well under a second. Returns ``{key: [lo, hi]}`` (central ``level``);
    ``keys`` come from ``BOOTSTRAP_KEYS``.
    """
    unknown = set(keys) - set(BOOTSTRAP_KEYS)
    if unknown:
        raise ValueError(f"cannot bootstrap {sorted(unknown)}; known: {BOOTSTRAP_KEYS}")
    if len(predictions) != len(ground_truth):
        raise ValueError("predictions and ground_truth must have one entry per clip")
    if not len(predictions):
        return {k: [float("nan"), float("nan")] for k in keys}
    table = _match_table(
        as_predictions(predictions), as_ground_truth(ground_truth), onset_tol_s, iou
    )
    counts = np.random.default_rng(seed).multinomial(
        len(predictions), np.full(len(predictions), 1.0 / len(predictions)), size=n
    )
    values = np.concatenate(
        [_resampled_metrics(table, counts[i : i + 100], keys, threshold) for i in range(0, n, 100)]
    )
    tail = 100 * (1 - level) / 2
    lo, hi = np.nanpercentile(values, [tail, 100 - tail], axis=0) if len(values) else (None, None)
    return {k: [float(lo[j]), float(hi[j])] for j, k in enumerate(keys)}


# ------------------------------------------------------------------ internals


@dataclass(frozen=True)
class _Pred:
    start_s: float
    end_s: float
    low_hz: float
    high_hz: float
    score: float
    class_name: str | None
    class_probs: dict[str, float] | None = None
    raw_score: float | None = None


@dataclass(frozen=True)
class _Truth:
    start_s: float
    end_s: float
    low_hz: float
    high_hz: float
    label: str | None


def as_predictions(clips: Sequence[Sequence[Any]]) -> list[list[_Pred]]:
    """Per-clip predictions (``Event``-like objects or stored JSON dicts) in one shape."""
    return [[_pred(p) for p in clip] for clip in clips]


def as_ground_truth(clips: Sequence[Sequence[Any]]) -> list[list[_Truth]]:
    """Per-clip ground-truth boxes (objects or dicts) in one shape; ``None`` Hz → ``nan``."""
    return [[_truth(g) for g in clip] for clip in clips]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _hz(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _pred(p: Any) -> _Pred:
    if isinstance(p, _Pred):
        return p
    name = _get(p, "class_name", _get(p, "label"))
    raw = _get(p, "raw_score")
    return _Pred(
        float(_get(p, "start_s")),
        float(_get(p, "end_s")),
        _hz(_get(p, "low_hz")),
        _hz(_get(p, "high_hz")),
        float(_get(p, "score")),
        name,
        _get(p, "class_probs"),
        None if raw is None else float(raw),
    )


def _truth(g: Any) -> _Truth:
    if isinstance(g, _Truth):
        return g
    return _Truth(
        float(_get(g, "start_s")),
        float(_get(g, "end_s")),
        _hz(_get(g, "low_hz")),
        _hz(_get(g, "high_hz")),
        _get(g, "label"),
    )


def _greedy(scores: np.ndarray, quality: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Best-scored prediction first claims the best-``quality`` free ``ok`` ground truth."""
    scores = np.asarray(scores, dtype=float)
    is_tp = np.zeros(len(scores), dtype=bool)
    if not ok.size:
        return is_tp
    free = np.ones(ok.shape[1], dtype=bool)
    for i in np.argsort(-scores, kind="stable"):
        q = np.where(free & ok[i], quality[i], -np.inf)
        j = int(np.argmax(q))
        if q[j] > -np.inf:
            is_tp[i] = True
            free[j] = False
            if not free.any():
                break
    return is_tp


def _boxes(items: Sequence[Any]) -> np.ndarray:
    return np.array([(x.start_s, x.end_s, x.low_hz, x.high_hz) for x in items], float).reshape(
        -1, 4
    )


def _tp_flags(preds: Sequence[_Pred], scores, gts: Sequence[_Truth], how) -> np.ndarray:
    """Match one clip's predictions (ranked by ``scores``) by onset or by box IoU."""
    kind, value = how
    if kind == "onset":
        onsets = np.array([p.start_s for p in preds], dtype=float)
        return match_clip(onsets, scores, np.array([g.start_s for g in gts], dtype=float), value)
    return match_clip_iou(_boxes(preds), scores, _boxes(gts), value)


def _class_names(predictions: list[list[_Pred]], ground_truth: list[list[_Truth]]) -> list[str]:
    names = {b.label for clip in ground_truth for b in clip if b.label is not None}
    names |= {e.class_name for clip in predictions for e in clip if e.class_name is not None}
    return sorted(names)


def _ranked_matches(predictions, ground_truth, how, score_fn, gt_filter):
    """Match every clip and pool the (score, is_tp) pairs for an AP computation."""
    score_fn = score_fn or (lambda p: p.score)
    all_scores, all_tp, n_gt = [], [], 0
    for preds, gts in zip(predictions, ground_truth):
        gts = [g for g in gts if gt_filter(g)]
        scored = [(p, score_fn(p)) for p in preds]
        scored = [(p, s) for p, s in scored if s is not None and s > 0]
        n_gt += len(gts)
        if not scored:
            continue
        kept, scores = [p for p, _ in scored], np.array([s for _, s in scored], dtype=float)
        all_scores.append(scores)
        all_tp.append(_tp_flags(kept, scores, gts, how))
    if not all_scores:
        return np.zeros(0), np.zeros(0, dtype=bool), n_gt
    return np.concatenate(all_scores), np.concatenate(all_tp), n_gt


def _prf(n_tp: int, n_pred: int, n_gt: int) -> tuple[float, float, float]:
    precision = n_tp / n_pred if n_pred else 0.0
    recall = n_tp / n_gt if n_gt else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _detection_metrics(predictions, ground_truth, how, threshold: float, names) -> dict:
    """Class-agnostic AP and P/R/F1 at ``threshold``, plus class-aware P/R/F1."""
    scores, tp, n_gt = _ranked_matches(predictions, ground_truth, how, None, lambda g: True)
    keep = scores >= threshold
    p, r, f = _prf(int(tp[keep].sum()), int(keep.sum()), n_gt)
    predicted = {e.class_name for preds in predictions for e in preds if e.score >= threshold}
    per_class = {
        c: _class_counts(predictions, ground_truth, c, how, threshold)
        for c in dict.fromkeys([*names, *sorted(predicted - set(names) - {None})])
    }
    n_tp_cls = sum(t for t, _, _ in per_class.values())
    n_pred_cls = sum(len([e for e in preds if e.score >= threshold]) for preds in predictions)
    cp, cr, cf = _prf(n_tp_cls, n_pred_cls, n_gt)
    return {
        "det_ap": average_precision(scores, tp, n_gt),
        "precision": p,
        "recall": r,
        "f1": f,
        "class_precision": cp,
        "class_recall": cr,
        "class_f1": cf,
        "per_class_f1": {
            c: _prf(*counts)[2] if counts[1] + counts[2] else float("nan")
            for c, counts in per_class.items()
            if c in names
        },
        "n_gt": n_gt,
        "n_pred": int(keep.sum()),
        "n_tp": int(tp[keep].sum()),
    }


def _class_counts(predictions, ground_truth, name: str, how, threshold: float):
    """(TP, predicted, true) counts of one class at ``threshold``."""
    n_tp = n_pred = n_gt = 0
    for preds, gts in zip(predictions, ground_truth):
        own = [e for e in preds if e.score >= threshold and e.class_name == name]
        truth = [g for g in gts if g.label == name]
        n_pred, n_gt = n_pred + len(own), n_gt + len(truth)
        if own and truth:
            n_tp += int(_tp_flags(own, [e.score for e in own], truth, how).sum())
    return n_tp, n_pred, n_gt


def _class_score(event: _Pred, name: str) -> float | None:
    """Score of ``event`` for class ``name``: detection × class probability."""
    if event.class_probs:
        return event.score * event.class_probs.get(name, 0.0)
    return event.score if event.class_name == name else None


def _class_ap(predictions, ground_truth, name: str, how) -> float:
    scores, tp, n_gt = _ranked_matches(
        predictions, ground_truth, how, lambda p: _class_score(p, name), lambda g: g.label == name
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


@dataclass
class _MatchTable:
    """Every clip matched once: detections sorted by score, with their clip and flags."""

    clip: np.ndarray  # [n_det] clip index
    score: np.ndarray  # [n_det] descending
    tp: np.ndarray  # [n_det] onset match
    tp_iou: np.ndarray  # [n_det] box match
    n_gt: np.ndarray  # [n_clips]


def _match_table(predictions, ground_truth, tol: float, iou: float) -> _MatchTable:
    rows = []
    for k, (preds, gts) in enumerate(zip(predictions, ground_truth)):
        preds = [p for p in preds if p.score > 0]
        if preds:
            s = np.array([p.score for p in preds], dtype=float)
            on, box = (
                _tp_flags(preds, s, gts, ("onset", tol)),
                _tp_flags(preds, s, gts, ("iou", iou)),
            )
            rows.append(np.column_stack([np.full(len(s), k), s, on, box]))
    flat = np.concatenate(rows) if rows else np.zeros((0, 4))
    flat = flat[np.argsort(-flat[:, 1], kind="stable")]
    n_gt = np.array([len(g) for g in ground_truth], dtype=float)
    return _MatchTable(flat[:, 0].astype(int), flat[:, 1], flat[:, 2], flat[:, 3], n_gt)


def _resampled_metrics(t: _MatchTable, counts: np.ndarray, keys, threshold: float) -> np.ndarray:
    """``[n_resamples, len(keys)]`` metrics of resamples given as per-clip ``counts``."""
    w = counts[:, t.clip].astype(float)  # [B, n_det]: each detection's multiplicity
    n_gt = counts @ t.n_gt
    above = t.score >= threshold
    n_pred = w[:, above].sum(axis=1)
    out = {}
    for suffix, tp in (("", t.tp), ("_iou", t.tp_iou)):
        out["det_ap" + suffix] = _weighted_ap(t.score, tp, w, n_gt)
        n_tp = (w[:, above] * tp[above]).sum(axis=1)
        precision = _ratio(n_tp, n_pred)
        recall = _ratio(n_tp, n_gt)
        out["precision" + suffix], out["recall" + suffix] = precision, recall
        out["f1" + suffix] = _ratio(2 * precision * recall, precision + recall)
    return np.column_stack([out[k] for k in keys])


def _weighted_ap(score: np.ndarray, tp: np.ndarray, w: np.ndarray, n_gt: np.ndarray) -> np.ndarray:
    """``average_precision`` of each row's weighted (= resampled) detections."""
    if not len(score):
        return np.where(n_gt > 0, 0.0, np.nan)
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]  # ends of tie groups
    cum_tp = np.cumsum(w * tp, axis=1)[:, last]
    cum_n = np.cumsum(w, axis=1)[:, last]
    precision = _ratio(cum_tp, cum_n)
    recall = _ratio(cum_tp, np.broadcast_to(n_gt[:, None], cum_tp.shape).astype(float))
    ap = np.sum(np.diff(recall, axis=1, prepend=0.0) * precision, axis=1)
    return np.where(n_gt > 0, ap, np.nan)
