"""Reading audio for the views: what a file holds, and one window of one channel of it."""

from __future__ import annotations

import os
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
    else:
        source.seek(0)
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
