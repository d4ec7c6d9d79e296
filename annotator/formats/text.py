"""Turning uploaded bytes into checked text, rows and numbers, for every reader.

Everything here raises `FormatError` with a line and field, never `UnicodeDecodeError`,
`csv.Error` or a bare `ValueError`, so readers can rely on one exception type.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.formats.base import MAX_BYTES, FormatError

# C0 control characters other than tab, newline and carriage return never occur in
# annotation text; finding one means the upload is binary (audio, a zip, an image).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(data: str | bytes) -> str:
    """The text of an upload: size-limited, BOM stripped, refused if it looks binary.

    Bytes are UTF-8, or UTF-16 when they start with its BOM (Excel's "Unicode text"),
    or Windows-1252 (Raven Pro on Windows writes the system code page).
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        _check_size(len(raw))
        text = _decode_bytes(raw)
    elif isinstance(data, str):
        _check_size(len(data))  # characters: cheap, and a bound on the bytes/4
        _check_no_surrogates(data)
        text = data
    else:
        raise FormatError(f"expected text or bytes, got {type(data).__name__}")
    text = text.removeprefix("\ufeff")
    _check_not_binary(text)
    return text


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise FormatError(f"file too large: {size} bytes (limit {MAX_BYTES})")


def _decode_bytes(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_with(raw, "utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_with(raw, "cp1252")


def _decode_with(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FormatError(f"not text (undecodable byte in {encoding})", line=line) from None


def _check_no_surrogates(text: str) -> None:
    # Only str input can hold them (decoded bytes cannot); they would break re-encoding.
    match = _SURROGATE.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise FormatError("not text: lone surrogate character", line=line)


def _check_not_binary(text: str) -> None:
    match = _BINARY.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise FormatError(f"binary data: control character {match.group()!r}", line=line)


def split_lines(text: str) -> list[str]:
    r"""Lines for CRLF, LF and old-Mac CR files alike.

    Not `str.splitlines`, which also splits on \x1c, \x85 and \u2028 inside labels.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+([eE][-+]?\d+)?")


def parse_float(
    cell: str, *, line: int | None, field: str, required: bool = True, decimal_comma: bool = False
) -> float | None:
    """A finite number from a table cell; an empty cell is None unless `required`.

    With `decimal_comma` (a table whose cells are not comma-separated: semicolons or tabs, as
    spreadsheets in most of Europe write them) "0,178" is 0.178."""
    text = cell.strip()
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    if not text:
        if required:
            raise FormatError("missing value", line=line, field=field)
        return None
    try:
        if "_" in text:  # float() takes "1_000"; no annotation tool writes that
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise FormatError(f"not a number: {_short(text)!r}", line=line, field=field) from None
    if not math.isfinite(value):
        raise FormatError(f"not a finite number: {_short(text)!r}", line=line, field=field)
    return value


def require_float(cell: str, *, line: int | None, field: str, decimal_comma: bool = False) -> float:
    """Like `parse_float`, for cells that must hold a number."""
    value = parse_float(cell, line=line, field=field, decimal_comma=decimal_comma)
    assert value is not None  # required=True never returns None
    return value


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def number_text(value: float) -> str:
    """The shortest text that reads back as the same float (`repr`), integers without '.0'."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


@dataclass(frozen=True)
class Row:
    """One data row of a table: its line in the file and its cells by column name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str | None) -> str:
        """The cell of `column`, or "" when the table has no such column."""
        return self.cells.get(column, "") if column is not None else ""


@dataclass(frozen=True)
class Table:
    """A delimited text table: header names (stripped) and non-blank rows."""

    header: list[str]
    rows: list[Row]

    def column(self, *aliases: str) -> str | None:
        """The header name matching one of `aliases` (case-insensitive), first alias first."""
        by_lower = {name.lower(): name for name in self.header}
        for alias in aliases:
            if alias.lower() in by_lower:
                return by_lower[alias.lower()]
        return None

    def require(self, *aliases: str) -> str:
        """Like `column`, but a missing column is a FormatError naming the first alias."""
        name = self.column(*aliases)
        if name is None:
            raise FormatError(
                f"missing column (have: {', '.join(self.header)})", line=1, field=aliases[0]
            )
        return name


def read_table(text: str, delimiter: str, *, quoting: int = csv.QUOTE_MINIMAL) -> Table:
    """Parse a delimited table whose first non-blank line is the header.

    Short rows are padded with empty cells (spreadsheets drop trailing empties); a row
    with more non-empty cells than the header has columns is an error.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as error:
        raise FormatError(f"malformed table: {error}", line=reader.line_num) from None
    records = [(line, record) for line, record in records if any(c.strip() for c in record)]
    if not records:
        raise FormatError("empty file: no header line")
    header_line, header = records[0]
    names = _header_names(header, header_line)
    rows = [_row(names, record, line) for line, record in records[1:]]
    return Table(header=names, rows=rows)


def _header_names(header: Sequence[str], line: int) -> list[str]:
    names = [name.strip() for name in header]
    while names and not names[-1]:
        names.pop()  # a trailing delimiter is not a column
    seen: set[str] = set()
    for name in names:
        if not name:
            raise FormatError("empty column name in header", line=line)
        if name.lower() in seen:
            raise FormatError("duplicate column", line=line, field=name)
        seen.add(name.lower())
    return names


def _row(names: list[str], record: list[str], line: int) -> Row:
    overflow = record[len(names) :]
    if any(cell.strip() for cell in overflow):
        raise FormatError(f"expected {len(names)} columns, got {len(record)}", line=line)
    cells = [from_spreadsheet_safe(c) for c in record[: len(names)]] + [""] * (
        len(names) - len(record)
    )
    return Row(line=line, cells=dict(zip(names, cells, strict=True)))


# A cell a spreadsheet would run as a formula (CSV injection: "=HYPERLINK(...)" in a note).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers (a
    negative one starts with "-") and everything else are left alone. `from_spreadsheet_safe`
    undoes it, so our own exports import back exactly (text that already starts with
    apostrophes before a formula character gets one more, so the undoing is unambiguous)."""
    if isinstance(value, str) and _formula_like(value.lstrip("'")):
        return "'" + value
    return value


def from_spreadsheet_safe(value: str) -> str:
    if value.startswith("'") and _formula_like(value.lstrip("'")):
        return value[1:]
    return value


def _formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _is_number(text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def clean_cell(value: str) -> str:
    """A label or note made safe for one TSV/CSV-unquoted cell: no tabs or line breaks."""
    return " ".join(value.replace("\t", " ").splitlines()).strip() if value else value


def write_table(header: Sequence[str], rows: Sequence[Sequence[str]], delimiter: str) -> str:
    """A delimited table with LF line ends.

    CSV cells are quoted when needed; TSV has no quoting (Raven and Audacity read cells
    verbatim), so callers pass TSV cells through `clean_cell` first. Every cell is made
    `spreadsheet_safe` (these tables are opened in spreadsheets).
    """
    rows = [[spreadsheet_safe(cell) for cell in row] for row in rows]
    if delimiter != ",":
        return "".join(delimiter.join(cells) + "\n" for cells in [header, *rows])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
