"""Model input features: fixed grid, coordinate mapping, sample-rate independence."""

from __future__ import annotations

import numpy as np
import pytest

from models_app.features import (
    FeatureConfig,
    col_to_time,
    compute_features,
    freq_to_row,
    n_frames,
    row_to_freq,
    time_to_col,
)


def tone(
    samplerate: int, freq: float, start_s: float, dur_s: float, total_s: float = 0.5
) -> np.ndarray:
    """A Hann-windowed tone burst in faint white noise."""
    rng = np.random.default_rng(0)
    x = 1e-3 * rng.standard_normal(int(total_s * samplerate))
    n = int(dur_s * samplerate)
    i0 = int(start_s * samplerate)
    t = np.arange(n) / samplerate
    x[i0 : i0 + n] += np.hanning(n) * np.sin(2 * np.pi * freq * t)
    return x.astype(np.float32)


def peak(x: np.ndarray) -> tuple[int, int]:
    r, c = np.unravel_index(np.argmax(x), x.shape)
    return int(r), int(c)


@pytest.mark.parametrize("representation", ["spectrogram", "scalogram"])
@pytest.mark.parametrize("scaling", ["log", "pcen"])
def test_shape_dtype_and_peak_position(representation, scaling):
    cfg = FeatureConfig(representation=representation, scaling=scaling)
    x = compute_features(tone(256_000, 50_000, 0.2, 0.01), 256_000, cfg)
    assert x.shape == (128, 500) and x.dtype == np.float32
    r, c = peak(x)
    assert abs(row_to_freq(r, cfg) - 50_000) < 2 * cfg.bin_hz
    assert 0.2 <= col_to_time(c, cfg) <= 0.21


def test_same_call_lands_on_same_cells_at_any_samplerate():
    cfg = FeatureConfig()
    peaks = {
        sr: peak(compute_features(tone(sr, 40_000, 0.3, 0.005), sr, cfg))
        for sr in (256_000, 384_000, 500_000)
    }
    rows = [p[0] for p in peaks.values()]
    cols = [p[1] for p in peaks.values()]
    assert max(rows) - min(rows) <= 1 and max(cols) - min(cols) <= 1


def test_coordinate_mappings_are_inverse():
    cfg = FeatureConfig(fmin=1_000, fmax=11_000, n_freq_bins=100, frames_per_second=200)
    t = np.array([0.0, 0.123, 4.5])
    f = np.array([1_000.0, 5_432.0, 11_000.0])
    np.testing.assert_allclose(col_to_time(time_to_col(t, cfg), cfg), t)
    np.testing.assert_allclose(row_to_freq(freq_to_row(f, cfg), cfg), f)
    assert time_to_col(0.0025, FeatureConfig()) == pytest.approx(2.0)  # centre of column 2
    assert freq_to_row(cfg.fmin + cfg.bin_hz / 2, cfg) == pytest.approx(0.0)


def test_n_frames_covers_the_clip():
    cfg = FeatureConfig()
    assert n_frames(384_000, 384_000, cfg) == 1000
    assert n_frames(384_001, 384_000, cfg) == 1001
    assert n_frames(10, 384_000, cfg) == 1


def test_rows_above_nyquist_are_silent():
    cfg = FeatureConfig(fmin=10_000, fmax=120_000)
    x = compute_features(tone(96_000, 30_000, 0.1, 0.01), 96_000, cfg)
    above = row_to_freq(np.arange(cfg.n_freq_bins), cfg) >= 48_000
    assert np.all(x[above] == 0)


def test_log_scaling_ignores_recorder_gain():
    audio = tone(256_000, 60_000, 0.1, 0.01)
    cfg = FeatureConfig()
    np.testing.assert_allclose(
        compute_features(audio, 256_000, cfg),
        compute_features(audio * 0.01, 256_000, cfg),
        atol=1e-4,
    )


def test_stereo_is_averaged_and_bad_input_refused():
    cfg = FeatureConfig()
    mono = tone(256_000, 60_000, 0.1, 0.01)
    stereo = np.stack([mono, mono], axis=1)
    np.testing.assert_allclose(
        compute_features(stereo, 256_000, cfg), compute_features(mono, 256_000, cfg)
    )
    with pytest.raises(ValueError):
        compute_features(np.zeros(0, np.float32), 256_000, cfg)
    with pytest.raises(ValueError):
        FeatureConfig(representation="wavelet")


def test_config_round_trips_through_dict():
    cfg = FeatureConfig(representation="scalogram", scaling="pcen", fmin=2_000, fmax=12_000)
    assert FeatureConfig.from_dict({**cfg.to_dict(), "unknown": 1}) == cfg
    assert 0 < FeatureConfig().overlap < 1
