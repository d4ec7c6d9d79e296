"""Garbage in, FormatError out: no reader may fail with any other exception.

Random bytes and text, and truncated or corrupted copies of the real files, are fed to
every reader; each must either return an AnnotationSet or raise FormatError.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.formats import REGISTRY, aoef, audacity, batdetect2, birdnet, csvfmt, raven, sniff
from annotator.formats.base import AnnotationSet, FormatError
from tests.annotator.formats_data import (
    BATDETECT2,
    BIRDNET_TABLE,
    FINCH,
    RAVEN_TABLE,
    SPINETAIL,
    WHOMBAT,
)

READERS: dict[str, Callable[[bytes | str], AnnotationSet]] = {
    "aoef": aoef.read,
    "raven": raven.read,
    "audacity": audacity.read,
    "batdetect2": batdetect2.read,
    "batdetect2-predictions": functools.partial(batdetect2.read, as_predictions=True),
    "birdnet": birdnet.read,
    "csv": csvfmt.read,
}

# Real files per reader; the big AOEF project is cut to its first 40 kB to keep examples fast.
SAMPLES: dict[str, bytes] = {
    "aoef": (WHOMBAT / "example_annotation_project.json").read_bytes(),
    "raven": RAVEN_TABLE.read_bytes(),
    "audacity": SPINETAIL.read_bytes(),
    "batdetect2": next(BATDETECT2.glob("*.json")).read_bytes(),
    "batdetect2-predictions": next(BATDETECT2.glob("*.json")).read_bytes(),
    "birdnet": BIRDNET_TABLE.encode(),
    "csv": FINCH.read_bytes(),
}

# No example database: runs stay independent of earlier ones and leave no .hypothesis/ behind.
FUZZ = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _only_format_errors(reader: Callable[[bytes | str], AnnotationSet], data: bytes | str) -> None:
    try:
        result = reader(data)
    except FormatError as error:
        assert str(error)  # the message is never empty
    else:
        assert isinstance(result, AnnotationSet)


def test_every_registered_format_is_fuzzed():
    assert {module.NAME for module in REGISTRY.values()} <= set(READERS)


@FUZZ
@given(name=st.sampled_from(sorted(READERS)), data=st.binary(max_size=2000))
def test_random_bytes(name: str, data: bytes):
    _only_format_errors(READERS[name], data)


@FUZZ
@given(name=st.sampled_from(sorted(READERS)), data=st.text(max_size=2000))
def test_random_text(name: str, data: str):
    _only_format_errors(READERS[name], data)


# Text that looks half right: table headers, JSON punctuation, numbers, tabs and newlines.
_TOKENS = st.sampled_from(
    [
        "Selection",
        "Begin Time (s)",
        "End Time (s)",
        "Low Freq (Hz)",
        "High Freq (Hz)",
        "Species",
        "Confidence",
        "Species Code",
        "start_s",
        "end_s",
        "file",
        "label",
        "\\",
        "\t",
        ",",
        "\n",
        "\r\n",
        "{",
        "}",
        "[",
        "]",
        ":",
        '"',
        '"data"',
        '"collection_type"',
        '"annotation_project"',
        '"annotation"',
        '"id"',
        '"duration"',
        "0",
        "1.5",
        "-1",
        "1e309",
        "nan",
        "NaN",
        "true",
        "null",
        "abc",
        "\ufeff",
    ]
)


@FUZZ
@given(name=st.sampled_from(sorted(READERS)), tokens=st.lists(_TOKENS, max_size=60))
def test_plausible_token_soup(name: str, tokens: list[str]):
    _only_format_errors(READERS[name], "".join(tokens))


@FUZZ
@given(name=st.sampled_from(sorted(READERS)), cut=st.floats(0, 1))
def test_truncated_real_files(name: str, cut: float):
    sample = SAMPLES[name]
    _only_format_errors(READERS[name], sample[: int(len(sample) * cut)])


@FUZZ
@given(name=st.sampled_from(sorted(READERS)), data=st.data())
def test_corrupted_real_files(name: str, data: st.DataObject):
    sample = SAMPLES[name][:40_000]
    start = data.draw(st.integers(0, len(sample)))
    length = data.draw(st.integers(0, 64))
    patch = data.draw(
        st.binary(max_size=64)
        | st.sampled_from([b"", b"abc", b"-5", b"\t", b",", b'"', b"null", b"[]", b"{}"])
    )
    _only_format_errors(READERS[name], sample[:start] + patch + sample[start + length :])


@FUZZ
@given(head=st.binary(max_size=500))
def test_sniff_raises_only_format_error(head: bytes):
    try:
        assert sniff("x", head) in REGISTRY
    except FormatError:
        pass


def test_json_nested_deeper_than_the_parser_allows():
    _only_format_errors(aoef.read, "[" * 200_000)
    _only_format_errors(batdetect2.read, '{"annotation":' * 100_000)


def test_json_integer_too_large_for_a_float():
    call = '{"start_time":' + "9" * 4000 + ',"end_time":1,"low_freq":1,"high_freq":2}'
    _only_format_errors(batdetect2.read, '{"id":"a","duration":1,"annotation":[' + call + "]}")


def test_cell_beyond_the_csv_field_limit():
    _only_format_errors(csvfmt.read, "a,b\n" + "x" * 200_000 + ",1\n")
    _only_format_errors(raven.read, "Begin Time (s)\tEnd Time (s)\n" + "x" * 200_000 + "\t1\n")


def test_lone_surrogates_in_text_input():
    _only_format_errors(audacity.read, "1\t2\t\ud800\n")
