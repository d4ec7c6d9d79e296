"""Box edges read off the spectrogram around each detected peak (no learning).

The detector's extent head learns box edges from the labelled calls of a few species, and on a
species it has never seen it draws boxes of the trained species' shape (on the Whombat split:
half the true duration, bandwidths off by ×0.5–×4.5). Classical bioacoustic tools measure a
call instead: the region connected to the call's loudest cell that stays within ``drop_db`` of
it. That measure does not depend on which species were labelled, so it is used for the edges
while the network keeps deciding *where* calls are.

Only for ``log`` scaled features, whose values are dB above each row's noise floor / 20.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import ndimage

from .detector import Event
from .features import FeatureConfig, col_to_time, row_to_freq, time_to_col

DB_SCALE = 20.0  # features.py: log features are (dB above the row's floor) / 20
# The outline never reaches below this above the row's floor (speckle of the noise would join
# it), and a peak less than ``PEAK_MARGIN_DB`` above that is not outlined at all. Both, like
# the depth, chosen on the training recordings of the Whombat split.
MIN_LEVEL_DB = 10.0
PEAK_MARGIN_DB = 3.0


def refine_events(
    events: list[Event],
    features: np.ndarray,
    fc: FeatureConfig,
    drop_db: float,
    *,
    max_half_span_s: float = 0.05,
) -> list[Event]:
    """Each event with its box replaced by the measured outline of its call (see
    ``outline``); an event whose peak is too faint to outline keeps its box."""
    if fc.scaling != "log" or not events:
        return list(events)
    out = []
    for e in events:
        box = outline(features, e, fc, drop_db, max_half_span_s=max_half_span_s)
        out.append(e if box is None else _with_box(e, box))
    return out


def outline(
    x: np.ndarray,
    e: Event,
    fc: FeatureConfig,
    drop_db: float,
    *,
    max_half_span_s: float = 0.05,
) -> tuple[float, float, float, float] | None:
    """``(start_s, end_s, low_hz, high_hz)`` of the cells connected to the loudest cell of the
    event's time span (any frequency: the dominant harmonic, which is the one annotated) that
    are at most ``drop_db`` below it (and ``MIN_LEVEL_DB`` above the noise floor), within
    ``max_half_span_s`` of it; ``None`` when that cell is too faint to outline."""
    c0, c1 = _cols(e.start_s, e.end_s, x.shape[1], fc)
    window = x[:, c0 : c1 + 1]  # every row: a peak on a weaker harmonic finds the strongest
    pr, pc = np.unravel_index(int(window.argmax()), window.shape)
    pc += c0
    peak = float(x[pr, pc])
    if peak < (MIN_LEVEL_DB + PEAK_MARGIN_DB) / DB_SCALE:
        return None
    level = max(peak - drop_db / DB_SCALE, MIN_LEVEL_DB / DB_SCALE)
    half = max(1, int(round(max_half_span_s * fc.frames_per_second)))
    a0, a1 = max(0, pc - half), min(x.shape[1], pc + half + 1)
    labels, _ = ndimage.label(x[:, a0:a1] >= level)
    call = labels == labels[pr, pc - a0]
    r = np.flatnonzero(call.any(axis=1))
    c = np.flatnonzero(call.any(axis=0)) + a0
    return (
        float(col_to_time(c[0] - 0.5, fc)),
        float(col_to_time(c[-1] + 0.5, fc)),
        float(row_to_freq(r[0] - 0.5, fc)),
        float(row_to_freq(r[-1] + 0.5, fc)),
    )


def _cols(start_s: float, end_s: float, width: int, fc: FeatureConfig) -> tuple[int, int]:
    """The columns a time span covers (at least one), clipped to the image."""
    c0 = int(np.clip(np.floor(time_to_col(start_s, fc) + 0.5), 0, width - 1))
    c1 = int(np.clip(np.ceil(time_to_col(end_s, fc) - 0.5), c0, width - 1))
    return c0, c1


def _with_box(e: Event, box: tuple[float, float, float, float]) -> Event:
    start, end, low, high = box
    return replace(e, start_s=max(0.0, start), end_s=end, low_hz=low, high_hz=high)
