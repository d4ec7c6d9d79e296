"""Sound events longer than a clip import whole (an event belongs to the recording), and a table made
for a longer recording than the one imported brings in what lies inside it and reports the rest."""

from __future__ import annotations

import pytest

from annotator import exchange, ingest, queue
from annotator.formats import FormatError
from annotator.models import Recording, SoundEventAnnotation
from tests import factories as f
from tests.conftest import DATA

CHRONISTER = DATA / "birds" / "chronister-2021-snippet"
SNIPPET = CHRONISTER / "Recording_1_Segment_07-snippet.wav"
SPINETAIL = DATA / "birds" / "spinetail-maad" / "spinetail.txt"


@pytest.fixture
def birds(db):
    return f.make_project("Birds", clip_length_s=1.0, fmin_hz=0, fmax_hz=None, context_s=0.1)


@pytest.fixture
def snippet(birds):
    f.make_root(CHRONISTER)
    ingest.import_location(birds, f.make_dataset(birds), str(SNIPPET))
    return Recording.objects.get(project=birds)


def events(project):
    return list(
        SoundEventAnnotation.objects.filter(clip_annotation__project=project)
        .order_by("start_s")
        .values_list("start_s", "end_s", "tag__value", "clip_annotation__clip__start_s")
    )


def test_bird_songs_longer_than_a_clip_import_whole(birds, snippet):
    text = (CHRONISTER / "Recording_1_Segment_07-snippet.boxes.csv").read_bytes()
    report = exchange.import_annotations(
        birds, exchange.Upload("snippet.csv", text), recording=snippet, create_tags=True
    )
    stored = events(birds)
    assert report.boxes == len(stored) == 9 and not report.past_the_end
    # The NOCA song of 0.18–3.39 s is one event filed under the clip it starts in.
    start, end, tag, clip_start = stored[0]
    assert (tag, clip_start) == ("NOCA", 0.0)
    assert (start, end) == pytest.approx((0.178096, 3.390418), abs=1e-5)
    assert sum(1 for s, e, _t, _c in stored if e - s > 1.0) >= 7  # longer than a clip


def test_table_of_the_whole_segment_imports_the_snippets_rows_and_reports_the_rest(birds, snippet):
    text = (CHRONISTER / "Recording_1_Segment_07.Table.1.selections.txt").read_bytes()
    report = exchange.import_annotations(
        birds, exchange.Upload("segment.txt", text), recording=snippet, create_tags=True
    )
    rows = text.decode().strip().count("\n")  # 279 selections under the header
    assert rows == 279
    assert report.boxes == len(events(birds)) == 9
    assert len(report.past_the_end) == 270
    assert (
        report.past_the_end[0].startswith("line ") and "past the end of" in report.past_the_end[0]
    )
    assert "(10.000 s)" in report.past_the_end[0]


def test_a_table_wholly_past_the_end_is_refused(birds, snippet):
    table = (
        "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tSpecies\n"
        "1\tSpectrogram 1\t1\t20.5\t21.0\t1000\t2000\tNOCA\n"
    )
    with pytest.raises(FormatError, match="another recording"):
        exchange.import_annotations(
            birds, exchange.Upload("t.txt", table.encode()), recording=snippet, create_tags=True
        )
    assert not events(birds)


def test_audacity_track_with_long_calls_imports_whole(birds):
    recording = f.make_recording(birds, duration_s=19.542, samplerate=44_100, name="spinetail.wav")
    ingest.cut_clips(recording)
    report = exchange.import_annotations(
        birds,
        exchange.Upload("spinetail.txt", SPINETAIL.read_bytes()),
        recording=recording,
        create_tags=True,
    )
    assert report.boxes == len(events(birds)) == 18
    assert any(e - s > 1.0 for s, e, *_ in events(birds))


def test_an_event_may_run_past_its_clip_but_not_past_the_recording(birds, snippet):
    clip = snippet.clips.get(start_s=0.0)
    long = queue.Submission(events=[queue.EventInput(0.5, 4.0, 1000, 3000)])
    queue.validate_submission(birds, clip, long)  # one song over four clips: accepted
    for start, end, why in ((0.5, 10.5, "outside the recording"), (2.0, 3.0, "does not overlap")):
        bad = queue.Submission(events=[queue.EventInput(start, end, 1000, 3000)])
        with pytest.raises(Exception, match=why):
            queue.validate_submission(birds, clip, bad)


def test_raven_begin_path_picks_the_recording_under_its_import_root(birds, tmp_path):
    """Two nights' folders each hold a snippet.wav: the table's absolute paths, from the
    annotator's Windows machine or the server itself, say which one each row is about."""
    import numpy as np
    import soundfile as sf

    audio, rate = sf.read(SNIPPET, dtype="int16")
    for site, gain in (("site-A", 1.0), ("site-B", 0.5)):
        (tmp_path / "field" / site).mkdir(parents=True)
        sf.write(tmp_path / "field" / site / "snippet.wav", (audio * gain).astype(np.int16), rate)
    f.make_root(tmp_path / "field")
    ingest.import_location(birds, f.make_dataset(birds), str(tmp_path / "field"))
    header = "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tSpecies\tBegin Path\n"
    rows = (
        f"1\tSpectrogram 1\t1\t0.178\t3.390\t1340.5\t2899.9\tNOCA\tC:\\Users\\me\\field\\site-B\\snippet.wav\n"
        f"2\tSpectrogram 1\t1\t0.923\t2.309\t1723.5\t4048.9\tWOTH\t{tmp_path}/field/site-A/snippet.wav\n"
    )
    report = exchange.import_annotations(
        birds, exchange.Upload("t.txt", (header + rows).encode()), create_tags=True
    )
    assert report.boxes == 2
    placed = dict(
        SoundEventAnnotation.objects.values_list(
            "tag__value", "clip_annotation__clip__recording__path"
        )
    )
    assert placed == {"NOCA": "site-B/snippet.wav", "WOTH": "site-A/snippet.wav"}
