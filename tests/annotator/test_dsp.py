"""annotator.dsp: reading windows, spectrogram and scalogram maths, exact extents."""

from __future__ import annotations

import csv
import io
import math
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from annotator import dsp

# Real bat recordings (384-500 kHz) with annotated boxes; the lead will copy a few
# into tests/data/whombat/, until then they are read from the shared data folder.
# shared/ sits beside the clone (locally and in CI), like the format tests' real files.
WHOMBAT_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "bats" / "whombat-example"
WHOMBAT_FILE = "XC820302-Noctilio_leporinus-2013.01.08-CL00088_A_15.wav"

SR = 384_000  # bat detector sample rate


def tone(freq: float, duration: float, sr: int = SR, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(duration * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def chirp(f0: float, f1: float, duration: float, sr: int = SR) -> np.ndarray:
    """Linear sweep with instantaneous frequency f0 + (f1 - f0) * t / duration."""
    t = np.arange(round(duration * sr)) / sr
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * duration))
    return (0.5 * np.sin(phase)).astype(np.float32)


def raw_wav(samplerate: int, frames: bytes = b"\x00\x00" * 100) -> bytes:
    """A 16-bit mono PCM WAV written by hand, so any header sample rate can be faked."""
    fmt = struct.pack("<HHIIHH", 1, 1, samplerate, samplerate * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.fixture
def stereo_wav(tmp_path: Path) -> Path:
    """3 s at 48 kHz: channel 0 counts frames up (in 1/2**15 steps), channel 1 down."""
    n = 3 * 48_000
    ramp = (np.arange(n) % 30_000) / 2**15
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([ramp, -ramp], axis=1), 48_000, subtype="PCM_16")
    return path


# --------------------------------------------------------------------------- reading


def test_read_window_returns_exact_frames_of_selected_channel(stereo_wav: Path) -> None:
    samples, sr = dsp.read_window(stereo_wav, 1.0, 1.5, channel=1)
    expected = -((np.arange(48_000, 72_000) % 30_000) / 2**15)
    assert sr == 48_000
    assert samples.dtype == np.float32 and samples.shape == (24_000,)
    np.testing.assert_array_equal(samples, expected.astype(np.float32))


def test_read_window_clamps_to_file_bounds(stereo_wav: Path) -> None:
    head, _ = dsp.read_window(stereo_wav, -1.0, 0.001)
    tail, _ = dsp.read_window(stereo_wav, 2.999, 10.0)
    beyond, _ = dsp.read_window(stereo_wav, 5.0, 6.0)
    assert head.size == 48 and head[1] == pytest.approx(1 / 2**15)
    assert tail.size == 48
    assert beyond.size == 0


def test_consecutive_windows_tile_the_file(stereo_wav: Path) -> None:
    first, _ = dsp.read_window(stereo_wav, 0.2, 0.7)
    second, _ = dsp.read_window(stereo_wav, 0.7, 1.3)
    whole, _ = dsp.read_window(stereo_wav, 0.2, 1.3)
    np.testing.assert_array_equal(np.concatenate([first, second]), whole)


def test_read_window_accepts_file_objects(stereo_wav: Path) -> None:
    from_object, _ = dsp.read_window(io.BytesIO(stereo_wav.read_bytes()), 0.5, 0.6)
    from_path, _ = dsp.read_window(stereo_wav, 0.5, 0.6)
    np.testing.assert_array_equal(from_object, from_path)


def test_read_window_rejects_missing_channel_and_empty_window(stereo_wav: Path) -> None:
    with pytest.raises(ValueError, match="channel 2"):
        dsp.read_window(stereo_wav, 0, 1, channel=2)
    with pytest.raises(ValueError, match="empty window"):
        dsp.read_window(stereo_wav, 1, 1)


def test_audio_info_describes_file_and_restores_position(stereo_wav: Path) -> None:
    stream = io.BytesIO(stereo_wav.read_bytes())
    stream.seek(7)
    info = dsp.audio_info(stream)
    assert stream.tell() == 7
    assert info == dsp.audio_info(stereo_wav)
    assert (info.samplerate, info.frames, info.channels) == (48_000, 144_000, 2)
    assert info.duration == 3.0 and (info.format, info.subtype) == ("WAV", "PCM_16")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a readable audio file"),
        (b"this is not audio at all" * 40, "not a readable audio file"),
        (raw_wav(48_000)[:30], "not a readable audio file"),  # truncated header
        (raw_wav(48_000, frames=b""), "no audio frames"),
        (raw_wav(2_000_000), "sample rate 2000000 Hz is outside"),
        (raw_wav(500), "sample rate 500 Hz is outside"),
    ],
    ids=["empty", "garbage", "truncated", "no-frames", "2MHz", "500Hz"],
)
def test_bad_audio_raises_audio_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(dsp.AudioError, match=message):
        dsp.audio_info(path)
    with pytest.raises(dsp.AudioError, match=message):
        dsp.read_window(path, 0, 1)


def test_missing_file_is_not_reported_as_corrupt(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        dsp.audio_info(tmp_path / "nope.wav")


# --------------------------------------------------------------------------- spectrogram


def test_spectrogram_extent_is_exact() -> None:
    x = tone(40_000, 0.1)
    params = dsp.SpectrogramParams(window_s=0.002, overlap=0.75, fmin=20_000, fmax=100_000)
    spec = dsp.spectrogram(x, SR, params)
    n_fft, hop = 768, 192
    bin_hz = SR / n_fft
    assert (params.frame_length(SR), params.hop_length(SR)) == (n_fft, hop)
    assert spec.values.shape == (len(spec.freqs), 1 + x.size // hop)
    assert spec.values.dtype == np.float32
    assert spec.t_start == -hop / 2 / SR
    assert spec.t_end == pytest.approx((spec.n_cols - 0.5) * hop / SR)
    np.testing.assert_allclose(spec.times, np.arange(spec.n_cols) * hop / SR, atol=1e-12)
    assert spec.freqs[0] == 20_000 and spec.freqs[-1] == 100_000  # both on bins
    np.testing.assert_allclose(np.diff(spec.freqs), bin_hz)
    assert (spec.f_low, spec.f_high) == (20_000 - bin_hz / 2, 100_000 + bin_hz / 2)
    np.testing.assert_allclose(spec.row_to_hz(np.arange(spec.n_rows) + 0.5), spec.freqs)
    np.testing.assert_allclose(spec.hz_to_row(spec.freqs), np.arange(spec.n_rows) + 0.5)


def test_spectrogram_tone_peaks_in_its_bin_at_its_level() -> None:
    spec = dsp.spectrogram(tone(40_000, 0.2, amplitude=0.5), SR, dsp.SpectrogramParams())
    middle = spec.values[:, 50:-50]
    peak_rows = np.argmax(middle, axis=0)
    assert np.all(np.abs(spec.freqs[peak_rows] - 40_000) <= SR / 768)
    # Amplitude normalisation: a sinusoid of amplitude A reads 20*log10(A) dB.
    assert middle.max() == pytest.approx(20 * math.log10(0.5), abs=0.05)


def test_spectrogram_places_burst_at_the_right_time() -> None:
    x = np.zeros(SR // 2, dtype=np.float32)
    x[round(0.300 * SR) : round(0.320 * SR)] = tone(40_000, 0.020)
    spec = dsp.spectrogram(x, SR, dsp.SpectrogramParams())
    row = int(np.argmin(np.abs(spec.freqs - 40_000)))
    loud = spec.times[spec.values[row] > -20.0]
    half_window = 0.001
    assert loud.min() == pytest.approx(0.300, abs=half_window)
    assert loud.max() == pytest.approx(0.320, abs=half_window)


def test_spectrogram_follows_a_chirp() -> None:
    spec = dsp.spectrogram(chirp(20_000, 100_000, 0.5), SR, dsp.SpectrogramParams())
    cols = slice(10, -10)
    expected = 20_000 + 80_000 * spec.times[cols] / 0.5
    found = spec.freqs[np.argmax(spec.values[:, cols], axis=0)]
    assert np.max(np.abs(found - expected)) <= SR / 768


def test_mel_spectrogram_rows_map_to_their_frequencies() -> None:
    params = dsp.SpectrogramParams(scale="mel", n_mels=64, fmin=5_000, fmax=150_000)
    spec = dsp.spectrogram(tone(40_000, 0.1), SR, params)
    assert spec.scale == "mel" and spec.values.shape[0] == 64
    np.testing.assert_allclose(spec.row_to_hz(np.arange(64) + 0.5), spec.freqs)
    assert 5_000 < spec.f_low < spec.freqs[0] and spec.freqs[-1] < spec.f_high < 150_000
    peak_row = np.bincount(np.argmax(spec.values, axis=0)).argmax()
    assert abs(peak_row + 0.5 - spec.hz_to_row(40_000)) <= 1.0


def test_pcen_makes_a_call_stand_out_of_noise() -> None:
    rng = np.random.default_rng(1)
    x = 0.01 * rng.standard_normal(SR // 2).astype(np.float32)
    x[SR // 4 : SR // 4 + SR // 100] += tone(40_000, 0.01, amplitude=0.3)
    spec = dsp.spectrogram(x, SR, dsp.SpectrogramParams(norm="pcen"))
    row = int(np.argmin(np.abs(spec.freqs - 40_000)))
    call = (spec.times > 0.252) & (spec.times < 0.258)
    assert np.isfinite(spec.values).all()
    assert (spec.vmin, spec.vmax) == (0.0, 4.0)
    assert spec.values[row, call].min() > 5 * np.median(spec.values)


def test_fmax_above_nyquist_is_clamped_and_fmin_above_it_rejected() -> None:
    spec = dsp.spectrogram(tone(1_000, 0.05, sr=48_000), 48_000, dsp.SpectrogramParams(fmax=96_000))
    assert spec.freqs[-1] == 24_000
    with pytest.raises(ValueError, match="Nyquist"):
        dsp.spectrogram(tone(1_000, 0.05, sr=48_000), 48_000, dsp.SpectrogramParams(fmin=30_000))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"overlap": 0.99},
        {"n_fft": 255},
        {"db_min": 0, "db_max": -10},
        {"norm": "log"},
        {"fmin": 5_000, "fmax": 1_000},
        {"scale": "bark"},
    ],
)
def test_invalid_spectrogram_params_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        dsp.SpectrogramParams(**kwargs)


def test_spectrogram_refuses_non_finite_samples() -> None:
    x = tone(1_000, 0.01)
    x[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        dsp.spectrogram(x, SR, dsp.SpectrogramParams())


def test_spectrogram_of_one_second_is_fast() -> None:
    x = np.random.default_rng(0).standard_normal(SR).astype(np.float32)
    params = dsp.SpectrogramParams()
    dsp.spectrogram(x, SR, params)  # warm caches
    best = min(_seconds(lambda: dsp.spectrogram(x, SR, params)) for _ in range(5))
    assert best < 0.05  # ~5 ms measured; generous for a shared CI machine


def _seconds(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- scalogram


def _noisy_chirp(duration: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    return chirp(15_000, 120_000, duration) + 0.05 * rng.standard_normal(
        round(duration * SR)
    ).astype(np.float32)


def test_fast_cwt_matches_reference_at_output_times() -> None:
    x = _noisy_chirp(0.1)
    freqs = np.geomspace(5_000, 190_000, 48)
    fast = dsp.cwt(x, SR, freqs, w0=6.0, hop=384, n_cols=100)
    slow = dsp.cwt_reference(x, SR, freqs, w0=6.0, hop=384, n_cols=100)
    assert fast.shape == slow.shape == (48, 100)
    scale = np.abs(slow).max(axis=1, keepdims=True)  # relative to each row's level
    assert np.max(np.abs(np.abs(fast) - np.abs(slow)) / scale) < 1e-3
    assert np.max(np.abs(fast - slow) / scale) < 1e-3  # phases agree too


def test_reference_cwt_is_convolution_with_the_morlet_wavelet() -> None:
    """Independent check of the definition: time-domain Gaussian-windowed complex exponential."""
    x = _noisy_chirp(0.01)
    fr, w0 = 40_000.0, 6.0
    sigma_f = fr / w0
    t = np.arange(-400, 401) / SR
    kernel = 2 * sigma_f * math.sqrt(2 * math.pi) * np.exp(-2 * (math.pi * sigma_f * t) ** 2)
    kernel = kernel * np.exp(2j * np.pi * fr * t) / SR
    direct = np.convolve(x, kernel, mode="same")
    reference = dsp.cwt_reference(x, SR, np.array([fr]), w0=w0)[0]
    np.testing.assert_allclose(reference, direct, atol=1e-6 * np.abs(direct).max())


def test_scalogram_extent_is_exact() -> None:
    x = tone(40_000, 0.1)
    for spacing in ("log", "linear"):
        params = dsp.ScalogramParams(
            fmin=10_000, fmax=150_000, n_rows=40, n_cols=300, spacing=spacing
        )
        scal = dsp.scalogram(x, SR, params)
        hop = math.ceil(x.size / 300)
        assert scal.values.shape == (40, 300) and scal.scale == spacing
        assert (scal.freqs[0], scal.freqs[-1]) == pytest.approx((10_000, 150_000))
        assert scal.t_start == -hop / 2 / SR
        assert scal.t_end == pytest.approx(299.5 * hop / SR)
        np.testing.assert_allclose(scal.times, np.arange(300) * hop / SR, atol=1e-12)
        np.testing.assert_allclose(scal.row_to_hz(np.arange(40) + 0.5), scal.freqs)
        assert scal.f_low < 10_000 and scal.f_high > 150_000


def test_scalogram_tone_peaks_at_its_row_and_level() -> None:
    params = dsp.ScalogramParams(fmin=10_000, fmax=150_000, n_rows=64, n_cols=200)
    scal = dsp.scalogram(tone(40_000, 0.1, amplitude=0.5), SR, params)
    middle = scal.values[:, 20:-20]
    peak_rows = np.argmax(middle, axis=0)
    assert np.all(np.abs(scal.hz_to_row(40_000) - (peak_rows + 0.5)) <= 1.0)
    assert middle.max() == pytest.approx(20 * math.log10(0.5), abs=0.1)


def test_scalogram_does_not_wrap_around() -> None:
    """A call at the end of the window must not leak into its first columns."""
    x = np.zeros(SR // 10, dtype=np.float32)
    x[-SR // 200 :] = tone(12_000, 0.005)
    scal = dsp.scalogram(x, SR, dsp.ScalogramParams(fmin=10_000, n_rows=32, n_cols=100))
    assert scal.values[:, -2:].max() > -20
    assert scal.values[:, :5].max() < -120  # float32 round-off, not the call (-6 dB)


def test_scalogram_columns_cover_the_window_without_overshooting() -> None:
    x = tone(40_000, 0.1)  # 38 400 samples: 1000 columns do not divide it
    scal = dsp.scalogram(x, SR, dsp.ScalogramParams(fmin=10_000, n_rows=8, n_cols=1000))
    hop = 39
    assert scal.n_cols == math.ceil(x.size / hop) == 985
    assert scal.times[-1] < x.size / SR <= scal.times[-1] + hop / SR


def test_scalogram_gives_one_column_per_sample_at_most() -> None:
    x = tone(40_000, 0.001)  # 384 samples
    scal = dsp.scalogram(x, SR, dsp.ScalogramParams(fmin=10_000, n_rows=8, n_cols=1000))
    assert scal.n_cols == 384
    np.testing.assert_allclose(scal.times, np.arange(384) / SR, atol=1e-12)


def test_scalogram_of_one_second_is_fast() -> None:
    x = np.random.default_rng(0).standard_normal(SR).astype(np.float32)
    params = dsp.ScalogramParams(fmin=10_000, n_rows=256, n_cols=1000)
    best = min(_seconds(lambda: dsp.scalogram(x, SR, params)) for _ in range(2))
    assert best < 0.5  # ~50 ms measured; the plain CWT takes seconds


# --------------------------------------------------------------------------- real audio


def _boxes(n: int) -> list[tuple[float, float, float, float]]:
    with open(WHOMBAT_DIR / "annotations_boxes.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["file"] == WHOMBAT_FILE][:n]
    keys = ("start_s", "end_s", "low_freq_hz", "high_freq_hz")
    return [tuple(float(r[k]) for k in keys) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize("view", ["spectrogram", "scalogram"])
def test_energy_of_real_bat_calls_falls_inside_annotated_boxes(view: str) -> None:
    for t0, t1, f0, f1 in _boxes(4):
        samples, sr = dsp.read_window(WHOMBAT_DIR / WHOMBAT_FILE, t0 - 0.02, t1 + 0.02)
        if view == "spectrogram":
            image = dsp.spectrogram(samples, sr, dsp.SpectrogramParams())
        else:
            params = dsp.ScalogramParams(fmin=5_000, n_rows=96, n_cols=samples.size // 96)
            image = dsp.scalogram(samples, sr, params)
        times = image.times + round((t0 - 0.02) * sr) / sr
        in_time, in_band = (times >= t0) & (times <= t1), (image.freqs >= f0) & (image.freqs <= f1)
        row, col = np.unravel_index(np.argmax(image.values), image.values.shape)
        assert in_band[row] and in_time[col]
        inside = image.values[np.ix_(in_band, in_time)].mean()
        assert inside > image.values[np.ix_(in_band, ~in_time)].mean() + 6
        assert inside > image.values[np.ix_(~in_band, in_time)].mean() + 6
