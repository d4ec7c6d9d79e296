"""Detection metrics against cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models_app.detector import Event
from models_app.evaluation import average_precision, match_clip
from models_app.training import Box, evaluate


def ev(t: float, score: float, cls: str = "a", probs: dict | None = None) -> Event:
    return Event(
        t, t + 0.005, 20_000, 40_000, cls, score, probs if probs is not None else {cls: 1.0}
    )


def gt(t: float, label: str = "a") -> Box:
    return Box(t, t + 0.005, 20_000, 40_000, label)


def test_tied_scores_form_one_threshold():
    # Tied TP and FP: precision 1/2 at recall 1, whatever their order.
    assert average_precision(np.array([0.5, 0.5]), np.array([0, 1]), 1) == pytest.approx(0.5)
    assert average_precision(np.array([0.5, 0.5]), np.array([1, 0]), 1) == pytest.approx(0.5)


def test_ap_of_a_ranked_list():
    # TP, FP, TP with 3 ground truths: AP = 1·(1/3) + (2/3)·(1/3) = 5/9.
    assert average_precision(np.array([0.9, 0.8, 0.7]), np.array([1, 0, 1]), 3) == pytest.approx(
        5 / 9
    )
    assert average_precision(np.array([0.9, 0.8]), np.array([1, 1]), 2) == pytest.approx(1.0)
    assert average_precision(np.array([]), np.array([]), 2) == 0.0
    assert math.isnan(average_precision(np.array([0.5]), np.array([0]), 0))


def test_onset_tolerance_is_inclusive_at_10_ms():
    tp = match_clip(np.array([0.109, 0.311]), np.array([0.9, 0.8]), np.array([0.1, 0.3]), 0.01)
    assert tp.tolist() == [True, False]


def test_matching_is_one_to_one_and_greedy_by_score():
    # Two predictions near one call: the better-scored one takes it, the other is a FP.
    tp = match_clip(np.array([0.101, 0.1]), np.array([0.6, 0.9]), np.array([0.1]), 0.01)
    assert tp.tolist() == [False, True]


def test_detection_precision_recall_f1_at_threshold():
    preds = [[ev(0.100, 0.9), ev(0.500, 0.8)], [ev(0.2, 0.4), ev(0.7, 0.6)]]
    truth = [[gt(0.105), gt(0.9)], [gt(0.2), gt(0.702)]]
    m = evaluate(preds, truth, threshold=0.5)
    # Above 0.5: 0.9 TP, 0.8 FP, 0.6 TP → P = 2/3, R = 2/4, F1 = 4/7.
    assert (m["precision"], m["recall"]) == (pytest.approx(2 / 3), pytest.approx(0.5))
    assert m["f1"] == pytest.approx(4 / 7)
    # Ranked 0.9 TP, 0.8 FP, 0.6 TP, 0.4 TP over 4 calls: (1 + 2/3 + 3/4) / 4.
    assert m["det_ap"] == pytest.approx((1 + 2 / 3 + 3 / 4) / 4)
    assert (m["n_gt"], m["n_pred"], m["n_tp"]) == (4, 3, 2)


def test_per_class_ap_uses_detection_times_class_probability():
    preds = [
        [
            ev(0.1, 0.9, "a", {"a": 0.8, "b": 0.2}),
            ev(0.4, 0.8, "b", {"a": 0.3, "b": 0.7}),
        ]
    ]
    truth = [[gt(0.1, "a"), gt(0.4, "b")]]
    m = evaluate(preds, truth, class_names=["a", "b"])
    # Class a: scores 0.72 (TP at 0.1) and 0.24 (at 0.4: no class-a call there → FP).
    assert m["class_ap"]["a"] == pytest.approx(1.0)
    assert m["class_ap"]["b"] == pytest.approx(1.0)
    assert m["map"] == pytest.approx(1.0)
    # A wrongly classified call: class AP for "b" drops to 0, detection is still perfect.
    wrong = [[ev(0.1, 0.9, "a", {"a": 0.8, "b": 0.2}), ev(0.4, 0.8, "a", {"a": 1.0, "b": 0.0})]]
    m = evaluate(wrong, truth, class_names=["a", "b"])
    assert m["det_ap"] == pytest.approx(1.0)
    assert m["class_ap"]["b"] == 0.0
    assert m["class_f1"] == pytest.approx(0.5)  # one of two right at threshold 0.5


def test_classes_without_ground_truth_are_left_out_of_map():
    m = evaluate([[ev(0.1, 0.9, "a")]], [[gt(0.1, "a")]], class_names=["a", "z"])
    assert math.isnan(m["class_ap"]["z"]) and m["map"] == pytest.approx(1.0)


def test_clip_level_map_from_given_scores_and_from_events():
    truth = [[gt(0.1, "a")], [gt(0.1, "b")], []]
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])
    m = evaluate([[], [], []], truth, class_names=["a", "b"], clip_scores=scores)
    # Class a: clip 0 ranked first → AP 1. Class b: 0.8 TP, then 0.7 FP → AP 1.
    assert m["clip_ap"] == {"a": pytest.approx(1.0), "b": pytest.approx(1.0)}
    scores[2, 1] = 0.95  # the empty clip now outranks the true one for b: AP 1/2
    m = evaluate([[], [], []], truth, class_names=["a", "b"], clip_scores=scores)
    assert m["clip_ap"]["b"] == pytest.approx(0.5) and m["clip_map"] == pytest.approx(0.75)
    from_events = evaluate([[ev(0.1, 0.9, "a")], [], []], truth, class_names=["a", "b"])
    assert from_events["clip_ap"]["a"] == pytest.approx(1.0)
    # No event of class b: all three clips tie at 0 → one threshold, precision 1/3.
    assert from_events["clip_ap"]["b"] == pytest.approx(1 / 3)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        evaluate([[]], [[], []])
