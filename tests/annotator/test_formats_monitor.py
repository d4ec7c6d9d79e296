"""monitoR's annotation table, as `write.csv(survey_anno, row.names = FALSE)` writes it: columns
start.time, end.time, min.frq, max.frq (kHz) and name, R's quoting. The rows are the five of
monitoR's `survey_anno` that its documentation prints (survey_anno.Rd, monitoR 1.0.7); the two
it elides are left out. Its boxes last 1.2–3.2 s: longer than a 1-s clip, they import whole."""

from __future__ import annotations

import pytest

from annotator import exchange, formats, ingest
from annotator.formats import csvfmt
from annotator.models import SoundEventAnnotation
from tests import factories as f

SURVEY_ANNO = (
    '"start.time","end.time","min.frq","max.frq","name"\n'
    '1.06,2.59,3.61,6.35,"BTNW"\n'
    '4.21,7.41,2.58,9.54,"OVEN"\n'
    '7.55,10.7,2.63,9.33,"OVEN"\n'
    '9.85,11.06,3.88,6.25,"BTNW"\n'
    '13.84,15.85,2.82,6.39,"OVEN"\n'
)


def test_monitor_table_reads_with_frequencies_in_hz():
    boxes = csvfmt.read(SURVEY_ANNO, recording="survey.wav").boxes
    assert [(b.start_s, b.end_s, b.low_hz, b.high_hz, b.label) for b in boxes[:2]] == [
        (1.06, 2.59, 3610.0, 6350.0, "BTNW"),
        (4.21, 7.41, 2580.0, 9540.0, "OVEN"),
    ]
    assert all(not b.extra for b in boxes)  # every column has its place


def test_monitor_table_is_recognised_as_csv():
    assert formats.sniff("survey_anno.csv", SURVEY_ANNO.encode()) == "csv"


def test_monitor_boxes_longer_than_a_clip_import_whole(project):
    recording = f.make_recording(project, duration_s=20.0, samplerate=24_000, name="survey.wav")
    ingest.cut_clips(recording)
    report = exchange.import_annotations(
        project,
        exchange.Upload("survey_anno.csv", SURVEY_ANNO.encode()),
        recording=recording,
        create_tags=True,
    )
    assert (report.boxes, sorted(report.tags_created)) == (5, ["BTNW", "OVEN"])
    events = SoundEventAnnotation.objects.order_by("start_s")
    assert [(e.start_s, e.end_s) for e in events] == [
        (1.06, 2.59),
        (4.21, 7.41),
        (7.55, 10.7),
        (9.85, 11.06),
        (13.84, 15.85),
    ]
    for event in events:  # filed under the clip it starts in, running on past its end
        clip = event.clip_annotation.clip
        assert clip.start_s <= event.start_s < clip.end_s < event.end_s
    assert events[1].high_hz == pytest.approx(9540.0)
