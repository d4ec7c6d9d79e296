"""Signal maths behind Echoloop's views: audio windows, spectrograms and scalograms.

Pure numpy/scipy (librosa, imported lazily, only for PCEN and mel filters); no Django.

Extent contract, shared by `spectrogram` and `scalogram`
--------------------------------------------------------
``values`` has shape ``[n_rows, n_cols]`` and row 0 is the LOWEST frequency.

Time: column ``j`` is the value at ``t_j = j * hop / samplerate`` seconds after the first
sample of the window (a spectrogram frame is centred there; a scalogram column is the
wavelet coefficient at that instant). Each column owns the interval ``t_j ± hop / 2sr``,
so the image spans exactly ``[t_start, t_end] = [-hop / 2sr, (n_cols - 1/2) * hop / sr]``.

Frequency: rows are evenly spaced on the axis named by ``scale`` -- ``'linear'`` (Hz),
``'log'`` (log Hz) or ``'mel'`` (HTK mel, ``2595 * log10(1 + f / 700)``). Row ``i`` owns the
band between its edges and ``freqs[i]`` is its centre, so the image spans exactly
``[f_low, f_high]`` (the bottom edge of row 0 and the top edge of the last row).
`Spectrogram.row_to_hz` / `col_to_time` implement the pixel mapping the page uses.

Levels: amplitudes are normalised so that a sinusoid of amplitude A reads 20*log10(A) dB
(0 dB = full scale) in both views, whatever the window length.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO, Literal, NamedTuple

import numpy as np
import scipy.fft
import scipy.signal
import scipy.special
import soundfile as sf

AudioSource = str | os.PathLike[str] | BinaryIO
Norm = Literal["db", "pcen"]
AxisScale = Literal["linear", "log", "mel"]

MIN_SAMPLERATE = 1_000
MAX_SAMPLERATE = 1_000_000
_POWER_FLOOR = 1e-20  # -200 dB: keeps log10 finite on digital silence
_BLOCK_FRAMES = 512  # STFT frames per block: ~1.5 MB at 2 ms / 384 kHz, fits in L2
_PCEN_SCALE = 2.0**31  # librosa's advice: feed PCEN magnitudes on an int32-like scale
# Wavelet spectra are cut where they fall below 1e-6 of their peak: exp(-x^2/2) = 1e-6.
_CUTOFF_SIGMAS = math.sqrt(2 * math.log(1e6))
# The CWT low-passes the signal over the top 5 % of the band below Nyquist (an erfc edge,
# 1e-6 at Nyquist). Cutting the wavelets' Gaussians sharply at Nyquist instead would give
# the high rows' kernels a slowly decaying (1/t) tail that no zero padding can contain.
_ROLLOFF_BAND = 0.05
_ROLLOFF_WIDTH = _ROLLOFF_BAND / 2 / scipy.special.erfcinv(2e-6)  # fraction of Nyquist


class AudioError(ValueError):
    """Audio we refuse to use: corrupt, empty, unsupported or with an absurd sample rate."""


@dataclass(frozen=True)
class AudioInfo:
    samplerate: int
    frames: int
    channels: int
    duration: float
    format: str
    subtype: str


# --------------------------------------------------------------------------- reading


def _describe(source: AudioSource) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return getattr(source, "name", None) or type(source).__name__


@contextmanager
def _open(source: AudioSource) -> Iterator[sf.SoundFile]:
    """Open with soundfile, turning libsndfile's errors into AudioError.

    A file object is read from its start, wherever it was left.
    """
    name = _describe(source)
    if isinstance(source, (str, os.PathLike)):
        if not os.path.exists(source):
            raise FileNotFoundError(name)
    else:
        source.seek(0)
    try:
        handle = sf.SoundFile(source)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"{name}: not a readable audio file ({exc})") from exc
    with handle:
        _check_stream(handle, name)
        yield handle


def _check_stream(handle: sf.SoundFile, name: str) -> None:
    rate = handle.samplerate
    if not MIN_SAMPLERATE <= rate <= MAX_SAMPLERATE:
        raise AudioError(
            f"{name}: sample rate {rate} Hz is outside the supported range "
            f"{MIN_SAMPLERATE}-{MAX_SAMPLERATE} Hz"
        )
    if handle.frames <= 0:
        raise AudioError(f"{name}: the file contains no audio frames")


def audio_info(source: AudioSource) -> AudioInfo:
    """Describe an audio file (path or binary file object) without decoding it.

    Raises AudioError for corrupt, empty or unsupported files and absurd sample rates.
    A file object is read from its start and left at the position it had.
    """
    position = None if isinstance(source, (str, os.PathLike)) else source.tell()
    try:
        with _open(source) as handle:
            return AudioInfo(
                samplerate=handle.samplerate,
                frames=handle.frames,
                channels=handle.channels,
                duration=handle.frames / handle.samplerate,
                format=handle.format,
                subtype=handle.subtype,
            )
    finally:
        if position is not None:
            source.seek(position)  # type: ignore[union-attr]


def read_window(
    source: AudioSource, start_s: float, end_s: float, *, channel: int = 0
) -> tuple[np.ndarray, int]:
    """Read frames ``round(start_s*sr) .. round(end_s*sr)`` (end excluded) of one channel.

    Only those frames are decoded (a file object is read from its start, and left
    wherever reading ends). The window is clamped to the file, so it may come
    back shorter (or empty) near the ends; the first sample returned is frame
    ``max(0, round(start_s * sr))``. Returns (float32 mono samples, sample rate).
    Non-finite samples (possible in float files) are replaced by 0.
    """
    if not end_s > start_s:
        raise ValueError(f"empty window: end {end_s} s is not after start {start_s} s")
    with _open(source) as handle:
        if not 0 <= channel < handle.channels:
            raise ValueError(f"channel {channel} does not exist ({handle.channels} channels)")
        rate = handle.samplerate
        first = min(max(0, round(start_s * rate)), handle.frames)
        stop = min(max(first, round(end_s * rate)), handle.frames)
        handle.seek(first)
        frames = handle.read(stop - first, dtype="float32", always_2d=True)
    samples = np.ascontiguousarray(frames[:, channel])
    np.nan_to_num(samples, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    return samples, rate


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
    """STFT settings. ``n_fft`` (even), when given, wins over ``window_s``."""

    window_s: float = 0.002
    n_fft: int | None = None
    overlap: float = 0.75
    window: str = "hann"
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
        if self.scale not in ("linear", "mel") or self.n_mels < 1:
            raise ValueError(f"scale must be 'linear' or 'mel' (n_mels >= 1), not {self.scale!r}")
        _check_band(self.fmin, self.fmax)

    def frame_length(self, samplerate: int) -> int:
        """FFT size in samples; always even so frame centres fall on samples."""
        if self.n_fft is not None:
            return self.n_fft
        return max(4, 2 * round(self.window_s * samplerate / 2))

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
        if not self.fmin > 0 or self.w0 < 3:
            raise ValueError("fmin must be positive and w0 >= 3 (else the wavelet is not analytic)")
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


# --------------------------------------------------------------------------- spectrogram


@lru_cache(maxsize=32)
def _scaled_window(name: str, n_fft: int) -> np.ndarray:
    # 2/sum(w) makes a sinusoid of amplitude A peak at |X| = A.
    w = scipy.signal.get_window(name, n_fft, fftbins=True)
    w = (w * (2.0 / w.sum())).astype(np.float32)
    w.flags.writeable = False
    return w


def _frames(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Strided view [n_frames, n_fft]; frame i is centred on sample i*hop (zero padded)."""
    half = n_fft // 2
    padded = np.zeros(x.size + 2 * half, dtype=np.float32)
    padded[half : half + x.size] = x
    return np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop]


def _block_rows(
    frames: np.ndarray, window: np.ndarray, bins: slice, bank: np.ndarray | None
) -> np.ndarray:
    """|rfft|^2 of a block of frames, cropped to `bins`, then through `bank`: [frames, rows]."""
    power = _power(scipy.fft.rfft(frames * window, axis=-1)[:, bins])
    return power if bank is None else power @ bank.T


def _stft_rows(
    x: np.ndarray,
    n_fft: int,
    hop: int,
    window: str,
    bins: slice,
    bank: np.ndarray | None,
    to_db: bool,
) -> np.ndarray:
    """STFT power (or dB) as [rows, n_frames], computed in blocks of frames on all cores.

    Blocks of `_BLOCK_FRAMES` keep each block's window/FFT/abs/log pipeline in cache,
    which is ~3x faster on long windows than whole-array passes through memory.
    """
    frames, w = _frames(x, n_fft, hop), _scaled_window(window, n_fft)
    n_rows = bank.shape[0] if bank is not None else len(range(frames.shape[1] // 2 + 1)[bins])
    out = np.empty((n_rows, len(frames)), dtype=np.float32)

    def fill(start: int) -> None:
        rows = _block_rows(frames[start : start + _BLOCK_FRAMES], w, bins, bank)
        out[:, start : start + len(rows)] = (_to_db(rows) if to_db else rows).T

    _run_threads(fill, range(0, len(frames), _BLOCK_FRAMES))
    return out


_IN_FLIGHT = 0
_IN_FLIGHT_LOCK = threading.Lock()


@contextmanager
def in_flight() -> Iterator[None]:
    """Count the views being computed in this process (see ``thread_budget``)."""
    global _IN_FLIGHT
    with _IN_FLIGHT_LOCK:
        _IN_FLIGHT += 1
    try:
        yield
    finally:
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT -= 1


def thread_budget() -> int:
    """Threads one view may use: the cores (or ECHOLOOP_DSP_THREADS) shared by the views in flight.

    A lone request renders on every core; eight concurrent requests each get one thread
    instead of eight, which would oversubscribe the machine and make all of them slower.
    """
    limit = int(os.environ.get("ECHOLOOP_DSP_THREADS") or 0) or os.cpu_count() or 1
    return max(1, limit // max(1, _IN_FLIGHT))


def _run_threads(fn: Callable[[int], object], items: range) -> list[object]:
    """fn over items on up to ``thread_budget()`` threads (numpy and scipy.fft release the GIL)."""
    workers = min(len(items), thread_budget())
    if workers <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def _power(coefs: np.ndarray) -> np.ndarray:
    power = np.abs(coefs)  # SIMD hypot: faster than re**2 + im**2 on strided halves
    power *= power
    return power


@lru_cache(maxsize=16)
def _mel_filters(samplerate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    import librosa

    # HTK mel so the page can map pixels with one closed formula; unnormalised
    # triangles so a tone keeps its level.
    bank = librosa.filters.mel(
        sr=samplerate, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=True, norm=None
    )
    bank.flags.writeable = False
    return bank


def _mel_axis(n_mels: int, fmin: float, fmax: float) -> tuple[np.ndarray, float, float]:
    """Row centres and outer edges (Hz) of the mel filterbank's rows."""
    low, high = _to_axis(fmin, "mel"), _to_axis(fmax, "mel")
    step = (high - low) / (n_mels + 1)  # librosa spaces n_mels + 2 points over the band
    centres = low + step * np.arange(1, n_mels + 1)
    edges = _from_axis(np.array([low + step / 2, high - step / 2]), "mel")
    return _from_axis(centres, "mel"), float(edges[0]), float(edges[1])


def spectrogram(samples: np.ndarray, samplerate: int, params: SpectrogramParams) -> Spectrogram:
    """STFT magnitude (dB or PCEN) of a mono window, with its exact extent.

    Frame i is centred on sample ``i * hop`` (the signal is zero-padded by half a
    window at both ends), so there are ``1 + len(samples) // hop`` columns. Linear
    rows are the FFT bins whose centre lies in [fmin, fmax]; mel rows are HTK mel bands.
    """
    x = _as_signal(samples)
    n_fft, hop = params.frame_length(samplerate), params.hop_length(samplerate)
    fmin, fmax = _band(params.fmin, params.fmax, samplerate)
    if params.scale == "mel":
        bins, bank = slice(None), _mel_filters(samplerate, n_fft, params.n_mels, fmin, fmax)
        freqs, f_low, f_high = _mel_axis(params.n_mels, fmin, fmax)
    else:
        bin_hz = samplerate / n_fft
        first, last = math.ceil(fmin / bin_hz), math.floor(fmax / bin_hz)
        if first > last:
            raise ValueError(f"no FFT bin between {fmin} and {fmax} Hz (bins are {bin_hz} Hz)")
        bins, bank = slice(first, last + 1), None
        freqs = np.arange(first, last + 1) * bin_hz
        f_low, f_high = (first - 0.5) * bin_hz, (last + 0.5) * bin_hz
    to_db = params.norm == "db"
    values = _stft_rows(x, n_fft, hop, params.window, bins, bank, to_db)
    if not to_db:
        values = _pcen(values, samplerate / hop, params)
    t_start, t_end = _time_extent(values.shape[1], hop, samplerate)
    vmin, vmax = params.display_range()
    scale: AxisScale = params.scale
    return Spectrogram(values, t_start, t_end, f_low, f_high, freqs, scale, vmin, vmax)


# --------------------------------------------------------------------------- scalogram


def nyquist_rolloff(freqs: np.ndarray, samplerate: float) -> np.ndarray:
    """Gain of the CWT's anti-edge low-pass at each frequency (1 below 95 % of Nyquist)."""
    nyquist = samplerate / 2
    middle = nyquist * (1 - _ROLLOFF_BAND / 2)
    return 0.5 * scipy.special.erfc((np.abs(freqs) - middle) / (_ROLLOFF_WIDTH * nyquist))


def _wavelet_sigma_t(freq: float, w0: float) -> float:
    """Time-domain Gaussian sigma (s) of the Morlet wavelet centred on freq."""
    return w0 / (2 * math.pi * freq)


class _Grid(NamedTuple):
    """Column grid of the fast CWT: columns every `hop` samples, `pad` extra each side."""

    hop: int
    n_cols: int
    pad: int  # zero columns before the signal (and at least as many after)
    total: int  # columns in the padded signal; padded length = total * hop

    @property
    def length(self) -> int:
        return self.total * self.hop


def _grid(n_samples: int, samplerate: int, fmin: float, w0: float, hop: int, n_cols: int) -> _Grid:
    # Zero padding wider than the longest wavelet turns the FFT's circular convolution
    # into a linear one, so calls at one end of the window do not leak into the other.
    wavelet = _CUTOFF_SIGMAS * _wavelet_sigma_t(fmin, w0) * samplerate
    # The roll-off's kernel decays as exp(-(pi w t)^2), w its width in Hz.
    rolloff = math.sqrt(math.log(1e6)) / (math.pi * _ROLLOFF_WIDTH / 2)
    pad = math.ceil(max(wavelet, rolloff) / hop)
    covered = max(n_samples, n_cols * hop)
    total = scipy.fft.next_fast_len(pad + math.ceil(covered / hop) + pad)
    return _Grid(hop, n_cols, pad, total)


def _padded_spectrum(x: np.ndarray, samplerate: int, grid: _Grid) -> np.ndarray:
    """Positive-frequency spectrum of the padded signal, rolled off below Nyquist.

    DC and Nyquist are zeroed (the wavelets are analytic). Zeros are appended so that
    any run of `grid.total` bins can be sliced safely.
    """
    padded = np.zeros(grid.length, dtype=np.float32)
    start = grid.pad * grid.hop
    padded[start : start + x.size] = x
    spectrum = scipy.fft.rfft(padded, workers=thread_budget())
    n_bins = (grid.length + 1) // 2  # positive bins, Nyquist excluded: the wavelet is analytic
    out = np.zeros(n_bins + 2 * grid.total, dtype=np.complex64)
    out[1:n_bins] = spectrum[1:n_bins]
    edge = int(n_bins * (1 - 2 * _ROLLOFF_BAND))  # the roll-off is exactly 1 below this
    out[edge:n_bins] *= nyquist_rolloff(
        np.arange(edge, n_bins) * samplerate / grid.length, samplerate
    )
    return out


def _fold_row(
    spectrum: np.ndarray, n_bins: int, centre: float, sigma: float, total: int, ramp: np.ndarray
) -> np.ndarray:
    """Signal spectrum x Gaussian, folded modulo `total` bins (centre, sigma in bins).

    Sampling the time signal every `hop` samples is the same as summing its spectrum
    modulo `total` bins, so folding the few non-negligible bins of the product and
    inverse-transforming `total` points gives the exact CWT at the column times.
    """
    low = max(1, math.ceil(centre - _CUTOFF_SIGMAS * sigma))
    high = min(n_bins - 1, math.floor(centre + _CUTOFF_SIGMAS * sigma))
    if low > high:
        return np.zeros(total, dtype=np.complex64)
    start = low - low % total  # block-aligned so the fold is a reshape + sum
    length = (high + 1 - start + total - 1) // total * total
    gauss = ramp[:length] + np.float32(start - centre)
    gauss *= np.float32(1.0 / sigma)
    np.square(gauss, out=gauss)
    gauss *= np.float32(-0.5)
    np.exp(gauss, out=gauss)
    product = spectrum[start : start + length] * gauss
    return product.reshape(-1, total).sum(axis=0)


def _fold_rows(spectrum: np.ndarray, n_bins: int, bands: np.ndarray, total: int) -> np.ndarray:
    """`_fold_row` for each (centre, sigma) pair of `bands`, sharing one ramp."""
    longest = int(2 * _CUTOFF_SIGMAS * bands[:, 1].max()) + 3 * total
    ramp = np.arange(longest, dtype=np.float32)
    folded = np.empty((len(bands), total), dtype=np.complex64)
    for row, (centre, sigma) in enumerate(bands):
        folded[row] = _fold_row(spectrum, n_bins, centre, sigma, total, ramp)
    return folded


def _fold_all(spectrum: np.ndarray, n_bins: int, bands: np.ndarray, total: int) -> np.ndarray:
    """Fold every row, rows interleaved over one thread per core.

    Interleaving balances the load: the cost of a row grows with its frequency.
    """
    step = min(len(bands), thread_budget())
    folded = np.empty((len(bands), total), dtype=np.complex64)

    def fill(first: int) -> None:
        folded[first::step] = _fold_rows(spectrum, n_bins, bands[first::step], total)

    _run_threads(fill, range(step))
    return folded


def cwt(
    samples: np.ndarray,
    samplerate: int,
    freqs: np.ndarray,
    *,
    w0: float = 6.0,
    hop: int = 1,
    n_cols: int | None = None,
) -> np.ndarray:
    """Fast complex Morlet CWT sampled every `hop` samples: complex64 [len(freqs), n_cols].

    Coefficient [r, j] is the analytic wavelet transform at sample ``j * hop`` for the
    wavelet whose spectrum is ``2 * exp(-(f - fr)^2 / (2 (fr / w0)^2))`` for f > 0 (so a
    sinusoid of amplitude A at fr gives |W| = A), times `nyquist_rolloff`; the signal is
    taken as zero outside. ``n_cols`` defaults to ``ceil(len(samples) / hop)``.
    Matches `cwt_reference`; its cost grows with the samples, hardly with the columns.
    """
    x = _as_signal(samples)
    freqs = np.asarray(freqs, dtype=np.float64)
    if freqs.ndim != 1 or freqs.size == 0 or not freqs.min() > 0 or hop < 1:
        raise ValueError("cwt needs a non-empty 1-D array of positive frequencies and hop >= 1")
    n_cols = n_cols or -(-x.size // hop)
    grid = _grid(x.size, samplerate, float(freqs.min()), w0, hop, n_cols)
    spectrum = _padded_spectrum(x, samplerate, grid)
    bin_hz = samplerate / grid.length
    bands = np.stack([freqs / bin_hz, freqs / (w0 * bin_hz)], axis=1)  # centre, sigma in bins
    folded = _fold_all(spectrum, (grid.length + 1) // 2, bands, grid.total)
    coefs = scipy.fft.ifft(folded, axis=-1, workers=thread_budget(), overwrite_x=True)
    coefs = coefs[:, grid.pad : grid.pad + n_cols]
    coefs *= np.float32(2.0 / hop)  # ifft's 1/total and the fold give 1/hop; 2 = peak gain
    return coefs


def cwt_reference(
    samples: np.ndarray,
    samplerate: int,
    freqs: np.ndarray,
    *,
    w0: float = 6.0,
    hop: int = 1,
    n_cols: int | None = None,
) -> np.ndarray:
    """Plain CWT for testing `cwt`: one full-length float64 FFT product per row.

    Same definition and output as `cwt`, computed the obvious way: zero-pad generously,
    multiply the whole spectrum by the wavelet's (and the Nyquist roll-off),
    inverse-transform, pick every hop-th sample.
    """
    x = np.asarray(samples, dtype=np.float64)
    n_cols = n_cols or -(-x.size // hop)
    pad = math.ceil(8 * _wavelet_sigma_t(float(np.min(freqs)), w0) * samplerate) + 1000
    length = pad + max(x.size, n_cols * hop) + pad
    spectrum = np.fft.fft(np.concatenate([np.zeros(pad), x, np.zeros(length - pad - x.size)]))
    f = np.fft.fftfreq(length, 1.0 / samplerate)
    spectrum *= nyquist_rolloff(f, samplerate)
    picks = pad + np.arange(n_cols) * hop
    out = np.empty((len(freqs), n_cols), dtype=np.complex128)
    for row, fr in enumerate(freqs):
        wavelet = np.where(f > 0, 2.0 * np.exp(-0.5 * ((f - fr) / (fr / w0)) ** 2), 0.0)
        out[row] = np.fft.ifft(spectrum * wavelet)[picks]
    return out


def _scalogram_axis(params: ScalogramParams, samplerate: int) -> tuple[np.ndarray, float, float]:
    """Row centre frequencies and the outer edges (Hz) of the first and last rows."""
    fmin, fmax = _band(params.fmin, params.fmax, samplerate)
    if params.spacing == "log":
        freqs = np.geomspace(fmin, fmax, params.n_rows)
        half_step = math.sqrt(fmax / fmin) ** (1.0 / (params.n_rows - 1))
        return freqs, fmin / half_step, fmax * half_step
    freqs = np.linspace(fmin, fmax, params.n_rows)
    half_step = (fmax - fmin) / (params.n_rows - 1) / 2
    return freqs, fmin - half_step, fmax + half_step


def scalogram(samples: np.ndarray, samplerate: int, params: ScalogramParams) -> Spectrogram:
    """Complex Morlet scalogram (|CWT| in dB or PCEN) with its exact extent.

    Columns fall every ``hop = ceil(len(samples) / params.n_cols)`` samples (a whole
    number, which the fast CWT needs) and there are ``ceil(len(samples) / hop)`` of them:
    exactly n_cols when n_cols divides the window length, a few fewer otherwise, never
    more (one per sample when n_cols exceeds the samples). Each value is the coefficient AT the column time, not an average over it, so
    for short calls ask for more columns (they cost little) and let the renderer pool.
    """
    x = _as_signal(samples)
    hop = -(-x.size // params.n_cols)  # 1 when asked for more columns than samples
    n_cols = -(-x.size // hop)
    freqs, f_low, f_high = _scalogram_axis(params, samplerate)
    coefs = cwt(x, samplerate, freqs, w0=params.w0, hop=hop, n_cols=n_cols)
    values = _display(_power(coefs), samplerate / hop, params)
    t_start, t_end = _time_extent(n_cols, hop, samplerate)
    vmin, vmax = params.display_range()
    scale: AxisScale = "log" if params.spacing == "log" else "linear"
    return Spectrogram(values, t_start, t_end, f_low, f_high, freqs, scale, vmin, vmax)
