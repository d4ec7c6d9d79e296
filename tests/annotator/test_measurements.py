"""Call measurements against synthetic calls with known parameters, noise, silence and real bat calls."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import scipy.signal
import soundfile as sf

from annotator import measurements as m
from tests.conftest import DATA

SR = 384_000
WHOMBAT = DATA / "whombat"


def embed(
    call: np.ndarray,
    *,
    at_s: float = 0.01,
    total_s: float = 0.05,
    noise: float = 1e-3,
    seed: int = 0,
) -> np.ndarray:
    """The call at ``at_s`` in white noise (the call's amplitude is 0.5: about 48 dB above it)."""
    x = noise * np.random.default_rng(seed).standard_normal(int(total_s * SR))
    start = int(round(at_s * SR))
    x[start : start + call.size] += call
    return x.astype(np.float32)


def shaped(phase: np.ndarray) -> np.ndarray:
    """A call of amplitude 0.5 with 0.3-ms raised-cosine ramps (its −20 dB extent is its length)."""
    return (
        0.5 * scipy.signal.windows.tukey(phase.size, 2 * 0.0003 * SR / phase.size) * np.sin(phase)
    )


def linear_sweep(f0: float, f1: float, duration: float) -> np.ndarray:
    t = np.arange(int(duration * SR)) / SR
    return shaped(2 * np.pi * (f0 * t + (f1 - f0) / (2 * duration) * t**2))


def hyperbolic_sweep(f0: float, f1: float, duration: float) -> np.ndarray:
    """f(t) = a / (t + b), the shape of many vespertilionid FM calls."""
    t = np.arange(int(duration * SR)) / SR
    b = duration * f1 / (f0 - f1)
    return shaped(2 * np.pi * f0 * b * np.log((t + b) / b))


def cf_with_fm_tail(cf: float, cf_s: float, end: float, fm_s: float) -> np.ndarray:
    """A horseshoe-bat-like call: a constant tone, then a linear sweep down to ``end``."""
    t = np.arange(int((cf_s + fm_s) * SR)) / SR
    tail = np.clip(t - cf_s, 0, None)
    return shaped(2 * np.pi * (cf * t + (end - cf) / (2 * fm_s) * tail**2))


def measure(x: np.ndarray, box: m.Band) -> m.Measurements:
    return m.measure(x, SR, 0.0, box)


def test_linear_fm_sweep():
    got = measure(embed(linear_sweep(80_000, 40_000, 0.003)), m.Band(0.008, 0.015, 30_000, 90_000))
    assert got.reason is None and got.snr_db > 40
    assert got.duration_s == pytest.approx(0.003, rel=0.08)
    assert got.call_start_s == pytest.approx(0.010, abs=2e-4)
    assert got.start_hz == pytest.approx(80_000, rel=0.05)
    assert got.end_hz == pytest.approx(40_000, rel=0.06)
    assert (got.low_hz, got.high_hz) == (got.end_hz, got.start_hz)  # a down-sweep
    assert got.bandwidth_hz == pytest.approx(got.high_hz - got.low_hz)
    # Equal slope everywhere: the body is the end of the call.
    assert got.characteristic_hz == pytest.approx(got.end_hz, rel=0.03)
    assert 40_000 < got.peak_hz < 80_000 and 0.010 <= got.peak_time_s <= 0.013
    assert got.freq_5_hz < got.center_hz < got.freq_95_hz
    assert got.center_hz == pytest.approx(60_000, rel=0.05)  # a flat sweep spreads energy evenly


def test_hyperbolic_fm_sweep_flattens_towards_its_end():
    got = measure(
        embed(hyperbolic_sweep(90_000, 45_000, 0.004)), m.Band(0.008, 0.016, 35_000, 100_000)
    )
    assert got.reason is None
    assert got.duration_s == pytest.approx(0.004, rel=0.08)
    assert got.start_hz == pytest.approx(90_000, rel=0.06)
    assert got.end_hz == pytest.approx(45_000, rel=0.05)
    assert got.characteristic_hz == pytest.approx(45_000, rel=0.05)
    # Time per Hz goes as 1/f²: half the energy lies below 60 kHz, 5 % below 46 kHz.
    assert got.center_hz == pytest.approx(60_000, rel=0.03)
    assert got.freq_5_hz == pytest.approx(46_100, rel=0.03)


def test_cf_tone_with_fm_tail_has_fc_at_the_tone_not_the_tail():
    got = measure(
        embed(cf_with_fm_tail(100_000, 0.020, 80_000, 0.003)), m.Band(0.008, 0.036, 70_000, 110_000)
    )
    assert got.reason is None
    assert got.duration_s == pytest.approx(0.023, rel=0.05)
    assert got.characteristic_hz == pytest.approx(100_000, abs=500)
    assert got.peak_hz == pytest.approx(100_000, abs=200)
    assert got.start_hz == pytest.approx(100_000, abs=500)
    assert got.end_hz == pytest.approx(80_000, rel=0.04)
    assert got.high_hz == pytest.approx(100_000, abs=500)
    assert got.low_hz == got.end_hz


def test_box_band_limits_what_is_measured():
    """Two calls at once: the box around the lower one measures only it."""
    x = embed(linear_sweep(80_000, 40_000, 0.003)) + embed(
        cf_with_fm_tail(120_000, 0.003, 118_000, 0.001), noise=0
    )
    got = measure(x, m.Band(0.008, 0.015, 30_000, 90_000))
    assert got.high_hz < 90_000 and got.peak_hz < 90_000


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "box",
    [
        m.Band(0.01, 0.03, 30_000, 90_000),
        m.Band(0.01, 0.012, 40_000, 45_000),
        m.Band(0.01, 0.011),
        m.Band(0.0, 0.2, 10_000, 190_000),
    ],
)
def test_noise_only_box_measures_nothing_and_says_why(box, seed):
    x = (0.01 * np.random.default_rng(seed).standard_normal(int(0.2 * SR))).astype(np.float32)
    got = measure(x, box)
    assert got.reason.startswith("no call above the noise")
    assert got.snr_db < m.MIN_SNR_DB
    assert all(getattr(got, name) is None for name in m.FIELDS if name not in ("reason", "snr_db"))


def test_silence_box_above_nyquist_and_too_short_box_give_reasons():
    silent = np.zeros(int(0.05 * SR), np.float32)
    assert measure(silent, m.Band(0.01, 0.02, 30_000, 90_000)).reason == "the box is silent"
    x = embed(linear_sweep(80_000, 40_000, 0.003))
    assert "Nyquist" in measure(x, m.Band(0.01, 0.02, 200_000, 250_000)).reason
    assert "too short" in measure(x, m.Band(0.01, 0.01 + 2 / SR, 30_000, 90_000)).reason


def test_a_box_at_the_end_of_the_audio_is_measured():
    call = linear_sweep(80_000, 40_000, 0.003)
    x = embed(call, at_s=0.05 - 0.004, total_s=0.05)
    got = measure(x, m.Band(0.045, 0.05, 30_000, 90_000))
    assert got.reason is None and got.call_end_s <= 0.05


def test_cost_is_known_before_reading_and_bounded():
    short = m.Band(0.0, 0.01, 30_000, 90_000)
    assert m.samples_needed(short, SR) < 0.011 * SR
    m.check_cost(short, SR)
    with pytest.raises(m.TooCostly, match="limited to"):
        m.check_cost(m.Band(0.0, 10.0, 30_000, 90_000), SR)


def _whombat_boxes(species: str) -> list[tuple[str, m.Band]]:
    rows = csv.DictReader(open(WHOMBAT / "annotations_boxes.csv", newline=""))
    return [
        (
            r["file"],
            m.Band(
                float(r["start_s"]),
                float(r["end_s"]),
                float(r["low_freq_hz"]),
                float(r["high_freq_hz"]),
            ),
        )
        for r in rows
        if r["species"] == species
    ]


def _read(file: str, box: m.Band) -> tuple[np.ndarray, int, float]:
    info = sf.info(WHOMBAT / file)
    start, end = m.read_span(box, info.samplerate)
    first = int(round(start * info.samplerate))
    x, sr = sf.read(
        WHOMBAT / file, start=first, stop=int(round(end * info.samplerate)), dtype="float32"
    )
    return x, sr, first / sr


def test_real_desmodus_calls_measure_as_fm_calls_inside_their_boxes():
    """Every hand-drawn Desmodus rotundus box of the Whombat example is measured, and each
    measurement agrees with a plain FFT of the box for where the energy is."""
    boxes = _whombat_boxes("Desmodus rotundus")
    assert len(boxes) >= 10
    downward = 0
    for file, box in boxes:
        x, sr, offset = _read(file, box)
        got = m.measure(x, sr, offset, box)
        assert got.reason is None, (box, got.reason)
        assert box.start_s <= got.call_start_s < got.call_end_s <= box.end_s
        assert box.low_hz <= got.low_hz <= got.characteristic_hz <= got.high_hz <= box.high_hz
        downward += got.start_hz > got.end_hz
        # Independent: the box's samples through one Hann-windowed FFT, the band's loudest bin.
        inside = x[int(round((box.start_s - offset) * sr)) : int(round((box.end_s - offset) * sr))]
        spectrum = np.abs(np.fft.rfft(inside * np.hanning(inside.size), n=1 << 16)) ** 2
        freqs = np.fft.rfftfreq(1 << 16, 1 / sr)
        band = (freqs >= box.low_hz) & (freqs <= box.high_hz)
        fft_peak = freqs[band][np.argmax(spectrum[band])]
        assert got.freq_5_hz - 1_000 <= fft_peak <= got.freq_95_hz + 1_000  # within a bin of them
    # Downward FM calls; a few boxes also hold the next harmonic's start, louder than the call.
    assert downward >= 0.8 * len(boxes)


def test_spectrum_is_bounded_and_peaks_at_the_tone():
    x = embed(cf_with_fm_tail(100_000, 0.020, 80_000, 0.003))
    got = m.spectrum(x, SR, 0.0, m.Band(0.008, 0.036, 50_000, 150_000), max_bins=100)
    assert 0 < len(got["freqs_hz"]) <= 100 and len(got["db"]) == len(got["freqs_hz"])
    assert got["freqs_hz"][int(np.argmax(got["db"]))] == pytest.approx(100_000, abs=1_500)
    assert max(got["db"]) == pytest.approx(20 * np.log10(0.5), abs=6)  # full-scale dB of a 0.5 tone


def test_envelope_keeps_every_extreme():
    x = np.zeros(10_000, np.float32)
    x[1234], x[8765] = 0.9, -0.7
    low, high = m.envelope(x, 100)
    assert low.size == high.size == 100
    assert high[12] == pytest.approx(0.9) and low[87] == pytest.approx(-0.7)
    assert m.envelope(x[:10], 100)[1].size == 100  # more columns than samples
