"""Platt calibration of detection scores: fitting, fallbacks, round trips."""

from __future__ import annotations

import numpy as np
import pytest

from models_app.calibration import (
    SERVED_THRESHOLD,
    Calibration,
    expected_calibration_error,
    fit_calibration,
)


def overconfident(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores far more extreme than the truth: a call at true probability q gets
    the score sigmoid(3 * logit(q))."""
    rng = np.random.default_rng(seed)
    q = rng.uniform(0.05, 0.95, n)
    is_tp = rng.random(n) < q
    raw = 1 / (1 + np.exp(-3 * np.log(q / (1 - q))))
    return raw, is_tp


def test_fitting_fixes_overconfident_scores():
    raw, is_tp = overconfident(2000)
    cal = fit_calibration(raw, is_tp)
    assert cal.a == pytest.approx(1 / 3, abs=0.05) and cal.b == pytest.approx(0.0, abs=0.1)
    test_raw, test_tp = overconfident(2000, seed=1)
    before = expected_calibration_error(test_raw, test_tp)
    after = expected_calibration_error(cal.apply(test_raw), test_tp)
    assert before > 0.1 and after < 0.04


def test_calibration_keeps_the_ranking():
    raw, is_tp = overconfident(500)
    cal = fit_calibration(raw, is_tp)
    order = np.argsort(raw)
    assert np.all(np.diff(cal.apply(raw)[order]) >= 0)


def test_identity_with_few_detections_or_one_outcome():
    assert fit_calibration(np.array([0.9, 0.2, 0.7]), np.array([1, 0, 1])) == Calibration()
    assert fit_calibration(np.linspace(0.1, 0.9, 50), np.ones(50, bool)) == Calibration()
    np.testing.assert_array_equal(Calibration().apply(np.array([0.2, 0.6])), [0.2, 0.6])


def test_a_handful_of_separable_detections_gives_a_moderate_map():
    # Perfectly separated: unregularised maximum likelihood would send a to infinity.
    raw = np.r_[np.linspace(0.3, 0.45, 6), np.linspace(0.55, 0.7, 6)]
    cal = fit_calibration(raw, raw > 0.5)
    assert 0.05 <= cal.a <= 20
    assert 0.02 < cal.apply(0.3) < 0.5 < cal.apply(0.7) < 0.98


def test_raw_threshold_inverts_apply():
    cal = Calibration(a=0.6, b=-0.8, n=100)
    raw = cal.raw_threshold(SERVED_THRESHOLD)
    assert float(cal.apply(raw)) == pytest.approx(SERVED_THRESHOLD)
    assert Calibration().raw_threshold(0.3) == 0.3


def test_dict_round_trip_and_identity_default():
    cal = Calibration(a=0.5, b=0.25, n=42)
    assert Calibration.from_dict(cal.to_dict()) == cal
    assert Calibration.from_dict(None) == Calibration() == Calibration.from_dict({})
    with pytest.raises(ValueError):
        Calibration.from_dict({"method": "isotonic"})
