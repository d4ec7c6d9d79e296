"""Settings chosen from the view itself: the window that follows the zoom, the FFT padding that
keeps enough rows, and levels from the view's own percentiles."""

from __future__ import annotations

import math

import numpy as np

AUTO_WINDOW_PIXELS = 4.0  # the window spans this many image columns of time
# 0.5 ms: 4 windows across a 2-ms bat call. Shorter smears FM calls in frequency more than it
# sharpens them in time (benchmarks/sharpness.py: 0.25 ms doubles the calls' effective area).
AUTO_WINDOW_MIN_S = 0.0005
MIN_ROWS = 128  # zero-pad the FFT until the band has this many rows (or the image height)
MAX_PAD = 8
LEVEL_FLOOR_PERCENTILE = 50.0  # most of a view is background: its median is the noise floor
LEVEL_PEAK_PERCENTILE = 99.9
_LEVEL_SAMPLE = 65_536  # percentiles of an evenly strided sample (>= 65 cells above the 99.9th)
MIN_SPAN = {"db": 20.0, "pcen": 0.5}  # a view of pure noise is not stretched to full contrast
_EMPTY_DB = -190.0  # below this a cell is empty (digital silence, or no energy reassigned there)


def auto_window_s(span_s: float, width_px: int | None, longest_s: float) -> float:
    """The STFT window for a view of ``span_s`` seconds drawn ``width_px`` pixels wide.

    Rule: the window spans `AUTO_WINDOW_PIXELS` (4) pixels of the view's time, but never more
    than ``longest_s`` (the project's window) nor less than `AUTO_WINDOW_MIN_S` (0.5 ms).
    Zoomed out, the pixels are wider than the project's window, which is kept (frequency
    resolution is what a wide view needs); zoomed in, the window shrinks with the pixels, so a
    view of 0.2 s over 1200 px draws a 2-ms FM call with a 0.67-ms window, and 0.1 s with 0.5 ms:
    4 windows across the call instead of one 2-ms blob. Without a width (one column per frame)
    the project's window.
    """
    if not width_px:
        return longest_s
    return min(longest_s, max(AUTO_WINDOW_MIN_S, AUTO_WINDOW_PIXELS * span_s / width_px))


def fft_pad(frame: int, samplerate: int, band_hz: float, height_px: int | None) -> int:
    """Zero-padding factor (1, 2, 4 or 8) so the band gets `MIN_ROWS` rows (or the image height).

    A short window has few, wide bins: 0.25 ms at 384 kHz is 4-kHz bins, 35 rows over a 140-kHz
    band. Padding interpolates the spectrum (no new resolution) so the image is not blocky.
    """
    wanted = min(MIN_ROWS, height_px or MIN_ROWS)
    rows = band_hz * frame / samplerate
    if rows >= wanted:
        return 1
    return min(MAX_PAD, 2 ** math.ceil(math.log2(wanted / max(rows, 1e-9))))


def auto_levels(values: np.ndarray, norm: str = "db") -> tuple[float, float]:
    """Display range (vmin, vmax) from the view's own values: the median is the floor (drawn
    darkest) and the 99.9th percentile the top, at least `MIN_SPAN` apart. Empty cells are
    ignored. Computed on the image as drawn, so a noisy clip reads like a quiet one."""
    flat = values.ravel()[:: max(1, values.size // _LEVEL_SAMPLE)]
    cells = flat[flat > _EMPTY_DB] if norm == "db" else flat[np.isfinite(flat)]
    if cells.size == 0:
        return (-100.0, -20.0) if norm == "db" else (0.0, 1.0)
    floor, peak = np.percentile(cells, [LEVEL_FLOOR_PERCENTILE, LEVEL_PEAK_PERCENTILE])
    return float(floor), float(max(peak, floor + MIN_SPAN[norm]))
