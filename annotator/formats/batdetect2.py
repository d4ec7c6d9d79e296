"""BatDetect2 annotation JSON: one object per audio file, or a list of them (merged sets).

A file object has 'id' (the audio file name), 'duration', 'annotated', 'issues', 'notes',
'time_exp', 'class_name' (the file's species) and 'annotation': a list of calls with
'start_time', 'end_time', 'low_freq', 'high_freq', 'class', 'event', 'individual' and,
in the detector's output, 'det_prob' and 'class_prob'.

The same files are expert labels or model output depending on who made them, so the
caller says which: `as_predictions=True` puts det_prob in `Box.confidence`.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from annotator.formats.base import (
    AnnotationSet,
    Box,
    ClipLabel,
    ExtraValue,
    FormatError,
    RecordingRef,
    Recordings,
    vocabulary,
)
from annotator.formats.jsonnode import Node, load_json, within
from annotator.formats.raven import single_recording

NAME = "batdetect2"
# Call fields kept verbatim in Box.extra so that writing back loses nothing.
PASS_THROUGH = ("event", "individual", "class_prob")
DEFAULT_EVENT = "Echolocation"
# BatDetect2's call types ('event'). A box whose tag names one (a project tagging call types,
# "Social call", "feeding buzz") is written with it; a species tag is an echolocation call.
CALL_TYPES = (
    (re.compile(r"\bsocial\b", re.IGNORECASE), "Social"),
    (re.compile(r"\b(feeding|buzz)\b", re.IGNORECASE), "Feeding"),
    (re.compile(r"\becholocation\b", re.IGNORECASE), "Echolocation"),
)
DEFAULT_INDIVIDUAL = "-1"


def read(
    data: str | bytes,
    *,
    recording: RecordingRef | str | None = None,
    as_predictions: bool = False,
) -> AnnotationSet:
    """Read one file object or a list of them. `recording` is ignored: 'id' names the file.

    Each file also yields a whole-file `ClipLabel` carrying 'class_name' and 'notes'.
    """
    root = load_json(data)
    files = root.items() if isinstance(root.value, list) else [root]
    recordings = Recordings()
    boxes: list[Box] = []
    clips: list[ClipLabel] = []
    for node in files:
        name = recordings.add(_recording(node))
        calls = [_box(call, name, as_predictions) for call in node.req("annotation").items()]
        boxes += calls
        clip = _file_clip(node, name, empty=not calls)
        if clip is not None:
            clips.append(clip)
    return AnnotationSet(
        recordings=recordings.refs(),
        boxes=boxes,
        clips=clips,
        tags=vocabulary(boxes, clips),
        is_prediction=as_predictions,
        source_format=NAME,
    )


def _recording(node: Node) -> RecordingRef:
    path = node.req("id").text()
    with within(node):
        return RecordingRef.from_path(path, duration_s=node.req("duration").number())


def _box(call: Node, recording: str, as_predictions: bool) -> Box:
    extra: dict[str, ExtraValue] = {
        key: call.req(key).scalar() for key in PASS_THROUGH if call.has(key)
    }
    det_prob = call.opt("det_prob")
    confidence = None
    if as_predictions:
        confidence = call.req("det_prob").number()
    elif det_prob is not None:
        extra["det_prob"] = det_prob.number()
    label = call.opt_text("class")
    with within(call):
        return Box(
            recording=recording,
            start_s=call.req("start_time").number(),
            end_s=call.req("end_time").number(),
            low_hz=call.req("low_freq").number(),
            high_hz=call.req("high_freq").number(),
            label=label or None,
            confidence=confidence,
            extra=extra,
        )


def _file_clip(node: Node, recording: str, *, empty: bool) -> ClipLabel | None:
    """The file-level judgement: its species and notes, or "no calls" if annotated empty."""
    duration = node.req("duration").number()
    class_name = node.opt_text("class_name") or ""
    notes = node.opt_text("notes") or ""
    annotated = node.opt("annotated")
    no_calls = empty and annotated is not None and annotated.boolean()
    if not (class_name or notes or no_calls):
        return None
    with within(node):
        return ClipLabel(
            recording=recording,
            start_s=0.0,
            end_s=duration,
            labels=(class_name,) if class_name else (),
            no_calls=no_calls,
            notes=notes,
        )


def write(annset: AnnotationSet, *, recording: str | None = None) -> str:
    """One file object for `recording` (or the only one), or a list with every recording.

    det_prob is the box confidence (else the value read from the file); 'annotated' is
    true and 'issues' false: BatDetect2's trainer skips files marked otherwise.
    """
    if recording is not None or len(annset.recordings) == 1:
        return json.dumps(_file(annset, single_recording(annset, recording)), ensure_ascii=False)
    return json.dumps([_file(annset, ref.name) for ref in annset.recordings], ensure_ascii=False)


def _file(annset: AnnotationSet, name: str) -> dict[str, object]:
    boxes = annset.boxes_of(name)
    ref = annset.recording(name)
    clip = next((c for c in annset.clips if c.recording == name and c.start_s == 0), None)
    duration = (
        ref.duration_s if ref.duration_s is not None else max((b.end_s for b in boxes), default=0.0)
    )
    return {
        "id": ref.name,
        "duration": duration,
        "time_exp": 1,
        "class_name": _file_class(boxes, clip),
        "annotated": True,
        "issues": False,
        "notes": clip.notes if clip else "",
        "annotation": [_call(box) for box in boxes],
    }


def _file_class(boxes: list[Box], clip: ClipLabel | None) -> str:
    if clip is not None and clip.labels:
        return clip.labels[0]
    counts = Counter(box.label for box in boxes if box.label)
    return counts.most_common(1)[0][0] if counts else ""


def _call_type(label: str | None) -> str:
    """The 'event' of a box without one from a BatDetect2 file: the call type its tag names."""
    for pattern, event in CALL_TYPES:
        if label and pattern.search(label):
            return event
    return DEFAULT_EVENT


def _call(box: Box) -> dict[str, object]:
    if not box.has_band:
        message = f"BatDetect2 needs a frequency band; box at {box.start_s} s has none"
        raise FormatError(message, field="low_freq")
    call: dict[str, object] = {
        "start_time": box.start_s,
        "end_time": box.end_s,
        "low_freq": box.low_hz,
        "high_freq": box.high_hz,
        "class": box.label or "",
        "event": box.extra.get("event") or _call_type(box.label),
        "individual": box.extra.get("individual", DEFAULT_INDIVIDUAL),
    }
    det_prob = box.confidence if box.confidence is not None else box.extra.get("det_prob")
    if det_prob is not None:
        call["det_prob"] = det_prob
    if "class_prob" in box.extra:
        call["class_prob"] = box.extra["class_prob"]
    return call
