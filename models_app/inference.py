"""Scoring clips and long recordings with a trained detector.

``Detector.load(checkpoint)`` gives a CPU/GPU scorer. ``score_clips`` batches many clips
per forward pass; ``score_recording`` walks a long file in overlapping chunks (reading
only one batch of chunks at a time, so memory stays flat) and keeps each event only in
the chunk that owns its centre time, so calls in an overlap are not reported twice.

With a ``Calibration`` the events' ``score`` is the calibrated probability of a real call
(``raw_score`` keeps the heatmap's), and ``threshold`` applies to calibrated scores: store
with a low floor (every event a page or an AP could need, at most ``top_k`` per clip) and
show at ``calibration.SERVED_THRESHOLD``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf
import torch

from annotator.dsp.audio import readable_stream, streaming_repair

from . import windowing
from .calibration import Calibration
from .checkpoints import TrainResult, load_checkpoint
from .detector import (
    DetectorConfig,
    DetectorNet,
    Event,
    decode,
    fuse_for_inference,
    suppress_overlaps,
)
from .features import compute_features, n_frames
from .refinement import refine_events
from .uncertainty import binary_entropy, clip_uncertainty  # noqa: F401  (binary_entropy: public here)


@dataclass
class ClipScore:
    """Everything the sampler and the pages need about one clip.

    ``class_probs`` follow ``Detector.class_names`` (multi-label: independent sigmoids).
    ``uncertainty`` holds ``entropy``, ``margin`` and ``least_confidence`` of the class
    probabilities (``models_app.uncertainty``: what the sampler ranks by; all in [0, 1], higher =
    more uncertain). ``window_uncertainties`` has one value per ``window_s`` of clip time (binary
    entropy of the best calibrated detection score there), for top-K style aggregation.
    """

    events: list[Event]
    class_probs: np.ndarray  # [C] float32
    any_event_prob: float
    embedding: np.ndarray  # [D] float32, L2-normalised
    uncertainty: dict[str, float]
    window_uncertainties: np.ndarray  # [W] float32
    # [W, D] float32, L2-normalised: one embedding per ``window_s`` of clip time (search by example).
    window_embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))


@dataclass
class RecordingScore:
    """Events of a whole recording (absolute times) and the per-chunk clip scores."""

    events: list[Event]
    chunk_starts_s: np.ndarray
    chunks: list[ClipScore]
    duration_s: float
    samplerate: int


class Detector:
    """A trained detector ready to score audio (weights in eval mode, no gradients)."""

    def __init__(
        self,
        net: DetectorNet,
        config: DetectorConfig,
        *,
        device: str | torch.device | None = None,
        batch_size: int = 16,
        max_batch_s: float = 4.0,
        threshold: float = 0.3,
        top_k: int = 200,
        window_s: float = 0.1,
        calibration: Calibration | None = None,
    ):
        self.device = torch.device(device) if device else _auto_device()
        self.net = fuse_for_inference(net).to(self.device, memory_format=torch.channels_last)
        self.config = config
        self.batch_size = batch_size
        # Activations grow with clips × width: cap the audio per forward pass so long
        # chunks batch fewer at a time and peak memory stays flat (~4 s ≈ 100 MB).
        self.max_batch_frames = max(1, int(max_batch_s * config.features.frames_per_second))
        self.threshold = threshold  # on calibrated scores
        self.top_k = top_k
        self.calibration = calibration or Calibration()
        self.window_s = window_s
        self._taps = windowing.FeatureTaps(self.net)

    @classmethod
    def load(cls, checkpoint: str | Path | BinaryIO | bytes | TrainResult, **kwargs) -> Detector:
        """Build from a checkpoint path, file object, bytes or an in-memory ``TrainResult``."""
        result = checkpoint if isinstance(checkpoint, TrainResult) else load_checkpoint(checkpoint)
        return cls.from_result(result, **kwargs)

    @classmethod
    def from_result(cls, result: TrainResult, **kwargs) -> Detector:
        """Build from a ``TrainResult`` (e.g. straight after ``train``)."""
        return cls(result.build_model(), result.config, **kwargs)

    @property
    def class_names(self) -> list[str]:
        return list(self.config.class_names)

    # ------------------------------------------------------------------ clips

    def score_clip(self, samples: np.ndarray, samplerate: int) -> ClipScore:
        """Score one clip of audio."""
        return self.score_clips([(samples, samplerate)])[0]

    def score_clips(self, clips: Sequence[tuple[np.ndarray, int]]) -> list[ClipScore]:
        """Score many ``(samples, samplerate)`` clips, several per forward pass."""
        feats = [compute_features(x, sr, self.config.features) for x, sr in clips]
        return self.score_features_batch(feats)

    def score_features(self, features: np.ndarray) -> ClipScore:
        """Score one precomputed ``[F, T]`` feature image."""
        return self.score_features_batch([features])[0]

    def score_features_batch(self, feats: Sequence[np.ndarray]) -> list[ClipScore]:
        """Score feature images; equal widths share a forward pass (no padding artefacts)."""
        out: list[ClipScore | None] = [None] * len(feats)
        by_width: dict[int, list[int]] = {}
        for i, f in enumerate(feats):
            by_width.setdefault(f.shape[1], []).append(i)
        for width, idx in by_width.items():
            size = max(1, min(self.batch_size, self.max_batch_frames // width))
            for start in range(0, len(idx), size):
                part = idx[start : start + size]
                for i, score in zip(part, self._forward([feats[i] for i in part])):
                    out[i] = score
        return out  # type: ignore[return-value]

    def _forward(self, feats: Sequence[np.ndarray]) -> list[ClipScore]:
        """One batched forward pass and decoding."""
        x = torch.from_numpy(np.stack(feats).astype(np.float32, copy=False)).unsqueeze(1)
        x = x.to(self.device).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            out = self.net(x)
            events = self._decode(out, feats)
            probs = torch.sigmoid(out["clip_logits"]).float().cpu().numpy()
            any_p = torch.sigmoid(out["any_event"]).float().cpu().numpy()
            emb = torch.nn.functional.normalize(out["embedding"].float(), dim=1).cpu().numpy()
            heat = torch.sigmoid(out["heatmap"].float().amax(dim=(1, 2))).cpu().numpy()  # [B, To]
            win = self._taps.window_embeddings(
                self.window_s, self.config.features.frames_per_second
            )
        heat = self.calibration.apply(heat)
        scores = [
            self._clip_score(events[b], probs[b], float(any_p[b]), emb[b], heat[b])
            for b in range(len(feats))
        ]
        for b, score in enumerate(scores):
            score.window_embeddings = win[b]
        return scores

    def embed_region(
        self,
        samples: np.ndarray,
        samplerate: int,
        start_s: float,
        end_s: float,
        low_hz: float | None = None,
        high_hz: float | None = None,
    ) -> np.ndarray:
        """One L2-normalised embedding of a box of a clip (search by example).

        Features outside ``[low_hz, high_hz]`` are set to the clip's background level before the
        forward pass, and the embedding is pooled over the box's time span only: a box around one
        call finds that call, not the loudest other sound of its clip."""
        feats = compute_features(samples, samplerate, self.config.features)
        feats = windowing.mask_band(feats, low_hz, high_hz, self.config.features)
        x = torch.from_numpy(feats.astype(np.float32, copy=False))[None, None].to(self.device)
        with torch.inference_mode():
            self.net(x.contiguous(memory_format=torch.channels_last))
            return self._taps.span_embedding(start_s, end_s, self.config.features.frames_per_second)

    def _decode(
        self, out: dict[str, torch.Tensor], feats: Sequence[np.ndarray]
    ) -> list[list[Event]]:
        """Events whose calibrated score reaches ``threshold``, scores calibrated.

        The calibration is increasing, so decoding at its raw equivalent of ``threshold``
        keeps the same events without calibrating every peak of the grid.
        """
        cal = self.calibration
        if cal.is_identity:
            return self._boxes(out, feats, self.threshold)
        raw = cal.raw_threshold(self.threshold) * (1 - 1e-6)  # rounding must not drop one
        clips = self._boxes(out, feats, raw)
        for events in clips:
            for e, p in zip(events, cal.apply(np.array([e.score for e in events]))):
                e.score = float(p)
            events[:] = [e for e in events if e.score >= self.threshold]
        return clips

    def _boxes(
        self, out: dict[str, torch.Tensor], feats: Sequence[np.ndarray], threshold: float
    ) -> list[list[Event]]:
        """The peaks' events; with ``box_refine_db`` set, boxes outlined on the features before
        the overlap suppression (peaks on two harmonics of a call outline the same box)."""
        depth = self.config.box_refine_db
        if not depth:
            return decode(out, self.config, threshold=threshold, top_k=self.top_k)
        clips = decode(out, self.config, threshold=threshold, top_k=self.top_k, box_nms=None)
        fc = self.config.features
        return [suppress_overlaps(refine_events(ev, f, fc, depth)) for ev, f in zip(clips, feats)]

    def _clip_score(self, events, probs, any_p, emb, heat_t) -> ClipScore:
        names = self.class_names
        return ClipScore(
            events=events,
            class_probs=probs[: len(names)].astype(np.float32),
            any_event_prob=any_p,
            embedding=emb.astype(np.float32),
            uncertainty=clip_uncertainty(probs[: len(names)]),
            window_uncertainties=self._window_uncertainties(heat_t),
        )

    def _window_uncertainties(self, heat_t: np.ndarray) -> np.ndarray:
        """Binary entropy of the best (calibrated) detection probability in each window."""
        cols_per_s = self.config.features.frames_per_second / self.config.stride
        w = max(1, int(round(self.window_s * cols_per_s)))
        n = int(np.ceil(len(heat_t) / w))
        padded = np.pad(heat_t, (0, n * w - len(heat_t)))
        return binary_entropy(padded.reshape(n, w).max(axis=1)).astype(np.float32)

    # ------------------------------------------------------------- recordings

    def score_recording(
        self,
        source: str | Path | np.ndarray,
        samplerate: int | None = None,
        *,
        chunk_s: float = 2.0,
        overlap_s: float = 0.1,
    ) -> RecordingScore:
        """Score a long recording (file path, or samples + ``samplerate``) in chunks.

        Consecutive chunks overlap by ``overlap_s`` (longer than any call, so a call cut
        at one chunk's edge is whole in the next). Each chunk owns the part of the overlap
        nearest its own centre; an event is kept only by the chunk owning its centre time.
        """
        if overlap_s * 2 >= chunk_s:
            raise ValueError("overlap_s must be less than half of chunk_s")
        with _AudioSource(source, samplerate) as audio:
            starts, length = chunk_layout(audio.frames, audio.samplerate, chunk_s, overlap_s)
            chunks: list[ClipScore] = []
            n = int(round(length * audio.samplerate))
            width = n_frames(n, audio.samplerate, self.config.features)
            group = max(1, min(self.batch_size, self.max_batch_frames // width))
            for begin in range(0, len(starts), group):  # only one batch of audio in memory
                part = starts[begin : begin + group]
                clips = [(audio.read(s, n), audio.samplerate) for s in part]
                chunks += self.score_clips(clips)
            duration = audio.frames / audio.samplerate
        events = _merge_chunks(starts, chunks, length)
        return RecordingScore(events, starts, chunks, duration, audio.samplerate)


# --------------------------------------------------------------- chunking


def chunk_layout(
    n_frames: int, samplerate: int, chunk_s: float, overlap_s: float
) -> tuple[np.ndarray, float]:
    """Start times (s) and common length (s) of the chunks covering a recording.

    Uses the fewest chunks of at most ``chunk_s`` that overlap by exactly ``overlap_s``
    and shrinks them all to the same length, so no audio is scored more than the overlap
    requires and every chunk fits one batched forward pass.
    """
    duration = n_frames / samplerate
    if duration <= chunk_s:
        return np.array([0.0]), duration
    n = int(np.ceil((duration - overlap_s) / (chunk_s - overlap_s)))
    length = (duration + (n - 1) * overlap_s) / n
    return np.arange(n) * (length - overlap_s), length


def _merge_chunks(starts: np.ndarray, chunks: list[ClipScore], length: float) -> list[Event]:
    """Shift events to recording time and keep each one only in the chunk owning its centre."""
    bounds = _ownership(starts, length)
    merged = []
    for (lo, hi), start, chunk in zip(bounds, starts, chunks):
        for e in chunk.events:
            centre = start + (e.start_s + e.end_s) / 2
            if lo <= centre < hi:
                merged.append(replace(e, start_s=e.start_s + start, end_s=e.end_s + start))
    merged.sort(key=lambda e: e.start_s)
    return merged


def _ownership(starts: np.ndarray, chunk_s: float) -> list[tuple[float, float]]:
    """Half-open time range owned by each chunk: split every overlap at its midpoint."""
    ends = starts + chunk_s
    cuts = [(ends[i] + starts[i + 1]) / 2 for i in range(len(starts) - 1)]
    lows = [-np.inf, *cuts]
    highs = [*cuts, np.inf]
    return list(zip(lows, highs))


class _AudioSource:
    """Random access to chunks of an array or a sound file, without loading the file."""

    def __init__(self, source: str | Path | np.ndarray, samplerate: int | None):
        self._file: sf.SoundFile | None = None
        self._raw: BinaryIO | None = None
        if isinstance(source, np.ndarray):
            if not samplerate:
                raise ValueError("samplerate is required with raw samples")
            self._array = source if source.ndim == 1 else source.mean(axis=1)
            self.samplerate, self.frames = int(samplerate), len(self._array)
        else:
            self._file = self._open(str(source))
            self.samplerate, self.frames = self._file.samplerate, self._file.frames

    def _open(self, path: str) -> sf.SoundFile:
        """libsndfile's own reader, or (rare) a view repairing an unfinalised streaming WAV's
        header, which libsndfile would read as empty (annotator.dsp.audio.streaming_repair)."""
        raw = open(path, "rb")  # noqa: SIM115 - kept open while the repaired view is read
        if not streaming_repair(raw):
            raw.close()
            return sf.SoundFile(path)
        self._raw = raw
        return sf.SoundFile(readable_stream(raw))

    def read(self, start_s: float, n: int) -> np.ndarray:
        """``n`` mono float32 samples from ``start_s``, zero-padded past the end so
        every chunk has the same width (and can share a forward pass)."""
        i0 = min(int(round(start_s * self.samplerate)), self.frames)
        if self._file is None:
            x = np.asarray(self._array[i0 : i0 + n], dtype=np.float32)
        else:
            self._file.seek(i0)
            x = self._file.read(n, dtype="float32", always_2d=True).mean(axis=1)
        return np.pad(x, (0, n - len(x))) if len(x) < n else x

    def __enter__(self) -> _AudioSource:
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()
        if self._raw is not None:
            self._raw.close()


def _auto_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
