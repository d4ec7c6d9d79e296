"""Call measurements of a time–frequency box, as bat analysts read them in Raven, Kaleidoscope or
BatSound; the box's power spectrum; the waveform envelope of a window. Pure numpy/scipy, no Django.

How a box is measured
---------------------
1. **Spectrogram of the box.** A Hann-window STFT whose window is matched to the box's mean sweep
   rate ``r = band / duration``: a window of ``1 / sqrt(r)`` seconds is the one that spreads a
   linear chirp of that rate least in time and frequency together, so a 2-ms FM call gets a
   ~0.2 ms window and a long CF call a few ms (clamped to 64 samples … 20 ms, and to a quarter of
   the box so it holds frames). Hop: an eighth of the window. Levels in dB full scale (a sinusoid
   of amplitude A reads 20·log10 A), the page's convention.
2. **Is there a call?** The noise floor is the median power over all frequencies of the box's
   frames (a box drawn tightly around a tone cannot raise it); the call's level is the box's
   loudest cell averaged with its neighbours (so one lucky noise cell cannot pass). Below ``MIN_SNR_DB``
   above the floor there is no call: every measurement is None and ``reason`` says why.
3. **When.** The envelope of the band-passed samples (|analytic signal|, smoothed over one hop);
   the call is the contiguous stretch around its maximum that stays within ``THRESHOLD_DB`` (20 dB)
   of it. ``duration_s`` is that stretch, not the box.
4. **The ridge**, traced from the loudest cell outwards: in each next frame the loudest bin
   near the last one (a parabola through the log power of it and its neighbours refines it), until
   the call falls 20 dB below its peak or the trace would have to jump (a harmonic entering the
   box, an echo); the call then ends there too. From the ridge: ``start_hz``/``end_hz`` (its
   first and last frame), ``low_hz``/``high_hz`` (its lowest and highest value: the call's
   frequency range at −20 dB from its peak), ``bandwidth_hz = high_hz − low_hz`` and
   ``characteristic_hz`` (below).
5. **Over the whole box**, with Raven's definitions (Raven Pro 1.4 manual, Charif, Waack &
   Strickman 2010; summarised in https://pmc.ncbi.nlm.nih.gov/articles/PMC7694559/table/table-1):
   ``peak_hz``/``peak_time_s``, the frequency and time of the box's maximum amplitude (Raven's
   Peak Freq, Peak Time); ``freq_5_hz``/``center_hz``/``freq_95_hz``, the frequencies dividing the
   box's energy into 5/95, 50/50 and 95/5 % (Freq 5%, Center Freq, Freq 95%) and ``bw_90_hz``, the
   difference of the 5 % and 95 % frequencies (BW 90%).

Characteristic frequency (Fc)
-----------------------------
Analook/Anabat (Titley Scientific's glossary, https://www.titley-scientific.com/glossary/page/4):
"Fc — the frequency at the right-hand end of the portion of the call with the lowest absolute
slope (the body)". SonoBat (https://www.sonobat.co.uk/call-parameter-data/) narrows where to look:
"the point in the final 40% of the call having the lowest slope or exhibiting the end of the main
trend of the body of the call". Here: over the last 40 % of the ridge, the absolute slope (Hz/s,
least squares) of every window of a third of that stretch; the body is the *last* window whose
slope is within the estimate's noise of the flattest, and Fc the ridge frequency at its right end.
So a CF call with an FM tail gets its CF frequency, a sweep flattening into a QCF tail the end of
the tail, and a linear sweep (equal slope everywhere) its end frequency.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np
import scipy.fft
import scipy.ndimage
import scipy.signal

VERSION = 1
THRESHOLD_DB = 20.0  # the call: within this much of its loudest point
MIN_SNR_DB = 13.0  # see `BoxSpectrogram.snr_db`
MIN_WINDOW = 64  # samples
MAX_WINDOW_S = 0.02
# What one measurement may read: 2^21 samples is 5.5 s at 384 kHz, 44 s at 48 kHz.
MAX_SAMPLES = 2**21
MAX_SPECTRUM_BINS = 2048
MAX_ENVELOPE_SAMPLES = 2**23  # 22 s at 384 kHz: 32 MB of float32
MAX_ENVELOPE_COLUMNS = 4096
FC_TAIL = 0.4  # SonoBat: Fc lies in the final 40 % of the call


class TooCostly(ValueError):
    """A request whose cost (samples to read, values to return) is beyond the bounds."""


@dataclass(frozen=True)
class Band:
    """A box: seconds of recording time, Hz (None, None: the whole band up to Nyquist)."""

    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None

    def clipped(self, samplerate: int) -> tuple[float, float]:
        nyquist = samplerate / 2
        low = 0.0 if self.low_hz is None else max(0.0, self.low_hz)
        high = nyquist if self.high_hz is None else min(self.high_hz, nyquist)
        return low, high


@dataclass(frozen=True)
class Measurements:
    """Seconds are recording time; None (with ``reason``) where the box holds no call."""

    duration_s: float | None = None
    call_start_s: float | None = None
    call_end_s: float | None = None
    low_hz: float | None = None
    high_hz: float | None = None
    bandwidth_hz: float | None = None
    start_hz: float | None = None
    end_hz: float | None = None
    characteristic_hz: float | None = None
    peak_hz: float | None = None
    peak_time_s: float | None = None
    center_hz: float | None = None
    freq_5_hz: float | None = None
    freq_95_hz: float | None = None
    bw_90_hz: float | None = None
    snr_db: float | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, float | str | None]:
        return asdict(self)

    @classmethod
    def unmeasured(cls, reason: str, snr_db: float | None = None) -> Measurements:
        return cls(reason=reason, snr_db=snr_db)


FIELDS = tuple(f.name for f in fields(Measurements))


def samples_needed(box: Band, samplerate: int) -> int:
    """How many samples measuring ``box`` reads (its span plus half a window each side)."""
    window = _window_length(box, samplerate)
    return int(round((box.end_s - box.start_s) * samplerate)) + window


def check_cost(box: Band, samplerate: int) -> None:
    """TooCostly if measuring ``box`` would read more than MAX_SAMPLES; call before reading."""
    need = samples_needed(box, samplerate)
    if need > MAX_SAMPLES:
        seconds = MAX_SAMPLES / samplerate
        raise TooCostly(
            f"the box spans {need} samples; measurements are limited to {MAX_SAMPLES} ({seconds:.2f} s here)"
        )


def read_span(box: Band, samplerate: int) -> tuple[float, float]:
    """The window of audio `measure` wants: the box with half a window on each side."""
    pad = _window_length(box, samplerate) / 2 / samplerate
    return max(0.0, box.start_s - pad), box.end_s + pad


# --------------------------------------------------------------------------- measuring


def measure(samples: np.ndarray, samplerate: int, offset_s: float, box: Band) -> Measurements:
    """Measurements of the call in ``box``; ``samples`` start at ``offset_s`` (recording time) and
    should cover `read_span(box)`. Never raises on content: silence, noise, a box above Nyquist or
    too short give a Measurements with None values and a ``reason``."""
    low, high = box.clipped(samplerate)
    if high <= low:
        return Measurements.unmeasured(
            f"the box lies above the recording's Nyquist frequency ({samplerate / 2:.0f} Hz)"
        )
    spec = BoxSpectrogram.compute(samples, samplerate, offset_s, box)
    if spec is None:
        return Measurements.unmeasured("the box is too short to measure (fewer than two frames)")
    if not np.any(spec.band_power > 0):
        return Measurements.unmeasured("the box is silent")
    snr = spec.snr_db()
    if snr < MIN_SNR_DB:
        return Measurements.unmeasured(
            f"no call above the noise: the loudest part is {snr:.1f} dB above the noise floor (needs {MIN_SNR_DB:.0f} dB)",
            snr_db=round(snr, 2),
        )
    call_start, call_end = call_extent(samples, samplerate, offset_s, box, spec.hop)
    ridge_t, ridge_f = spec.ridge(call_start, call_end)
    # Where the ridge broke off before the envelope's end, the call ends with it.
    half_hop = spec.hop / 2 / samplerate
    call_start, call_end = (
        max(call_start, float(ridge_t[0]) - half_hop),
        min(call_end, float(ridge_t[-1]) + half_hop),
    )
    peak_hz, peak_time = spec.peak()
    f5, f50, f95 = spec.energy_quantiles((0.05, 0.5, 0.95))
    return Measurements(
        duration_s=call_end - call_start,
        call_start_s=call_start,
        call_end_s=call_end,
        low_hz=float(ridge_f.min()),
        high_hz=float(ridge_f.max()),
        bandwidth_hz=float(ridge_f.max() - ridge_f.min()),
        start_hz=float(ridge_f[0]),
        end_hz=float(ridge_f[-1]),
        characteristic_hz=characteristic_frequency(ridge_t, ridge_f, spec.bin_hz),
        peak_hz=peak_hz,
        peak_time_s=peak_time,
        center_hz=f50,
        freq_5_hz=f5,
        freq_95_hz=f95,
        bw_90_hz=f95 - f5,
        snr_db=round(snr, 2),
    )


def _window_length(box: Band, samplerate: int) -> int:
    """Samples of the STFT window matched to the box's mean sweep rate (see the module's notes)."""
    duration = max(box.end_s - box.start_s, 1.0 / samplerate)
    low, high = box.clipped(samplerate)
    rate = max(high - low, 1.0) / duration
    seconds = min(1.0 / math.sqrt(rate), MAX_WINDOW_S, duration / 4)
    return max(MIN_WINDOW, int(round(seconds * samplerate)))


@dataclass
class BoxSpectrogram:
    """Power (linear, full scale) of the frames centred inside the box: ``power[frame, bin]``."""

    power: np.ndarray
    times: np.ndarray  # frame centres, recording time
    freqs: np.ndarray
    band: np.ndarray  # bool per bin: inside the box's band
    hop: int
    samplerate: int

    @classmethod
    def compute(
        cls, samples: np.ndarray, samplerate: int, offset_s: float, box: Band
    ) -> BoxSpectrogram | None:
        n = _window_length(box, samplerate)
        hop = max(1, n // 8)
        first = int(math.ceil((box.start_s - offset_s) * samplerate))
        last = int(math.floor((box.end_s - offset_s) * samplerate))
        centres = np.arange(max(first, 0), min(last, samples.size - 1) + 1, hop)
        if centres.size < 2:
            return None
        padded = np.concatenate(
            [np.zeros(n, np.float32), samples.astype(np.float32), np.zeros(n, np.float32)]
        )
        starts = centres - n // 2 + n
        frames = np.lib.stride_tricks.sliding_window_view(padded, n)[starts]
        window = scipy.signal.get_window("hann", n, fftbins=True)
        window = window * (2.0 / window.sum())
        n_fft = 1 << max(0, math.ceil(math.log2(4 * n)))
        spectrum = scipy.fft.rfft(frames * window, n=n_fft, axis=-1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float64)
        freqs = np.fft.rfftfreq(n_fft, 1.0 / samplerate)
        low, high = box.clipped(samplerate)
        band = (freqs >= low) & (freqs <= high)
        if not band.any():  # a band narrower than one bin: its nearest bin
            band[np.argmin(np.abs(freqs - (low + high) / 2))] = True
        times = offset_s + centres / samplerate
        return cls(power, times, freqs, band, hop, samplerate)

    @property
    def band_power(self) -> np.ndarray:
        return self.power[:, self.band]

    @property
    def bin_hz(self) -> float:
        return float(self.freqs[1] - self.freqs[0])

    def snr_db(self) -> float:
        """The box's loudest cell, averaged with its neighbours, over the noise floor, in dB.

        The floor is the median of all bins (DC left out) of the box's frames. The average runs
        over 8 frames (one window: hops are an eighth of it) and 8 bins (two resolution cells:
        the FFT is zero-padded fourfold), so it spans several independent cells and one lucky
        noise cell cannot pass. Measured: white noise in boxes of 1 ms to 140 ms and 5 to 180
        kHz (30 seeds) never exceeded 10.7 dB; the faintest of the 90 Whombat example calls reads
        15.7 dB. Hence MIN_SNR_DB = 13. A floor of digital silence reads as 1e-20 (−200 dB).
        """
        floor = max(float(np.median(self.power[:, 1:])), 1e-20)
        smoothed = scipy.ndimage.uniform_filter(self.band_power, size=(8, 8), mode="nearest")
        return 10 * math.log10(max(float(smoothed.max()), 1e-20) / floor)

    def ridge(self, start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Times and refined frequencies of the call's ridge between ``start_s`` and ``end_s``.

        Traced from the loudest frame outwards, each frame's loudest bin near the last one: the
        trace stops where the call falls THRESHOLD_DB below its peak or would have to jump (a
        harmonic entering the box, an echo), so it follows one call, not whatever is loudest.
        """
        inside = np.flatnonzero((self.times >= start_s) & (self.times <= end_s))
        if inside.size == 0:  # a call shorter than a hop: the frame nearest its middle
            inside = np.array([int(np.argmin(np.abs(self.times - (start_s + end_s) / 2)))])
        power = self.band_power[inside]
        first, last, best = _trace(power, self.max_jump_bins(power.shape[0]))
        rows = np.arange(first, last + 1)
        raw = self.freqs[self.band][best] + self.bin_hz * _parabolic_offset(power, rows, best)
        times = self.times[inside][rows]
        if raw.size < 3:
            return times, raw
        ridge = scipy.signal.medfilt(raw, 3)  # one stray frame (a click) is not the call
        ridge[0], ridge[-1] = raw[0], raw[-1]  # medfilt pads with zeros: the ends stay as measured
        return times, ridge

    def max_jump_bins(self, frames: int) -> int:
        """How far the ridge may move between frames: four times the box's mean sweep per frame
        (its band over its frames), at least four bins."""
        return max(4, int(math.ceil(4 * int(self.band.sum()) / max(frames, 1))))

    def peak(self) -> tuple[float, float]:
        """Raven's Peak Freq and Peak Time: where the box's loudest cell is."""
        power = self.band_power
        row, col = np.unravel_index(int(np.argmax(power)), power.shape)
        freq = (
            self.freqs[self.band][col]
            + self.bin_hz * _parabolic_offset(power, np.array([row]), np.array([col]))[0]
        )
        return float(freq), float(self.times[row])

    def energy_quantiles(self, quantiles: tuple[float, ...]) -> list[float]:
        """Frequencies below which the given fractions of the box's energy lie (Raven's Freq N%)."""
        energy = self.band_power.sum(axis=0)
        cumulative = np.cumsum(energy) / energy.sum()
        freqs = self.freqs[self.band]
        return [
            float(freqs[min(np.searchsorted(cumulative, q), freqs.size - 1)]) for q in quantiles
        ]

    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """The box's mean power per band bin, dB full scale (what the page's spectrum panel draws)."""
        mean = self.band_power.mean(axis=0)
        return self.freqs[self.band], 10 * np.log10(np.maximum(mean, 1e-20))


def _trace(power: np.ndarray, max_jump: int) -> tuple[int, int, np.ndarray]:
    """First and last frame of the ridge through the loudest cell, and its bin in each frame."""
    peak_row, peak_col = np.unravel_index(int(np.argmax(power)), power.shape)
    floor = power[peak_row, peak_col] * 10 ** (-THRESHOLD_DB / 10)
    cols = {int(peak_row): int(peak_col)}
    for step in (1, -1):
        row, col = int(peak_row), int(peak_col)
        while 0 <= row + step < power.shape[0]:
            lo, hi = max(0, col - max_jump), min(power.shape[1], col + max_jump + 1)
            nearby = power[row + step, lo:hi]
            if nearby.max() < floor:
                break
            row, col = row + step, lo + int(np.argmax(nearby))
            cols[row] = col
    first, last = min(cols), max(cols)
    return first, last, np.array([cols[r] for r in range(first, last + 1)])


def _parabolic_offset(power: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Sub-bin offset of each peak from a parabola through the log power of it and its neighbours."""
    left = np.clip(cols - 1, 0, power.shape[1] - 1)
    right = np.clip(cols + 1, 0, power.shape[1] - 1)
    a, b, c = (np.log(np.maximum(power[rows, k], 1e-30)) for k in (left, cols, right))
    denominator = a - 2 * b + c
    edge = (cols == 0) | (cols == power.shape[1] - 1) | (denominator >= 0)
    offset = np.where(edge, 0.0, 0.5 * (a - c) / np.where(denominator == 0, 1, denominator))
    return np.clip(offset, -0.5, 0.5)


def call_extent(
    samples: np.ndarray, samplerate: int, offset_s: float, box: Band, hop: int
) -> tuple[float, float]:
    """Start and end (recording time) of the stretch around the band-limited envelope's maximum
    that stays within THRESHOLD_DB of it, inside the box."""
    low, high = box.clipped(samplerate)
    first = max(0, int(round((box.start_s - offset_s) * samplerate)))
    last = min(samples.size, int(round((box.end_s - offset_s) * samplerate)))
    envelope = _band_envelope(samples, samplerate, low, high)
    envelope = scipy.ndimage.uniform_filter1d(envelope, size=max(1, hop))[first:last]
    peak = int(np.argmax(envelope))
    above = envelope >= envelope[peak] * 10 ** (-THRESHOLD_DB / 20)
    below_before = np.flatnonzero(~above[:peak])
    below_after = np.flatnonzero(~above[peak:])
    begin = below_before[-1] + 1 if below_before.size else 0
    end = peak + below_after[0] if below_after.size else above.size
    start = max(box.start_s, offset_s + (first + begin) / samplerate)
    return float(start), float(min(box.end_s, offset_s + (first + end) / samplerate))


def _band_envelope(samples: np.ndarray, samplerate: int, low: float, high: float) -> np.ndarray:
    """|analytic signal| of the samples band-passed to [low, high] (zero-phase: no time shift)."""
    x = samples.astype(np.float64)
    nyquist = samplerate / 2
    lo, hi = low / nyquist, high / nyquist
    if lo > 0.001 or hi < 0.999:
        lo, hi = max(lo, 1e-4), min(hi, 0.9999)
        if hi - lo < 1e-3:
            lo, hi = max(1e-4, lo - 5e-4), min(0.9999, hi + 5e-4)
        sos = scipy.signal.butter(4, [lo, hi], btype="bandpass", output="sos")
        x = scipy.signal.sosfiltfilt(sos, x) if x.size > 27 else x
    return np.abs(scipy.signal.hilbert(x))


def characteristic_frequency(times: np.ndarray, ridge: np.ndarray, bin_hz: float) -> float:
    """Fc: the ridge frequency at the right-hand end of the flattest stretch of the call's final
    40 % (see the module's notes for the Analook and SonoBat definitions)."""
    n = ridge.size
    if n < 3:
        return float(ridge[-1])
    tail_t, tail_f = (
        times[-max(3, int(round(n * FC_TAIL))) :],
        ridge[-max(3, int(round(n * FC_TAIL))) :],
    )
    length = max(2, int(round(tail_t.size / 3)))
    t_windows = np.lib.stride_tricks.sliding_window_view(tail_t, length)
    f_windows = np.lib.stride_tricks.sliding_window_view(tail_f, length)
    slopes = np.abs(_least_squares_slopes(t_windows, f_windows))
    span = float(t_windows[0, -1] - t_windows[0, 0]) or 1.0
    # Slopes closer than a quarter bin over the window are the same within the ridge's noise.
    tolerance = max(0.25 * bin_hz / span, 0.1 * float(slopes.min()))
    body = int(np.flatnonzero(slopes <= slopes.min() + tolerance)[-1])
    return float(f_windows[body, -1])


def _least_squares_slopes(t: np.ndarray, f: np.ndarray) -> np.ndarray:
    t_c = t - t.mean(axis=1, keepdims=True)
    f_c = f - f.mean(axis=1, keepdims=True)
    return (t_c * f_c).sum(axis=1) / np.maximum((t_c**2).sum(axis=1), 1e-30)


# --------------------------------------------------------------------------- spectrum and envelope


def spectrum(
    samples: np.ndarray,
    samplerate: int,
    offset_s: float,
    box: Band,
    max_bins: int = MAX_SPECTRUM_BINS,
) -> dict:
    """The box's mean power spectrum (dB full scale) at most ``max_bins`` long (neighbouring bins
    merged by their maximum, so a narrow peak survives), with the STFT window used."""
    spec = BoxSpectrogram.compute(samples, samplerate, offset_s, box)
    if spec is None:
        return {
            "freqs_hz": [],
            "db": [],
            "window": 0,
            "reason": "the box is too short (fewer than two frames)",
        }
    freqs, db = spec.spectrum()
    group = max(1, math.ceil(freqs.size / max_bins))
    if group > 1:
        cut = freqs.size - freqs.size % group
        freqs = freqs[:cut].reshape(-1, group).mean(axis=1)
        db = db[:cut].reshape(-1, group).max(axis=1)
    return {
        "freqs_hz": [round(float(x), 3) for x in freqs],
        "db": [round(float(x), 3) for x in db],
        "window": int(_window_length(box, samplerate)),
        "reason": None,
    }


def envelope(samples: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of the samples in each of ``columns`` equal slices (a waveform strip's pixels)."""
    if samples.size == 0:
        return np.zeros(columns, np.float32), np.zeros(columns, np.float32)
    edges = np.linspace(0, samples.size, columns + 1).astype(np.int64)
    edges[1:] = np.maximum(edges[1:], edges[:-1] + 1)  # every column holds at least one sample
    edges = np.minimum(edges, samples.size)
    starts = np.minimum(edges[:-1], samples.size - 1)
    return np.minimum.reduceat(samples, starts), np.maximum.reduceat(samples, starts)
