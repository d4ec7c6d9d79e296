"""What an annotation file says beyond Echoloop's columns (extra columns, non-species tags,
scores) is kept in the notes as "#key: value" lines, counted in the report, and given back by the
export: nothing is dropped silently."""

from __future__ import annotations

import csv
import io

import soundfile as sf

from annotator import exchange, ingest
from annotator.exchange import kept
from annotator.formats import aoef, csvfmt
from annotator.models import ClipAnnotation, SoundEventAnnotation
from tests import factories as f
from tests.conftest import DATA, SHARED

PTERONOTUS = "XC826219-Pteronotus_mesoamericanus-2013.02.15-CL00816.wav"
CHRONISTER_BOXES = (
    DATA / "birds" / "chronister-2021-snippet" / "Recording_1_Segment_07-snippet.boxes.csv"
)


def test_whombats_call_quality_is_kept_in_the_notes(project):
    info = sf.info(DATA / "whombat-more" / PTERONOTUS)
    recording = f.make_recording(
        project, duration_s=info.duration, samplerate=info.samplerate, name=PTERONOTUS
    )
    ingest.cut_clips(recording)
    rows = [
        line
        for line in (DATA / "whombat-more" / "annotations_boxes.csv").read_text().splitlines()
        if line.startswith(("file,", PTERONOTUS))
    ]
    report = exchange.import_annotations(
        project, exchange.Upload("boxes.csv", "\n".join(rows).encode()), create_tags=True
    )
    assert report.boxes == len(rows) - 1
    assert report.fields_kept_in_notes == {"call_quality": 3}  # the three 'truncated' calls
    truncated = SoundEventAnnotation.objects.filter(notes__contains="#call_quality: truncated")
    assert truncated.count() == 3


def warbler_table(project) -> str:
    """The Chronister snippet's boxes with warbleR-style `group` and `id` columns and a
    measurement Echoloop recomputes."""
    recording = f.make_recording(project, duration_s=10.0, samplerate=32_000, name="snippet.wav")
    ingest.cut_clips(recording)
    table = list(csv.DictReader(io.StringIO(CHRONISTER_BOXES.read_text())))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "file",
            "start_s",
            "end_s",
            "low_freq_hz",
            "high_freq_hz",
            "label",
            "group",
            "id",
            "Peak Freq (Hz)",
        ]
    )
    for i, row in enumerate(
        table
    ):  # warbleR-style grouping columns, and a measurement we recompute
        writer.writerow(
            [
                "snippet.wav",
                row["Begin Time (s)"],
                row["End Time (s)"],
                row["Low Freq (Hz)"],
                row["High Freq (Hz)"],
                row["Species"],
                f"g{i % 2}",
                str(i + 1),
                "2000",
            ]
        )
    return out.getvalue()


def test_extra_columns_are_kept_and_our_own_measurements_are_not(project):
    text = warbler_table(project)
    report = exchange.import_annotations(
        project, exchange.Upload("warbler.csv", text.encode()), create_tags=True
    )
    assert report.boxes == 9
    assert report.fields_kept_in_notes == {"group": 9, "id": 9}
    first = SoundEventAnnotation.objects.order_by("start_s").first()
    assert "#group: g" in first.notes and "#id: " in first.notes
    assert "Peak Freq" not in first.notes


def test_extra_columns_come_back_in_the_csv_export(project):
    text = warbler_table(project)
    exchange.import_annotations(
        project, exchange.Upload("warbler.csv", text.encode()), create_tags=True
    )
    export = exchange.export_annotations(project, "csv")
    read = {(b.start_s, b.label): b for b in csvfmt.read(export.data.decode()).boxes}
    source = {(b.start_s, b.label): b for b in csvfmt.read(text).boxes}
    assert read.keys() == source.keys() and len(read) == 9
    for key, box in source.items():
        assert read[key].extra["group"] == box.extra["group"]
        assert read[key].extra["id"] == box.extra["id"]
        assert read[key].notes == ""  # the "#key: value" lines became columns again


def test_batdetect2_scores_and_a_social_call_are_kept_defaults_are_not(project):
    import json

    folder = DATA / "batdetect2"
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder / "audio"))
    document = json.loads(
        (folder / "anns" / "20170701_213954-MYOMYS-LR_0_0.5.wav.json").read_text()
    )
    document["annotation"][0]["event"] = "Social"
    report = exchange.import_annotations(
        project, exchange.Upload("myomys.json", json.dumps(document).encode()), create_tags=True
    )
    calls = len(document["annotation"])
    assert report.boxes == calls == 15
    assert report.fields_kept_in_notes == {"class_prob": calls, "det_prob": calls, "event": 1}
    assert SoundEventAnnotation.objects.filter(notes__contains="#event: Social").count() == 1


def test_whombat_example_round_trip_keeps_tags_and_notes(project):
    """The published Whombat project: its call_quality tags and its box and clip notes come
    back in the AOEF export as they were read."""
    folder = SHARED / "bats" / "whombat-example"
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    data = (folder / "example_annotation_project.json").read_bytes()
    exchange.import_annotations(project, exchange.Upload("example.json", data), create_tags=True)
    back = aoef.read(exchange.export_annotations(project, "aoef").data)
    source = aoef.read(data)

    def extras(annset):
        return sorted(
            (b.recording, round(b.start_s, 6), tuple(sorted(b.extra.items())), b.notes)
            for b in annset.boxes
            if b.extra or b.notes
        )

    assert extras(back) == extras(source)
    assert sum(1 for b in back.boxes if b.extra.get("call_quality") == "truncated") == 3
    clip_notes = " ".join(label.notes for label in back.clips)
    for message in ("very short clip", "aliasing patterns", "high-pass filter"):
        assert message in clip_notes


def test_clip_level_tags_other_than_species_are_kept(project):
    """A clip tag Echoloop has no place for (here an AOEF `quality` tag) is kept in the clip's
    notes and written back as a tag."""
    from annotator.formats.base import AnnotationSet, ClipLabel, RecordingRef

    recording = f.make_recording(project, duration_s=2.0, name="a.wav")
    ingest.cut_clips(recording)
    annset = AnnotationSet(
        recordings=[RecordingRef.from_path("a.wav", duration_s=2.0, samplerate=384_000)],
        clips=[ClipLabel("a.wav", 1.0, 2.0, ("Myotis",), extra={"quality": "A"})],
    )
    exchange.import_annotations(
        project, exchange.Upload("a.json", aoef.write(annset).encode()), create_tags=True
    )
    answer = ClipAnnotation.objects.get()
    assert answer.notes == "#quality: A" and [t.value for t in answer.tags.all()] == ["Myotis"]
    (label,) = aoef.read(exchange.export_annotations(project, "aoef").data).clips
    assert label.extra == {"quality": "A"} and label.notes == ""


def test_kept_fields_read_back_and_leave_other_notes_alone():
    notes = kept.with_fields("faint\nnote: two calls", {"group": "g1", "id": 7, "none": None})
    assert notes == "faint\nnote: two calls\n#group: g1\n#id: 7"
    assert kept.split_fields(notes) == ("faint\nnote: two calls", {"group": "g1", "id": "7"})
    assert kept.with_fields("", {"multi": "a\nb"}) == "#multi: a b"
