"""Reading AOEF documents into an AnnotationSet (see the package docstring for the schema)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from annotator.formats.aoef.schema import (
    DONE_STATES,
    LABEL_KEYS,
    NAME,
    READ_ANNOTATION_TYPES,
    READ_PREDICTION_TYPES,
    RECORDING_TYPES,
)
from annotator.formats.base import (
    AnnotationSet,
    Box,
    ClipLabel,
    ExtraValue,
    FormatError,
    RecordingRef,
    Recordings,
    check_band,
    check_interval,
    vocabulary,
)
from annotator.formats.jsonnode import Node, load_json, within

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
K = TypeVar("K")


def read(data: str | bytes, *, recording: RecordingRef | str | None = None) -> AnnotationSet:
    """Read an AOEF document. `recording` is ignored: AOEF names its own recordings."""
    body = load_json(data).req("data")
    kind = body.req("collection_type").text()
    if kind not in (*READ_ANNOTATION_TYPES, *RECORDING_TYPES, *READ_PREDICTION_TYPES):
        raise FormatError(f"unsupported collection_type {kind!r}", field="data.collection_type")
    doc = _Document.parse(body)
    if kind in READ_PREDICTION_TYPES:
        boxes = [doc.prediction_box(node) for node in body.opt_items("sound_event_predictions")]
        clips = [doc.clip_prediction(node) for node in body.opt_items("clip_predictions")]
    elif kind in READ_ANNOTATION_TYPES:
        boxes = [doc.annotation_box(node) for node in body.opt_items("sound_event_annotations")]
        clips = [doc.clip_annotation(node) for node in body.opt_items("clip_annotations")]
    else:
        boxes, clips = [], []
    declared = [doc.label_of_tag(node) for node in body.opt_items("project_tags")]
    return AnnotationSet(
        recordings=doc.recordings.refs(),
        boxes=boxes,
        clips=clips,
        tags=vocabulary(boxes, clips, [label for label in declared if label is not None]),
        is_prediction=kind in READ_PREDICTION_TYPES,
        source_format=NAME,
        collection=kind,
        title=_title(body, kind),
    )


def _title(body: Node, kind: str) -> str:
    """What the file calls itself: a model run's "model version", else the collection's name."""
    if kind == "model_run":  # soundevent nests the model; older files had name and version flat
        model = body.opt("model") or body
        return f"{model.opt_text('name') or ''} {model.opt_text('version') or ''}".strip()
    return body.opt_text("name") or ""


@dataclass
class _Event:
    recording: str
    start: float
    end: float
    low: float | None
    high: float | None


@dataclass
class _Document:
    """The lookup tables of one AOEF body: ids resolved once, then shared by all boxes."""

    recordings: Recordings
    recording_names: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    tags: dict[int, tuple[str, str]] = field(default_factory=dict)
    events: dict[str, _Event] = field(default_factory=dict)
    clips: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    clip_owner: dict[str, str | None] = field(default_factory=dict)
    has_tasks: bool = False

    @classmethod
    def parse(cls, body: Node) -> _Document:
        doc = cls(recordings=Recordings())
        for node in body.opt_items("users"):
            doc.users[node.req("uuid").text()] = _user_name(node)
        for node in body.opt_items("tags"):
            doc.tags[_unique(doc.tags, node.req("id").integer(), node)] = (
                node.req("key").text(),
                node.req("value").text(),
            )
        for node in body.opt_items("recordings"):
            doc._add_recording(node)
        for node in body.opt_items("sound_events"):
            doc.events[_unique(doc.events, node.req("uuid").text(), node)] = doc._event(node)
        for node in body.opt_items("clips"):
            doc.clips[_unique(doc.clips, node.req("uuid").text(), node)] = doc._clip(node)
        doc._read_tasks(body.opt_items("tasks"))
        return doc

    def _add_recording(self, node: Node) -> None:
        key = _unique(self.recording_names, node.req("uuid").text(), node)
        with within(node):
            ref = RecordingRef.from_path(
                node.req("path").text(),
                sha256=_sha256(node.opt_text("hash")),
                duration_s=node.req("duration").number(),
                samplerate=_samplerate(node.req("samplerate")),
                uuid=key,
            )
        self.recording_names[key] = self.recordings.add(ref)

    def _recording(self, node: Node) -> str:
        name = self.recording_names.get(node.text())
        if name is None:
            raise node.error(f"unknown recording {node.text()!r}")
        return name

    def _event(self, node: Node) -> _Event:
        geometry = node.req("geometry")
        start, end, low, high = _bounds(geometry)
        with within(geometry):  # checked here so errors point at the geometry, not its users
            check_interval(start, end, ("start", "end"))
            check_band(low, high, ("low frequency", "high frequency"))
        return _Event(self._recording(node.req("recording")), start, end, low, high)

    def _clip(self, node: Node) -> tuple[str, float, float]:
        recording = self._recording(node.req("recording"))
        start, end = node.req("start_time").number(), node.req("end_time").number()
        with within(node):
            check_interval(start, end, ("start_time", "end_time"))
        return recording, start, end

    def _read_tasks(self, tasks: list[Node]) -> None:
        self.has_tasks = bool(tasks)
        for task in tasks:
            clip = task.req("clip").text()
            for badge in task.opt_items("status_badges"):
                if badge.req("state").text() in DONE_STATES:
                    owner = badge.opt_text("owner")
                    self.clip_owner[clip] = self.users.get(owner) if owner else None

    def event(self, node: Node) -> _Event:
        found = self.events.get(node.text())
        if found is None:
            raise node.error(f"unknown sound event {node.text()!r}")
        return found

    def tag(self, node: Node) -> tuple[str, str]:
        found = self.tags.get(node.integer())
        if found is None:
            raise node.error(f"unknown tag id {node.integer()}")
        return found

    def label_of_tag(self, node: Node) -> str | None:
        key, value = self.tag(node)
        return value if key in LABEL_KEYS else None

    def user(self, node: Node | None) -> str | None:
        # Unknown users are tolerated, as soundevent does: the author is just not known.
        return None if node is None else self.users.get(node.text())

    def annotation_box(self, node: Node) -> Box:
        event = self.event(node.req("sound_event"))
        label, extra = _split_tags([self.tag(tag) for tag in node.opt_items("tags")])
        with within(node):
            return Box(
                recording=event.recording,
                start_s=event.start,
                end_s=event.end,
                low_hz=event.low,
                high_hz=event.high,
                label=label,
                annotator=self.user(node.opt("created_by")),
                notes=_notes(node),
                extra=extra,
            )

    def prediction_box(self, node: Node) -> Box:
        event = self.event(node.req("sound_event"))
        scored = [self._scored_tag(pair) for pair in node.opt_items("tags")]
        scored.sort(key=lambda item: -item[1])  # the most likely species is the label
        label, extra = _split_tags([tag for tag, _ in scored])
        with within(node):
            return Box(
                recording=event.recording,
                start_s=event.start,
                end_s=event.end,
                low_hz=event.low,
                high_hz=event.high,
                label=label,
                confidence=node.req("score").number(),
                extra=extra,
            )

    def _scored_tag(self, pair: Node) -> tuple[tuple[str, str], float]:
        items = pair.items()
        if len(items) != 2:
            raise pair.error("expected [tag id, score]")
        return self.tag(items[0]), items[1].number()

    def clip_annotation(self, node: Node) -> ClipLabel:
        clip_id = node.req("clip").text()
        recording, start, end = self._known_clip(node.req("clip"))
        tags = [self.tag(tag) for tag in node.opt_items("tags")]
        labels = [value for key, value in tags if key in LABEL_KEYS]
        extra = _other_tags([(key, value) for key, value in tags if key not in LABEL_KEYS])
        events = [event.text() for event in node.opt_items("sound_events")]
        done = clip_id in self.clip_owner or not self.has_tasks
        with within(node):
            return ClipLabel(
                recording=recording,
                start_s=start,
                end_s=end,
                labels=tuple(labels),
                no_calls=done and not events,
                annotator=self.clip_owner.get(clip_id),
                notes=_notes(node),
                extra=extra,
            )

    def clip_prediction(self, node: Node) -> ClipLabel:
        recording, start, end = self._known_clip(node.req("clip"))
        scored = sorted(
            (self._scored_tag(pair) for pair in node.opt_items("tags")), key=lambda i: -i[1]
        )
        labels = [value for (key, value), _ in scored if key in LABEL_KEYS]
        with within(node):
            return ClipLabel(recording=recording, start_s=start, end_s=end, labels=tuple(labels))

    def _known_clip(self, node: Node) -> tuple[str, float, float]:
        found = self.clips.get(node.text())
        if found is None:
            raise node.error(f"unknown clip {node.text()!r}")
        return found


def _unique(table: Mapping[K, object], key: K, node: Node) -> K:
    """`key`, after checking no earlier object in the same list used it."""
    if key in table:
        raise node.error(f"duplicate id {key!r}")
    return key


def _user_name(node: Node) -> str:
    for key in ("username", "name", "email"):
        value = node.opt_text(key)
        if value:
            return value
    return node.req("uuid").text()


def _sha256(value: str | None) -> str | None:
    """AOEF's `hash` is whatever the writer used (Whombat: MD5); only a SHA-256 is ours."""
    return value.lower() if value is not None and _SHA256.fullmatch(value) else None


def _samplerate(node: Node) -> int:
    value = node.number()
    if value != int(value):
        raise node.error(f"sample rate is not a whole number: {value!r}")
    return int(value)


def _notes(node: Node) -> str:
    return "\n".join(note.req("message").text() for note in node.opt_items("notes"))


def _split_tags(tags: list[tuple[str, str]]) -> tuple[str | None, dict[str, ExtraValue]]:
    """The label (best-ranked label key) and the remaining tags as extra fields."""
    label_tags = [
        (LABEL_KEYS.index(key), index) for index, (key, _) in enumerate(tags) if key in LABEL_KEYS
    ]
    chosen = min(label_tags)[1] if label_tags else None
    extra = _other_tags([tag for index, tag in enumerate(tags) if index != chosen])
    return (tags[chosen][1] if chosen is not None else None), extra


def _other_tags(tags: list[tuple[str, str]]) -> dict[str, ExtraValue]:
    """Tags as extra fields; two with the same key (rare) are kept together, not dropped."""
    extra: dict[str, ExtraValue] = {}
    for key, value in tags:
        extra[key] = f"{extra[key]}; {value}" if key in extra else value
    return extra


def _bounds(geometry: Node) -> tuple[float, float, float | None, float | None]:
    """(start, end, low, high) of a soundevent geometry; low/high None for time-only ones."""
    kind = geometry.req("type").text()
    coordinates = geometry.req("coordinates")
    if kind == "BoundingBox":
        start, low, end, high = _numbers(coordinates, 4)
        return start, end, low, high
    if kind == "TimeInterval":
        start, end = _numbers(coordinates, 2)
        return start, end, None, None
    if kind == "TimeStamp":
        time = coordinates.number()
        return time, time, None, None
    depth = _POINT_DEPTH.get(kind)
    if depth is None:
        raise geometry.error(f"unknown geometry type {kind!r}")
    points = _points(coordinates, depth)
    if not points:
        raise coordinates.error("geometry has no points")
    times, freqs = zip(*points, strict=True)
    return min(times), max(times), min(freqs), max(freqs)


# How deep the [time, frequency] pairs sit in each point-based geometry's coordinates.
_POINT_DEPTH = {
    "Point": 0,
    "LineString": 1,
    "MultiPoint": 1,
    "Polygon": 2,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}


def _points(node: Node, depth: int) -> list[tuple[float, float]]:
    if depth == 0:
        time, freq = _numbers(node, 2)
        return [(time, freq)]
    return [point for child in node.items() for point in _points(child, depth - 1)]


def _numbers(node: Node, count: int) -> list[float]:
    items = node.items()
    if len(items) != count:
        raise node.error(f"expected {count} numbers, got {len(items)}")
    return [item.number() for item in items]
