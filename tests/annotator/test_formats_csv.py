"""Echoloop's plain CSV, and the CSVs that come with the shared data."""

from __future__ import annotations

import pytest

from annotator.formats import aoef, csvfmt
from annotator.formats.base import AnnotationSet, Box, FormatError, RecordingRef
from tests.annotator.formats_data import FINCH, WHOMBAT, geometries

HEADER = "file,start_s,end_s,low_freq_hz,high_freq_hz,label,confidence,annotator,notes"


def test_whombat_boxes_csv_reads_species_as_label_and_matches_the_aoef_project():
    boxes = csvfmt.read((WHOMBAT / "annotations_boxes.csv").read_bytes())
    project = aoef.read((WHOMBAT / "example_annotation_project.json").read_bytes())
    assert len(boxes.boxes) == 433
    assert geometries(boxes) == geometries(project)
    assert sum(box.extra.get("call_quality") == "truncated" for box in boxes.boxes) == 3


def test_finch_onsets_and_offsets_are_time_intervals():
    annset = csvfmt.read(FINCH.read_bytes())
    assert len(annset.boxes) == 601 and len(annset.recordings) == 10
    assert not any(box.has_band for box in annset.boxes)
    assert len(annset.tags) == 11
    first = annset.boxes[0]
    assert (first.recording, first.start_s, first.end_s, first.label) == (
        "gy6or6_baseline_230312_0808.138.wav",
        1.27778,
        1.35122,
        "i",
    )


@pytest.mark.parametrize(
    "path", [WHOMBAT / "annotations_boxes.csv", FINCH], ids=["whombat", "finch"]
)
def test_round_trip(path):
    annset = csvfmt.read(path.read_bytes())
    text = csvfmt.write(annset)
    assert text.splitlines()[0].startswith(HEADER)
    assert csvfmt.read(text).boxes == annset.boxes


def test_every_field_round_trips_including_quotes_and_newlines():
    box = Box(
        "a.wav",
        0.5,
        1.25,
        1000.0,
        2000.0,
        label='Myotis "cf."',
        confidence=0.5,
        annotator="ana",
        notes="two\nlines, comma",
    )
    annset = AnnotationSet(recordings=[RecordingRef.from_path("night/a.wav")], boxes=[box])
    again = csvfmt.read(csvfmt.write(annset))
    assert again.boxes == [box]
    assert again.recordings[0].path == "night/a.wav"


def test_missing_file_column_uses_the_given_recording():
    annset = csvfmt.read("start_s,end_s,label\n0,1,x\n", recording="night/a.wav")
    assert annset.boxes[0].recording == "a.wav"


def test_crlf_bom_and_semicolons_are_accepted():
    text = "\ufeff" + "file;start_s;end_s;label\r\na.wav;0.5;1.0;x\r\n"
    assert csvfmt.read(text.encode()).boxes == [Box("a.wav", 0.5, 1.0, label="x")]


def test_non_number_time_names_line_and_column():
    with pytest.raises(FormatError) as caught:
        csvfmt.read(f"{HEADER}\na.wav,0.1,0.2,,,x,,,\na.wav,abc,0.2,,,x,,,\n")
    assert str(caught.value) == "line 3, field 'start_s': not a number: 'abc'"


def test_end_before_start_is_refused():
    with pytest.raises(FormatError, match="before start") as caught:
        csvfmt.read(f"{HEADER}\na.wav,0.5,0.2,,,x,,,\n")
    assert (caught.value.line, caught.value.field) == (2, "end_s")


def test_one_frequency_without_the_other_is_refused():
    with pytest.raises(FormatError, match="missing") as caught:
        csvfmt.read(f"{HEADER}\na.wav,0.1,0.2,100,,x,,,\n")
    assert (caught.value.line, caught.value.field) == (2, "high_freq_hz")


def test_missing_column_is_named():
    with pytest.raises(FormatError, match="missing column") as caught:
        csvfmt.read("file,start_s,label\na.wav,0.1,x\n")
    assert caught.value.field == "end_s"


def test_empty_file_is_refused():
    with pytest.raises(FormatError, match="empty"):
        csvfmt.read(b"")


def test_binary_garbage_is_a_format_error():
    with pytest.raises(FormatError):
        csvfmt.read(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")


CHRONISTER_BOXES = (
    __import__("tests.conftest", fromlist=["DATA"]).DATA
    / "birds"
    / "chronister-2021-snippet"
    / "Recording_1_Segment_07-snippet.boxes.csv"
)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_spreadsheet_dialects_with_decimal_commas_read_like_the_original(delimiter):
    """The Chronister boxes as a European spreadsheet saves them: semicolons or tabs, 0,178."""
    import csv
    import io

    original = CHRONISTER_BOXES.read_text()
    rows = list(csv.reader(io.StringIO(original)))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(rows[0])
    writer.writerows([cell.replace(".", ",") for cell in row] for row in rows[1:])
    from annotator import formats

    name, european = formats.read(
        "boxes.csv", out.getvalue().encode("utf-8"), recording="snippet.wav"
    )
    plain = csvfmt.read(original, recording="snippet.wav")
    assert name == ("raven" if delimiter == "\t" else "csv")  # Raven's columns, tab-separated
    assert len(european.boxes) == 9
    assert [(b.start_s, b.end_s, b.low_hz, b.high_hz, b.label) for b in european.boxes] == [
        (b.start_s, b.end_s, b.low_hz, b.high_hz, b.label) for b in plain.boxes
    ]
    assert european.boxes[0].start_s == pytest.approx(0.178095911)


def test_a_decimal_comma_in_a_comma_separated_file_is_not_guessed():
    text = 'file,start_s,end_s\na.wav,"0,5",1\n'
    with pytest.raises(FormatError, match="not a number"):
        csvfmt.read(text)


def test_a_tab_separated_spreadsheet_with_our_columns_reads_as_csv():
    from annotator import formats

    text = "file\tstart_s\tend_s\tlabel\nsong.wav\t0,25\t1,5\tNOCA\n"
    name, annset = formats.read("export.txt", text.encode())
    assert name == "csv"
    assert [(b.start_s, b.end_s, b.label) for b in annset.boxes] == [(0.25, 1.5, "NOCA")]
