"""Measurements, spectra and envelopes of stored recordings: reading the audio for `measurements`.

Measurements are computed on demand, not stored with the boxes. A box's events are deleted and
re-created on every save (submission, import, a lead's correction), so stored values would be
recomputed on each save anyway and need a hook in every path that saves; instead the results are
cached under a key of (recording hash, box, algorithm version): a box saved again unmoved is free,
a moved box is a new key, and nothing can go stale. Every computation's cost is known before any
audio is read (`measurements.check_cost`): a box costs at most `measurements.MAX_SAMPLES` samples,
and a typical bat box (a few ms) about 4.5 ms to read and measure. One export measures at most
`EXPORT_NEW_BOXES` boxes not measured before (about 20 s); the rest say so in their note and are
measured by the next export, which finds the first ones cached.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from django.core.cache import cache

from annotator import dsp
from annotator import measurements as m
from annotator.models import Recording

CACHE_SECONDS = 30 * 24 * 3600
EXPORT_NEW_BOXES = 5_000


class NoAudio(ValueError):
    """The recording's audio cannot be read (no file, a missing file, a corrupt one)."""


def measure_box(recording: Recording, box: m.Band) -> m.Measurements:
    """The measurements of one box; TooCostly (before reading) for a box beyond the bound."""
    m.check_cost(box, recording.samplerate)
    return measure_boxes(recording, [box])[0]


class Budget:
    """How many boxes not measured before one request may still measure."""

    def __init__(self, boxes: int) -> None:
        self.total = self.remaining = boxes

    def take(self, wanted: int) -> int:
        granted = min(wanted, self.remaining)
        self.remaining -= granted
        return granted


def measure_boxes(
    recording: Recording, boxes: Iterable[m.Band], budget: Budget | None = None
) -> list[m.Measurements]:
    """Measurements of many boxes of one recording, from the cache or read once per box; a box
    beyond the cost bound, beyond the ``budget`` of new measurements, or on unreadable audio gets
    None values and a reason instead."""
    boxes = list(boxes)
    keys = [_key(recording, box) for box in boxes]
    found = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    if budget is not None:
        granted = budget.take(len(missing))
        over = m.Measurements.unmeasured(
            f"not measured: this export measured its {budget.total} new boxes; export again for the rest"
        )
        found |= {keys[i]: over.as_dict() for i in missing[granted:]}
        missing = missing[:granted]
    if missing:
        fresh = dict(
            zip(
                (keys[i] for i in missing),
                _measure_uncached(recording, [boxes[i] for i in missing]),
                strict=True,
            )
        )
        cache.set_many({k: v.as_dict() for k, v in fresh.items() if _cacheable(v)}, CACHE_SECONDS)
        found |= {k: v.as_dict() for k, v in fresh.items()}
    return [m.Measurements(**found[key]) for key in keys]


def _cacheable(result: m.Measurements) -> bool:
    # Unreadable audio may be fixed (a file restored, a bucket back online): ask again next time.
    return not (result.reason or "").startswith("audio")


def _key(recording: Recording, box: m.Band) -> str:
    return f"measure:{m.VERSION}:{recording.sha256}:{box.start_s:.7f}:{box.end_s:.7f}:{box.low_hz}:{box.high_hz}"


def _measure_uncached(recording: Recording, boxes: list[m.Band]) -> list[m.Measurements]:
    if not recording.file and recording.root_id is None:
        return [m.Measurements.unmeasured("audio: the recording has no audio file") for _ in boxes]
    results = []
    try:
        with recording.open() as fh:
            for box in boxes:
                results.append(_measure_one(fh, recording, box))
    except (OSError, dsp.AudioError) as exc:
        return [m.Measurements.unmeasured(f"audio: not readable ({exc})") for _ in boxes]
    return results


def _measure_one(fh, recording: Recording, box: m.Band) -> m.Measurements:
    try:
        m.check_cost(box, recording.samplerate)
    except m.TooCostly as exc:
        return m.Measurements.unmeasured(str(exc))
    samples, rate, offset = _read(fh, box, recording.samplerate)
    return m.measure(samples, rate, offset, box)


def _read(fh, box: m.Band, samplerate: int) -> tuple[np.ndarray, int, float]:
    start, end = m.read_span(box, samplerate)
    samples, rate = dsp.read_window(fh, start, end)
    return samples, rate, max(0, round(start * rate)) / rate


def open_box(recording: Recording, box: m.Band) -> tuple[np.ndarray, int, float]:
    """The samples `measurements` needs for ``box`` (cost checked first): samples, rate, offset."""
    m.check_cost(box, recording.samplerate)
    if not recording.file and recording.root_id is None:
        raise NoAudio("the recording has no audio file")
    try:
        with recording.open() as fh:
            return _read(fh, box, recording.samplerate)
    except (OSError, dsp.AudioError) as exc:
        raise NoAudio(f"the audio is not readable ({exc})") from exc


def envelope(recording: Recording, start: float, end: float, columns: int) -> dict:
    """Min/max per column of a window of the recording (channel 0); TooCostly beyond the bound."""
    need = int(round((end - start) * recording.samplerate))
    if need > m.MAX_ENVELOPE_SAMPLES:
        raise m.TooCostly(
            f"the window spans {need} samples; waveforms are limited to {m.MAX_ENVELOPE_SAMPLES}"
        )
    if not recording.file and recording.root_id is None:
        raise NoAudio("the recording has no audio file")
    try:
        with recording.open() as fh:
            samples, rate = dsp.read_window(fh, start, end)
    except (OSError, dsp.AudioError) as exc:
        raise NoAudio(f"the audio is not readable ({exc})") from exc
    low, high = m.envelope(samples, columns)
    first = max(0, round(start * rate))
    return {
        "start": first / rate,
        "end": (first + samples.size) / rate,
        "samplerate": rate,
        "min": [round(float(v), 5) for v in low],
        "max": [round(float(v), 5) for v in high],
    }
