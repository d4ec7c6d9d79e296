"""annotator.dsp for experts' views: reassigned and multitaper spectrograms, the window that
follows the zoom, percentile levels, the scalogram's bandwidth and the cost bound."""

from __future__ import annotations

import numpy as np
import pytest

from annotator import dsp, imaging
from annotator.dsp import limits
from tests.annotator.test_dsp import SR, chirp, tone


def test_reassignment_moves_energy_to_a_chirps_instantaneous_frequency() -> None:
    duration, f0, f1 = 0.01, 80_000.0, 30_000.0
    x = chirp(f0, f1, duration)
    truth = lambda t: f0 + (f1 - f0) * t / duration  # noqa: E731
    spreads = {}
    for sharpen in ("none", "reassigned"):
        params = dsp.SpectrogramParams(
            window_s=0.001, overlap=0.75, pad=4, sharpen=sharpen, fmin=10_000, fmax=150_000
        )
        spec = dsp.spectrogram(x, SR, params)
        inside = slice(spec.n_cols // 5, 4 * spec.n_cols // 5)  # away from the sweep's ends
        spreads[sharpen] = float(
            np.median(
                [
                    np.sqrt((p * (spec.freqs - truth(t)) ** 2).sum() / p.sum())
                    for p, t in zip(
                        10 ** (spec.values[:, inside].T / 10), spec.times[inside], strict=True
                    )
                ]
            )
        )
    # plain 1-ms Hann on a 5 kHz/ms sweep: ~1 kHz of smear; reassigned: within a few bins (96 Hz)
    assert spreads["reassigned"] < 0.4 * spreads["none"], spreads
    assert spreads["reassigned"] < 400, spreads


def test_reassignment_moves_a_clicks_energy_to_its_instant() -> None:
    x = np.zeros(SR // 50, dtype=np.float32)
    x[3000] = 1.0
    for sharpen, share in (("none", 0.5), ("reassigned", 0.9)):
        params = dsp.SpectrogramParams(window_s=0.002, overlap=0.875, sharpen=sharpen)
        spec = dsp.spectrogram(x, SR, params)
        power = (10 ** (spec.values.astype(np.float64) / 10)).sum(axis=0)
        nearest = int(round(3000 / params.hop_length(SR)))
        in_column = power[nearest] / power.sum()
        assert (in_column > share) if sharpen == "reassigned" else (in_column < share), (
            sharpen,
            in_column,
        )


def test_multitaper_spectrogram_of_noise_speckles_less() -> None:
    noise = np.random.default_rng(1).normal(0, 0.01, SR // 10).astype(np.float32)
    spread = {
        sharpen: float(
            np.std(
                dsp.spectrogram(
                    noise, SR, dsp.SpectrogramParams(sharpen=sharpen, fmin=10_000)
                ).values
            )
        )
        for sharpen in ("none", "multitaper")
    }
    assert spread["multitaper"] < 0.7 * spread["none"], spread


def test_auto_window_follows_the_zoom() -> None:
    project_window = 0.002
    # the clip with its context at the page's base size: pixels are wider than 2 ms / 4, keep 2 ms
    assert dsp.auto_window_s(1.2, 1600, project_window) == project_window
    # zoomed to 0.2 s over 1200 px: 4 pixels = 0.67 ms, a sub-millisecond window for a 2-ms call
    assert dsp.auto_window_s(0.2, 1200, project_window) == pytest.approx(0.2 / 300)
    assert dsp.auto_window_s(0.1, 1200, project_window) == 0.0005  # never below 0.5 ms
    assert (
        dsp.auto_window_s(0.1, None, project_window) == project_window
    )  # no width: no zoom to follow


def test_windows_snap_to_a_small_grid_of_fft_sizes() -> None:
    assert limits.frame_samples(0.002, 384_000) == 768
    assert limits.frame_samples(0.002, 256_000) == 512
    rng = np.random.default_rng(0)
    frames = {limits.frame_samples(w, 384_000) for w in rng.uniform(*limits.WINDOW_S, 5000)}
    assert len(frames) <= 25 and all(n % 2 == 0 for n in frames)
    assert {limits.quantise_overlap(o) for o in rng.uniform(0, 0.95, 5000)} <= {
        round(0.05 * i, 2) for i in range(20)
    }


def test_short_windows_are_zero_padded_to_enough_rows() -> None:
    assert dsp.fft_pad(768, 384_000, 140_000, 512) == 1  # 280 rows already
    pad = dsp.fft_pad(96, 384_000, 140_000, 512)
    assert 96 * pad * 140_000 / 384_000 >= 128 and pad in (4, 8)


def test_percentile_levels_make_a_loud_noisy_clip_readable() -> None:
    rng = np.random.default_rng(2)
    noise = rng.normal(0, 0.1, SR // 10).astype(np.float32)  # loud background: ~-30 dB per bin
    noise[15_000:15_768] += tone(50_000, 0.002, amplitude=0.8)  # a 2-ms call
    spec = dsp.spectrogram(noise, SR, dsp.SpectrogramParams(fmin=10_000))
    call = np.zeros(spec.values.shape, dtype=bool)
    call[np.abs(spec.freqs - 50_000) < 1000, round(15_384 / 192) - 1 : round(15_384 / 192) + 2] = (
        True
    )

    def indices(vmin: float, vmax: float) -> np.ndarray:
        return imaging._indices(spec.values, vmin, vmax).astype(int)

    fixed = indices(-90.0, -20.0)  # the project's default range: background and call look alike
    auto = indices(*dsp.auto_levels(spec.values))
    assert np.median(fixed[~call]) > 150  # a bright field
    assert np.median(auto[~call]) <= 1 and auto[call].min() > 200  # dark background, bright call


def test_percentile_levels_ignore_empty_cells_and_keep_a_minimum_span() -> None:
    values = np.full((10, 100), -200.0, dtype=np.float32)  # mostly empty (reassigned or silent)
    values[:, :10] = -50.0
    assert dsp.auto_levels(values) == (-50.0, -30.0)
    assert dsp.auto_levels(np.full((4, 4), -200.0)) == (-100.0, -20.0)


def test_scalogram_bandwidth_narrows_a_constant_frequency_call() -> None:
    x = tone(103_000, 0.05)

    def band_above_half_power(w0: float) -> float:
        params = dsp.ScalogramParams(
            fmin=60_000, fmax=150_000, n_rows=256, n_cols=200, spacing="linear", w0=w0
        )
        spec = dsp.scalogram(x, SR, params)
        column = spec.values[:, spec.n_cols // 2]
        loud = spec.freqs[column > column.max() - 3]
        return float(loud.max() - loud.min())

    # the usual Morlet (FM preset) smears the tone over ~20 kHz; the CF preset keeps it narrow
    assert band_above_half_power(limits.W0_PRESETS["fm"]) > 15_000
    assert band_above_half_power(limits.W0_PRESETS["cf"]) < 3_000


def test_view_settings_rule_names_every_bad_field() -> None:
    ok = {"window_s": 0.002, "overlap": 0.75, "window_type": "hann", "sharpen": "none", "w0": 6.0}
    assert limits.view_settings_errors(**ok) == {}
    bad = {"window_s": 0.5, "overlap": 0.99, "window_type": "kaiser", "sharpen": "blur", "w0": 1.0}
    assert set(limits.view_settings_errors(**bad)) == set(bad)


def test_cost_bound_refuses_what_would_take_too_long() -> None:
    minute = 60 * 384_000
    plain = limits.spectrogram_work(minute, 768, 1, 192, "none")
    limits.check_work(plain)  # a minute of the default view is allowed
    with pytest.raises(ValueError, match="operations"):
        limits.check_work(limits.spectrogram_work(minute, 768, 8, 38, "reassigned"))
    with pytest.raises(ValueError, match="operations"):
        limits.check_work(limits.scalogram_work(minute, 384_000, 1000, 190_000, 4096, 4096, 3.0))
