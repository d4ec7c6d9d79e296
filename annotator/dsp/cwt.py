"""The scalogram: a band-limited complex-Morlet continuous wavelet transform."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import scipy.fft
import scipy.signal
import scipy.special

from annotator.dsp.display import (
    AxisScale,
    ScalogramParams,
    Spectrogram,
    _as_signal,
    _band,
    _display,
    _power,
    _time_extent,
)
from annotator.dsp.threads import _run_threads, thread_budget

# Wavelet spectra are cut where they fall below 1e-6 of their peak: exp(-x^2/2) = 1e-6.
_CUTOFF_SIGMAS = math.sqrt(2 * math.log(1e6))
# The CWT low-passes the signal over the top 5 % of the band below Nyquist (an erfc edge,
# 1e-6 at Nyquist). Cutting the wavelets' Gaussians sharply at Nyquist instead would give
# the high rows' kernels a slowly decaying (1/t) tail that no zero padding can contain.
_ROLLOFF_BAND = 0.05
_ROLLOFF_WIDTH = _ROLLOFF_BAND / 2 / scipy.special.erfcinv(2e-6)  # fraction of Nyquist


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
