"""annotator.wavio: playback WAVs, band-pass, GUANO metadata, HTTP Range parsing."""

from __future__ import annotations

import io
import struct
import wave
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from annotator import wavio
from annotator.dsp import AudioError

SR = 384_000

GUANO_TEXT = (
    "GUANO|Version: 1.0\n"
    "Make: Wildlife Acoustics\n"
    "Model: Song Meter SM4BAT-FS\n"
    "Timestamp: 2023-06-01T22:14:05.5+02:00\n"
    "Loc Position: 51.5237 -0.1585\n"
    "TE: 10\n"
    "Samplerate: 384000\n"
    "Length: 3.5\n"
    "Species Auto ID: Pippip\n"
    "NABat|Site ID: 42\n"
    "Note: first line\\nsecond line\n"
)


def sine(freq: float, n: int = SR // 10, amplitude: float = 0.5) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * freq * np.arange(n) / SR)).astype(np.float32)


def riff(*chunks: tuple[bytes, bytes]) -> bytes:
    """A RIFF/WAVE file made of the given (id, data) chunks, odd ones padded."""
    body = b"WAVE"
    for chunk_id, data in chunks:
        body += chunk_id + struct.pack("<I", len(data)) + data + b"\x00" * (len(data) % 2)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_chunk(samplerate: int = SR) -> tuple[bytes, bytes]:
    return b"fmt ", struct.pack("<HHIIHH", 1, 1, samplerate, samplerate * 2, 2, 16)


@pytest.fixture
def guano_wav(tmp_path: Path) -> Path:
    """A playable WAV with an odd-sized chunk before the data and GUANO after it."""
    path = tmp_path / "guano.wav"
    path.write_bytes(
        riff(
            fmt_chunk(),
            (b"LIST", b"odd"),
            (b"data", b"\x01\x00" * 1000),
            (b"guan", GUANO_TEXT.encode()),
        )
    )
    return path


# --------------------------------------------------------------------------- WAV out


def test_header_rate_is_divided_by_the_time_expansion() -> None:
    data = wavio.wav_bytes(sine(40_000), SR, time_expansion=10)
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getframerate() == 38_400
        assert reader.getnframes() == SR // 10
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)


def test_rate_is_rounded_for_fractional_expansion() -> None:
    data = wavio.wav_bytes(sine(40_000, n=100), 500_000, time_expansion=3)
    assert wave.open(io.BytesIO(data)).getframerate() == 166_667


@pytest.mark.parametrize(
    ("width", "subtype"), [(1, "PCM_U8"), (2, "PCM_16"), (3, "PCM_24"), (4, "PCM_32")]
)
def test_samples_survive_the_round_trip_at_every_width(width: int, subtype: str) -> None:
    samples = np.array([0.0, 0.25, -0.25, 0.999, -0.999, 1.0, -1.0, 3.0, -3.0], dtype=np.float32)
    data = wavio.wav_bytes(samples, 48_000, sample_width=width)
    decoded, rate = sf.read(io.BytesIO(data), dtype="float64")
    assert rate == 48_000 and sf.info(io.BytesIO(data)).subtype == subtype
    expected = np.clip(samples, -1, 1)
    step = 2.0 ** (1 - 8 * width)
    np.testing.assert_allclose(decoded, expected, atol=1.5 * step)
    assert decoded[5] > 0.99 and decoded[6] < -0.99  # full scale does not wrap around


def test_stereo_frames_are_interleaved() -> None:
    left, right = sine(1_000, n=500), sine(3_000, n=500, amplitude=0.2)
    data = wavio.wav_bytes(np.stack([left, right], axis=1), SR)
    decoded, _ = sf.read(io.BytesIO(data), dtype="float32")
    np.testing.assert_allclose(decoded, np.stack([left, right], axis=1), atol=1 / 32_767)


@pytest.mark.parametrize(
    "kwargs", [{"time_expansion": 0}, {"time_expansion": -2}, {"sample_width": 5}]
)
def test_bad_wav_arguments_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        wavio.wav_bytes(sine(1_000, n=10), SR, **kwargs)


# --------------------------------------------------------------------------- band-pass


def _level(x: np.ndarray) -> float:
    middle = x[x.size // 4 : -x.size // 4]
    return float(np.sqrt(2 * np.mean(middle.astype(np.float64) ** 2)))


def test_bandpass_keeps_the_band_and_removes_the_rest() -> None:
    inside, below, above = sine(40_000), sine(10_000), sine(120_000)
    filtered = wavio.bandpass(inside + below + above, SR, 30_000, 55_000)
    assert filtered.dtype == np.float32
    assert _level(filtered) == pytest.approx(0.5, rel=0.02)
    residue = filtered - wavio.bandpass(inside, SR, 30_000, 55_000)
    assert _level(residue) < 0.005  # the out-of-band tones are > 40 dB down


def test_bandpass_is_zero_phase() -> None:
    x = sine(40_000)
    filtered = wavio.bandpass(x, SR, 30_000, 55_000)
    middle = slice(x.size // 4, -x.size // 4)
    np.testing.assert_allclose(filtered[middle], x[middle], atol=0.02)


def test_zero_low_edge_is_lowpass_and_nyquist_high_edge_is_highpass() -> None:
    mix = sine(10_000) + sine(120_000)
    low = wavio.bandpass(mix, SR, 0, 50_000)
    high = wavio.bandpass(mix, SR, 50_000, SR / 2)
    assert _level(low - sine(10_000)) < 0.01
    assert _level(high - sine(120_000)) < 0.01


def test_bandpass_survives_very_short_signals() -> None:
    assert wavio.bandpass(sine(40_000, n=5), SR, 30_000, 50_000).shape == (5,)


@pytest.mark.parametrize(
    ("low", "high"), [(-1, 1_000), (50_000, 40_000), (10_000, 10_000), (0, 200_000)]
)
def test_bandpass_rejects_impossible_bands(low: float, high: float) -> None:
    with pytest.raises(ValueError, match="Nyquist"):
        wavio.bandpass(sine(1_000), SR, low, high)


# --------------------------------------------------------------------------- GUANO


def test_guano_round_trip_with_typed_fields(guano_wav: Path) -> None:
    meta = wavio.parse_guano(guano_wav)
    assert meta["GUANO|Version"] == "1.0"
    assert (meta["Make"], meta["Model"]) == ("Wildlife Acoustics", "Song Meter SM4BAT-FS")
    assert meta["TE"] == 10 and meta["Samplerate"] == 384_000 and meta["Length"] == 3.5
    assert meta["Loc Position"] == (51.5237, -0.1585)
    assert meta["Timestamp"] == datetime(
        2023, 6, 1, 22, 14, 5, 500_000, timezone(timedelta(hours=2))
    )
    assert meta["Species Auto ID"] == "Pippip" and meta["NABat|Site ID"] == "42"
    assert meta["Note"] == "first line\nsecond line"


def test_guano_is_read_from_bytes_and_file_objects(guano_wav: Path) -> None:
    data = guano_wav.read_bytes()
    expected = wavio.parse_guano(guano_wav)
    assert wavio.parse_guano(data) == expected
    assert wavio.parse_guano(io.BytesIO(data)) == expected


def test_guano_file_is_still_playable(guano_wav: Path) -> None:
    assert sf.info(guano_wav).frames == 1000


def test_unparsable_typed_values_stay_strings() -> None:
    text = b"TE: ten\nLoc Position: somewhere\nTimestamp: yesterday\n"
    meta = wavio.parse_guano(riff(fmt_chunk(), (b"guan", text)))
    assert meta == {"TE": "ten", "Loc Position": "somewhere", "Timestamp": "yesterday"}


def test_missing_guano_gives_empty_dict() -> None:
    assert wavio.parse_guano(riff(fmt_chunk(), (b"data", b"\x00\x00"))) == {}


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"RIFF",
        b"not a wav file at all, just text",
        riff(fmt_chunk())[:-3],  # truncated inside a chunk
        riff(fmt_chunk()) + b"guan" + struct.pack("<I", 2**31),  # absurd chunk size
        riff((b"guan", b"\xff\xfe\x00garbage without colons\x00")),
    ],
)
def test_garbage_never_crashes(content: bytes) -> None:
    assert wavio.parse_guano(content) == {}


def test_strict_mode_rejects_non_riff_input() -> None:
    with pytest.raises(AudioError, match="RIFF"):
        wavio.parse_guano(b"ID3 this is an mp3", strict=True)
    assert wavio.parse_guano(riff(fmt_chunk()), strict=True) == {}


# --------------------------------------------------------------------------- HTTP Range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=500-", (500, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),  # suffix longer than the resource: all of it
        ("bytes=990-5000", (990, 999)),  # end clamped
        ("bytes=999-999", (999, 999)),
        (" Bytes = 10 - 20 ", (10, 20)),
        (None, None),
        ("", None),
        ("items=0-10", None),  # unknown unit: ignore the header
        ("bytes=20-10", None),  # invalid per RFC 9110: ignore
        ("bytes=0-1,5-6", None),  # several ranges: send everything
        ("bytes=-", None),
        ("bytes=abc-def", None),
    ],
)
def test_range_header_parsing(header: str | None, expected: tuple[int, int] | None) -> None:
    assert wavio.http_range(header, 1000) == expected


@pytest.mark.parametrize(
    ("header", "total"),
    [
        ("bytes=1000-", 1000),
        ("bytes=5000-6000", 1000),
        ("bytes=-0", 1000),
        ("bytes=0-", 0),
        ("bytes=-10", 0),
    ],
)
def test_unsatisfiable_ranges_raise_with_content_range(header: str, total: int) -> None:
    with pytest.raises(wavio.RangeNotSatisfiable) as caught:
        wavio.http_range(header, total)
    assert caught.value.content_range == f"bytes */{total}"


def _unsatisfiable(first: int | None, last: int | None, total: int) -> bool:
    if first is None:
        return last is not None and (last == 0 or total == 0)
    return (last is None or last >= first) and first >= total


@given(
    first=st.one_of(st.none(), st.integers(0, 3000)),
    last=st.one_of(st.none(), st.integers(0, 3000)),
    total=st.integers(0, 2000),
)
def test_any_range_is_answered_inside_the_resource(
    first: int | None, last: int | None, total: int
) -> None:
    header = f"bytes={'' if first is None else first}-{'' if last is None else last}"
    if _unsatisfiable(first, last, total):
        with pytest.raises(wavio.RangeNotSatisfiable):
            wavio.http_range(header, total)
        return
    answer = wavio.http_range(header, total)
    ignored = (first is None and last is None) or (None not in (first, last) and last < first)
    assert (answer is None) == ignored
    if answer is not None:
        start, end = answer
        assert 0 <= start <= end < total
