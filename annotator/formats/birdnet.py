"""BirdNET-Analyzer result files, read as predictions.

Three of its `--rtype` outputs are understood:
- "csv": `Start (s),End (s),Scientific name,Common name,Confidence[,File]`;
- "r": `filepath,start,end,scientific_name,common_name,confidence,lat,lon,...`;
- "table" (Raven selection table): `Selection, View, Channel, Begin Time (s), End Time (s),
  Low Freq (Hz), High Freq (Hz), Common Name, Species Code, Confidence[, Begin Path,
  File Offset (s)]`. Its placeholder rows labelled 'nocall' are skipped.
The label is the scientific name (csv, r) or the eBird species code (table, which has no
scientific name); the common name is kept in `Box.extra`.
"""

from __future__ import annotations

import csv

from annotator.formats.base import (
    AnnotationSet,
    Box,
    ExtraValue,
    RecordingRef,
    Recordings,
    as_recording,
    located,
    vocabulary,
)
from annotator.formats.raven import SelectionReader
from annotator.formats.text import (
    Row,
    Table,
    decode,
    number_text,
    parse_float,
    read_table,
    require_float,
    write_table,
)

NAME = "birdnet"
RAVEN_NAME = "birdnet-raven"
NO_CALL = "nocall"
START = ("Start (s)", "start")
END = ("End (s)", "end")
SCIENTIFIC = ("Scientific name", "scientific_name")
COMMON = ("Common name", "common_name")
CONFIDENCE = ("Confidence", "confidence")
FILE = ("File", "filepath")
CSV_HEADER = ("Start (s)", "End (s)", "Scientific name", "Common name", "Confidence", "File")


def read(data: str | bytes, *, recording: RecordingRef | str | None = None) -> AnnotationSet:
    """Read any of the supported BirdNET outputs; `recording` for files that name none."""
    text = decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    if "\t" in first_line:
        return _read_selection_table(text, recording)
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    return _read_csv(read_table(text, delimiter), recording)


def _read_selection_table(text: str, recording: RecordingRef | str | None) -> AnnotationSet:
    table = read_table(text, "\t", quoting=csv.QUOTE_NONE)
    reader = SelectionReader(
        table,
        recording,
        label_column="Species Code",
        confidence_column=table.require("Confidence"),
    )
    boxes = reader.boxes(skip=(NO_CALL,))
    return _predictions(reader.recordings, boxes, RAVEN_NAME)


def _read_csv(table: Table, recording: RecordingRef | str | None) -> AnnotationSet:
    columns = _CsvColumns(table)
    recordings = Recordings()
    default = as_recording(recording)
    boxes = []
    for row in table.rows:
        path = row.get(columns.file).strip()
        name = recordings.add_path(path) if path else recordings.add(default)
        boxes.append(columns.box(row, name))
    return _predictions(recordings, boxes, NAME)


def _predictions(recordings: Recordings, boxes: list[Box], source: str) -> AnnotationSet:
    return AnnotationSet(
        recordings=recordings.refs(),
        boxes=boxes,
        tags=vocabulary(boxes, []),
        is_prediction=True,
        source_format=source,
    )


class _CsvColumns:
    """Where the fields sit in a csv or r table (their names differ, not their meaning)."""

    def __init__(self, table: Table):
        self.start, self.end = table.require(*START), table.require(*END)
        self.scientific = table.require(*SCIENTIFIC)
        self.common = table.column(*COMMON)
        self.confidence = table.require(*CONFIDENCE)
        self.file = table.column(*FILE)

    def box(self, row: Row, recording: str) -> Box:
        extra: dict[str, ExtraValue] = {}
        common = row.get(self.common).strip()
        if common:
            extra[COMMON[0]] = common
        confidence = parse_float(
            row.get(self.confidence), line=row.line, field=self.confidence, required=False
        )
        names = {"start": self.start, "end": self.end, "confidence": self.confidence}
        with located(line=row.line, names=names):
            return Box(
                recording=recording,
                start_s=require_float(row.get(self.start), line=row.line, field=self.start),
                end_s=require_float(row.get(self.end), line=row.line, field=self.end),
                label=row.get(self.scientific).strip() or None,
                confidence=confidence,
                extra=extra,
            )


def write(annset: AnnotationSet) -> str:
    """BirdNET's csv output (with the 'File' column) for all recordings of the set."""
    rows = []
    for box in annset.boxes:
        ref = annset.recording(box.recording)
        common = box.extra.get(COMMON[0], box.extra.get("Common Name", ""))
        confidence = "" if box.confidence is None else number_text(box.confidence)
        start, end = number_text(box.start_s), number_text(box.end_s)
        rows.append(
            [start, end, box.label or "", str(common or ""), confidence, ref.path or ref.name]
        )
    return write_table(CSV_HEADER, rows, ",")
