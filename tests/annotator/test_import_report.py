"""What an annotation import could not keep is named in its report, never dropped silently."""

from __future__ import annotations

import csv
import io

import soundfile as sf

from annotator import exchange, ingest
from tests import factories as f
from tests.conftest import DATA

PTERONOTUS = "XC826219-Pteronotus_mesoamericanus-2013.02.15-CL00816.wav"
CHRONISTER_BOXES = (
    DATA / "birds" / "chronister-2021-snippet" / "Recording_1_Segment_07-snippet.boxes.csv"
)


def test_whombats_call_quality_is_reported_not_dropped(project):
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
    assert report.fields_not_kept == {"call_quality": 3}  # the three 'truncated' calls


def test_extra_columns_are_reported_and_our_own_measurements_are_not(project):
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
    report = exchange.import_annotations(
        project, exchange.Upload("warbler.csv", out.getvalue().encode()), create_tags=True
    )
    assert report.boxes == 9
    assert report.fields_not_kept == {"group": 9, "id": 9}


def test_batdetect2_scores_and_a_social_call_are_reported_defaults_are_not(project):
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
    assert report.fields_not_kept == {"class_prob": calls, "det_prob": calls, "event": 1}
