"""Audacity label tracks: scikit-maad's spinetail labels with their frequency lines."""

from __future__ import annotations

import pytest

from annotator.formats import audacity
from annotator.formats.base import AnnotationSet, Box, FormatError, RecordingRef
from tests.annotator.formats_data import SPINETAIL


@pytest.fixture(scope="module")
def labels() -> AnnotationSet:
    return audacity.read(SPINETAIL.read_bytes(), recording="spinetail.wav")


def test_spinetail_labels_carry_their_frequency_lines(labels):
    assert len(labels.boxes) == 18
    assert labels.boxes[0] == Box(
        "spinetail.wav", 0.101385, 0.36752, 6441.064453, 12296.577148, label="SP"
    )
    assert all(box.has_band for box in labels.boxes)
    assert set(labels.tags) == {"SP", "CRER"}


def test_round_trip_writes_both_lines(labels):
    text = audacity.write(labels)
    lines = text.splitlines()
    assert lines[0] == "0.101385\t0.36752\tSP"
    assert lines[1] == "\\\t6441.064453\t12296.577148"
    assert audacity.read(text, recording="spinetail.wav").boxes == labels.boxes


def test_crlf_and_bom_are_accepted(labels):
    text = "\ufeff" + SPINETAIL.read_text().replace("\n", "\r\n")
    assert audacity.read(text.encode("utf-8"), recording="spinetail.wav").boxes == labels.boxes


def test_labels_without_frequency_are_time_intervals():
    annset = audacity.read("1.5\t2.0\ti\n3\t3.25\t\n4\t4.5\n")
    assert [(b.start_s, b.label, b.has_band) for b in annset.boxes] == [
        (1.5, "i", False),
        (3.0, None, False),
        (4.0, None, False),
    ]
    text = audacity.write(AnnotationSet(recordings=annset.recordings, boxes=annset.boxes))
    assert "\\" not in text


def test_unset_frequency_bounds():
    annset = audacity.read("1\t2\tA\n\\\t-1\t-1\n3\t4\tB\n\\\t-1\t8000\n")
    assert [(b.low_hz, b.high_hz) for b in annset.boxes] == [(None, None), (0.0, 8000.0)]


def test_birdnet_audacity_output_has_a_confidence_column():
    box = audacity.read("0.0\t3.0\tTurdus migratorius, American Robin\t0.8123\n").boxes[0]
    assert (box.label, box.confidence) == ("Turdus migratorius, American Robin", 0.8123)


def test_only_one_recording_per_file():
    refs = [RecordingRef.from_path("a.wav"), RecordingRef.from_path("b.wav")]
    with pytest.raises(FormatError, match="one recording"):
        audacity.write(AnnotationSet(recordings=refs))
    assert audacity.write(AnnotationSet(recordings=refs), recording="b.wav") == ""


def test_non_number_time_names_line_and_field():
    with pytest.raises(FormatError) as caught:
        audacity.read("1\t2\tA\nabc\t2\tB\n")
    assert str(caught.value) == "line 2, field 'start': not a number: 'abc'"


def test_end_before_start_names_the_line():
    with pytest.raises(FormatError, match="before start") as caught:
        audacity.read("1\t2\tA\n\\\t100\t200\n5\t4\tB\n")
    assert caught.value.line == 3


def test_band_errors_name_the_frequency_line():
    with pytest.raises(FormatError, match="below low") as caught:
        audacity.read("1\t2\tA\n\\\t900\t200\n")
    assert caught.value.line == 2


def test_frequency_line_must_follow_a_label():
    with pytest.raises(FormatError, match="without a label") as caught:
        audacity.read("\\\t100\t200\n")
    assert caught.value.line == 1


def test_missing_end_time_is_refused():
    with pytest.raises(FormatError) as caught:
        audacity.read("1.0\n")
    assert caught.value.line == 1


def test_binary_garbage_is_a_format_error():
    with pytest.raises(FormatError):
        audacity.read(b"fLaC\x00\x00\x00\x22\x10\x00")
