"""Echoloop's plain CSV: one box per row, any number of recordings.

Columns: file,start_s,end_s,low_freq_hz,high_freq_hz,label,confidence,annotator,notes.
Only start and end are required. Common spellings are accepted too (`ALIASES`: 'species'
for label, 'onset_s'/'offset_s' for times, Raven's column names), so the whombat-example `annotations_boxes.csv`
and the Bengalese finch `annotations_simple.csv` read as they are. So does monitoR's annotation
table (what `viewSpec(annotate = TRUE)` saves and `write.csv(survey_anno)` writes:
`start.time, end.time, min.frq, max.frq, name`, frequencies in kHz, `KHZ_COLUMNS`). Other columns
are kept in `Box.extra` and written back.
"""

from __future__ import annotations

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

NAME = "csv"
DELIMITERS = (",", ";", "\t")
HEADER = (
    "file",
    "start_s",
    "end_s",
    "low_freq_hz",
    "high_freq_hz",
    "label",
    "confidence",
    "annotator",
    "notes",
)
ALIASES: dict[str, tuple[str, ...]] = {
    "file": ("file", "filename", "recording", "path"),
    "start_s": ("start_s", "onset_s", "start", "begin_s", "Begin Time (s)", "start.time"),
    "end_s": ("end_s", "offset_s", "end", "End Time (s)", "end.time"),
    "low_freq_hz": ("low_freq_hz", "low_hz", "low_freq", "Low Freq (Hz)", "min.frq"),
    "high_freq_hz": ("high_freq_hz", "high_hz", "high_freq", "High Freq (Hz)", "max.frq"),
    "label": ("label", "species", "class", "tag", "name"),
    "confidence": ("confidence",),
    "annotator": ("annotator",),
    "notes": ("notes", "note", "comment"),
}
# monitoR gives frequencies in kHz (its spectrograms' `frq.lim` is in kHz too).
KHZ_COLUMNS = frozenset({"min.frq", "max.frq"})


def read(data: str | bytes, *, recording: RecordingRef | str | None = None) -> AnnotationSet:
    """Read a CSV (comma; semicolon or tab as spreadsheets save them, then with decimal commas
    allowed); `recording` if no file column."""
    text = decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)  # ties: the comma, listed first
    table = read_table(text, delimiter)
    columns = _Columns(table, decimal_comma=delimiter != ",")
    recordings = Recordings()
    default = as_recording(recording)
    boxes = []
    for row in table.rows:
        path = columns.text(row, "file")
        name = recordings.add_path(path) if path else recordings.add(default)
        boxes.append(columns.box(row, name))
    return AnnotationSet(
        recordings=recordings.refs(), boxes=boxes, tags=vocabulary(boxes, []), source_format=NAME
    )


class _Columns:
    """Which header name holds each of our fields in this table, and what is left over."""

    def __init__(self, table: Table, *, decimal_comma: bool = False):
        self.decimal_comma = decimal_comma
        self.of = {field: table.column(*names) for field, names in ALIASES.items()}
        for required in ("start_s", "end_s"):
            self.of[required] = table.require(*ALIASES[required])
        known = set(self.of.values())
        self.extra = [name for name in table.header if name not in known]
        # Box errors say "start"; the user should read the table's own column name.
        self.names = {
            "start": self.of["start_s"],
            "end": self.of["end_s"],
            "low frequency": self.of["low_freq_hz"],
            "high frequency": self.of["high_freq_hz"],
            "confidence": self.of["confidence"],
        }

    def text(self, row: Row, field: str) -> str:
        return row.get(self.of[field]).strip()

    def number(self, row: Row, field: str) -> float | None:
        column = self.of[field] or field
        value = parse_float(
            self.text(row, field),
            line=row.line,
            field=column,
            required=False,
            decimal_comma=self.decimal_comma,
        )
        return round(value * 1000, 9) if value is not None and column in KHZ_COLUMNS else value

    def box(self, row: Row, recording: str) -> Box:
        start = require_float(
            self.text(row, "start_s"),
            line=row.line,
            field=self.names["start"] or "start_s",
            decimal_comma=self.decimal_comma,
        )
        end = require_float(
            self.text(row, "end_s"),
            line=row.line,
            field=self.names["end"] or "end_s",
            decimal_comma=self.decimal_comma,
        )
        extra: dict[str, ExtraValue] = {
            name: row.get(name).strip() for name in self.extra if row.get(name).strip()
        }
        with located(line=row.line, names=self.names):
            return Box(
                recording=recording,
                start_s=start,
                end_s=end,
                low_hz=self.number(row, "low_freq_hz"),
                high_hz=self.number(row, "high_freq_hz"),
                label=self.text(row, "label") or None,
                confidence=self.number(row, "confidence"),
                annotator=self.text(row, "annotator") or None,
                notes=self.text(row, "notes"),
                extra=extra,
            )


def write(annset: AnnotationSet) -> str:
    """All boxes of the set, `file` being the recording's path; extra fields as more columns."""
    extra_columns: dict[str, None] = {}
    for box in annset.boxes:
        extra_columns.update(dict.fromkeys(key for key in box.extra if key not in HEADER))
    rows = [_row(annset, box, list(extra_columns)) for box in annset.boxes]
    return write_table([*HEADER, *extra_columns], rows, ",")


def _row(annset: AnnotationSet, box: Box, extra_columns: list[str]) -> list[str]:
    ref = annset.recording(box.recording)
    numbers = [box.start_s, box.end_s, box.low_hz, box.high_hz]
    cells = [
        ref.path or ref.name,
        *("" if value is None else number_text(value) for value in numbers),
    ]
    cells += [box.label or "", "" if box.confidence is None else number_text(box.confidence)]
    cells += [box.annotator or "", box.notes]
    return cells + [
        "" if box.extra.get(name) is None else str(box.extra[name]) for name in extra_columns
    ]
