"""What both views share: their parameters, the result with its axes, and dB or PCEN levels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from annotator.dsp.limits import SHARPEN, W0, WINDOW_TYPES

Norm = Literal["db", "pcen"]
AxisScale = Literal["linear", "log", "mel"]


_POWER_FLOOR = 1e-20  # -200 dB: keeps log10 finite on digital silence
_PCEN_SCALE = 2.0**31  # librosa's advice: feed PCEN magnitudes on an int32-like scale


# --------------------------------------------------------------------------- params


@dataclass(frozen=True, kw_only=True)
class _DisplayParams:
    """Level normalisation shared by both views."""

    norm: Norm = "db"
    db_min: float = -100.0  # dB range = brightness / contrast of the image
    db_max: float = -20.0
    pcen_time_constant: float = 0.06  # s; bat calls last ms, so much shorter than librosa's 0.4
    pcen_max: float = 4.0  # PCEN value drawn at the top of the colormap

    def __post_init__(self) -> None:
        if self.norm not in ("db", "pcen"):
            raise ValueError(f"norm must be 'db' or 'pcen', not {self.norm!r}")
        if not self.db_min < self.db_max:
            raise ValueError("db_min must be below db_max")
        if self.pcen_time_constant <= 0 or self.pcen_max <= 0:
            raise ValueError("pcen_time_constant and pcen_max must be positive")

    def display_range(self) -> tuple[float, float]:
        """(vmin, vmax) to hand to the renderer for this normalisation."""
        if self.norm == "db":
            return self.db_min, self.db_max
        return 0.0, self.pcen_max


@dataclass(frozen=True, kw_only=True)
class SpectrogramParams(_DisplayParams):
    """STFT settings. ``n_fft`` (the window in samples, even), when given, wins over ``window_s``.

    ``pad`` zero-pads each frame's FFT to ``pad`` times the window (finer rows, same
    resolution). ``sharpen`` is ``"none"``, ``"reassigned"`` (energy moved to each cell's
    instantaneous frequency and group delay, see `sharpen.reassigned_block`) or
    ``"multitaper"`` (the mean of `limits.MULTITAPERS` DPSS-tapered spectra: less speckle,
    wider lines).
    """

    window_s: float = 0.002
    n_fft: int | None = None
    overlap: float = 0.75
    window: str = "hann"
    pad: int = 1
    sharpen: Literal["none", "reassigned", "multitaper"] = "none"
    fmin: float | None = None
    fmax: float | None = None
    scale: Literal["linear", "mel"] = "linear"
    n_mels: int = 128

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.overlap <= 0.95:
            raise ValueError(f"overlap must be within 0..0.95, not {self.overlap}")
        if self.n_fft is None and not self.window_s > 0:
            raise ValueError("window_s must be positive")
        if self.n_fft is not None and (self.n_fft < 4 or self.n_fft % 2):
            raise ValueError(f"n_fft must be an even number >= 4, not {self.n_fft}")
        if self.window not in WINDOW_TYPES or self.sharpen not in SHARPEN or self.pad < 1:
            raise ValueError(
                f"window must be one of {WINDOW_TYPES}, sharpen one of {SHARPEN}, pad >= 1"
            )
        if self.scale not in ("linear", "mel") or self.n_mels < 1:
            raise ValueError(f"scale must be 'linear' or 'mel' (n_mels >= 1), not {self.scale!r}")
        _check_band(self.fmin, self.fmax)

    def frame_length(self, samplerate: int) -> int:
        """FFT size in samples; always even so frame centres fall on samples."""
        if self.n_fft is not None:
            return self.n_fft
        return max(4, 2 * round(self.window_s * samplerate / 2))

    def fft_length(self, samplerate: int) -> int:
        """Points of each frame's FFT: the window zero-padded ``pad`` times."""
        return self.frame_length(samplerate) * self.pad

    def hop_length(self, samplerate: int) -> int:
        """Samples between frame centres."""
        return max(1, round(self.frame_length(samplerate) * (1.0 - self.overlap)))


@dataclass(frozen=True, kw_only=True)
class ScalogramParams(_DisplayParams):
    """Complex Morlet CWT settings.

    ``w0`` is the wavelet's number of radians per Gaussian sigma (6 is the usual Morlet;
    PyWavelets' ``cmorB-C`` has ``w0 = 2*pi*C*sqrt(B/2)``, 5.44 for cmor1.5-1.0).
    """

    fmin: float = 1000.0
    fmax: float | None = None
    n_rows: int = 256
    n_cols: int = 1000  # at most: see `scalogram`
    spacing: Literal["log", "linear"] = "log"
    w0: float = 6.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.n_rows < 2 or self.n_cols < 1:
            raise ValueError("a scalogram needs n_rows >= 2 and n_cols >= 1")
        if self.spacing not in ("log", "linear"):
            raise ValueError(f"spacing must be 'log' or 'linear', not {self.spacing!r}")
        if not self.fmin > 0 or not W0[0] <= self.w0 <= W0[1]:
            raise ValueError(
                "fmin must be positive and w0 >= 3 (else the wavelet is not analytic), w0 <= 400"
            )
        _check_band(self.fmin, self.fmax)


def _check_band(fmin: float | None, fmax: float | None) -> None:
    if fmin is not None and fmin < 0:
        raise ValueError(f"fmin must be >= 0, not {fmin}")
    if fmax is not None and fmax <= 0:
        raise ValueError(f"fmax must be positive, not {fmax}")
    if fmin is not None and fmax is not None and not fmin < fmax:
        raise ValueError(f"fmin {fmin} Hz must be below fmax {fmax} Hz")


def _band(fmin: float | None, fmax: float | None, samplerate: int) -> tuple[float, float]:
    """Resolve the frequency crop for this audio; fmax is clamped to Nyquist."""
    nyquist = samplerate / 2
    low, high = fmin or 0.0, min(fmax or nyquist, nyquist)
    if not low < high:
        raise ValueError(f"fmin {low} Hz is not below the Nyquist frequency {nyquist} Hz")
    return low, high


# --------------------------------------------------------------------------- result


def _to_axis(hz: np.ndarray | float, scale: AxisScale) -> np.ndarray:
    hz = np.asarray(hz, dtype=np.float64)
    if scale == "log":
        return np.log(hz)
    if scale == "mel":
        return 2595.0 * np.log10(1.0 + hz / 700.0)
    return hz


def _from_axis(u: np.ndarray | float, scale: AxisScale) -> np.ndarray:
    u = np.asarray(u, dtype=np.float64)
    if scale == "log":
        return np.exp(u)
    if scale == "mel":
        return 700.0 * (10.0 ** (u / 2595.0) - 1.0)
    return u


@dataclass(frozen=True, eq=False)
class Spectrogram:
    """A time-frequency image with its exact extent (see the module docstring)."""

    values: np.ndarray  # float32 [n_rows, n_cols], row 0 = lowest frequency
    t_start: float
    t_end: float
    f_low: float
    f_high: float
    freqs: np.ndarray  # Hz at the centre of each row
    scale: AxisScale
    vmin: float  # suggested display range (dB or PCEN units)
    vmax: float

    @property
    def n_rows(self) -> int:
        return int(self.values.shape[0])

    @property
    def n_cols(self) -> int:
        return int(self.values.shape[1])

    @property
    def times(self) -> np.ndarray:
        """Seconds at the centre of each column."""
        return self.col_to_time(np.arange(self.n_cols) + 0.5)

    def col_to_time(self, x: np.ndarray | float) -> np.ndarray:
        """Seconds at horizontal coordinate x (0 = left edge, n_cols = right edge)."""
        return self.t_start + np.asarray(x) * (self.t_end - self.t_start) / self.n_cols

    def time_to_col(self, t: np.ndarray | float) -> np.ndarray:
        return (np.asarray(t) - self.t_start) * self.n_cols / (self.t_end - self.t_start)

    def row_to_hz(self, y: np.ndarray | float) -> np.ndarray:
        """Hz at vertical coordinate y (0 = bottom edge, n_rows = top edge)."""
        low, high = _to_axis(self.f_low, self.scale), _to_axis(self.f_high, self.scale)
        return _from_axis(low + np.asarray(y) * (high - low) / self.n_rows, self.scale)

    def hz_to_row(self, hz: np.ndarray | float) -> np.ndarray:
        low, high = _to_axis(self.f_low, self.scale), _to_axis(self.f_high, self.scale)
        return (_to_axis(hz, self.scale) - low) * self.n_rows / (high - low)


def _as_signal(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"expected a 1-D signal of at least 2 samples, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("samples contain NaN or infinity")
    return x


def _time_extent(n_cols: int, hop: int, samplerate: int) -> tuple[float, float]:
    return -0.5 * hop / samplerate, (n_cols - 0.5) * hop / samplerate


def _to_db(power: np.ndarray) -> np.ndarray:
    """Power -> dB, in place (float32)."""
    np.maximum(power, _POWER_FLOOR, out=power)
    np.log10(power, out=power)
    power *= 10.0
    return power


def _pcen(power: np.ndarray, frame_rate: float, params: _DisplayParams) -> np.ndarray:
    """PCEN of the magnitude along time (axis -1), float32."""
    import librosa  # slow to import; only PCEN and mel need it

    magnitude = np.sqrt(power) * np.float32(_PCEN_SCALE)
    out = librosa.pcen(
        magnitude, sr=frame_rate, hop_length=1, time_constant=params.pcen_time_constant
    )
    return out.astype(np.float32, copy=False)


def _display(power: np.ndarray, frame_rate: float, params: _DisplayParams) -> np.ndarray:
    """Power [rows, cols] -> dB (in place) or PCEN, as the params ask."""
    if params.norm == "db":
        return _to_db(power)
    return _pcen(power, frame_rate, params)


def _power(coefs: np.ndarray) -> np.ndarray:
    power = np.abs(coefs)  # SIMD hypot: faster than re**2 + im**2 on strided halves
    power *= power
    return power
