"""Audacity label tracks (File > Export > Labels), one file per recording.

Each label is a line `start<TAB>end<TAB>label`, optionally followed by its spectral
selection on a line `\\<TAB>low<TAB>high` (Audacity writes -1 for an unset bound).
BirdNET's "audacity" output adds a fourth column, the confidence, which is read too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from annotator.formats.base import (
    AnnotationSet,
    Box,
    FormatError,
    RecordingRef,
    Recordings,
    as_recording,
    located,
    vocabulary,
)
from annotator.formats.raven import single_recording
from annotator.formats.text import (
    clean_cell,
    decode,
    from_spreadsheet_safe,
    number_text,
    require_float,
    split_lines,
    spreadsheet_safe,
)

NAME = "audacity"
UNSET = -1.0  # Audacity's SelectedRegion::UndefinedFrequency


@dataclass
class _Label:
    """A label line's box (recording not yet known) and the line of its band, if any."""

    box: Box
    band_line: int | None = None


def read(data: str | bytes, *, recording: RecordingRef | str | None = None) -> AnnotationSet:
    """Read a label track; `recording` is the audio file it was exported from."""
    labels: list[_Label] = []
    for number, line in enumerate(split_lines(decode(data)), start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("\\"):
            _attach_band(labels, line, number)
        else:
            labels.append(_Label(_parse_label(line, number)))
    recordings = Recordings()
    name = recordings.add(as_recording(recording))
    boxes = [replace(label.box, recording=name) for label in labels]
    return AnnotationSet(
        recordings=recordings.refs(),
        boxes=boxes,
        tags=vocabulary(boxes, []),
        source_format=NAME,
    )


def _fields(line: str) -> list[str]:
    # Audacity separates with tabs; hand-made files often use spaces (then labels are one word).
    return line.split("\t") if "\t" in line else line.split(None, 2)


def _parse_label(line: str, number: int) -> Box:
    fields = _fields(line)
    if len(fields) < 2:
        raise FormatError("expected 'start<TAB>end<TAB>label'", line=number)
    if len(fields) > 4:
        raise FormatError(
            f"expected at most 4 tab-separated fields, got {len(fields)}", line=number
        )
    start = require_float(fields[0], line=number, field="start")
    end = require_float(fields[1], line=number, field="end")
    label = from_spreadsheet_safe(fields[2].strip()) if len(fields) > 2 else ""
    confidence = (
        require_float(fields[3], line=number, field="confidence") if len(fields) > 3 else None
    )
    with located(line=number):
        return Box(
            recording="", start_s=start, end_s=end, label=label or None, confidence=confidence
        )


def _attach_band(labels: list[_Label], line: str, number: int) -> None:
    """A `\\ low high` line belongs to the label line just above it."""
    if not labels or labels[-1].band_line is not None:
        raise FormatError("frequency line without a label line before it", line=number)
    fields = _fields(line.lstrip()[1:].strip())
    if len(fields) != 2:
        raise FormatError("expected '\\<TAB>low<TAB>high'", line=number)
    low = require_float(fields[0], line=number, field="low frequency")
    high = require_float(fields[1], line=number, field="high frequency")
    low_hz, high_hz = _band(low, high, number)
    with located(line=number):
        labels[-1].box = replace(labels[-1].box, low_hz=low_hz, high_hz=high_hz)
    labels[-1].band_line = number


def _band(low: float, high: float, number: int) -> tuple[float | None, float | None]:
    if low == UNSET and high == UNSET:
        return None, None
    if low == UNSET:
        return 0.0, high  # only an upper bound: the band reaches down to 0 Hz
    if high == UNSET:
        raise FormatError(
            "a frequency band needs an upper bound", line=number, field="high frequency"
        )
    return low, high


def write(annset: AnnotationSet, *, recording: str | None = None) -> str:
    """The label track of one recording, with a frequency line for boxes that have a band.

    Audacity has no confidence, annotator or notes: those are not written.
    """
    lines: list[str] = []
    for box in annset.boxes_of(single_recording(annset, recording)):
        lines.append(
            f"{number_text(box.start_s)}\t{number_text(box.end_s)}\t{spreadsheet_safe(clean_cell(box.label or ''))}"
        )
        if box.low_hz is not None and box.high_hz is not None:
            lines.append(f"\\\t{number_text(box.low_hz)}\t{number_text(box.high_hz)}")
    return "".join(line + "\n" for line in lines)
