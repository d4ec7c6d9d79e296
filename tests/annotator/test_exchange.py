"""Importing annotation files into a project and exporting them: matching, all-or-nothing, round trips."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from annotator import exchange, ingest, queue, review
from annotator.formats import FormatError, aoef
from annotator.models import (
    AnnotationRevision,
    ClipAnnotation,
    Recording,
    SoundEventAnnotation,
    Tag,
)
from tests import factories as f
from tests.conftest import DATA, SHARED

WHOMBAT_EXAMPLE = SHARED / "bats" / "whombat-example"
RAVEN_HEADER = "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tSpecies\n"


def recordings(project, n=2, *, duration_s=3.0):
    """Audio-less recordings cut into the project's 1 s clips (import never reads samples)."""
    made = [
        f.make_recording(
            project, duration_s=duration_s, name=f"site{i}.wav", path=f"night/site{i}.wav"
        )
        for i in range(n)
    ]
    for recording in made:
        ingest.cut_clips(recording)
    return made


def twin(project, recording):
    """The same audio file ingested into another project."""
    copy = Recording.objects.create(
        project=project,
        dataset=f.make_dataset(project),
        **{
            k: getattr(recording, k)
            for k in (
                "name",
                "path",
                "sha256",
                "format",
                "samplerate",
                "channels",
                "frames",
                "duration_s",
            )
        },
    )
    ingest.cut_clips(copy)
    return copy


def upload(name, text):
    return exchange.Upload(name, text.encode() if isinstance(text, str) else text)


def boxes(project):
    """(recording name, start, end, low, high, tag value) of every event in the project."""
    rows = SoundEventAnnotation.objects.filter(clip_annotation__project=project).values_list(
        "clip_annotation__clip__recording__name",
        "start_s",
        "end_s",
        "low_hz",
        "high_hz",
        "tag__value",
    )
    return sorted(rows, key=lambda r: (r[0], r[1], r[5] or ""))


def assert_same_boxes(got, expected, *, band=True):
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[0] == e[0] and g[5] == e[5]
        assert g[1:3] == pytest.approx(e[1:3], abs=1e-6)
        if band:
            assert g[3:5] == pytest.approx(e[3:5], abs=1e-6)


def labelled(project, annotator):
    """Two recordings with boxes on several clips, a clip-level tag and an empty clip."""
    noctule, pip = f.make_tag(project, "Nyctalus noctula"), f.make_tag(project, "Pipistrellus")
    first, second = recordings(project)
    clips = list(first.clips.order_by("start_s")) + list(second.clips.order_by("start_s"))
    E = queue.EventInput
    answers = {
        0: queue.Submission(
            events=[
                E(0.1, 0.115, 18_000, 30_000, noctule.pk),
                E(0.95, 1.04, 40_000, 60_000, pip.pk),
            ]
        ),
        1: queue.Submission(tags=[pip.pk], events=[E(1.5, 1.512345678, 41_000.5, 55_000, pip.pk)]),
        2: queue.Submission(no_calls=True),
        3: queue.Submission(events=[E(0.3, 0.31, 20_000, 25_000, noctule.pk, notes="faint")]),
    }
    for index, submission in answers.items():
        queue.save_annotation(project, clips[index], annotator, submission)
    return first, second


# --- the published Whombat example ---------------------------------------------------------------


def test_whombat_example_project_recovers_all_433_boxes(project, cast):
    f.make_root(WHOMBAT_EXAMPLE)
    report = ingest.import_location(project, f.make_dataset(project), str(WHOMBAT_EXAMPLE))
    assert len(report.imported) == 10
    data = (WHOMBAT_EXAMPLE / "example_annotation_project.json").read_bytes()
    result = exchange.import_annotations(
        project, upload("example_annotation_project.json", data), create_tags=True
    )
    assert (result.format, result.recordings, result.boxes) == ("aoef", 10, 433)
    expected = sorted(
        (b.recording, b.start_s, b.end_s, b.low_hz, b.high_hz, b.label)
        for b in aoef.read(data).boxes
    )
    got = boxes(project)
    assert len(got) == 433
    assert sorted(got) == expected  # stored as read: same floats, same species
    assert len(result.tags_created) == 10
    assert set(ClipAnnotation.objects.values_list("annotator__username", flat=True)) == {
        "import:aoef"
    }
    # All three clip notes kept, the one on a 1–2 s clip of a 1.03 s recording included.
    notes = " ".join(ClipAnnotation.objects.values_list("notes", flat=True))
    for message in ("very short clip", "aliasing patterns", "high-pass filter"):
        assert message in notes
    assert "(for 1–2 s) Is a very short clip" in notes and not result.notes_not_kept
    # Whombat's 'truncated' tags: kept in the boxes' notes, and counted in the report.
    assert result.fields_kept_in_notes.get("call_quality") == 3
    truncated = SoundEventAnnotation.objects.filter(notes__contains="#call_quality: truncated")
    assert truncated.count() == 3


# --- round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", ["aoef", "raven", "audacity", "csv", "batdetect2"])
def test_round_trip_gives_the_same_boxes(project, cast, format_name):
    first, second = labelled(project, cast["ann1"])
    export = exchange.export_annotations(project, format_name)
    fresh = f.make_project("Fresh", context_s=0.1)
    for recording in (second, first):
        twin(fresh, recording)
    for value in ("Nyctalus noctula", "Pipistrellus"):
        f.make_tag(fresh, value)
    result = exchange.import_annotations(fresh, upload(export.name, export.data))
    assert result.boxes == 4 and result.recordings == 2
    assert_same_boxes(boxes(fresh), boxes(project))


def test_aoef_export_loads_in_soundevent_and_keeps_clip_answers(project, cast, tmp_path):
    from soundevent import io as soundevent_io

    labelled(project, cast["ann1"])
    export = exchange.export_annotations(project, "aoef")
    path = tmp_path / export.name
    path.write_bytes(export.data)
    loaded = soundevent_io.load(path, type="annotation_project")
    assert len(loaded.clip_annotations) == 4
    assert sum(len(c.sound_events) for c in loaded.clip_annotations) == 4
    assert {c.clip.recording.hash for c in loaded.clip_annotations} == {
        r.sha256 for r in Recording.objects.filter(project=project)
    }
    fresh = f.make_project("Fresh", context_s=0.1)
    for recording in Recording.objects.filter(project=project):
        twin(fresh, recording)
    exchange.import_annotations(fresh, upload(export.name, export.data), create_tags=True)
    by_clip = {
        (a.clip.recording.name, a.clip.start_s): a
        for a in ClipAnnotation.objects.filter(project=fresh)
    }
    assert by_clip[("site0.wav", 2.0)].no_calls
    assert [t.value for t in by_clip[("site0.wav", 1.0)].tags.all()] == ["Pipistrellus"]
    assert by_clip[("site1.wav", 0.0)].events.get().notes == "faint"


def test_round_trip_of_real_recordings(project, cast):
    expert = f.make_user("expert")
    f.import_whombat(project, annotate=("XC",), annotator=expert)
    export = exchange.export_annotations(project, "aoef")
    fresh = f.make_project("Fresh", context_s=0.1)
    ingest.import_location(fresh, f.make_dataset(fresh), str(DATA / "whombat"))
    result = exchange.import_annotations(fresh, upload(export.name, export.data), create_tags=True)
    assert result.recordings == 3 and result.boxes == len(boxes(project)) == 90
    assert_same_boxes(boxes(fresh), boxes(project))


def test_raven_export_of_several_recordings_is_a_zip_of_tables(project, cast):
    labelled(project, cast["ann1"])
    export = exchange.export_annotations(project, "raven")
    assert export.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
        names = sorted(archive.namelist())
        table = archive.read(names[0]).decode()
    assert names == ["site0.Table.1.selections.txt", "site1.Table.1.selections.txt"]
    header = table.split("\n", 1)[0].split("\t")
    assert header[:8] == RAVEN_HEADER.strip().split("\t")
    one = exchange.export_annotations(
        project, "raven", recording=Recording.objects.get(name="site1.wav")
    )
    assert one.name == "site1.Table.1.selections.txt" and one.data.count(b"\n") == 2


def test_export_leaves_out_rejected_annotations_and_filters_by_annotator(project, cast):
    tag = f.make_tag(project)
    (recording,) = recordings(project, 1)
    clip = recording.clips.first()
    event = queue.EventInput(0.2, 0.21, 20_000, 30_000, tag.pk)
    mine = queue.save_annotation(project, clip, cast["ann1"], queue.Submission(events=[event]))
    queue.save_annotation(project, clip, cast["ann2"], queue.Submission(events=[event]))
    assert len(exchange.annotation_set(project).boxes) == 2
    review.reject(mine, cast["lead"], version=1, note="no")
    assert [b.annotator for b in exchange.annotation_set(project).boxes] == ["ann2"]
    assert exchange.annotation_set(project, annotator=cast["ann1"]).boxes == []


# --- matching ---------------------------------------------------------------------------------------


def test_raven_table_is_matched_by_its_file_name(project, cast):
    f.make_tag(project)
    recordings(project)
    table = RAVEN_HEADER + "1\tSpectrogram 1\t1\t1.1\t1.12\t20000\t40000\tMyotis myotis\n"
    exchange.import_annotations(project, upload("site1.Table.1.selections.txt", table))
    assert boxes(project) == [("site1.wav", 1.1, 1.12, 20000.0, 40000.0, "Myotis myotis")]


def test_raven_table_with_begin_file_or_a_given_recording(project, cast):
    f.make_tag(project)
    first, second = recordings(project)
    with_file = RAVEN_HEADER.replace("\n", "\tBegin File\n") + (
        "1\tSpectrogram 1\t1\t0.1\t0.12\t20000\t40000\tMyotis myotis\tC:\\data\\site0.wav\n"
    )
    exchange.import_annotations(project, upload("anything.txt", with_file))
    plain = RAVEN_HEADER + "1\tSpectrogram 1\t1\t2.1\t2.12\t20000\t40000\tMyotis myotis\n"
    exchange.import_annotations(project, upload("table.txt", plain), recording=second)
    assert [(b[0], b[1]) for b in boxes(project)] == [("site0.wav", 0.1), ("site1.wav", 2.1)]


def test_a_table_naming_no_recording_is_refused(project, cast):
    f.make_tag(project)
    recordings(project)
    plain = RAVEN_HEADER + "1\tSpectrogram 1\t1\t2.1\t2.12\t20000\t40000\tMyotis myotis\n"
    with pytest.raises(FormatError, match="which recording"):
        exchange.import_annotations(project, upload("table.txt", plain))


def test_csv_matches_by_path_then_file_name(project, cast):
    f.make_tag(project)
    recordings(project)
    text = (
        "file,start_s,end_s,low_freq_hz,high_freq_hz,label\n"
        "night/site0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
        "/mnt/elsewhere/site1.wav,0.2,0.21,20000,30000,Myotis myotis\n"
    )
    result = exchange.import_annotations(project, upload("boxes.csv", text))
    assert result.recordings == 2
    assert [b[0] for b in boxes(project)] == ["site0.wav", "site1.wav"]


# --- bad files: a clear message and nothing imported ---------------------------------------------------


def test_raven_table_with_a_non_numeric_time_names_the_line(project, cast):
    f.make_tag(project)
    recordings(project)
    table = RAVEN_HEADER + (
        "1\tSpectrogram 1\t1\t0.1\t0.12\t20000\t40000\tMyotis myotis\n"
        "2\tSpectrogram 1\t1\tabc\t0.22\t20000\t40000\tMyotis myotis\n"
    )
    with pytest.raises(FormatError) as caught:
        exchange.import_annotations(project, upload("site0.Table.1.selections.txt", table))
    assert (caught.value.line, caught.value.field) == (3, "Begin Time (s)")
    assert "not a number" in str(caught.value)
    assert not ClipAnnotation.objects.exists()


def test_aoef_with_an_unknown_recording_imports_nothing(project, cast):
    labelled(project, cast["ann1"])
    export = exchange.export_annotations(project, "aoef")
    fresh = f.make_project("Fresh")
    twin(fresh, Recording.objects.get(project=project, name="site0.wav"))  # site1 is missing
    with pytest.raises(FormatError, match="unknown recording 'night/site1.wav'"):
        exchange.import_annotations(fresh, upload(export.name, export.data), create_tags=True)
    assert not ClipAnnotation.objects.filter(project=fresh).exists()
    assert not Tag.objects.filter(project=fresh).exists()


def test_a_bad_box_refuses_the_whole_file(project, cast):
    recordings(project)
    text = (
        "file,start_s,end_s,low_freq_hz,high_freq_hz,label\n"
        "site0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
        "site0.wav,0.9,1.5,20000,30000,Myotis myotis\n"  # runs past its clip: fine
        "site0.wav,1.9,1.95,20000,300000,Myotis myotis\n"  # above Nyquist (192 kHz)
        "site1.wav,2.0,2.1,20000,250000,Myotis myotis\n"  # above Nyquist too
    )
    with pytest.raises(FormatError) as caught:
        exchange.import_annotations(project, upload("boxes.csv", text), create_tags=True)
    error = caught.value
    assert error.line == 4
    assert "outside 0" in error.message and "(and 1 more bad box)" in error.message
    assert not ClipAnnotation.objects.exists() and not Tag.objects.exists()


def test_a_bad_box_in_aoef_is_named_by_its_json_path(project, cast):
    labelled(project, cast["ann1"])
    document = json.loads(exchange.export_annotations(project, "aoef").data)
    body = document["data"]
    moved = body["sound_event_annotations"][2]["sound_event"]
    event = next(e for e in body["sound_events"] if e["uuid"] == moved)
    event["geometry"]["coordinates"][3] = 250_000  # high frequency above Nyquist (192 kHz)
    fresh = f.make_project("Fresh")
    for recording in Recording.objects.filter(project=project):
        twin(fresh, recording)
    with pytest.raises(FormatError) as caught:
        exchange.import_annotations(fresh, upload("x.json", json.dumps(document)), create_tags=True)
    assert caught.value.field == "data.sound_event_annotations[2]"
    assert "band" in caught.value.message and "192000 Hz" in caught.value.message
    assert not ClipAnnotation.objects.filter(project=fresh).exists()


def test_band_above_nyquist_is_named(project, cast):
    f.make_tag(project)
    recordings(project)
    text = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\nsite0.wav,1.9,1.95,20000,300000,Myotis myotis\n"
    with pytest.raises(FormatError, match=r"line 2: box 1.9000–1.9500 s: band 20000–300000 Hz"):
        exchange.import_annotations(project, upload("boxes.csv", text))


def test_unknown_labels_are_listed_unless_tags_may_be_created(project, cast):
    f.make_tag(project, "Myotis myotis")
    recordings(project)
    text = (
        "file,start_s,end_s,low_freq_hz,high_freq_hz,label\n"
        "site0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
        "site0.wav,0.2,0.21,20000,30000,Eptesicus serotinus\n"
        "site0.wav,0.3,0.31,20000,30000,Barbastella\n"
    )
    with pytest.raises(
        FormatError, match="not tags of this project: Barbastella, Eptesicus serotinus"
    ):
        exchange.import_annotations(project, upload("boxes.csv", text))
    assert not ClipAnnotation.objects.exists()
    result = exchange.import_annotations(project, upload("boxes.csv", text), create_tags=True)
    assert result.tags_created == ["Barbastella", "Eptesicus serotinus"]
    assert Tag.objects.filter(project=project).count() == 3


# --- who the annotations belong to -----------------------------------------------------------------


def test_default_annotator_is_the_formats_import_user(project, cast):
    f.make_tag(project)
    recordings(project)
    text = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\nsite0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
    result = exchange.import_annotations(project, upload("boxes.csv", text))
    annotation = ClipAnnotation.objects.get()
    assert result.annotator == annotation.annotator.username == "import:csv"
    assert not annotation.annotator.has_usable_password()


def test_reimport_updates_the_annotators_annotation_as_a_new_version(project, cast):
    f.make_tag(project)
    recordings(project)
    clip = Recording.objects.get(name="site0.wav").clips.get(start_s=0)
    queue.save_annotation(
        project, clip, cast["ann1"], queue.Submission(no_calls=True, notes="empty")
    )
    text = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\nsite0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
    result = exchange.import_annotations(
        project, upload("boxes.csv", text), annotator=cast["ann1"], author=cast["lead"]
    )
    assert (result.created, result.updated) == (0, 1)
    annotation = ClipAnnotation.objects.get()
    assert annotation.version == 2 and annotation.events.count() == 1 and not annotation.no_calls
    revision = AnnotationRevision.objects.get()
    assert (revision.action, revision.author, revision.data["notes"]) == (
        "import",
        cast["lead"],
        "empty",
    )


def test_reimport_over_an_accepted_annotation_goes_back_to_review(project, cast):
    from annotator import review

    f.make_tag(project)
    recordings(project)
    clip = Recording.objects.get(name="site0.wav").clips.get(start_s=0)
    first = queue.save_annotation(project, clip, cast["ann1"], queue.Submission(no_calls=True))
    review.accept(first, cast["lead"], version=1)
    text = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\nsite0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
    exchange.import_annotations(project, upload("boxes.csv", text), annotator=cast["ann1"])
    annotation = ClipAnnotation.objects.get()
    assert (
        annotation.review_status == ClipAnnotation.Review.PENDING and annotation.events.count() == 1
    )


def test_a_zip_of_tables_is_one_import(project, cast):
    f.make_tag(project)
    recordings(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("site0.txt", "0.1\t0.11\tMyotis myotis\n\\\t20000\t30000\n")
        archive.writestr("site1.txt", "1.1\t1.11\tMyotis myotis\n\\\t20000\t30000\n")
        archive.writestr("__MACOSX/._site1.txt", "junk")
    result = exchange.import_annotations(project, upload("labels.zip", buffer.getvalue()))
    assert (result.format, result.files, result.boxes) == ("audacity", 2, 2)


# --- management commands -----------------------------------------------------------------------------


def test_import_and_export_commands(project, cast, tmp_path):
    f.make_tag(project)
    recordings(project)
    source = tmp_path / "boxes.csv"
    source.write_text(
        "file,start_s,end_s,low_freq_hz,high_freq_hz,label\nsite1.wav,2.5,2.51,20000,30000,Myotis myotis\n"
    )
    out = io.StringIO()
    call_command(
        "import_annotations", str(source), "--project", "Bats", "--annotator", "ann2", stdout=out
    )
    assert "imported 1 box(es)" in out.getvalue()
    assert ClipAnnotation.objects.get().annotator == cast["ann2"]
    target = tmp_path / "out.json"
    call_command(
        "export_annotations",
        "--project",
        "Bats",
        "--format",
        "aoef",
        "--out",
        str(target),
        stdout=out,
    )
    assert [b.start_s for b in aoef.read(target.read_bytes()).boxes] == [2.5]


def test_boxes_go_to_the_clip_holding_their_start_and_most_of_them():
    from types import SimpleNamespace as Clip

    # clips of 1 s with 0.5 s overlap: [0, 1], [0.5, 1.5], [1, 2]
    clips = [Clip(start_s=s, end_s=s + 1) for s in (0.0, 0.5, 1.0)]
    assert exchange.home_clip(clips, 0.2, 0.3) is clips[0]
    # starts in [0, 1] and [0.5, 1.5]; the second holds all of it
    assert exchange.home_clip(clips, 0.9, 1.2) is clips[1]
    # both hold all of it: the earlier one
    assert exchange.home_clip(clips, 0.6, 0.7) is clips[0]
    assert exchange.home_clip(clips, 2.0, 2.1) is None


def test_model_outputs_are_not_imported_as_annotations(project, cast):
    from tests.annotator.formats_data import BIRDNET_CSV

    recordings(project)
    with pytest.raises(FormatError, match="cannot import 'birdnet'.*predictions"):
        exchange.import_annotations(project, upload("site0.BirdNET.results.csv", BIRDNET_CSV))
