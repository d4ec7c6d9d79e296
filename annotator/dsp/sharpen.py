"""Spectrograms that draw FM sweeps sharper than the plain STFT: the reassigned spectrogram and
the multitaper spectrogram. Vectorised numpy over blocks of frames, like `stft`.

librosa's ``reassigned_spectrogram`` returns each cell's reassigned time and frequency but
leaves the re-binning to the caller, computes three full STFTs in float64 over the whole
window and has no band crop; this module does the same maths per block of frames, cropped to
the band, in float32, and accumulates the energy on the STFT's own grid: 1 s at 384 kHz
(2 ms, 75 %) takes 64 ms here, re-binned, against 136 ms for librosa's times and frequencies
alone (same machine, loaded).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
import scipy.fft
import scipy.signal

from annotator.dsp.display import _power
from annotator.dsp.limits import MULTITAPERS
from annotator.dsp.threads import _run_threads

_BLOCK_FRAMES = 512
_QUIET = 1e-30  # cells with less power are not reassigned (their phase is noise)


@lru_cache(maxsize=32)
def scaled_windows(name: str, frame: int, sharpen: str) -> np.ndarray:
    """[k, frame] float32 windows, each scaled so a sinusoid of amplitude A peaks near A.

    One window for ``none``; for ``reassigned`` the window h, the time-weighted window
    t·h (t in samples from the frame's centre) and the derivative dh/dt (per sample); for
    ``multitaper`` DPSS tapers (NW = 2), all scaled by the first taper's factor.
    """
    if sharpen == "multitaper":
        tapers = scipy.signal.windows.dpss(frame, 2.0, MULTITAPERS, sym=False)
        out = tapers * (2.0 / tapers[0].sum())
    else:
        w = scipy.signal.get_window(name, frame, fftbins=True)
        w = w * (2.0 / w.sum())
        if sharpen == "reassigned":
            t = np.arange(frame) - frame // 2  # sample `frame // 2` is the frame's centre
            derivative = (np.roll(w, -1) - np.roll(w, 1)) / 2  # cyclic: the window is periodic
            out = np.stack([w, t * w, derivative])
        else:
            out = w[None, :]
    out = out.astype(np.float32)
    out.flags.writeable = False
    return out


def taper_power(frames: np.ndarray, tapers: np.ndarray, n_fft: int, bins: slice) -> np.ndarray:
    """Mean over the tapers of |rfft|^2 of a block of frames, cropped to `bins`: [frames, rows]."""
    power = _power(scipy.fft.rfft(frames * tapers[0], n=n_fft, axis=-1)[:, bins])
    for taper in tapers[1:]:
        power += _power(scipy.fft.rfft(frames * taper, n=n_fft, axis=-1)[:, bins])
    if len(tapers) > 1:
        power /= np.float32(len(tapers))
    return power


def reassigned_block(frames: np.ndarray, windows: np.ndarray, n_fft: int, hop: int, bins: slice):
    """Each cell's power and where reassignment moves it, for a block of frames.

    For a cell at frame centre t and bin k (Auger & Flandrin 1995), with X_h the STFT with
    window h: the energy's group delay is ``t + Re(X_th / X_h)`` samples and its instantaneous
    frequency ``k - Im(X_dh / X_h) · n_fft / 2π`` bins. Returns (power, frame offsets, bins),
    the last two as float32 arrays of the block's shape, relative to the block's first frame
    and the FFT's bin 0.
    """
    spectra = [scipy.fft.rfft(frames * w, n=n_fft, axis=-1)[:, bins] for w in windows]
    xh, xt, xd = spectra
    power = _power(xh)
    safe = np.where(power > _QUIET, power, np.float32(np.inf))
    conj = np.conj(xh)
    delay = (xt * conj).real / safe  # samples
    shift = (xd * conj).imag / safe  # radians per sample
    first = bins.start or 0
    k = np.arange(first, first + power.shape[1], dtype=np.float32)
    rows = k[None, :] - shift * np.float32(n_fft / (2 * np.pi))
    cols = np.arange(len(frames), dtype=np.float32)[:, None] + delay / np.float32(hop)
    return power, cols, rows


def reassigned_power(
    frames: np.ndarray, windows: np.ndarray, n_fft: int, hop: int, bins: slice
) -> np.ndarray:
    """The reassigned spectrogram on the STFT's grid: [n_frames, rows] of summed power.

    Each cell's power is added to the frame and bin nearest its reassigned time and
    frequency; energy reassigned outside the band or the window is dropped. Blocks run on all
    cores, each summing into a private strip (its frames plus the half-window reassignment can
    reach on either side) added to the result under a lock.
    """
    n_frames = len(frames)
    first = bins.start or 0
    n_rows = len(range(n_fft // 2 + 1)[bins])
    reach = frames.shape[1] // (2 * hop) + 1  # reassignment moves energy at most half a window
    out = np.zeros((n_frames, n_rows), dtype=np.float32)
    lock = threading.Lock()

    def fill(start: int) -> None:
        block = frames[start : start + _BLOCK_FRAMES]
        power, cols, rows = reassigned_block(block, windows, n_fft, hop, bins)
        lo, hi = max(0, start - reach), min(n_frames, start + len(block) + reach)
        col = np.rint(cols).astype(np.int64) + (start - lo)
        row = np.rint(rows).astype(np.int64) - first
        keep = (col >= 0) & (col < hi - lo) & (row >= 0) & (row < n_rows) & (power > _QUIET)
        strip = np.bincount(
            col[keep] * n_rows + row[keep], weights=power[keep], minlength=(hi - lo) * n_rows
        )
        with lock:
            out[lo:hi] += strip.reshape(hi - lo, n_rows).astype(np.float32)

    _run_threads(fill, range(0, n_frames, _BLOCK_FRAMES))
    return out
