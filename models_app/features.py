"""Model input: a fixed-size time–frequency image of a clip.

Every clip, whatever its sample rate, becomes an ``[F, T]`` float32 array with the same
frequency grid (``n_freq_bins`` rows from ``fmin`` to ``fmax``, row 0 = ``fmin``) and the same
time resolution (``frames_per_second`` columns per second, column ``k`` centred at
``(k + 0.5) / fps``). The STFT is computed at the native rate (no resampling) and its
bins are pooled onto the fixed grid, so a 384 kHz and a 500 kHz recording look alike.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from functools import lru_cache

import numpy as np
import scipy.fft  # scipy.signal is imported lazily: it alone adds ~65 MB to every worker

REPRESENTATIONS = ("spectrogram", "scalogram")
SCALINGS = ("log", "pcen")


@dataclass(frozen=True)
class FeatureConfig:
    """How audio becomes the model's input image.

    ``window_s`` is the STFT window; the hop is ``1 / frames_per_second`` so the overlap is
    derived (``overlap`` property). Bats: ~2 ms windows at 1,000 fps; birds: ~20 ms at 100–200 fps.
    """

    representation: str = "spectrogram"  # 'spectrogram' | 'scalogram'
    scaling: str = "log"  # 'log' (dB above each row's median) | 'pcen'
    window_s: float = 0.002
    frames_per_second: float = 1000.0
    fmin: float = 10_000.0
    fmax: float = 120_000.0
    n_freq_bins: int = 128
    pcen_time_constant_s: float = 0.4
    pcen_gain: float = 0.98
    pcen_bias: float = 2.0
    pcen_power: float = 0.5
    cwt_cycles: float = 12.0  # Morlet cycles per wavelet: frequency vs time sharpness

    def __post_init__(self) -> None:
        if self.representation not in REPRESENTATIONS:
            raise ValueError(f"representation must be one of {REPRESENTATIONS}")
        if self.scaling not in SCALINGS:
            raise ValueError(f"scaling must be one of {SCALINGS}")
        if not 0 <= self.fmin < self.fmax:
            raise ValueError("need 0 <= fmin < fmax")
        if self.window_s <= 0 or self.frames_per_second <= 0 or self.n_freq_bins < 2:
            raise ValueError("window_s, frames_per_second must be > 0 and n_freq_bins >= 2")

    @property
    def overlap(self) -> float:
        """Fraction of a window shared with the next one (0 when hop >= window)."""
        return max(0.0, 1.0 - 1.0 / (self.frames_per_second * self.window_s))

    @property
    def bin_hz(self) -> float:
        """Height of one row in Hz."""
        return (self.fmax - self.fmin) / self.n_freq_bins

    def to_dict(self) -> dict:
        """Plain-JSON form for checkpoints and the database."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        """Inverse of ``to_dict``; unknown keys are ignored for forward compatibility."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


# ---------------------------------------------------------------------------- axes


def n_frames(n_samples: int, samplerate: int, cfg: FeatureConfig) -> int:
    """Number of columns for a clip of ``n_samples`` (ceil, so no audio is dropped)."""
    return max(1, int(np.ceil(n_samples * cfg.frames_per_second / samplerate - 1e-6)))


def time_to_col(t: np.ndarray | float, cfg: FeatureConfig) -> np.ndarray | float:
    """Continuous column coordinate of time ``t`` (s); column ``k`` centre ↔ integer ``k``."""
    return np.asarray(t) * cfg.frames_per_second - 0.5


def col_to_time(col: np.ndarray | float, cfg: FeatureConfig) -> np.ndarray | float:
    """Time (s) of continuous column coordinate ``col``; inverse of ``time_to_col``."""
    return (np.asarray(col) + 0.5) / cfg.frames_per_second


def freq_to_row(f: np.ndarray | float, cfg: FeatureConfig) -> np.ndarray | float:
    """Continuous row coordinate of frequency ``f`` (Hz); row 0 is ``fmin``."""
    return (np.asarray(f) - cfg.fmin) / cfg.bin_hz - 0.5


def row_to_freq(row: np.ndarray | float, cfg: FeatureConfig) -> np.ndarray | float:
    """Frequency (Hz) of continuous row coordinate ``row``; inverse of ``freq_to_row``."""
    return cfg.fmin + (np.asarray(row) + 0.5) * cfg.bin_hz


def row_centres_hz(cfg: FeatureConfig) -> np.ndarray:
    """Centre frequency of every row, low to high."""
    return row_to_freq(np.arange(cfg.n_freq_bins), cfg).astype(np.float64)


# ---------------------------------------------------------------------- features


def compute_features(samples: np.ndarray, samplerate: int, cfg: FeatureConfig) -> np.ndarray:
    """Return the ``[n_freq_bins, T]`` float32 model input for mono ``samples``.

    Multi-channel input (``[n, channels]``) is averaged to mono. Rows above the
    recording's Nyquist frequency are silent (zero after scaling).
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if x.ndim != 1 or len(x) == 0:
        raise ValueError("samples must be a non-empty mono (or [n, channels]) array")
    if samplerate <= 0:
        raise ValueError("samplerate must be positive")
    x = x - x.mean()  # DC offset would leak into low rows through the window
    if cfg.representation == "spectrogram":
        power = _stft_power(x, samplerate, cfg)
    else:
        power = _cwt_power(x, samplerate, cfg)
    return _scale(power, cfg).astype(np.float32, copy=False)


def _stft_power(x: np.ndarray, samplerate: int, cfg: FeatureConfig) -> np.ndarray:
    """STFT power pooled onto the fixed frequency grid: ``[F, T]``."""
    win = max(4, int(round(cfg.window_s * samplerate)))
    t = n_frames(len(x), samplerate, cfg)
    # Window k is centred on column k's centre time; the exact (possibly non-integer)
    # hop keeps the time grid identical across sample rates and chunk boundaries.
    centres = np.floor((np.arange(t) + 0.5) * samplerate / cfg.frames_per_second).astype(np.int64)
    starts = centres - win // 2 + win  # + win: offset into the padded signal
    padded = np.pad(x, (win, win))
    step = int(starts[1] - starts[0]) if t > 1 else 1
    if t > 1 and np.all(np.diff(starts) == step):  # integer hop: a strided view, no gather
        view = np.lib.stride_tricks.sliding_window_view(padded, win)
        frames = view[starts[0] : starts[0] + step * t : step] * _hann(win)
    else:
        frames = padded[starts[:, None] + np.arange(win)[None, :]] * _hann(win)
    spec = scipy.fft.rfft(frames, axis=1)
    fb, lo, hi = _filterbank(win, samplerate, cfg.fmin, cfg.fmax, cfg.n_freq_bins)
    band = spec[:, lo:hi]  # only the bins that reach the grid
    power = band.real**2 + band.imag**2
    return (power @ fb).T


def _cwt_power(x: np.ndarray, samplerate: int, cfg: FeatureConfig) -> np.ndarray:
    """Complex-Morlet scalogram power on the fixed grid, via band-limited inverse FFTs.

    For each row the signal's spectrum is multiplied by the wavelet's Gaussian
    frequency response, only the bins inside ±4σ are kept and shifted to baseband, and
    a short inverse FFT yields the analytic envelope; its power is averaged into columns.
    """
    n = len(x)
    t = n_frames(n, samplerate, cfg)
    spec = scipy.fft.rfft(x.astype(np.float64))
    df = samplerate / n
    out = np.zeros((cfg.n_freq_bins, t))
    for r, fc in enumerate(row_centres_hz(cfg)):
        if fc >= samplerate / 2:
            break
        out[r] = _cwt_row(spec, fc, df, t, cfg.cwt_cycles)
    return out


def _cwt_row(spec: np.ndarray, fc: float, df: float, t: int, cycles: float) -> np.ndarray:
    """Power of one Morlet band, averaged into ``t`` columns."""
    sigma_f = fc / cycles
    lo = max(0, int((fc - 4 * sigma_f) / df))
    hi = min(len(spec), int((fc + 4 * sigma_f) / df) + 2)
    band = spec[lo:hi] * np.exp(-0.5 * ((np.arange(lo, hi) * df - fc) / sigma_f) ** 2)
    # Output length: a multiple of t at least as long as the band, so the envelope is
    # sampled above its bandwidth (no aliasing) before averaging down to columns.
    k = max(1, int(np.ceil((hi - lo) / t)))
    env = scipy.fft.ifft(band, n=k * t)
    pw = env.real**2 + env.imag**2
    return pw.reshape(t, k).mean(axis=1)


def _scale(power: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Compress dynamic range: dB above each row's median noise floor, or PCEN."""
    if cfg.scaling == "log":
        db = 10.0 * np.log10(power + 1e-20)
        floor = np.median(db, axis=1, keepdims=True)
        # Subtracting the per-row floor removes recorder gain and stationary noise;
        # /20 brings calls (10–40 dB above the floor) to roughly unit range.
        return np.clip((db - floor) / 20.0, 0.0, None) * (power.max(axis=1, keepdims=True) > 0)
    return _pcen(np.sqrt(power), cfg)


def _pcen(mag: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Per-channel energy normalisation (Wang et al. 2017) with a first-order IIR smoother."""
    import scipy.signal

    s = mag * 2.0**31  # librosa's convention: PCEN constants assume int32-scale magnitudes
    t_frames = cfg.pcen_time_constant_s * cfg.frames_per_second
    b = (np.sqrt(1 + 4 * t_frames**2) - 1) / (2 * t_frames**2)
    zi = scipy.signal.lfilter_zi([b], [1, b - 1])[None, :] * s[:, :1]
    m, _ = scipy.signal.lfilter([b], [1, b - 1], s, axis=1, zi=zi)
    smooth = np.exp(-cfg.pcen_gain * (np.log(1e-6) + np.log1p(m / 1e-6)))
    r, d = cfg.pcen_power, cfg.pcen_bias
    return (s * smooth + d) ** r - d**r


@lru_cache(maxsize=32)
def _hann(win: int) -> np.ndarray:
    """Periodic Hann window (cached: the same few sizes recur for every clip)."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)).astype(np.float32)


@lru_cache(maxsize=32)
def _filterbank(
    win: int, samplerate: int, fmin: float, fmax: float, n_bins: int
) -> tuple[np.ndarray, int, int]:
    """Triangular pooling from STFT bins ``lo:hi`` onto the fixed grid: ``[hi - lo, n_bins]``.

    Each output row averages the STFT bins within one row spacing of its centre (or the
    nearest bins when the STFT is coarser than the grid), so narrow-band calls keep their
    energy whether the grid up- or down-samples the STFT.
    """
    fft_freqs = np.fft.rfftfreq(win, 1.0 / samplerate)
    step = (fmax - fmin) / n_bins
    centres = fmin + (np.arange(n_bins) + 0.5) * step
    width = max(step, samplerate / win)
    w = np.clip(1.0 - np.abs(fft_freqs[:, None] - centres[None, :]) / width, 0.0, None)
    w /= np.maximum(w.sum(axis=0, keepdims=True), 1e-12)
    w[:, centres >= samplerate / 2] = 0.0  # above Nyquist: nothing was recorded
    used = np.flatnonzero(w.any(axis=1))
    lo, hi = (int(used[0]), int(used[-1]) + 1) if len(used) else (0, 1)
    return w[lo:hi].astype(np.float32), lo, hi
