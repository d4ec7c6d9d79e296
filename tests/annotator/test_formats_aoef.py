"""soundevent's AOEF JSON (Whombat): the real example project, our exports, bad documents."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import soundevent.io
from soundevent import data as se

from annotator.formats import aoef
from annotator.formats.base import AnnotationSet, Box, ClipLabel, FormatError, RecordingRef
from tests.annotator.formats_data import WHOMBAT, geometries

PROJECT = WHOMBAT / "example_annotation_project.json"


@pytest.fixture(scope="module")
def project() -> AnnotationSet:
    return aoef.read(PROJECT.read_bytes())


def _expected_boxes() -> list[tuple[object, ...]]:
    with (WHOMBAT / "annotations_boxes.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    numbers = ("start_s", "end_s", "low_freq_hz", "high_freq_hz")
    boxes = [(row["file"], *(float(row[n]) for n in numbers), row["species"]) for row in rows]
    return sorted(boxes, key=repr)


def _save(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_project_recovers_all_433_boxes_with_species(project):
    assert len(project.boxes) == 433
    assert geometries(project) == _expected_boxes()
    assert not project.is_prediction and project.source_format == "aoef"


def test_example_project_recordings_carry_metadata(project):
    assert len(project.recordings) == 10
    ref = project.recording("XC882096-Diclidurus-albus_ind2.wav")
    assert ref.path == "/audio/audio/XC882096-Diclidurus-albus_ind2.wav"
    assert (ref.samplerate, ref.uuid) == (375000, "cf9fec77-7545-5423-8418-d32165ee6ffd")
    assert ref.duration_s == pytest.approx(2.7418933)


def test_example_project_keeps_other_tags_notes_and_authors(project):
    truncated = [box for box in project.boxes if box.extra.get("call_quality") == "truncated"]
    assert len(truncated) == 3
    assert sum(1 for box in project.boxes if box.notes) == 4
    assert {box.annotator for box in project.boxes} == {"mbsantiago"}


def test_example_project_clips_and_empty_completed_clips(project):
    assert len(project.clips) == 33
    assert sum(clip.no_calls for clip in project.clips) == 2
    assert "Noctilio leporinus" in project.tags


def test_example_dataset_has_recordings_and_no_boxes():
    dataset = aoef.read((WHOMBAT / "example_dataset.json").read_bytes())
    assert len(dataset.recordings) == 10 and dataset.boxes == []


def test_export_loads_with_soundevent_and_has_the_same_boxes(project, tmp_path):
    loaded = soundevent.io.load(_save(tmp_path, aoef.write(project)))
    assert isinstance(loaded, se.AnnotationProject)
    boxes = []
    for clip_annotation in loaded.clip_annotations:
        for annotation in clip_annotation.sound_events:
            start, low, end, high = annotation.sound_event.geometry.coordinates
            species = se.find_tag(annotation.tags, term_name="dwc:scientificName")
            name = Path(annotation.sound_event.recording.path).name
            boxes.append((name, start, end, low, high, species.value))
    assert sorted(boxes, key=repr) == _expected_boxes()
    assert len(loaded.tasks) == 33


def test_export_round_trips(project):
    again = aoef.read(aoef.write(project))
    assert again.boxes == project.boxes
    assert again.clips == project.clips
    assert again.recordings == project.recordings


def test_soundevent_re_export_is_read_back(project, tmp_path):
    """soundevent renames the 'species' key to its term 'dwc:scientificName' on saving."""
    loaded = soundevent.io.load(_save(tmp_path, aoef.write(project)))
    resaved = tmp_path / "resaved.json"
    soundevent.io.save(loaded, resaved)
    assert geometries(aoef.read(resaved.read_bytes())) == _expected_boxes()


def _tiny(**changes) -> AnnotationSet:
    ref = RecordingRef.from_path("night/a.wav", duration_s=10.0, samplerate=32000)
    boxes = [
        Box("a.wav", 1.0, 2.0, label="WOTH", annotator="ana", notes="faint"),
        Box("a.wav", 3.0, 3.5, 1000.0, 4000.0, label="NOCA", confidence=0.8),
    ]
    values = {"recordings": [ref], "boxes": boxes, "clips": [], "tags": ["WOTH", "NOCA"]} | changes
    return AnnotationSet(**values)


def test_time_intervals_are_written_as_time_interval_geometry(tmp_path):
    text = aoef.write(_tiny(), collection="annotation_set")
    loaded = soundevent.io.load(_save(tmp_path, text))
    assert isinstance(loaded, se.AnnotationSet)
    kinds = {a.sound_event.geometry.type for c in loaded.clip_annotations for a in c.sound_events}
    assert kinds == {"TimeInterval", "BoundingBox"}
    again = aoef.read(text)
    assert [(b.low_hz, b.label, b.annotator, b.notes) for b in again.boxes] == [
        (None, "WOTH", "ana", "faint"),
        (1000.0, "NOCA", None, ""),
    ]


def test_predictions_are_written_as_a_prediction_set(tmp_path):
    annset = _tiny(
        is_prediction=True,
        boxes=[Box("a.wav", 3.0, 3.5, 1000.0, 4000.0, label="NOCA", confidence=0.8)],
    )
    text = aoef.write(annset)
    loaded = soundevent.io.load(_save(tmp_path, text))
    assert isinstance(loaded, se.PredictionSet)
    assert loaded.clip_predictions[0].sound_events[0].score == pytest.approx(0.8)
    again = aoef.read(text)
    assert again.is_prediction and again.boxes == annset.boxes


def test_clip_labels_become_clip_annotations(tmp_path):
    clips = [
        ClipLabel("a.wav", 0.0, 5.0, labels=("WOTH",), annotator="ana"),
        ClipLabel("a.wav", 5.0, 10.0, no_calls=True),
    ]
    annset = _tiny(boxes=[Box("a.wav", 1.0, 2.0, label="WOTH")], clips=clips)
    loaded = soundevent.io.load(_save(tmp_path, aoef.write(annset)))
    assert [len(c.sound_events) for c in loaded.clip_annotations] == [1, 0]
    assert aoef.read(aoef.write(annset)).clips == clips


def test_writing_needs_samplerate_and_duration():
    annset = _tiny(recordings=[RecordingRef.from_path("a.wav")])
    with pytest.raises(FormatError, match="duration"):
        aoef.write(annset)


def _document(**data_changes) -> str:
    doc = json.loads(PROJECT.read_text())
    doc["data"].update(data_changes)
    return json.dumps(doc)


def test_truncated_json_names_the_line():
    text = PROJECT.read_text()
    with pytest.raises(FormatError, match="invalid JSON") as caught:
        aoef.read(text[: len(text) // 2])
    assert caught.value.line == 1


def test_binary_garbage_is_a_format_error():
    with pytest.raises(FormatError):
        aoef.read(bytes(range(256)) * 4)


def test_unknown_collection_type_is_refused():
    with pytest.raises(FormatError, match="unsupported") as caught:
        aoef.read(_document(collection_type="evaluation"))
    assert caught.value.field == "data.collection_type"


def test_missing_field_is_named_by_its_json_path():
    doc = json.loads(PROJECT.read_text())
    del doc["data"]["sound_events"][3]["geometry"]
    with pytest.raises(FormatError) as caught:
        aoef.read(json.dumps(doc))
    assert caught.value.field == "data.sound_events[3].geometry"


def test_non_number_coordinate_is_refused():
    doc = json.loads(PROJECT.read_text())
    doc["data"]["sound_events"][0]["geometry"]["coordinates"][0] = "abc"
    with pytest.raises(FormatError, match="not a number") as caught:
        aoef.read(json.dumps(doc))
    assert caught.value.field == "data.sound_events[0].geometry.coordinates[0]"


def test_box_ending_before_it_starts_is_refused():
    doc = json.loads(PROJECT.read_text())
    doc["data"]["sound_events"][5]["geometry"]["coordinates"] = [0.5, 1000, 0.4, 2000]
    with pytest.raises(FormatError, match="before start") as caught:
        aoef.read(json.dumps(doc))
    assert caught.value.field == "data.sound_events[5].geometry"


def test_negative_recording_duration_is_refused():
    doc = json.loads(PROJECT.read_text())
    doc["data"]["recordings"][2]["duration"] = -1.0
    with pytest.raises(FormatError, match="negative time") as caught:
        aoef.read(json.dumps(doc))
    assert caught.value.field == "data.recordings[2]"


def test_dangling_reference_is_refused():
    doc = json.loads(PROJECT.read_text())
    doc["data"]["sound_event_annotations"][0]["tags"] = [999]
    with pytest.raises(FormatError, match="unknown tag id 999"):
        aoef.read(json.dumps(doc))


def test_other_geometries_are_reduced_to_their_bounds():
    doc = json.loads(PROJECT.read_text())
    doc["data"]["sound_events"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[0.1, 2000.0], [0.3, 5000.0], [0.2, 1000.0]]],
    }
    box = aoef.read(json.dumps(doc)).boxes[0]
    assert (box.start_s, box.end_s, box.low_hz, box.high_hz) == (0.1, 0.3, 1000.0, 5000.0)
