"""Wave64, RF64 and streaming WAVs: the duration comes from the data, truncation is caught.

Streaming writers leave a WAV's sizes unset until they close the file (0, or 0xFFFFFFFF); a file
they never closed still holds its samples. Wave64 and RF64 keep 64-bit sizes, where a cut copy
shows as for a plain WAV. The files are written here with soundfile (libsndfile)."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile as sf

from annotator import ingest, wavio
from annotator.dsp import read_window
from annotator.dsp.audio import streaming_repair
from annotator.models import Recording
from tests import factories as f

RATE = 48_000


def samples(seconds: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    return (0.2 * rng.standard_normal(int(RATE * seconds))).astype(np.float32)


def written(format_name: str, data: np.ndarray, subtype: str = "PCM_16") -> bytes:
    assert format_name in sf.available_formats()
    out = io.BytesIO()
    sf.write(out, data, RATE, format=format_name, subtype=subtype)
    return out.getvalue()


def unfinalised(data: bytes, size: int) -> bytes:
    """A WAV as a streaming writer leaves it: RIFF and data sizes set to ``size``."""
    out = bytearray(data)
    at = out.index(b"data")
    out[4:8] = struct.pack("<I", size)
    out[at + 4 : at + 8] = struct.pack("<I", size)
    return bytes(out)


def imported(project, tmp_path, name: str, data: bytes):
    (tmp_path / name).write_bytes(data)
    f.make_root(tmp_path)
    return ingest.import_location(project, f.make_dataset(project), str(tmp_path))


@pytest.mark.parametrize("format_name", ["W64", "RF64"])
def test_64_bit_containers_import_with_their_length(project, tmp_path, format_name):
    report = imported(project, tmp_path, "long.wav", written(format_name, samples(1.5)))
    assert report.imported == ["long.wav"], report.failed
    recording = Recording.objects.get()
    assert (recording.format, recording.frames) == (format_name, int(1.5 * RATE))
    assert recording.clips.count() == 2


@pytest.mark.parametrize("format_name", ["W64", "RF64"])
def test_truncated_64_bit_containers_are_refused(project, tmp_path, format_name):
    data = written(format_name, samples(1.0), subtype="PCM_24")
    report = imported(project, tmp_path, "cut.wav", data[: len(data) // 2])
    why = report.failed["cut.wav"]
    assert "truncated" in why and "1.000 s" in why, why
    assert not Recording.objects.exists()


@pytest.mark.parametrize("size", [0, 0xFFFFFFFF])
def test_streaming_wav_gets_its_duration_from_the_data(project, tmp_path, size):
    audio = samples(1.25)
    data = unfinalised(written("WAV", audio), size)
    report = imported(project, tmp_path, "stream.wav", data)
    assert report.imported == ["stream.wav"], report.failed
    recording = Recording.objects.get()
    assert recording.frames == len(audio) and recording.duration_s == pytest.approx(1.25)
    # The views read it too (the repaired header is an overlay: the file is not changed).
    with recording.open() as fh:
        window, rate = read_window(fh, 1.0, 1.25)
    assert rate == RATE and len(window) == RATE // 4
    assert np.allclose(window, audio[RATE:], atol=1 / 2**14)
    assert (tmp_path / "stream.wav").read_bytes() == data
    assert read_window(str(tmp_path / "stream.wav"), 0.0, 0.5)[0].size == RATE // 2


def test_unfinalised_wav_cut_mid_frame_keeps_whole_frames(project, tmp_path):
    stereo = np.stack([samples(1.0), samples(1.0)], axis=1)
    data = unfinalised(written("WAV", stereo), 0)
    report = imported(project, tmp_path, "cut.wav", data[:-3])  # 3 bytes into the last frame
    assert report.imported == ["cut.wav"], report.failed
    assert Recording.objects.get().frames == RATE - 1


def test_declared_frames_of_wave64_and_the_repair_of_other_files():
    w64 = written("W64", samples(1.0), subtype="PCM_24")
    assert wavio.declared_frames(io.BytesIO(w64)) == RATE
    assert wavio.declared_frames(io.BytesIO(w64[: len(w64) // 2])) == RATE  # what it promised
    plain = written("WAV", samples(0.1))
    assert streaming_repair(io.BytesIO(plain)) == {}  # a finished WAV is read as it is
    assert streaming_repair(io.BytesIO(unfinalised(plain, 0xFFFFFFFF))) == {}
    assert streaming_repair(io.BytesIO(w64)) == {}
