"""Readers and writers for the annotation formats Echoloop exchanges (no Django here).

Every reader is `read(data, *, recording=None, ...) -> AnnotationSet` and raises only
`FormatError`; writers are `write(annset, ...) -> str`. `sniff` tells the format from the
first bytes of a file, by content: file names lie (".txt" is Raven, Audacity or BirdNET).
"""

from __future__ import annotations

import re
from types import ModuleType

from annotator.formats import aoef, audacity, batdetect2, birdnet, csvfmt, raven
from annotator.formats.base import AnnotationSet, Box, ClipLabel, FormatError, RecordingRef

__all__ = [
    "REGISTRY",
    "sniff",
    "read",
    "AnnotationSet",
    "Box",
    "ClipLabel",
    "FormatError",
    "RecordingRef",
]

REGISTRY: dict[str, ModuleType] = {
    aoef.NAME: aoef,
    raven.NAME: raven,
    audacity.NAME: audacity,
    batdetect2.NAME: batdetect2,
    birdnet.NAME: birdnet,
    birdnet.RAVEN_NAME: birdnet,
    csvfmt.NAME: csvfmt,
}

# How much of a file `sniff` needs; callers pass at least this many bytes when they can.
SNIFF_BYTES = 64 * 1024

_NUMBER = r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"
_AUDACITY_LINE = re.compile(rf"\s*{_NUMBER}[\t ]+{_NUMBER}([\t ].*)?")
_COLLECTION_TYPE = re.compile(r'"collection_type"\s*:')
_ANNOTATION_LIST = re.compile(r'"annotation"\s*:\s*\[')


def sniff(name: str, head: bytes) -> str:
    """The REGISTRY name of the format of a file whose first bytes are `head`.

    `name` is only used in the error message; the decision is made on content.
    """
    text = _head_text(head)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _sniff_json(name, stripped)
    first_line = stripped.split("\n", 1)[0].rstrip("\r")
    if "Begin Time (s)" in first_line and "\t" in first_line:
        birdnet_columns = "Species Code" in first_line and "Confidence" in first_line
        return birdnet.RAVEN_NAME if birdnet_columns else raven.NAME
    if _AUDACITY_LINE.fullmatch(first_line):
        return audacity.NAME
    if "," in first_line or ";" in first_line:
        return birdnet.NAME if _is_birdnet_csv(first_line) else csvfmt.NAME
    if "\t" in first_line and _is_plain_table(first_line):
        return csvfmt.NAME  # a spreadsheet saved as "tab delimited text"
    raise FormatError(f"{name or 'file'}: not a recognised annotation format")


def read(
    name: str, data: str | bytes, *, recording: RecordingRef | str | None = None
) -> tuple[str, AnnotationSet]:
    """Sniff the format of `data` and read it with defaults; returns the format name too."""
    head = (
        data[:SNIFF_BYTES]
        if isinstance(data, bytes)
        else data[:SNIFF_BYTES].encode("utf-8", "replace")
    )
    format_name = sniff(name, head)
    return format_name, REGISTRY[format_name].read(data, recording=recording)


def _head_text(head: bytes) -> str:
    # Lenient decoding: the head may end inside a multi-byte character.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").removeprefix("\ufeff")


def _sniff_json(name: str, text: str) -> str:
    if _COLLECTION_TYPE.search(text):
        return aoef.NAME
    if _ANNOTATION_LIST.search(text):
        return batdetect2.NAME
    raise FormatError(f"{name or 'file'}: JSON, but neither AOEF nor BatDetect2")


def _is_plain_table(header: str) -> bool:
    columns = {column.strip().strip('"').lower() for column in header.split("\t")}
    starts = {alias.lower() for alias in csvfmt.ALIASES["start_s"]}
    ends = {alias.lower() for alias in csvfmt.ALIASES["end_s"]}
    return bool(columns & starts) and bool(columns & ends)


def _is_birdnet_csv(header: str) -> bool:
    columns = {column.strip().strip('"').lower() for column in re.split("[,;]", header)}
    csv_output = {"start (s)", "scientific name", "confidence"} <= columns
    r_output = {"filepath", "scientific_name", "confidence"} <= columns
    return csv_output or r_output
