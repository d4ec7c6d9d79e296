"""BatDetect2 annotation JSON: the example files as annotations and as predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.formats import batdetect2
from annotator.formats.base import AnnotationSet, Box, FormatError, RecordingRef
from tests.annotator.formats_data import BATDETECT2

FILES = sorted(BATDETECT2.glob("*.json"))


def test_all_three_examples_are_there():
    assert len(FILES) == 3


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:22])
def test_example_reads_as_predictions_with_det_prob_as_confidence(path: Path):
    raw = json.loads(path.read_text())
    annset = batdetect2.read(path.read_bytes(), as_predictions=True)
    assert annset.is_prediction
    assert len(annset.boxes) == len(raw["annotation"])
    first, box = raw["annotation"][0], annset.boxes[0]
    assert (box.start_s, box.end_s, box.low_hz, box.high_hz) == (
        first["start_time"],
        first["end_time"],
        first["low_freq"],
        first["high_freq"],
    )
    assert (box.label, box.confidence) == (first["class"], first["det_prob"])
    assert annset.recordings == [RecordingRef.from_path(raw["id"], duration_s=raw["duration"])]
    assert annset.clips[0].labels == (raw["class_name"],)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:22])
def test_example_reads_as_annotations_keeping_scores_aside(path: Path):
    annset = batdetect2.read(path.read_bytes())
    assert not annset.is_prediction
    assert all(box.confidence is None and "det_prob" in box.extra for box in annset.boxes)


@pytest.mark.parametrize("as_predictions", [False, True])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:22])
def test_round_trip(path: Path, as_predictions: bool):
    annset = batdetect2.read(path.read_bytes(), as_predictions=as_predictions)
    again = batdetect2.read(batdetect2.write(annset), as_predictions=as_predictions)
    assert again.boxes == annset.boxes
    assert again.clips == annset.clips
    assert json.loads(batdetect2.write(annset)).keys() >= {
        "id",
        "duration",
        "annotated",
        "issues",
        "annotation",
    }


def test_merged_list_of_files_is_read_and_written():
    merged = "[" + ",".join(path.read_text() for path in FILES) + "]"
    annset = batdetect2.read(merged, as_predictions=True)
    assert len(annset.recordings) == 3
    assert batdetect2.read(batdetect2.write(annset), as_predictions=True).boxes == annset.boxes


def test_time_intervals_cannot_be_written():
    annset = AnnotationSet(
        recordings=[RecordingRef.from_path("a.wav", duration_s=1.0)], boxes=[Box("a.wav", 0.1, 0.2)]
    )
    with pytest.raises(FormatError, match="frequency band"):
        batdetect2.write(annset)


def _file(**call_changes) -> str:
    call = {
        "start_time": 0.1,
        "end_time": 0.2,
        "low_freq": 40000,
        "high_freq": 60000,
        "class": "Myotis",
        "event": "Echolocation",
    }
    call.update(call_changes)
    call = {k: v for k, v in call.items() if v is not None}
    return json.dumps(
        {"id": "a.wav", "duration": 0.5, "annotated": True, "issues": False, "annotation": [call]}
    )


def test_non_number_time_is_named_by_path():
    with pytest.raises(FormatError, match="not a number") as caught:
        batdetect2.read(_file(start_time="abc"))
    assert caught.value.field == "annotation[0].start_time"


def test_end_before_start_is_refused():
    with pytest.raises(FormatError, match="before start") as caught:
        batdetect2.read(_file(end_time=0.05))
    assert caught.value.field == "annotation[0]"


def test_missing_field_is_named():
    with pytest.raises(FormatError, match="missing") as caught:
        batdetect2.read(_file(high_freq=None))
    assert caught.value.field == "annotation[0].high_freq"


def test_predictions_need_det_prob():
    with pytest.raises(FormatError) as caught:
        batdetect2.read(_file(), as_predictions=True)
    assert caught.value.field == "annotation[0].det_prob"


def test_truncated_json_is_a_format_error():
    text = FILES[0].read_text()
    with pytest.raises(FormatError, match="invalid JSON") as caught:
        batdetect2.read(text[:-40])
    assert caught.value.line is not None


def test_binary_garbage_is_a_format_error():
    with pytest.raises(FormatError):
        batdetect2.read(b'\x00\x01\x02{"id"')


def test_export_writes_the_call_type_a_tag_names():
    """A project tagging call types exports them as BatDetect2's 'event'; species stay echolocation."""
    ref = RecordingRef(path="night/a.wav", name="a.wav", duration_s=1.0)
    labels = ["Social call", "Feeding buzz", "Myotis daubentonii", "echolocation pass"]
    boxes = [
        Box("a.wav", 0.1 * i, 0.1 * i + 0.05, 20_000, 40_000, label=label)
        for i, label in enumerate(labels)
    ]
    written = json.loads(batdetect2.write(AnnotationSet(recordings=[ref], boxes=boxes)))
    assert [call["event"] for call in written["annotation"]] == [
        "Social",
        "Feeding",
        "Echolocation",
        "Echolocation",
    ]
    assert [call["class"] for call in written["annotation"]] == labels
    read_back = batdetect2.read(json.dumps(written))
    assert [b.extra["event"] for b in read_back.boxes] == [
        "Social",
        "Feeding",
        "Echolocation",
        "Echolocation",
    ]
