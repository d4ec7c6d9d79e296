"""Raven Pro selection tables: tab-separated, one table per recording.

The measurement columns are 'Selection', 'View', 'Channel', 'Begin Time (s)',
'End Time (s)', 'Low Freq (Hz)', 'High Freq (Hz)'; annotation columns follow (the label is
the first of `LABEL_COLUMNS` present, the annotator 'Annotator'; every other column is kept in
`Box.extra`). Echoloop's exports add call measurements as further columns (`MEASUREMENTS`,
Raven's own names where Raven has the measurement); reading keeps them as extras. Raven
writes one row per view of a selection ('Waveform 1', 'Spectrogram 1'): rows sharing a
Selection number are one selection. Tables spanning several files ('Begin File' or
'Begin Path' with 'File Offset (s)') are read file-relative.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from annotator.formats.base import (
    AnnotationSet,
    Box,
    ExtraValue,
    FormatError,
    RecordingRef,
    Recordings,
    as_recording,
    located,
    vocabulary,
)
from annotator.formats.text import (
    Row,
    Table,
    clean_cell,
    decode,
    number_text,
    parse_float,
    read_table,
    require_float,
    write_table,
)

NAME = "raven"
SELECTION, VIEW, CHANNEL = "Selection", "View", "Channel"
BEGIN, END = "Begin Time (s)", "End Time (s)"
LOW, HIGH = "Low Freq (Hz)", "High Freq (Hz)"
FILE_COLUMNS = ("Begin Path", "Begin File")
OFFSET = "File Offset (s)"
CONFIDENCE = "Confidence"
ANNOTATOR = "Annotator"
DELTA_TIME, DELTA_FREQ = "Delta Time (s)", "Delta Freq (Hz)"
# Column of each `annotator.measurements.Measurements` field. Raven's names (Raven Pro manual,
# "Measurements") where Raven measures the same thing; the bat analysts' call parameters, which
# Raven lacks, in the same style.
MEASUREMENTS = {
    "peak_hz": "Peak Freq (Hz)",
    "peak_time_s": "Peak Time (s)",
    "center_hz": "Center Freq (Hz)",
    "freq_5_hz": "Freq 5% (Hz)",
    "freq_95_hz": "Freq 95% (Hz)",
    "bw_90_hz": "BW 90% (Hz)",
    "call_start_s": "Call Begin Time (s)",
    "call_end_s": "Call End Time (s)",
    "duration_s": "Call Duration (s)",
    "low_hz": "Call Low Freq (Hz)",
    "high_hz": "Call High Freq (Hz)",
    "bandwidth_hz": "Call Bandwidth (Hz)",
    "start_hz": "Start Freq (Hz)",
    "end_hz": "End Freq (Hz)",
    "characteristic_hz": "Char Freq (Hz)",
    "snr_db": "Call SNR (dB)",
    "reason": "Measurement Note",
}
LABEL_COLUMNS = (
    "Species",
    "Annotation",
    "Label",
    "Class",
    "Species Code",
    "Common Name",
    "Tag",
    "Tags",
)
# Two rows of one selection whose times differ by more than this are a real conflict.
SAME_TIME_S = 1e-6


def read(
    data: str | bytes,
    *,
    recording: RecordingRef | str | None = None,
    label_column: str | None = None,
) -> AnnotationSet:
    """Read a selection table; `recording` is the file it describes (unless it names files)."""
    table = read_table(decode(data), "\t", quoting=csv.QUOTE_NONE)
    reader = SelectionReader(
        table, recording, label_column=label_column, confidence_column=_confidence(table)
    )
    boxes = reader.boxes()
    return AnnotationSet(
        recordings=reader.recordings.refs(),
        boxes=boxes,
        tags=vocabulary(boxes, []),
        source_format=NAME,
    )


def _confidence(table: Table) -> str | None:
    """The 'Confidence' column when it holds probabilities; a textual one stays an extra."""
    column = table.column(CONFIDENCE)
    if column is None:
        return None
    for row in table.rows:
        try:
            value = parse_float(
                row.get(column), line=row.line, field=column, required=False, decimal_comma=True
            )
        except FormatError:
            return None
        if value is not None and not 0 <= value <= 1:
            return None
    return column


class SelectionReader:
    """Boxes from a Raven-style table; shared with BirdNET's selection-table output."""

    def __init__(
        self,
        table: Table,
        recording: RecordingRef | str | None,
        *,
        label_column: str | None = None,
        confidence_column: str | None = None,
    ):
        self.table = table
        self.recordings = Recordings()
        self.default = as_recording(recording)
        self.begin, self.end = table.require(BEGIN), table.require(END)
        self.low, self.high = table.column(LOW), table.column(HIGH)
        self.label = table.require(label_column) if label_column else table.column(*LABEL_COLUMNS)
        self.confidence = confidence_column
        self.file = table.column(*FILE_COLUMNS)
        self.offset = table.column(OFFSET)
        self.channel = table.column(CHANNEL)
        self.annotator = table.column(ANNOTATOR)
        own = (
            self.channel,
            self.begin,
            self.end,
            self.low,
            self.high,
            self.label,
            self.confidence,
            self.annotator,
        )
        consumed = {SELECTION, VIEW, self.file, self.offset, *own}
        self.extra_columns = [name for name in table.header if name not in consumed]
        # Box errors say "start"; the user should read the table's own column name.
        self.names = {
            "start": self.begin,
            "end": self.end,
            "low frequency": self.low,
            "high frequency": self.high,
            "confidence": self.confidence,
        }

    def boxes(self, skip: Sequence[str] = ()) -> list[Box]:
        """One box per selection; rows whose label is in `skip` are left out."""
        rows = collapse_views(self.table)
        return [self.box(row) for row in rows if row.get(self.label).strip() not in skip]

    def box(self, row: Row) -> Box:
        start = require_float(
            row.get(self.begin), line=row.line, field=self.begin, decimal_comma=True
        )
        end = require_float(row.get(self.end), line=row.line, field=self.end, decimal_comma=True)
        start, end = self._file_relative(row, start, end)
        with located(line=row.line, names=self.names):
            return Box(
                recording=self._recording(row),
                start_s=start,
                end_s=end,
                low_hz=self._number(row, self.low),
                high_hz=self._number(row, self.high),
                label=row.get(self.label).strip() or None,
                confidence=self._number(row, self.confidence),
                annotator=row.get(self.annotator).strip() or None,
                extra=self._extra(row),
            )

    def _file_relative(self, row: Row, start: float, end: float) -> tuple[float, float]:
        """Multi-file tables count Begin Time from the first file; File Offset is per file."""
        offset = parse_float(
            row.get(self.offset),
            line=row.line,
            field=self.offset or OFFSET,
            required=False,
            decimal_comma=True,
        )
        if offset is None or self.file is None:
            return start, end
        return offset, offset + (end - start)

    def _number(self, row: Row, column: str | None) -> float | None:
        if column is None:
            return None
        return parse_float(
            row.get(column), line=row.line, field=column, required=False, decimal_comma=True
        )

    def _recording(self, row: Row) -> str:
        path = row.get(self.file).strip()
        return self.recordings.add_path(path) if path else self.recordings.add(self.default)

    def _extra(self, row: Row) -> dict[str, ExtraValue]:
        extra: dict[str, ExtraValue] = {
            name: row.get(name).strip() for name in self.extra_columns if row.get(name).strip()
        }
        channel = row.get(self.channel).strip()
        if channel not in ("", "1"):
            extra["channel"] = channel
        return extra


def collapse_views(table: Table) -> list[Row]:
    """One row per Selection number, preferring the spectrogram view's row.

    Raven repeats a selection once per view; those rows agree on times. Rows with the same
    number but different times mean two tables were pasted together: refuse, don't guess.
    """
    column = table.column(SELECTION)
    if column is None:
        return table.rows
    chosen: dict[str, Row] = {}
    for row in table.rows:
        key = row.get(column).strip()
        if not key:
            raise FormatError("missing value", line=row.line, field=column)
        first = chosen.get(key)
        if first is None:
            chosen[key] = row
            continue
        _check_same_selection(table, first, row, key)
        if _is_spectrogram(row) and not _is_spectrogram(first):
            chosen[key] = row
    return list(chosen.values())


def _check_same_selection(table: Table, first: Row, row: Row, key: str) -> None:
    for name in (table.require(BEGIN), table.require(END)):
        a = require_float(first.get(name), line=first.line, field=name, decimal_comma=True)
        b = require_float(row.get(name), line=row.line, field=name, decimal_comma=True)
        if abs(a - b) > SAME_TIME_S:
            message = f"selection {key} repeats line {first.line} with a different time"
            raise FormatError(message, line=row.line, field=name)


def _is_spectrogram(row: Row) -> bool:
    return row.cells.get(VIEW, "").strip().lower().startswith("spectrogram")


def write(
    annset: AnnotationSet, *, recording: str | None = None, label_column: str = "Species"
) -> str:
    """The selection table of one recording (`recording` may be omitted if there is one).

    Frequency columns are left out when no box has a band (Raven then spans all
    frequencies); a 'Confidence' column appears when some box has a confidence, an 'Annotator'
    column when some box has an annotator.
    """
    name = single_recording(annset, recording)
    boxes = annset.boxes_of(name)
    extra = _extra_columns(boxes)
    band = any(box.has_band for box in boxes)
    scored = any(box.confidence is not None for box in boxes)
    credited = any(box.annotator for box in boxes)
    header = [SELECTION, VIEW, CHANNEL, BEGIN, END, *([LOW, HIGH] if band else []), label_column]
    header += ([CONFIDENCE] if scored else []) + ([ANNOTATOR] if credited else [])
    rows = [
        _row(number, box, band, scored, credited, extra)
        for number, box in enumerate(boxes, start=1)
    ]
    return write_table([*header, *extra], rows, "\t")


def write_all(annset: AnnotationSet, *, label_column: str = "Species") -> dict[str, str]:
    """One table per recording, by recording name."""
    return {
        ref.name: write(annset, recording=ref.name, label_column=label_column)
        for ref in annset.recordings
    }


def single_recording(annset: AnnotationSet, recording: str | None) -> str:
    """The recording a one-file-per-recording format should write."""
    names = [ref.name for ref in annset.recordings]
    if recording is not None:
        if recording not in names:
            raise FormatError(f"no recording named {recording!r}", field="recording")
        return recording
    if len(names) > 1:
        raise FormatError("this format holds one recording per file; choose one", field="recording")
    return names[0] if names else ""


def _extra_columns(boxes: list[Box]) -> list[str]:
    columns: dict[str, None] = {}
    for box in boxes:
        columns.update(dict.fromkeys(key for key in box.extra if key != "channel"))
    return list(columns)


def _row(
    number: int, box: Box, band: bool, scored: bool, credited: bool, extra: list[str]
) -> list[str]:
    cells = [str(number), "Spectrogram 1", str(box.extra.get("channel", "1"))]
    cells += [number_text(box.start_s), number_text(box.end_s)]
    if band:
        cells += [_optional(box.low_hz), _optional(box.high_hz)]
    cells.append(clean_cell(box.label or ""))
    if scored:
        cells.append(_optional(box.confidence))
    if credited:
        cells.append(clean_cell(box.annotator or ""))
    cells += [clean_cell(_text(box.extra.get(name))) for name in extra]
    return cells


def _optional(value: float | None) -> str:
    return "" if value is None else number_text(value)


def _text(value: ExtraValue) -> str:
    return "" if value is None else str(value)
