"""WAV bytes for playback, band-pass filtering, GUANO metadata and HTTP ranges (no Django)."""

from __future__ import annotations

import io
import os
import re
import struct
import wave
from datetime import datetime
from typing import Any, BinaryIO

import numpy as np
import scipy.signal

from annotator.dsp import AudioError

_GUANO_MAX_BYTES = 1 << 20  # real GUANO blocks are a few kB; refuse to slurp more
_GUANO_FLOATS = (
    "Length",
    "Loc Elevation",
    "Loc Accuracy",
    "Temperature Ext",
    "Temperature Int",
    "Humidity",
)
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(ValueError):
    """A Range header that no byte of the resource satisfies (HTTP 416)."""

    def __init__(self, total_len: int) -> None:
        super().__init__(f"range not satisfiable for a resource of {total_len} bytes")
        self.total_len = total_len

    @property
    def content_range(self) -> str:
        """Value of the Content-Range header a 416 response must carry."""
        return f"bytes */{self.total_len}"


# --------------------------------------------------------------------------- WAV out


def _to_pcm(samples: np.ndarray, sample_width: int) -> bytes:
    """Float samples in [-1, 1] (clipped, NaN as silence) -> little-endian signed PCM (unsigned
    for 8-bit). In place in float32 up to 16 bits (the page's audio; within one LSB of float64 at
    exact halves); float64 above, since float32 cannot hold 2**31 - 1."""
    x = np.array(samples, dtype=np.float32 if sample_width <= 2 else np.float64)
    x[np.isnan(x)] = 0.0
    np.clip(x, -1.0, 1.0, out=x)
    if sample_width == 1:
        return np.rint(x * 127.0 + 128.0).astype(np.uint8).tobytes()
    x *= float(2 ** (8 * sample_width - 1) - 1)
    np.rint(x, out=x)
    if sample_width == 3:  # no int24 dtype: keep the three low bytes of each int32
        return x.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    return x.astype(f"<i{sample_width}").tobytes()


WAV_HEADER_BYTES = 44  # RIFF, fmt and data chunk headers of a plain PCM file
SAMPLE_BYTES = 2  # the page's audio: 16-bit mono


def wav_header(frames: int, samplerate: int, *, time_expansion: float = 1.0) -> bytes:
    """The 44-byte header `wav_bytes` writes for ``frames`` 16-bit mono samples: with it a WAV's
    size and any byte range of it are known before a sample is decoded."""
    rate = round(samplerate / time_expansion)
    data = frames * SAMPLE_BYTES
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data,
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate * SAMPLE_BYTES,
        SAMPLE_BYTES,
        8 * SAMPLE_BYTES,
        b"data",
        data,
    )


def pcm16(samples: np.ndarray) -> bytes:
    """Mono float samples as the data of a 16-bit WAV (what `wav_bytes` writes)."""
    return _to_pcm(np.asarray(samples, dtype=np.float32).reshape(-1), SAMPLE_BYTES)


def wav_bytes(
    samples: np.ndarray, samplerate: int, *, time_expansion: float = 1.0, sample_width: int = 2
) -> bytes:
    """Encode float samples ([n] or [n, channels], full scale = 1.0) as a PCM WAV file.

    The header's rate is ``round(samplerate / time_expansion)``: playing the file at
    that rate slows it down by the expansion factor, which brings ultrasound (bats)
    into the audible range -- a 40 kHz call becomes 4 kHz at 10x.
    """
    if time_expansion <= 0:
        raise ValueError(f"time_expansion must be positive, not {time_expansion}")
    if sample_width not in (1, 2, 3, 4):
        raise ValueError(f"sample_width must be 1, 2, 3 or 4 bytes, not {sample_width}")
    rate = round(samplerate / time_expansion)
    if rate < 1:
        raise ValueError(f"samplerate {samplerate} / time_expansion {time_expansion} is below 1 Hz")
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim not in (1, 2):
        raise ValueError(f"expected samples of shape [n] or [n, channels], got {x.shape}")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1 if x.ndim == 1 else x.shape[1])
        out.setsampwidth(sample_width)
        out.setframerate(rate)
        out.writeframes(_to_pcm(x.reshape(-1), sample_width))
    return buffer.getvalue()


def bandpass(
    samples: np.ndarray, samplerate: int, low_hz: float, high_hz: float, *, order: int = 4
) -> np.ndarray:
    """Zero-phase Butterworth band-pass (float32) along axis 0, e.g. to isolate a call.

    ``low_hz == 0`` gives a low-pass and ``high_hz == samplerate / 2`` a high-pass.
    """
    nyquist = samplerate / 2
    if not 0 <= low_hz < high_hz <= nyquist:
        raise ValueError(
            f"band {low_hz}-{high_hz} Hz must satisfy 0 <= low < high <= Nyquist ({nyquist} Hz)"
        )
    x = np.asarray(samples, dtype=np.float64)
    if low_hz == 0 and high_hz == nyquist:
        return x.astype(np.float32)
    if low_hz == 0:
        sos = scipy.signal.butter(order, high_hz, "lowpass", fs=samplerate, output="sos")
    elif high_hz == nyquist:
        sos = scipy.signal.butter(order, low_hz, "highpass", fs=samplerate, output="sos")
    else:
        sos = scipy.signal.butter(order, [low_hz, high_hz], "bandpass", fs=samplerate, output="sos")
    # sosfiltfilt's default edge padding is longer than very short clips allow.
    padlen = min(3 * (2 * len(sos) + 1), x.shape[0] - 1)
    return scipy.signal.sosfiltfilt(sos, x, axis=0, padlen=max(padlen, 0)).astype(np.float32)


# --------------------------------------------------------------------------- GUANO


def _riff_chunks(stream: BinaryIO) -> dict[bytes, bytes] | None:
    """Chunk id -> data of the chunks we care about; None when not a RIFF/WAVE stream."""
    header = stream.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return None
    found: dict[bytes, bytes] = {}
    while (head := stream.read(8)) and len(head) == 8:
        chunk_id, size = head[:4], struct.unpack("<I", head[4:])[0]
        if chunk_id == b"guan" and size <= _GUANO_MAX_BYTES:
            found[chunk_id] = stream.read(size)
            break
        stream.seek(size + (size & 1), os.SEEK_CUR)  # chunks are word aligned
    return found


def _guano_value(key: str, raw: str) -> Any:
    """Type the well-known GUANO fields; anything unparsable stays a string."""
    try:
        if key in ("TE", "Samplerate"):
            return int(raw)
        if key in _GUANO_FLOATS:
            return float(raw)
        if key == "Loc Position":
            lat, lon = raw.split()
            return (float(lat), float(lon))
        if key == "Timestamp":
            return datetime.fromisoformat(raw)
    except ValueError:
        pass
    return raw


def _parse_guano_text(data: bytes) -> dict[str, Any]:
    text = data.decode("utf-8", errors="replace").replace("\x00", "")
    fields: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, raw = line.partition(":")
        if not sep or not key.strip():
            continue
        # GUANO escapes newlines inside values as a literal backslash-n.
        value = raw.strip().replace("\\n", "\n")
        fields[key.strip()] = _guano_value(key.strip(), value)
    return fields


def parse_guano(source: str | os.PathLike[str] | bytes | BinaryIO, *, strict: bool = False) -> dict:
    """GUANO metadata ('guan' RIFF chunk) of a WAV file as a dict; {} when absent.

    Keys are as written ('Timestamp', 'Loc Position', 'TE', 'Samplerate', 'Make',
    'NABat|Site ID', ...). TE and Samplerate become int, Length/Loc Elevation/... float,
    Loc Position a (lat, lon) tuple, Timestamp a datetime; other values stay strings.
    Only chunk headers are read, so large files are cheap. Garbage never raises, except
    that ``strict=True`` raises AudioError for input that is not a RIFF/WAVE file.
    """
    if isinstance(source, (bytes, bytearray)):
        chunks = _riff_chunks(io.BytesIO(source))
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            chunks = _riff_chunks(stream)
    else:
        chunks = _riff_chunks(source)
    if chunks is None:
        if strict:
            raise AudioError("not a RIFF/WAVE file, so it cannot hold GUANO metadata")
        return {}
    return _parse_guano_text(chunks[b"guan"]) if b"guan" in chunks else {}


# --------------------------------------------------------------------------- declared length


_UNKNOWN_SIZES = {0, 0xFFFFFFFF}  # streaming writers leave the size unset; nothing is promised
# Sony Wave64: chunks are named by GUIDs whose first four bytes spell the RIFF names.
_W64_RIFF = bytes.fromhex("726966662e91cf11a5d628db04c10000")
_W64_WAVE = bytes.fromhex("77617665f3acd3118cd100c04f8edb8a")
_W64_TAIL = bytes.fromhex("f3acd3118cd100c04f8edb8a")  # the last 12 bytes of fmt/data GUIDs


def declared_frames(stream: BinaryIO) -> int | None:
    """Frames a RIFF/WAVE, RF64 or Wave64 header promises (its data chunk's size / block align).

    libsndfile clamps a truncated file's frame count to the bytes present, so comparing its count
    with this one is how truncation shows. None when the header promises nothing checkable
    (another container, a streaming size, no fmt chunk before the data). Reads only chunk headers.
    """
    stream.seek(0)
    header = stream.read(40)
    if header[:16] == _W64_RIFF and header[24:40] == _W64_WAVE:
        return _w64_declared_frames(stream)
    if len(header) < 12 or header[8:12] != b"WAVE" or header[:4] not in (b"RIFF", b"RF64"):
        return None
    stream.seek(12)
    block_align, data_size = 0, None
    while (head := stream.read(8)) and len(head) == 8:
        chunk_id, size = head[:4], struct.unpack("<I", head[4:])[0]
        body_start = stream.tell()
        if chunk_id == b"ds64":  # RF64: the real 64-bit data size lives here
            data_size = struct.unpack("<Q", stream.read(16)[8:16])[0]
        elif chunk_id == b"fmt ":
            fmt = stream.read(16)
            block_align = struct.unpack("<H", fmt[12:14])[0] if len(fmt) == 16 else 0
        elif chunk_id == b"data":
            if header[:4] == b"RIFF":
                data_size = None if size in _UNKNOWN_SIZES else size
            break
        stream.seek(body_start + size + (size & 1))
    if not block_align or not data_size:
        return None
    return data_size // block_align


def _w64_declared_frames(stream: BinaryIO) -> int | None:
    """Wave64: 16-byte GUID + 64-bit size (header included) per chunk, 8-byte aligned."""
    stream.seek(40)
    block_align = 0
    while (head := stream.read(24)) and len(head) == 24:
        guid, size = head[:16], struct.unpack("<Q", head[16:])[0]
        body_start = stream.tell()
        if guid[4:] == _W64_TAIL and guid[:4] == b"fmt ":
            fmt = stream.read(16)
            block_align = struct.unpack("<H", fmt[12:14])[0] if len(fmt) == 16 else 0
        elif guid[4:] == _W64_TAIL and guid[:4] == b"data":
            body = size - 24
            if not block_align or body <= 0 or size in _UNKNOWN_W64_SIZES:
                return None
            return body // block_align
        if size < 24:
            return None  # a corrupt size would loop forever
        stream.seek(body_start - 24 + size + (-size % 8))
    return None


_UNKNOWN_W64_SIZES = {0, 0xFFFFFFFFFFFFFFFF}


# --------------------------------------------------------------------------- HTTP ranges


def http_range(range_header: str | None, total_len: int) -> tuple[int, int] | None:
    """Parse a single-range ``Range`` header into inclusive byte offsets (start, end).

    Returns None when the whole resource should be sent: no header, another unit,
    several ranges or a malformed header (RFC 9110 lets servers ignore those).
    ``bytes=a-b`` is clamped to the resource, ``bytes=a-`` runs to its end and
    ``bytes=-n`` is the last n bytes. Raises RangeNotSatisfiable (answer 416) when the
    range starts past the end, or asks for a zero-length suffix or an empty resource.
    """
    match = _RANGE.match(range_header or "")
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last n bytes
        n = int(last)
        if n == 0 or total_len == 0:
            raise RangeNotSatisfiable(total_len)
        return max(0, total_len - n), total_len - 1
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid per RFC 9110: ignore the header
    if start >= total_len:
        raise RangeNotSatisfiable(total_len)
    return start, min(int(last), total_len - 1) if last else total_len - 1
