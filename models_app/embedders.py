"""External embedding models behind one small interface (no Django).

A project may embed its pool with a model it has installed instead of its detector's own
embedding: an *adapter* turns audio into one vector per ``window_s`` of time. Adapters are found
in three places, none of them a required dependency:

- built in: ``band-stats`` (log band energies and their variation; no weights, always there),
  ``selfsupervised`` (the project's own pretrained encoder, frozen) and
  ``band-stats+selfsupervised`` (both side by side), the last two once a pretraining has finished,
- the ``echoloop.embedders`` entry point group of any installed package
  (``[project.entry-points."echoloop.embedders"] birdnet = "mypkg.adapters:BirdNET"``),
- ``ECHOLOOP_EMBEDDERS``: comma-separated dotted paths of adapter classes.

Every adapter states its licence (model weights such as BirdNET's are often non-commercial); the
API lists it where a lead chooses the adapter. An adapter whose package is missing is listed as
unavailable with the import error, never crashes the listing.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import signal

ENTRY_POINT_GROUP = "echoloop.embedders"


@runtime_checkable
class EmbeddingAdapter(Protocol):
    """What an adapter provides. ``embed`` returns ``[W, D]`` float32 for consecutive
    ``window_s`` spans of the audio (the last one may be partial)."""

    name: str
    licence: str
    description: str
    window_s: float

    def embed(self, samples: np.ndarray, samplerate: int) -> np.ndarray: ...


@dataclass
class AdapterInfo:
    name: str
    licence: str = ""
    description: str = ""
    available: bool = True
    error: str = ""


class BandStats:
    """Log energies of 16 frequency bands, their spread and peak over each window (48 values).

    The issue's measurement: these beat the frozen detector embedding for bat species. No
    weights, so no licence beyond Echoloop's own."""

    name = "band-stats"
    licence = "Echoloop's own (no model weights)"
    description = (
        "Log band energies (16 bands: mean, spread, peak per window); no training, no weights."
    )
    window_s = 0.1
    n_bands = 16

    def embed(self, samples: np.ndarray, samplerate: int) -> np.ndarray:
        samples = np.asarray(samples, dtype=np.float32)
        n_win = max(1, int(np.ceil(len(samples) / (self.window_s * samplerate) - 1e-6)))
        nper = max(16, int(0.004 * samplerate))
        if len(samples) < nper:  # a box shorter than one FFT window: zero-pad to one
            samples = np.pad(samples, (0, nper - len(samples)))
        _f, t, spec = signal.spectrogram(samples, samplerate, nperseg=nper, noverlap=nper // 2)
        db = 10 * np.log10(spec + 1e-12)
        bands = np.stack(
            [b.mean(axis=0) for b in np.array_split(db, self.n_bands, axis=0)]
        )  # [16, T]
        which = np.minimum((t / self.window_s).astype(int), n_win - 1)
        out = np.zeros((n_win, 3 * self.n_bands), dtype=np.float32)
        for w in range(n_win):
            part = bands[:, which == w]
            if part.shape[1]:
                out[w] = np.concatenate([part.mean(axis=1), part.std(axis=1), part.max(axis=1)])
        # Centre each window's values on its own mean level: loudness alone should not decide.
        out[:, : self.n_bands] -= out[:, : self.n_bands].mean(axis=1, keepdims=True)
        out[:, 2 * self.n_bands :] -= out[:, 2 * self.n_bands :].mean(axis=1, keepdims=True)
        return out


class SelfSupervised:
    """The project's own encoder, pretrained without labels on its pool (``models_app.pretraining``),
    frozen: mean and max of its deep and fine maps over each window (``Encoder.encode_windows``),
    the embedding ``simulate_active_learning --embedding selfsupervised`` measured.

    Needs the project's encoder (``get(name, encoder=...)``): listed everywhere, usable in a project
    once its pretraining has finished. torch is imported only when it embeds (score workers)."""

    name = "selfsupervised"
    licence = "Echoloop's own (weights learnt from this project's recordings)"
    description = (
        "The project's self-supervised encoder (frozen), pretrained on its own clips; "
        "available once a pretraining has finished."
    )
    window_s = 0.1
    needs_encoder = True

    def __init__(self, encoder=None) -> None:
        self.encoder = encoder  # a selfsupervised.Encoder

    def embed(self, samples: np.ndarray, samplerate: int) -> np.ndarray:
        if self.encoder is None:
            raise ValueError("the selfsupervised adapter needs the project's pretrained encoder")
        return self.encoder.encode_windows(
            np.asarray(samples, np.float32), samplerate, self.window_s
        )


class BandStatsAndSelfSupervised:
    """Band statistics and the self-supervised embedding side by side, each window's two parts
    unit-normalised before they are joined (the simulation's ``bandstats+selfsupervised``)."""

    name = "band-stats+selfsupervised"
    licence = SelfSupervised.licence
    description = (
        "Band statistics and the project's self-supervised encoder side by side; "
        "available once a pretraining has finished."
    )
    window_s = BandStats.window_s
    needs_encoder = True

    def __init__(self, encoder=None) -> None:
        self.parts = (BandStats(), SelfSupervised(encoder))

    def embed(self, samples: np.ndarray, samplerate: int) -> np.ndarray:
        for part in self.parts:  # one window length for both (a caller may change ours)
            part.window_s = self.window_s
        outs = [np.asarray(p.embed(samples, samplerate), np.float32) for p in self.parts]
        n = min(len(o) for o in outs)
        return np.concatenate(
            [o[:n] / np.maximum(np.linalg.norm(o[:n], axis=1, keepdims=True), 1e-12) for o in outs],
            axis=1,
        )


BUILT_IN = {
    BandStats.name: BandStats,
    SelfSupervised.name: SelfSupervised,
    BandStatsAndSelfSupervised.name: BandStatsAndSelfSupervised,
}


ULTRASONIC_HZ = 96_000  # from here up a project records bats (pretraining.default_views too)


def default_choice(pretrained: bool, samplerate: int | None) -> tuple[str, str]:
    """(adapter name, why) of a project's embedding when no lead chose one, from the measurements
    (BENCHMARKS.md, "The product's default embedding"; full-data mAP of the linear learner and
    AULC of random sampling with the product's own adapters, 10 seeds):

    - ultrasonic recordings (>= 96 kHz), pretrained or not: band statistics. Bat species: full-data
      mAP 0.987 and random AULC 0.884, against 0.916 / 0.756 for band statistics + the
      self-supervised encoder and 0.630 for the frozen detector; search precision@10 0.39 against
      0.36 (combination), 0.09 (encoder alone) and 0.13 (detector).
    - below 96 kHz (birds), once a pretraining finished: the self-supervised encoder: full-data mAP
      0.783 against 0.638 for band statistics, search precision@10 0.50 against 0.44.
    - below 96 kHz before any pretraining: band statistics (the detector's embedding is a bat
      model's).

    Django-free, so the simulation (``simulate_active_learning --embedding product``) applies the
    very rule the product does.
    """
    if samplerate is not None and samplerate >= ULTRASONIC_HZ:
        return BandStats.name, (
            f"ultrasonic recordings ({samplerate // 1000} kHz): band statistics, measured best for "
            "bat species (full-data mAP 0.987 vs 0.916 with the self-supervised encoder added)"
        )
    if not pretrained:
        return BandStats.name, (
            "no self-supervised pretraining has finished yet: band statistics until one has"
        )
    return SelfSupervised.name, (
        "pretrained, audible-range recordings"
        + (f" ({samplerate // 1000} kHz)" if samplerate else "")
        + ": the self-supervised encoder (birds: full-data mAP 0.783 vs 0.638 for band statistics)"
    )


def _candidates() -> dict[str, str | type]:
    found: dict[str, str | type] = dict(BUILT_IN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep.value.replace(":", ".")
    for path in filter(
        None, (p.strip() for p in os.environ.get("ECHOLOOP_EMBEDDERS", "").split(","))
    ):
        found[path.rsplit(".", 1)[-1]] = path
    return found


def _import(target: str | type) -> type:
    if isinstance(target, type):
        return target
    module, _, attr = target.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def available() -> list[AdapterInfo]:
    """Every adapter known here, with its licence; missing packages are listed as unavailable."""
    infos = []
    for key, target in sorted(_candidates().items()):
        try:
            cls = _import(target)
            infos.append(
                AdapterInfo(getattr(cls, "name", key), cls.licence, getattr(cls, "description", ""))
            )
        except (
            Exception
        ) as exc:  # an adapter's package may be absent or broken: say so, list the rest
            infos.append(AdapterInfo(key, available=False, error=f"{type(exc).__name__}: {exc}"))
    return infos


def needs_encoder(name: str) -> bool:
    """Whether the adapter embeds with the project's own pretrained encoder."""
    target = BUILT_IN.get(name)
    return bool(getattr(target, "needs_encoder", False))


def get(name: str, *, encoder=None) -> EmbeddingAdapter:
    """An instance of the adapter called ``name`` (``encoder``: the project's pretrained encoder,
    for the adapters that need one); ValueError if unknown or not installed."""
    for key, target in _candidates().items():
        try:
            cls = _import(target)
        except Exception:
            continue
        if getattr(cls, "name", key) == name:
            adapter = cls(encoder) if getattr(cls, "needs_encoder", False) else cls()
            if not isinstance(adapter, EmbeddingAdapter):
                raise ValueError(f"{name!r} does not implement the embedding adapter interface")
            return adapter
    raise ValueError(f"no embedding adapter {name!r} is installed")


def embed_windows(adapter: EmbeddingAdapter, samples: np.ndarray, samplerate: int) -> np.ndarray:
    """The adapter's windows, float32 and L2-normalised, checked for shape."""
    out = np.asarray(adapter.embed(samples, samplerate), dtype=np.float32)
    if out.ndim != 2 or not len(out):
        raise ValueError(
            f"adapter {adapter.name!r} returned shape {out.shape}, expected [windows, dims]"
        )
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
