"""Call measurements and the annotator in Raven and CSV exports, and our own exports read back."""

import csv
import io
import zipfile

import pytest

from annotator import exchange, ingest, measuring
from annotator import measurements as m
from annotator.formats import raven
from annotator.formats.base import AnnotationSet, Box, RecordingRef
from annotator.models import Recording, SoundEventAnnotation
from tests import factories as f

DESMODUS = "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"


@pytest.fixture
def labelled(project, settings, tmp_path):
    """The Desmodus recording with its 23 published boxes, by an expert."""
    settings.MEDIA_ROOT = tmp_path / "media"
    expert = f.make_user("expert")
    f.import_whombat(project, annotate=("Desmodus",), annotator=expert)
    return Recording.objects.get(project=project, name=DESMODUS)


def rows(text: str, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def test_raven_table_carries_annotator_and_every_boxs_measurements(project, cast, labelled):
    export = exchange.export_annotations(project, "raven", recording=labelled)
    table = rows(export.data.decode(), "\t")
    events = SoundEventAnnotation.objects.filter(clip_annotation__clip__recording=labelled)
    assert len(table) == events.count() >= 10
    header = table[0].keys()
    for column in [
        "Annotator",
        "Delta Time (s)",
        "Delta Freq (Hz)",
        "Peak Freq (Hz)",
        "Call Duration (s)",
        "Char Freq (Hz)",
    ]:
        assert column in header
    for row in table:
        assert row["Annotator"] == "expert"
        box = m.Band(
            float(row["Begin Time (s)"]),
            float(row["End Time (s)"]),
            float(row["Low Freq (Hz)"]),
            float(row["High Freq (Hz)"]),
        )
        want = measuring.measure_box(labelled, box)
        assert want.reason is None and row["Measurement Note"] == ""
        assert float(row["Delta Time (s)"]) == pytest.approx(box.end_s - box.start_s, abs=1e-6)
        assert float(row["Delta Freq (Hz)"]) == pytest.approx(box.high_hz - box.low_hz, abs=0.1)
        for field, column in raven.MEASUREMENTS.items():
            if field != "reason":
                assert float(row[column]) == pytest.approx(
                    getattr(want, field), abs=1e-5 if field.endswith("_s") else 0.01
                )


def test_csv_export_has_the_same_measurement_columns(project, cast, labelled):
    export = exchange.export_annotations(project, "csv")
    table = rows(export.data.decode(), ",")
    assert table and all(row["annotator"] == "expert" for row in table)
    row = table[0]
    box = m.Band(
        float(row["start_s"]),
        float(row["end_s"]),
        float(row["low_freq_hz"]),
        float(row["high_freq_hz"]),
    )
    want = measuring.measure_box(labelled, box)
    assert float(row["Peak Freq (Hz)"]) == pytest.approx(want.peak_hz, abs=0.01)
    assert float(row["Char Freq (Hz)"]) == pytest.approx(want.characteristic_hz, abs=0.01)


@pytest.mark.parametrize("format_name", ["raven", "csv"])
def test_our_own_export_with_measurements_imports_back_to_the_same_boxes(
    project, cast, labelled, format_name
):
    export = exchange.export_annotations(project, format_name, recording=labelled)
    fresh = f.make_project("Fresh", context_s=0.1)
    f.import_whombat(fresh)
    result = exchange.import_annotations(
        fresh, exchange.Upload(export.name, export.data), create_tags=True
    )
    mine = SoundEventAnnotation.objects.filter(clip_annotation__project=project)
    assert result.boxes == mine.count()
    got = SoundEventAnnotation.objects.filter(clip_annotation__project=fresh)
    key = lambda e: (round(e.start_s, 6), round(e.end_s, 6), e.low_hz, e.high_hz, e.tag.value)  # noqa: E731
    assert sorted(map(key, got)) == sorted(map(key, mine))


def test_boxes_without_audio_export_with_the_reason(project, cast):
    from annotator import queue

    recording = f.make_recording(project, duration_s=2.0, name="silent.wav")
    ingest.cut_clips(recording)
    tag = f.make_tag(project)
    queue.save_annotation(
        project,
        recording.clips.first(),
        cast["ann1"],
        queue.Submission(events=[queue.EventInput(0.1, 0.11, 20_000, 30_000, tag.pk)]),
    )
    (row,) = rows(exchange.export_annotations(project, "raven").data.decode(), "\t")
    assert row["Peak Freq (Hz)"] == "" and "no audio" in row["Measurement Note"]
    assert row["Annotator"] == "ann1"


def test_several_recordings_zip_each_with_its_measurements(project, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.import_whombat(project, annotate=("Desmodus", "castanea"), annotator=f.make_user("expert"))
    export = exchange.export_annotations(project, "raven")
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        tables = [rows(archive.read(name).decode(), "\t") for name in archive.namelist()]
    assert len(tables) == 2
    assert all(row["Peak Freq (Hz)"] for table in tables for row in table)


def test_annotator_column_round_trips_in_the_format():
    ref = RecordingRef.from_path("a.wav")
    boxes = [
        Box("a.wav", 0.1, 0.2, 1.0, 2.0, label="x", annotator="ann1"),
        Box("a.wav", 0.3, 0.4, 1.0, 2.0),
    ]
    annset = AnnotationSet(recordings=[ref], boxes=boxes)
    text = raven.write(annset)
    assert text.splitlines()[0].split("\t")[-1] == "Annotator"
    assert raven.read(text, recording=ref).boxes == boxes


def test_an_export_measures_a_bounded_number_of_new_boxes_and_the_next_goes_on(
    project, cast, labelled, monkeypatch
):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(measuring, "EXPORT_NEW_BOXES", 5)
    first = rows(exchange.export_annotations(project, "raven").data.decode(), "\t")
    measured = [row for row in first if row["Peak Freq (Hz)"]]
    assert len(measured) == 5
    assert all("export again" in row["Measurement Note"] for row in first if row not in measured)
    second = rows(exchange.export_annotations(project, "raven").data.decode(), "\t")
    assert len([row for row in second if row["Peak Freq (Hz)"]]) == 10
