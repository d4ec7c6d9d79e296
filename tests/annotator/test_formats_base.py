"""The neutral model and the text helpers every reader relies on."""

from __future__ import annotations

import pickle

import pytest

from annotator.formats.base import (
    MAX_BYTES,
    AnnotationSet,
    Box,
    ClipLabel,
    FormatError,
    RecordingRef,
    Recordings,
)
from annotator.formats.text import decode, parse_float, read_table, split_lines


def test_format_error_names_line_and_field():
    error = FormatError("not a number: 'abc'", line=12, field="Begin Time (s)")
    assert str(error) == "line 12, field 'Begin Time (s)': not a number: 'abc'"
    assert isinstance(error, ValueError)


def test_format_error_without_location_is_just_the_message():
    assert str(FormatError("empty file")) == "empty file"


def test_format_error_survives_pickling_for_celery():
    error = pickle.loads(pickle.dumps(FormatError("bad", line=3, field="x")))
    assert (error.message, error.line, error.field) == ("bad", 3, "x")


def test_box_refuses_end_before_start():
    with pytest.raises(FormatError, match="before start") as caught:
        Box("r", 2.0, 1.0)
    assert caught.value.field == "end"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start_s": -1.0}, "start"),
        ({"end_s": float("nan")}, "end"),
        ({"low_hz": 10.0}, "high frequency"),
        ({"low_hz": 500.0, "high_hz": 100.0}, "high frequency"),
        ({"low_hz": -5.0, "high_hz": 100.0}, "low frequency"),
        ({"confidence": 1.5}, "confidence"),
        ({"start_s": True}, "start"),
    ],
)
def test_box_validates_every_number(kwargs, field):
    values = {"recording": "r", "start_s": 0.0, "end_s": 1.0} | kwargs
    with pytest.raises(FormatError) as caught:
        Box(**values)
    assert caught.value.field == field


def test_time_interval_box_has_no_band():
    assert not Box("r", 0.0, 1.0).has_band
    assert Box("r", 0.0, 1.0, 100.0, 200.0).has_band


def test_clip_contains_boxes_of_its_recording_only():
    clip = ClipLabel("a", 0.0, 1.0)
    assert clip.contains(Box("a", 0.2, 0.4))
    assert not clip.contains(Box("b", 0.2, 0.4))
    assert not clip.contains(Box("a", 0.9, 1.1))


def test_recording_ref_is_named_after_the_file_even_on_windows():
    assert RecordingRef.from_path("/audio/x.wav").name == "x.wav"
    assert RecordingRef.from_path(r"C:\Users\me\night1\x.wav").name == "x.wav"


def test_recording_ref_refuses_zero_samplerate():
    with pytest.raises(FormatError):
        RecordingRef(path="x.wav", samplerate=0)


def test_recordings_with_the_same_file_name_in_two_folders_stay_apart():
    recordings = Recordings()
    first = recordings.add_path("site_a/x.wav")
    second = recordings.add_path("site_b/x.wav")
    assert first == "x.wav" and second == "site_b/x.wav"
    assert recordings.add_path("site_a/x.wav") == "x.wav"


def test_decode_strips_bom_and_reads_utf16():
    assert decode(b"\xef\xbb\xbfa\tb") == "a\tb"
    assert decode("Gen\u00e8ve\tx".encode("utf-16")) == "Gen\u00e8ve\tx"


def test_decode_falls_back_to_windows_1252():
    assert decode("Jim\u00e9nez".encode("cp1252")) == "Jim\u00e9nez"


def test_decode_refuses_binary():
    with pytest.raises(FormatError, match="binary"):
        decode(b"RIFF\x24\x00\x00\x00WAVEfmt ")


def test_decode_refuses_oversized_input():
    with pytest.raises(FormatError, match="too large"):
        decode(b" " * (MAX_BYTES + 1))


def test_split_lines_handles_crlf_and_cr():
    assert split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]


def test_parse_float_names_line_and_field():
    with pytest.raises(FormatError) as caught:
        parse_float("abc", line=12, field="Begin Time (s)")
    assert str(caught.value) == "line 12, field 'Begin Time (s)': not a number: 'abc'"


def test_table_pads_short_rows_and_refuses_long_ones():
    table = read_table("a,b,c\n1,2\n", ",")
    assert table.rows[0].cells == {"a": "1", "b": "2", "c": ""}
    with pytest.raises(FormatError, match="expected 3 columns") as caught:
        read_table("a,b,c\n1,2,3\n1,2,3,4\n", ",")
    assert caught.value.line == 3


def test_table_refuses_duplicate_columns():
    with pytest.raises(FormatError, match="duplicate") as caught:
        read_table("a,b,A\n", ",")
    assert caught.value.field == "A"


def test_annotation_set_refuses_boxes_on_unknown_recordings():
    with pytest.raises(FormatError, match="unknown recording 'b.wav'"):
        AnnotationSet(recordings=[RecordingRef.from_path("a.wav")], boxes=[Box("b.wav", 0.0, 1.0)])


def test_annotation_set_looks_up_recordings_and_their_boxes():
    refs = [RecordingRef.from_path("x/a.wav"), RecordingRef.from_path("x/b.wav")]
    boxes = [Box("b.wav", 0.0, 1.0), Box("a.wav", 1.0, 2.0), Box("b.wav", 2.0, 3.0)]
    annset = AnnotationSet(recordings=refs, boxes=boxes)
    assert annset.recording("b.wav").path == "x/b.wav"
    assert annset.boxes_of("b.wav") == [boxes[0], boxes[2]]


def test_decode_refuses_lone_surrogates_in_text():
    with pytest.raises(FormatError, match="surrogate"):
        decode("ok\n\ud800")
