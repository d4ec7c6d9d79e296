"""Telling formats apart by content, whatever the file is called."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator import formats
from annotator.formats import REGISTRY, FormatError, sniff
from tests.annotator.formats_data import (
    BATDETECT2,
    BIRDNET_CSV,
    BIRDNET_CSV_WITH_FILE,
    BIRDNET_R_TABLE,
    BIRDNET_TABLE,
    FINCH,
    RAVEN_TABLE,
    SPINETAIL,
    WHOMBAT,
)

REAL_FILES = [
    (WHOMBAT / "example_annotation_project.json", "aoef"),
    (WHOMBAT / "example_dataset.json", "aoef"),
    (next(BATDETECT2.glob("*.json")), "batdetect2"),
    (RAVEN_TABLE, "raven"),
    (SPINETAIL, "audacity"),
    (WHOMBAT / "annotations_boxes.csv", "csv"),
    (FINCH, "csv"),
]


@pytest.mark.parametrize(("path", "expected"), REAL_FILES, ids=lambda v: getattr(v, "name", v))
def test_real_files_are_recognised_from_their_first_bytes(path: Path, expected: str):
    # A misleading name: the decision must come from the content.
    assert sniff("upload.txt", path.read_bytes()[: formats.SNIFF_BYTES]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BIRDNET_CSV, "birdnet"),
        (BIRDNET_CSV_WITH_FILE, "birdnet"),
        (BIRDNET_R_TABLE, "birdnet"),
        (BIRDNET_TABLE, "birdnet-raven"),
    ],
)
def test_birdnet_outputs_are_recognised(text: str, expected: str):
    assert sniff("results.csv", text.encode()) == expected
    assert REGISTRY[expected].read(text, recording="x.wav").is_prediction


def test_head_cut_inside_json_still_sniffs():
    head = (WHOMBAT / "example_annotation_project.json").read_bytes()[:300]
    assert sniff("x.json", head) == "aoef"


def test_bom_and_utf16_heads_are_understood():
    assert sniff("t.txt", b"\xef\xbb\xbf" + RAVEN_TABLE.read_bytes()[:500]) == "raven"
    assert sniff("t.txt", RAVEN_TABLE.read_text().encode("utf-16")[:1000]) == "raven"


def test_every_registered_format_reads_its_own_sniffed_files():
    for path, expected in REAL_FILES:
        name, annset = formats.read(path.name, path.read_bytes())
        assert name == expected and annset.source_format == expected


@pytest.mark.parametrize(
    "head", [b"", b"hello world", b'{"foo": 1}', b"\x00\x01\x02\x03", b"RIFF\x24\x00\x00\x00WAVE"]
)
def test_unknown_content_is_a_format_error(head: bytes):
    with pytest.raises(FormatError):
        sniff("x", head)
