"""Detection metrics against cases computed by hand."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from models_app.detector import Event
from models_app.evaluation import (
    BOOTSTRAP_KEYS,
    _match_table,
    _resampled_metrics,
    as_ground_truth,
    as_predictions,
    average_precision,
    bootstrap_ci,
    box_iou,
    detection_outcomes,
    match_clip,
)
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


# ------------------------------------------------------------------ box matching


def box(t: float, dur: float, low: float | None, high: float | None, label: str = "a") -> Box:
    return Box(t, t + dur, low, high, label)


def det(t: float, dur: float, low: float, high: float, score: float, cls: str = "a") -> Event:
    return Event(t, t + dur, low, high, cls, score, {cls: 1.0})


def test_box_iou_of_known_boxes():
    a = np.array([[0.0, 1.0, 0.0, 10.0]])
    b = np.array([[0.0, 1.0, 0.0, 10.0], [0.5, 1.5, 0.0, 10.0], [0.0, 1.0, 5.0, 15.0]])
    np.testing.assert_allclose(box_iou(a, b), [[1.0, 1 / 3, 1 / 3]])
    # No frequency range on either side: time IoU alone.
    np.testing.assert_allclose(box_iou(a, [[0.5, 1.5, np.nan, np.nan]]), [[1 / 3]])


def test_perfect_box_matches_by_onset_and_by_iou():
    m = evaluate([[det(0.1, 0.005, 30_000, 50_000, 0.9)]], [[box(0.1, 0.005, 30_000, 50_000)]])
    assert m["f1"] == 1.0 and m["f1_iou"] == 1.0
    assert m["det_ap_iou"] == 1.0 and m["class_f1_iou"] == 1.0
    assert m["per_class_f1_iou"] == {"a": 1.0}


def test_box_shifted_in_frequency_matches_by_onset_but_not_by_iou():
    # Same time span, frequency range moved up by 15 of 20 kHz: IoU = 5 / 35 < 0.3.
    m = evaluate([[det(0.1, 0.005, 45_000, 65_000, 0.9)]], [[box(0.1, 0.005, 30_000, 50_000)]])
    assert (m["precision"], m["recall"], m["f1"]) == (1.0, 1.0, 1.0)
    assert (m["precision_iou"], m["recall_iou"], m["f1_iou"]) == (0.0, 0.0, 0.0)
    assert m["det_ap_iou"] == 0.0 and m["per_class_f1_iou"] == {"a": 0.0}
    assert m["n_tp"] == 1 and m["n_tp_iou"] == 0


def test_full_band_truth_is_matched_by_time_iou():
    # A bird box without a frequency range: a prediction over the same time matches.
    m = evaluate([[det(1.0, 0.4, 2_000, 4_000, 0.8)]], [[box(1.05, 0.4, None, None)]])
    assert m["f1_iou"] == 1.0


def test_per_class_f1_at_the_threshold():
    preds = [[det(0.1, 0.01, 1e4, 2e4, 0.9, "a"), det(0.3, 0.01, 1e4, 2e4, 0.9, "a")]]
    truth = [[box(0.1, 0.01, 1e4, 2e4, "a"), box(0.3, 0.01, 1e4, 2e4, "b")]]
    m = evaluate(preds, truth, class_names=["a", "b"])
    # a: 1 TP of 2 predicted, 1 true → F1 2/3; b: nothing predicted → 0.
    assert m["per_class_f1"] == {"a": pytest.approx(2 / 3), "b": 0.0}
    assert m["per_class_f1_iou"] == m["per_class_f1"]


def test_stored_prediction_dicts_are_accepted():
    stored = [[{"start_s": 0.1, "end_s": 0.105, "low_hz": 3e4, "high_hz": 5e4, "label": "a",
                "score": 0.9}]]  # fmt: skip
    truth = [[{"start_s": 0.1, "end_s": 0.105, "low_hz": 3e4, "high_hz": 5e4, "label": "a"}]]
    m = evaluate(stored, truth)
    assert m["f1_iou"] == 1.0 and m["class_f1"] == 1.0


def test_detection_outcomes_pairs_scores_with_matches():
    preds = [[det(0.1, 0.005, 3e4, 5e4, 0.9), det(0.5, 0.005, 3e4, 5e4, 0.4)], []]
    truth = [[box(0.1, 0.005, 3e4, 5e4)], [box(0.2, 0.005, 3e4, 5e4)]]
    scores, tp = detection_outcomes(preds, truth)
    assert sorted(zip(scores.tolist(), tp.tolist())) == [(0.4, False), (0.9, True)]


# --------------------------------------------------------------------- bootstrap


def random_clips(n: int, seed: int) -> tuple[list, list]:
    """Clips with 0–3 calls each, found with noisy scores, and some false alarms."""
    rng = np.random.default_rng(seed)
    preds, truth = [], []
    for _ in range(n):
        onsets = np.sort(rng.uniform(0, 0.9, rng.integers(0, 4)))
        truth.append([box(t, 0.005, 3e4, 5e4) for t in onsets])
        found = [det(t, 0.005, 3e4 + rng.normal(0, 8e3), 5e4, rng.uniform(0.3, 1.0))
                 for t in onsets if rng.random() < 0.8]  # fmt: skip
        noise = [det(t, 0.005, 3e4, 5e4, rng.uniform(0, 0.7)) for t in rng.uniform(0, 1, 2)]
        preds.append(found + noise)
    return preds, truth


def test_bootstrap_resample_equals_evaluate_on_the_resampled_clips():
    preds, truth = random_clips(15, seed=3)
    keys = ("det_ap", "det_ap_iou", "precision", "recall_iou", "f1", "f1_iou")
    counts = np.random.default_rng(0).multinomial(15, np.full(15, 1 / 15), size=3)
    table = _match_table(as_predictions(preds), as_ground_truth(truth), 0.01, 0.3)
    fast = _resampled_metrics(table, counts, keys, 0.5)
    for row, c in zip(fast, counts):
        idx = np.repeat(np.arange(15), c)
        m = evaluate([preds[i] for i in idx], [truth[i] for i in idx])
        np.testing.assert_allclose(row, [m[k] for k in keys], atol=1e-12)


def test_bootstrap_interval_contains_the_estimate_and_narrows_with_more_clips():
    keys = ("det_ap", "f1", "f1_iou")
    small_p, small_t = random_clips(20, seed=1)
    big_p, big_t = random_clips(200, seed=1)
    small = bootstrap_ci(small_p, small_t, keys=keys, n=500)
    big = bootstrap_ci(big_p, big_t, keys=keys, n=500)
    point = evaluate(big_p, big_t)
    for k in keys:
        assert big[k][0] <= point[k] <= big[k][1]
        assert big[k][1] - big[k][0] < 0.6 * (small[k][1] - small[k][0])
    assert bootstrap_ci(big_p, big_t, keys=keys, n=500) == big  # seeded


def test_bootstrap_of_200_clips_is_fast():
    preds, truth = random_clips(200, seed=2)
    t0 = time.perf_counter()
    bootstrap_ci(preds, truth, keys=BOOTSTRAP_KEYS, n=1000)
    assert time.perf_counter() - t0 < 5.0  # ~0.2 s when the machine is quiet


def test_bootstrap_refuses_unknown_keys():
    with pytest.raises(ValueError):
        bootstrap_ci([[]], [[]], keys=("map",))
