"""BirdNET-Analyzer results, read as predictions (fixtures follow its documented outputs)."""

from __future__ import annotations

import pytest

from annotator.formats import birdnet
from annotator.formats.base import FormatError
from tests.annotator.formats_data import BIRDNET_CSV as CSV
from tests.annotator.formats_data import BIRDNET_CSV_WITH_FILE as CSV_WITH_FILE
from tests.annotator.formats_data import BIRDNET_R_TABLE as R_TABLE
from tests.annotator.formats_data import BIRDNET_TABLE as TABLE


def test_csv_output_reads_as_predictions():
    annset = birdnet.read(CSV, recording="x.wav")
    assert annset.is_prediction and annset.source_format == "birdnet"
    box = annset.boxes[0]
    assert (box.recording, box.start_s, box.end_s, box.label, box.confidence) == (
        "x.wav",
        0.0,
        3.0,
        "Turdus migratorius",
        0.8123,
    )
    assert box.extra == {"Common name": "American Robin"}
    assert not box.has_band


def test_csv_file_column_names_the_recordings():
    annset = birdnet.read(CSV_WITH_FILE)
    assert [b.recording for b in annset.boxes] == ["a.wav", "b.wav"]
    assert annset.recordings[0].path == "/data/night1/a.wav"


@pytest.mark.parametrize("text", [CSV, CSV_WITH_FILE])
def test_csv_round_trip(text):
    annset = birdnet.read(text, recording="x.wav")
    assert birdnet.read(birdnet.write(annset)).boxes == annset.boxes


def test_selection_table_output_reads_as_predictions_without_nocall_rows():
    annset = birdnet.read(TABLE.encode())
    assert annset.is_prediction and annset.source_format == "birdnet-raven"
    assert [(b.recording, b.start_s, b.end_s, b.label, b.confidence) for b in annset.boxes] == [
        ("a.wav", 0.0, 3.0, "amerob", 0.9042),
        ("b.wav", 3.0, 6.0, "sora", 0.41),
    ]
    assert annset.boxes[0].extra == {"Common Name": "American Robin"}
    assert (annset.boxes[0].low_hz, annset.boxes[0].high_hz) == (0.0, 15000.0)


def test_r_output_reads_as_predictions():
    box = birdnet.read(R_TABLE).boxes[0]
    assert (box.recording, box.label, box.confidence) == ("a.wav", "Strix varia", 0.42)


def test_semicolon_csv_from_a_spreadsheet():
    annset = birdnet.read(CSV.replace(",", ";"), recording="x.wav")
    assert annset.boxes == birdnet.read(CSV, recording="x.wav").boxes


def test_non_number_confidence_names_line_and_column():
    with pytest.raises(FormatError) as caught:
        birdnet.read(CSV.replace("0.5012", "high"))
    assert str(caught.value) == "line 3, field 'Confidence': not a number: 'high'"


def test_confidence_above_one_is_refused():
    with pytest.raises(FormatError, match=r"outside \[0, 1\]") as caught:
        birdnet.read(CSV.replace("0.5012", "50.12"))
    assert caught.value.line == 3


def test_end_before_start_is_refused():
    with pytest.raises(FormatError, match="before start") as caught:
        birdnet.read(CSV.replace("3.0,6.0", "6.0,3.0"))
    assert caught.value.line == 3


def test_missing_confidence_column_is_named():
    with pytest.raises(FormatError, match="missing column") as caught:
        birdnet.read("Start (s),End (s),Scientific name\n0,3,Strix varia\n")
    assert caught.value.field == "Confidence"


def test_binary_garbage_is_a_format_error():
    with pytest.raises(FormatError):
        birdnet.read(b"PK\x03\x04\x14\x00\x00\x00\x08\x00")
