"""The neutral in-memory model every reader produces and every writer consumes.

Readers turn a file into an `AnnotationSet`; the importer (Django side) then matches its
`RecordingRef`s to stored recordings by path or hash and creates rows. Nothing here
knows about Django. Every value object validates itself on construction, so an invalid
box cannot exist: a reader only has to say *where* the problem was (see `located`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath, PureWindowsPath

# Uploads larger than this are refused before parsing: a selection table or an AOEF
# project of 50 MB is already hundreds of thousands of boxes.
MAX_BYTES = 50 * 1024 * 1024

ExtraValue = str | int | float | bool | None


class FormatError(ValueError):
    """An input file is not valid in its format; nothing from it should be imported.

    `line` is 1-based in the decoded text, `field` names a column or a JSON path.
    """

    def __init__(self, message: str, line: int | None = None, field: str | None = None):
        super().__init__(message, line, field)  # args kept positional so pickling (Celery) works
        self.message = message
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def located(
        self,
        line: int | None = None,
        field: str | None = None,
        names: Mapping[str, str | None] | None = None,
    ) -> FormatError:
        """A copy with `line`/`field` filled in where this error does not know them yet.

        `names` renames model fields ("start") to the file's own ("Begin Time (s)").
        """
        own = self.field if self.field is not None else field
        if names and own in names:
            own = names[own] or own
        return FormatError(self.message, self.line if self.line is not None else line, own)


@contextmanager
def located(
    line: int | None = None,
    field: str | None = None,
    names: Mapping[str, str | None] | None = None,
) -> Iterator[None]:
    """Add a line or field to FormatErrors raised inside (e.g. by `Box.__post_init__`)."""
    try:
        yield
    except FormatError as error:
        raise error.located(line, field, names) from None


def check_time(value: float, field: str) -> None:
    """A time in seconds: a finite, non-negative real number."""
    check_number(value, field)
    if value < 0:
        raise FormatError(f"negative time: {value!r}", field=field)


def check_number(value: object, field: str) -> None:
    """A finite int or float (bools are JSON's true/false, not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(f"not a number: {_short(value)}", field=field)
    try:
        finite = math.isfinite(value)
    except OverflowError:  # a JSON integer with hundreds of digits
        finite = False
    if not finite:
        raise FormatError(f"not a finite number: {_short(value)}", field=field)


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_interval(start: float, end: float, fields: tuple[str, str]) -> None:
    """Start and end times of an event or clip."""
    check_time(start, fields[0])
    check_time(end, fields[1])
    if end < start:
        raise FormatError(f"end {end!r} is before start {start!r}", field=fields[1])


def check_band(low: float | None, high: float | None, fields: tuple[str, str]) -> None:
    """Both frequencies or neither (a time interval); Hz, non-negative, low <= high."""
    if low is None and high is None:
        return
    if low is None or high is None:
        missing = fields[0] if low is None else fields[1]
        raise FormatError("one frequency bound is missing", field=missing)
    for value, name in zip((low, high), fields, strict=True):
        check_number(value, name)
        if value < 0:
            raise FormatError(f"negative frequency: {value!r}", field=name)
    if high < low:
        raise FormatError(f"high frequency {high!r} is below low {low!r}", field=fields[1])


def recording_name(path: str) -> str:
    """The file name of a POSIX or Windows path (Raven tables from Windows use backslashes)."""
    posix = PurePosixPath(path).name
    windows = PureWindowsPath(path).name
    return min((posix, windows), key=len) or path


@dataclass(frozen=True)
class RecordingRef:
    """Which recording a file talks about, as much as the file tells.

    `name` is the key boxes use to point at it (unique within one `AnnotationSet`);
    the importer matches by `sha256`, then `path`, then `name`, then `uuid`.
    """

    path: str
    sha256: str | None = None
    duration_s: float | None = None
    samplerate: int | None = None
    uuid: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.duration_s is not None:
            check_time(self.duration_s, "duration")
        if self.samplerate is not None and (
            isinstance(self.samplerate, bool)
            or not isinstance(self.samplerate, int)
            or self.samplerate <= 0
        ):
            raise FormatError(
                f"not a positive sample rate: {self.samplerate!r}", field="samplerate"
            )

    @classmethod
    def from_path(cls, path: str, **kwargs: object) -> RecordingRef:
        """A reference named after the file name of `path`."""
        return cls(path=path, name=recording_name(path), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Box:
    """One sound event: a time-frequency box, or a time interval when low/high are None.

    `recording` is the `name` of a `RecordingRef` in the same `AnnotationSet`.
    `extra` keeps what the source format says beyond our fields (other tags, other
    columns) so that writing back to the same format loses nothing.
    """

    recording: str
    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None
    label: str | None = None
    confidence: float | None = None
    annotator: str | None = None
    notes: str = ""
    extra: dict[str, ExtraValue] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        check_interval(self.start_s, self.end_s, ("start", "end"))
        check_band(self.low_hz, self.high_hz, ("low frequency", "high frequency"))
        if self.confidence is not None:
            check_number(self.confidence, "confidence")
            if not 0 <= self.confidence <= 1:
                raise FormatError(
                    f"confidence outside [0, 1]: {self.confidence!r}", field="confidence"
                )

    @property
    def has_band(self) -> bool:
        """False for time intervals (birds labelled on a time line only)."""
        return self.low_hz is not None


@dataclass(frozen=True)
class ClipLabel:
    """A judgement about a stretch of a recording: tags for it, or "no calls in here"."""

    recording: str
    start_s: float
    end_s: float
    labels: tuple[str, ...] = ()
    no_calls: bool = False
    annotator: str | None = None
    notes: str = ""
    extra: dict[str, ExtraValue] = field(default_factory=dict, hash=False)  # e.g. other tags

    def __post_init__(self) -> None:
        check_interval(self.start_s, self.end_s, ("start", "end"))

    def contains(self, box: Box) -> bool:
        """Whether `box` lies within this clip (same recording, inside its time span)."""
        return (
            box.recording == self.recording
            and self.start_s <= box.start_s
            and box.end_s <= self.end_s
        )


@dataclass(frozen=True)
class AnnotationSet:
    """Everything one file held. `tags` is the label vocabulary (declared or used).

    Every box and clip must point at one of `recordings` by name; the set is checked on
    construction and then treated as immutable (lookups below are cached).
    """

    recordings: list[RecordingRef] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    clips: list[ClipLabel] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    is_prediction: bool = False
    source_format: str = ""
    collection: str = ""  # AOEF's collection_type (model_run, evaluation_set, ...), when it has one
    title: str = ""  # the file's own name for what it holds (a model run's model and version)

    def __post_init__(self) -> None:
        names = self._by_name
        if len(names) != len(self.recordings):
            raise FormatError("two recordings share a name", field="recordings")
        for item in (*self.boxes, *self.clips):
            if item.recording not in names:
                raise FormatError(f"unknown recording {item.recording!r}", field="recording")

    @cached_property
    def _by_name(self) -> dict[str, RecordingRef]:
        return {ref.name: ref for ref in self.recordings}

    @cached_property
    def _boxes_by_recording(self) -> dict[str, list[Box]]:
        grouped: dict[str, list[Box]] = {ref.name: [] for ref in self.recordings}
        for box in self.boxes:
            grouped[box.recording].append(box)
        return grouped

    def recording(self, name: str) -> RecordingRef:
        """The recording boxes and clips call `name` (KeyError if there is none)."""
        return self._by_name[name]

    def boxes_of(self, name: str) -> list[Box]:
        """The boxes on one recording, in file order."""
        return list(self._boxes_by_recording.get(name, []))


class Recordings:
    """Collects the recordings a reader meets and hands out unique names for them.

    Two different paths with the same file name (`a/x.wav`, `b/x.wav`) must not merge,
    so the second one is named by its full path.
    """

    def __init__(self) -> None:
        self._by_path: dict[str, RecordingRef] = {}

    def add(self, ref: RecordingRef) -> str:
        """Register `ref` (once per path) and return the name boxes should use."""
        if ref.path in self._by_path:
            return self._by_path[ref.path].name
        taken = {known.name for known in self._by_path.values()}
        name = ref.name if ref.name not in taken else ref.path
        self._by_path[ref.path] = RecordingRef(
            path=ref.path,
            sha256=ref.sha256,
            duration_s=ref.duration_s,
            samplerate=ref.samplerate,
            uuid=ref.uuid,
            name=name,
        )
        return name

    def add_path(self, path: str) -> str:
        """Register a recording known only by its path."""
        known = self._by_path.get(path)  # the common case in tables: a row per box
        return known.name if known is not None else self.add(RecordingRef.from_path(path))

    def refs(self) -> list[RecordingRef]:
        """All recordings, in the order they were first met."""
        return list(self._by_path.values())


def as_recording(recording: RecordingRef | str | None) -> RecordingRef:
    """The `recording=` argument of readers: a ref, a path, or None for "not known yet".

    With None the boxes point at a recording named "" that the importer must attach.
    """
    if isinstance(recording, RecordingRef):
        return recording
    if recording is None:
        return RecordingRef(path="", name="")
    return RecordingRef.from_path(recording)


def vocabulary(boxes: list[Box], clips: list[ClipLabel], declared: Sequence[str] = ()) -> list[str]:
    """The labels declared by the file, then those used by its boxes and clips, deduplicated."""
    seen: dict[str, None] = dict.fromkeys(declared)
    for box in boxes:
        if box.label is not None:
            seen.setdefault(box.label)
    for clip in clips:
        for label in clip.labels:
            seen.setdefault(label)
    return list(seen)
