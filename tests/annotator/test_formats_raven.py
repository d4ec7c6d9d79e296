"""Raven Pro selection tables: the Chronister et al. table, view duplicates, bad tables."""

from __future__ import annotations

import pytest

from annotator.formats import csvfmt, raven
from annotator.formats.base import AnnotationSet, Box, FormatError, RecordingRef
from tests.annotator.formats_data import CHRONISTER, RAVEN_TABLE, geometries

WAV = "Recording_1_Segment_07.wav"
HEADER = "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tSpecies\n"


@pytest.fixture(scope="module")
def table() -> AnnotationSet:
    return raven.read(RAVEN_TABLE.read_bytes(), recording=WAV)


def test_real_table_reads_every_selection_with_its_species(table):
    assert len(table.boxes) == 279
    assert table.boxes[0] == Box(
        WAV, 0.17809591100000002, 3.390418452, 1340.5, 2899.9, label="NOCA"
    )
    assert set(table.tags) >= {"NOCA", "WOTH", "EATO", "BCCH"}
    assert table.recordings == [RecordingRef.from_path(WAV)]


def test_real_table_holds_the_nine_snippet_boxes(table):
    snippet = csvfmt.read(
        (CHRONISTER / "Recording_1_Segment_07-snippet.boxes.csv").read_bytes(), recording=WAV
    )
    inside = AnnotationSet(
        recordings=table.recordings, boxes=[b for b in table.boxes if b.end_s <= 10.0]
    )
    assert len(inside.boxes) == 9
    assert geometries(inside) == geometries(snippet)


def test_waveform_and_spectrogram_rows_collapse_into_one_selection():
    lines = RAVEN_TABLE.read_text().splitlines()
    doubled = [lines[0]]
    for line in lines[1:]:
        doubled += [line.replace("Spectrogram 1", "Waveform 1"), line]
    annset = raven.read("\r\n".join(doubled) + "\r\n", recording=WAV)
    assert annset.boxes == raven.read(RAVEN_TABLE.read_bytes(), recording=WAV).boxes


def test_round_trip_keeps_every_box(table):
    text = raven.write(table)
    assert text.splitlines()[0] == HEADER.rstrip("\n")
    assert raven.read(text, recording=WAV).boxes == table.boxes


def test_extra_columns_and_channels_survive_a_round_trip():
    text = (
        HEADER.rstrip("\n")
        + "\tCall Type\tDelta Time (s)\n1\tSpectrogram 1\t2\t0.5\t1.5\t100\t900\tNOCA\tsong\t1.0\n"
    )
    annset = raven.read(text, recording="a.wav")
    assert annset.boxes[0].extra == {"Call Type": "song", "Delta Time (s)": "1.0", "channel": "2"}
    assert raven.read(raven.write(annset), recording="a.wav").boxes == annset.boxes


def test_label_column_is_found_under_common_names():
    text = "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tAnnotation\n"
    text += "1\tSpectrogram 1\t1\t0\t1\t10\t20\tbat\n"
    assert raven.read(text).boxes[0].label == "bat"


def test_multi_file_table_is_read_relative_to_each_file():
    text = (
        "Selection\tView\tChannel\tBegin File\tBegin Time (s)\tEnd Time (s)\tFile Offset (s)\tSpecies\n"
        "1\tSpectrogram 1\t1\ta.wav\t2.0\t3.0\t2.0\tNOCA\n"
        "2\tSpectrogram 1\t1\tb.wav\t62.0\t62.5\t2.0\tWOTH\n"
    )
    annset = raven.read(text)
    assert [(b.recording, b.start_s, b.end_s) for b in annset.boxes] == [
        ("a.wav", 2.0, 3.0),
        ("b.wav", 2.0, 2.5),
    ]
    assert raven.write_all(annset).keys() == {"a.wav", "b.wav"}


def test_time_intervals_are_written_without_frequency_columns():
    annset = AnnotationSet(
        recordings=[RecordingRef.from_path("a.wav")], boxes=[Box("a.wav", 1.0, 2.0, label="i")]
    )
    text = raven.write(annset)
    assert "Low Freq (Hz)" not in text
    assert raven.read(text, recording="a.wav").boxes == annset.boxes


def test_writing_several_recordings_needs_a_choice():
    refs = [RecordingRef.from_path("a.wav"), RecordingRef.from_path("b.wav")]
    with pytest.raises(FormatError, match="one recording"):
        raven.write(AnnotationSet(recordings=refs))


def test_non_number_time_names_line_and_column():
    text = (
        HEADER
        + "1\tSpectrogram 1\t1\t0.5\t1.0\t100\t200\tNOCA\n2\tSpectrogram 1\t1\tabc\t1.0\t100\t200\tNOCA\n"
    )
    with pytest.raises(FormatError) as caught:
        raven.read(text)
    assert str(caught.value) == "line 3, field 'Begin Time (s)': not a number: 'abc'"


def test_end_before_start_names_the_line():
    with pytest.raises(FormatError, match="before start") as caught:
        raven.read(HEADER + "1\tSpectrogram 1\t1\t2.0\t1.0\t100\t200\tNOCA\n")
    assert (caught.value.line, caught.value.field) == (2, "End Time (s)")


def test_low_above_high_is_refused():
    with pytest.raises(FormatError, match="below low") as caught:
        raven.read(HEADER + "1\tSpectrogram 1\t1\t1.0\t2.0\t900\t200\tNOCA\n")
    assert (caught.value.line, caught.value.field) == (2, "High Freq (Hz)")


def test_missing_column_is_named():
    with pytest.raises(FormatError, match="missing column") as caught:
        raven.read("Selection\tView\tBegin Time (s)\n1\tSpectrogram 1\t0.5\n")
    assert caught.value.field == "End Time (s)"


def test_repeated_selection_with_other_times_is_refused():
    text = (
        HEADER
        + "1\tSpectrogram 1\t1\t0.5\t1.0\t100\t200\tA\n1\tWaveform 1\t1\t5.5\t6.0\t100\t200\tB\n"
    )
    with pytest.raises(FormatError, match="repeats line 2") as caught:
        raven.read(text)
    assert caught.value.line == 3


def test_binary_garbage_is_a_format_error():
    with pytest.raises(FormatError):
        raven.read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
