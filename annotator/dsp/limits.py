"""The one rule for view settings: what a request or a project may ask for, quantised to the
values the page offers, and what a view may cost before any work is done.

Both the view requests (`annotator.rendering.parse_spec`) and the project's defaults
(`Project.clean`, the settings API) check values with `view_settings_errors`, so a project can
never hold a default that its own views would refuse.
"""

from __future__ import annotations

import math

WINDOW_S = (5e-5, 0.1)  # STFT window: 50 µs (a few samples of a 500 kHz bat) .. 100 ms (birds)
OVERLAP = (0.0, 0.95)
OVERLAP_STEP = 0.05
WINDOW_TYPES = ("hann", "hamming", "blackman", "blackmanharris", "boxcar")
SHARPEN = ("none", "reassigned", "multitaper")
LEVELS = ("auto", "fixed")
W0 = (3.0, 400.0)  # Morlet radians per sigma: below 3 it is not analytic
# 6: the usual Morlet, for FM calls. 200: a horseshoe bat's CF tone drawn 0.9 kHz wide like the
# 2-ms spectrogram's line (6 draws it 33 kHz wide; benchmarks/sharpness.py, cf_widths).
W0_PRESETS = {"fm": 6.0, "cf": 200.0}
MULTITAPERS = 3  # DPSS tapers of the multitaper spectrogram (NW = 2)
MAX_WORK = 4e9  # estimated work of one view, in units of ~1 ns of one core (measured, loaded box)
# Work per FFT point relative to a plain STFT's, measured (benchmarks/views.py): reassignment's
# three FFTs plus its re-binning cost ~8 plain FFTs; the CWT's per-bin Gaussian ~4 FFT points.
_FFTS = {"none": 1, "multitaper": MULTITAPERS, "reassigned": 8}
_CWT_COST = 4.0


def view_settings_errors(
    *, window_s: float, overlap: float, window_type: str, sharpen: str, w0: float
) -> dict[str, str]:
    """Field -> message for each setting outside its limits (empty when all are valid)."""
    errors = {}
    if not WINDOW_S[0] <= window_s <= WINDOW_S[1]:
        errors["window_s"] = f"{window_s} is outside {WINDOW_S[0]}..{WINDOW_S[1]} s"
    if not OVERLAP[0] <= overlap <= OVERLAP[1]:
        errors["overlap"] = f"{overlap} is outside {OVERLAP[0]}..{OVERLAP[1]}"
    if window_type not in WINDOW_TYPES:
        errors["window_type"] = f"must be one of {', '.join(WINDOW_TYPES)}"
    if sharpen not in SHARPEN:
        errors["sharpen"] = f"must be one of {', '.join(SHARPEN)}"
    if not W0[0] <= w0 <= W0[1]:
        errors["w0"] = f"{w0} is outside {W0[0]:g}..{W0[1]:g}"
    return errors


# --------------------------------------------------------------------------- quantisation


def frame_samples(window_s: float, samplerate: int) -> int:
    """The window in samples, snapped to the nearest of 4, 6, 8, 12, 16, 24, ... (2^k and 3·2^k).

    Half-octave steps are finer than anyone can tell apart on screen, keep FFT sizes fast, and
    bound the cache: a sample rate has ~25 distinct windows whatever values are requested.
    (2 ms at 384 kHz = 768 and at 256 kHz = 512 are on the grid.)
    """
    target = max(4.0, window_s * samplerate)
    k = math.floor(math.log2(target))
    candidates = (2**k, 3 * 2 ** (k - 1), 2 ** (k + 1))
    return int(min(candidates, key=lambda n: abs(math.log(n / target))))


def quantise_overlap(overlap: float) -> float:
    return round(round(overlap / OVERLAP_STEP) * OVERLAP_STEP, 2)


def quantise_w0(w0: float) -> float:
    return float(round(w0))


# --------------------------------------------------------------------------- cost


def spectrogram_work(n_samples: int, frame: int, pad: int, hop: int, sharpen: str) -> float:
    """Work of a spectrogram: frames × FFT size × (log2 + 1) × FFTs per frame (`_FFTS`)."""
    n_fft = frame * pad
    frames = 1 + n_samples // hop
    return frames * n_fft * (math.log2(n_fft) + 1) * _FFTS[sharpen]


def scalogram_work(
    n_samples: int, samplerate: int, fmin: float, fmax: float, n_rows: int, n_cols: int, w0: float
) -> float:
    """Work of the fast CWT (`cwt.cwt`): one FFT of the padded signal, then per
    row the wavelet's non-negligible bins (±5.3 sigma, sigma = f / w0) and an inverse FFT over
    the columns. The padding grows with the longest wavelet (the lowest row)."""
    pad = 2 * 5.3 * w0 / (2 * math.pi * fmin) * samplerate
    length = n_samples + pad
    mean_freq = (fmax - fmin) / math.log(fmax / fmin) if fmax > fmin else fmax
    fold = n_rows * 2 * 5.3 * mean_freq / w0 * length / samplerate
    columns = max(n_cols, 1) * 2
    return _CWT_COST * (
        length * (math.log2(length) + 1) + fold + n_rows * columns * (math.log2(columns) + 1)
    )


def check_work(work: float) -> None:
    """Refuse a view whose estimated work exceeds `MAX_WORK` (before reading any audio)."""
    if work > MAX_WORK:
        raise ValueError(
            f"this view would cost ~{work:.2g} operations (limit {MAX_WORK:.0g}): "
            "ask for a shorter time span, a longer hop (less overlap) or no sharpening"
        )
