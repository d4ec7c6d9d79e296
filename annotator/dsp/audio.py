"""Reading audio for the views: what a file holds, and one window of one channel of it."""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import soundfile as sf

AudioSource = str | os.PathLike[str] | BinaryIO


MIN_SAMPLERATE = 1_000
MAX_SAMPLERATE = 1_000_000


class AudioError(ValueError):
    """Audio we refuse to use: corrupt, empty, unsupported or with an absurd sample rate."""


@dataclass(frozen=True)
class AudioInfo:
    samplerate: int
    frames: int
    channels: int
    duration: float
    format: str
    subtype: str


# --------------------------------------------------------------------------- reading


def streaming_repair(stream: BinaryIO) -> dict[int, bytes]:
    """Header bytes to overlay so libsndfile reads a WAV a streaming writer never finalised.

    Such a writer leaves the data chunk's size 0 until it closes the file; if it never does
    (a recorder that lost power), libsndfile reads zero frames although the samples are there.
    The repair gives the data chunk the bytes present (whole frames only) and the RIFF chunk the
    file's length, as the writer would have. {} for every other file (0xFFFFFFFF, the other
    streaming convention, libsndfile already reads to the end of the file)."""
    stream.seek(0, os.SEEK_END)
    total = stream.tell()
    stream.seek(0)
    header = stream.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return {}
    block_align = 0
    while (head := stream.read(8)) and len(head) == 8:
        chunk_id, size = head[:4], struct.unpack("<I", head[4:])[0]
        body_start = stream.tell()
        if chunk_id == b"fmt ":
            fmt = stream.read(16)
            block_align = struct.unpack("<H", fmt[12:14])[0] if len(fmt) == 16 else 0
        elif chunk_id == b"data":
            present = total - body_start
            if size != 0 or not block_align or present < block_align:
                return {}
            data = min(present - present % block_align, 0xFFFFFFFE - body_start)
            return {
                4: struct.pack("<I", min(total - 8, 0xFFFFFFFF)),
                body_start - 4: struct.pack("<I", data),
            }
        stream.seek(body_start + size + (size & 1))
    return {}


class Overlay(io.RawIOBase):
    """A read-only, seekable view of ``stream`` with ``patches`` ({offset: bytes}) laid over it:
    a repaired header without copying the file."""

    def __init__(self, stream: BinaryIO, patches: dict[int, bytes]) -> None:
        super().__init__()
        self._stream, self._patches = stream, patches
        self.name = getattr(stream, "name", "audio")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def readinto(self, buffer) -> int:
        start = self._stream.tell()
        data = self._stream.read(len(buffer))
        patched = bytearray(data)
        for offset, value in self._patches.items():
            lo, hi = max(offset, start), min(offset + len(value), start + len(data))
            if lo < hi:
                patched[lo - start : hi - start] = value[lo - offset : hi - offset]
        buffer[: len(patched)] = patched
        return len(patched)


def readable_stream(stream: BinaryIO) -> BinaryIO:
    """``stream``, or an Overlay of it repairing an unfinalised streaming WAV's header."""
    patches = streaming_repair(stream)
    stream.seek(0)
    return Overlay(stream, patches) if patches else stream


def _describe(source: AudioSource) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return getattr(source, "name", None) or type(source).__name__


@contextmanager
def _open(source: AudioSource) -> Iterator[sf.SoundFile]:
    """Open with soundfile, turning libsndfile's errors into AudioError.

    A file object is read from its start, wherever it was left.
    """
    name = _describe(source)
    if isinstance(source, (str, os.PathLike)):
        if not os.path.exists(source):
            raise FileNotFoundError(name)
        with open(source, "rb") as raw:
            if streaming_repair(raw):  # rare: read through the repaired header
                with _open(raw) as handle:
                    yield handle
                return
    else:
        source = readable_stream(source)
    try:
        handle = sf.SoundFile(source)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioError(f"{name}: not a readable audio file ({exc})") from exc
    with handle:
        _check_stream(handle, name)
        yield handle


def _check_stream(handle: sf.SoundFile, name: str) -> None:
    rate = handle.samplerate
    if not MIN_SAMPLERATE <= rate <= MAX_SAMPLERATE:
        raise AudioError(
            f"{name}: sample rate {rate} Hz is outside the supported range "
            f"{MIN_SAMPLERATE}-{MAX_SAMPLERATE} Hz"
        )
    if handle.frames <= 0:
        raise AudioError(f"{name}: the file contains no audio frames")


def audio_info(source: AudioSource) -> AudioInfo:
    """Describe an audio file (path or binary file object) without decoding it.

    Raises AudioError for corrupt, empty or unsupported files and absurd sample rates.
    A file object is read from its start and left at the position it had.
    """
    position = None if isinstance(source, (str, os.PathLike)) else source.tell()
    try:
        with _open(source) as handle:
            return AudioInfo(
                samplerate=handle.samplerate,
                frames=handle.frames,
                channels=handle.channels,
                duration=handle.frames / handle.samplerate,
                format=handle.format,
                subtype=handle.subtype,
            )
    finally:
        if position is not None:
            source.seek(position)  # type: ignore[union-attr]


def read_window(
    source: AudioSource, start_s: float, end_s: float, *, channel: int = 0
) -> tuple[np.ndarray, int]:
    """Read frames ``round(start_s*sr) .. round(end_s*sr)`` (end excluded) of one channel.

    Only those frames are decoded (a file object is read from its start, and left
    wherever reading ends). The window is clamped to the file, so it may come
    back shorter (or empty) near the ends; the first sample returned is frame
    ``max(0, round(start_s * sr))``. Returns (float32 mono samples, sample rate).
    Non-finite samples (possible in float files) are replaced by 0.
    """
    if not end_s > start_s:
        raise ValueError(f"empty window: end {end_s} s is not after start {start_s} s")
    with _open(source) as handle:
        if not 0 <= channel < handle.channels:
            raise ValueError(f"channel {channel} does not exist ({handle.channels} channels)")
        rate = handle.samplerate
        first = min(max(0, round(start_s * rate)), handle.frames)
        stop = min(max(first, round(end_s * rate)), handle.frames)
        handle.seek(first)
        frames = handle.read(stop - first, dtype="float32", always_2d=True)
    samples = np.ascontiguousarray(frames[:, channel])
    np.nan_to_num(samples, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    return samples, rate
