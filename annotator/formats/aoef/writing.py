"""Writing an AnnotationSet as an AOEF document that soundevent (and Whombat) loads."""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass, field

from annotator.formats.aoef.schema import (
    ANNOTATION_TYPES,
    AOEF_VERSION,
    PREDICTION_TYPE,
    RECORDING_NAMESPACE,
)
from annotator.formats.base import (
    AnnotationSet,
    Box,
    ClipLabel,
    ExtraValue,
    FormatError,
    RecordingRef,
)


def write(
    annset: AnnotationSet,
    *,
    collection: str | None = None,
    name: str = "Echoloop export",
    label_key: str = "species",
) -> str:
    """An AOEF document that `soundevent.io.load` (and so Whombat) accepts.

    `collection` is "annotation_project" (default for annotations, with one completed
    task per annotated clip), "annotation_set" or "prediction_set" (default when
    `annset.is_prediction`). Boxes go into the clip that contains them, or into a clip
    spanning their whole recording. Every recording needs its duration and sample rate
    (AOEF requires both); annotator confidence has no place in AOEF annotations.
    """
    collection = collection or (PREDICTION_TYPE if annset.is_prediction else "annotation_project")
    if collection not in (*ANNOTATION_TYPES, PREDICTION_TYPE):
        raise FormatError(f"cannot write collection_type {collection!r}", field="collection")
    body = _Writer(annset, label_key).body(collection, name)
    document = {
        "version": AOEF_VERSION,
        "created_on": datetime.datetime.now().isoformat(),
        "data": body,
    }
    return json.dumps(document, ensure_ascii=False)


def recording_uuid(ref: RecordingRef) -> str:
    """The recording's own UUID when it has a valid one, else one derived from hash or path."""
    if ref.uuid:
        try:
            return str(uuid.UUID(ref.uuid))
        except ValueError:
            pass
    return str(uuid.uuid5(RECORDING_NAMESPACE, ref.sha256 or ref.path or ref.name))


def _new_uuid() -> str:
    return str(uuid.uuid4())


@dataclass
class _Clip:
    label: ClipLabel
    uuid: str
    boxes: list[str] = field(default_factory=list)


class _Writer:
    """Builds the id-linked lists of one AOEF body from an AnnotationSet."""

    def __init__(self, annset: AnnotationSet, label_key: str):
        self.annset = annset
        self.label_key = label_key
        self.tag_ids: dict[tuple[str, str], int] = {}
        self.user_ids: dict[str, str] = {}
        self.recording_ids = {ref.name: recording_uuid(ref) for ref in annset.recordings}

    def body(self, collection: str, name: str) -> dict[str, object]:
        recordings = [self._recording(ref) for ref in self.annset.recordings]
        clips = self._clips()
        events, annotations = self._events(_by_recording(clips), collection == PREDICTION_TYPE)
        body: dict[str, object] = {
            "uuid": _new_uuid(),
            "collection_type": collection,
            "name": name,
            "created_on": datetime.datetime.now().isoformat(),
            "recordings": recordings,
            "clips": [self._clip(clip) for clip in clips],
            "sound_events": events,
        }
        if collection == PREDICTION_TYPE:
            body["sound_event_predictions"] = annotations
            body["clip_predictions"] = [self._clip_prediction(clip) for clip in clips]
        else:
            body["sound_event_annotations"] = annotations
            body["clip_annotations"] = [self._clip_annotation(clip) for clip in clips]
        if collection == "annotation_project":
            body["tasks"] = [self._task(clip) for clip in clips]
            body["project_tags"] = [self._tag(self.label_key, label) for label in self.annset.tags]
        body["tags"] = [{"id": i, "key": k, "value": v} for (k, v), i in self.tag_ids.items()]
        body["users"] = [{"uuid": u, "username": n} for n, u in self.user_ids.items()]
        return body

    def _recording(self, ref: RecordingRef) -> dict[str, object]:
        for value, what in ((ref.duration_s, "duration"), (ref.samplerate, "samplerate")):
            if value is None:
                raise FormatError(f"AOEF needs the {what} of recording {ref.name!r}", field=what)
        entry: dict[str, object] = {
            "uuid": self.recording_ids[ref.name],
            "path": ref.path or ref.name,
            "duration": ref.duration_s,
            "channels": 1,  # not tracked by RecordingRef; AOEF requires a value
            "samplerate": ref.samplerate,
        }
        if ref.sha256:
            entry["hash"] = ref.sha256
        return entry

    def _clips(self) -> list[_Clip]:
        """The set's clips in order, then a whole-recording clip for boxes outside them all."""
        clips = [_Clip(label, _new_uuid()) for label in self.annset.clips]
        index = _by_recording(clips)
        leftovers: dict[str, list[Box]] = {}
        for box in self.annset.boxes:
            if _home(box, index.get(box.recording, [])) is None:
                leftovers.setdefault(box.recording, []).append(box)
        for recording, boxes in leftovers.items():
            duration = self.annset.recording(recording).duration_s or 0.0
            # Detector output may run past the file end (BatDetect2 does); the clip must hold it.
            end = max(duration, *(box.end_s for box in boxes))
            clips.append(_Clip(ClipLabel(recording, 0.0, end), _new_uuid()))
        return clips

    def _events(
        self, clips: dict[str, list[_Clip]], predicted: bool
    ) -> tuple[list[object], list[object]]:
        events: list[object] = []
        annotations: list[object] = []
        for box in self.annset.boxes:
            event_id, annotation_id = _new_uuid(), _new_uuid()
            events.append(self._event(box, event_id))
            make = self._prediction if predicted else self._annotation
            annotations.append(make(box, event_id, annotation_id))
            home = _home(box, clips[box.recording])
            assert home is not None  # _clips() made a clip for every box without one
            home.boxes.append(annotation_id)
        return events, annotations

    def _event(self, box: Box, event_id: str) -> dict[str, object]:
        if box.has_band:
            geometry = {
                "type": "BoundingBox",
                "coordinates": [box.start_s, box.low_hz, box.end_s, box.high_hz],
            }
        else:
            geometry = {"type": "TimeInterval", "coordinates": [box.start_s, box.end_s]}
        return {
            "uuid": event_id,
            "recording": self.recording_ids[box.recording],
            "geometry": geometry,
        }

    def _box_tags(self, box: Box) -> list[int]:
        tags = [self._tag(self.label_key, box.label)] if box.label is not None else []
        return tags + [
            self._tag(key, _tag_value(value))
            for key, value in box.extra.items()
            if value is not None
        ]

    def _annotation(self, box: Box, event_id: str, annotation_id: str) -> dict[str, object]:
        entry: dict[str, object] = {
            "uuid": annotation_id,
            "sound_event": event_id,
            "tags": self._box_tags(box),
        }
        if box.notes:
            entry["notes"] = [self._note(box.notes, box.annotator)]
        if box.annotator:
            entry["created_by"] = self._user(box.annotator)
        return entry

    def _prediction(self, box: Box, event_id: str, annotation_id: str) -> dict[str, object]:
        score = box.confidence if box.confidence is not None else 1.0  # soundevent's default
        return {
            "uuid": annotation_id,
            "sound_event": event_id,
            "score": score,
            "tags": [[tag, score] for tag in self._box_tags(box)],
        }

    def _clip(self, clip: _Clip) -> dict[str, object]:
        label = clip.label
        return {
            "uuid": clip.uuid,
            "recording": self.recording_ids[label.recording],
            "start_time": label.start_s,
            "end_time": label.end_s,
        }

    def _clip_annotation(self, clip: _Clip) -> dict[str, object]:
        entry: dict[str, object] = {
            "uuid": _new_uuid(),
            "clip": clip.uuid,
            "tags": [self._tag(self.label_key, label) for label in clip.label.labels]
            + [
                self._tag(key, _tag_value(value))
                for key, value in clip.label.extra.items()
                if value is not None
            ],
            "sound_events": clip.boxes,
        }
        if clip.label.notes:
            entry["notes"] = [self._note(clip.label.notes, clip.label.annotator)]
        return entry

    def _clip_prediction(self, clip: _Clip) -> dict[str, object]:
        tags = [[self._tag(self.label_key, label), 1.0] for label in clip.label.labels]
        return {"uuid": _new_uuid(), "clip": clip.uuid, "sound_events": clip.boxes, "tags": tags}

    def _task(self, clip: _Clip) -> dict[str, object]:
        # A task is done when someone looked: boxes, labels or an explicit "no calls".
        done = bool(clip.boxes or clip.label.labels or clip.label.no_calls)
        badge: dict[str, object] = {"state": "completed"}
        if clip.label.annotator:
            badge["owner"] = self._user(clip.label.annotator)
        return {"uuid": _new_uuid(), "clip": clip.uuid, "status_badges": [badge] if done else []}

    def _note(self, message: str, author: str | None) -> dict[str, object]:
        note: dict[str, object] = {"uuid": _new_uuid(), "message": message, "is_issue": False}
        if author:
            note["created_by"] = self._user(author)
        return note

    def _tag(self, key: str, value: str) -> int:
        return self.tag_ids.setdefault((key, value), len(self.tag_ids))

    def _user(self, name: str) -> str:
        return self.user_ids.setdefault(name, str(uuid.uuid5(RECORDING_NAMESPACE, f"user:{name}")))


def _by_recording(clips: list[_Clip]) -> dict[str, list[_Clip]]:
    # Boxes are matched only against their own recording's clips: exports hold thousands.
    index: dict[str, list[_Clip]] = {}
    for clip in clips:
        index.setdefault(clip.label.recording, []).append(clip)
    return index


def _home(box: Box, clips: list[_Clip]) -> _Clip | None:
    """The clip a box belongs to: the one it overlaps most (calls straddle clip edges)."""

    def overlap(clip: _Clip) -> float:
        return min(clip.label.end_s, box.end_s) - max(clip.label.start_s, box.start_s)

    touching = [
        clip
        for clip in clips
        if clip.label.start_s <= box.end_s and box.start_s <= clip.label.end_s
    ]
    return max(touching, key=overlap, default=None)


def _tag_value(value: ExtraValue) -> str:
    return value if isinstance(value, str) else json.dumps(value)
