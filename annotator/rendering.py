"""Views of recordings for the page: spectrogram/scalogram PNGs with their exact extent, and audio.

Rendered images are cached in the default storage under a key of (recording hash, window,
parameters), within a byte cap (`annotator.viewcache`); the key doubles as the ETag, so a browser
revalidation costs no storage read.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from typing import IO, Any

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

from annotator import dsp, imaging, renderpool, viewcache, wavio
from annotator.dsp import limits
from annotator.models import AudioRoot, Clip, Project, Recording

RENDERER_VERSION = "2"
MAX_WINDOW_S = 60.0
MAX_PIXELS = 4096
MAX_FREQUENCY = 500_000.0  # Nyquist of the fastest sample rate accepted at ingest
BASE_IMAGE = {"width": 1600, "height": 512}  # what the annotation page asks for first
KINDS = ("spectrogram", "scalogram")


class BadViewRequest(ValueError):
    """A view parameter out of range; the message names it (HTTP 400)."""


@dataclass(frozen=True)
class ViewSpec:
    """Everything that determines a rendered image."""

    kind: str
    start: float
    end: float
    fmin: float
    fmax: float
    scale: str
    norm: str
    db_min: float
    db_max: float
    cmap: str
    frame: int  # STFT window in samples, quantised (`limits.frame_samples`)
    pad: int  # FFT zero-padding factor (`auto.fft_pad`)
    overlap: float
    window_type: str
    sharpen: str
    levels: str
    w0: float
    width: int | None
    height: int | None
    channel: int

    def key(self, recording: Recording) -> str:
        raw = repr((RENDERER_VERSION, recording.sha256, astuple(self)))
        return hashlib.sha256(raw.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class RenderedView:
    png: bytes
    extent: dict[str, float]
    key: str
    cached: bool


def number_param(params, name: str, default, cast=float, *, lo=None, hi=None):
    raw = params.get(name)
    if raw in (None, "", "null", "undefined"):
        return default
    try:
        value = cast(raw)
    except (TypeError, ValueError) as exc:
        raise BadViewRequest(f"{name}: not a number: {raw!r}") from exc
    if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise BadViewRequest(f"{name}: {raw} is outside {lo}..{hi}")
    return value


def last_end(recording: Recording) -> float:
    """The latest end a window may ask for: the recording's end, give or take a sample (clip
    bounds are stored to the microsecond, so a last clip may end a rounding past it)."""
    return recording.duration_s + 1.0 / recording.samplerate + 1e-9


def default_window(project: Project, clip: Clip) -> tuple[float, float]:
    """The clip with the project's context before and after it, inside the recording."""
    return clip.with_context(project.context_s)


def parse_spec(kind: str, params, recording: Recording, project: Project) -> ViewSpec:
    """Validate query parameters (defaults from the project's settings) into a ViewSpec."""
    if kind not in KINDS:
        raise BadViewRequest(f"kind: must be one of {KINDS}")
    nyquist = recording.samplerate / 2
    start = number_param(params, "start", 0.0, lo=0.0, hi=recording.duration_s)
    end = number_param(
        params, "end", min(recording.duration_s, start + 1.0), lo=0.0, hi=last_end(recording)
    )
    if not end > start:
        raise BadViewRequest("end: must be after start")
    if end - start > MAX_WINDOW_S:
        raise BadViewRequest(
            f"end: windows are limited to {MAX_WINDOW_S:.0f} s; use tiles for long recordings"
        )
    # A project's band may reach above a low-rate recording's Nyquist: clamp, the extent tells.
    fmax = min(
        number_param(params, "fmax", project.fmax_hz or nyquist, lo=0.0, hi=MAX_FREQUENCY), nyquist
    )
    fmin = min(
        number_param(params, "fmin", project.fmin_hz, lo=0.0, hi=MAX_FREQUENCY), nyquist * 0.99
    )
    if not fmax > fmin:
        raise BadViewRequest("fmax: must be above fmin")
    if kind == "scalogram" and fmin <= 0:
        fmin = min(1000.0, fmax / 2)
    levels = _choice(params, "levels", "auto" if project.auto_levels else "fixed", limits.LEVELS)
    db_min, db_max = float(project.db_min), float(project.db_max)
    if levels == "fixed":  # auto levels ignore the range, so it stays out of the cache key
        db_min = number_param(params, "db_min", project.db_min, lo=-300.0, hi=100.0)
        db_max = number_param(params, "db_max", project.db_max, lo=-300.0, hi=100.0)
        if not db_max > db_min:
            raise BadViewRequest("db_max: must be above db_min")
    width = number_param(params, "width", None, int, lo=16, hi=MAX_PIXELS)
    height = number_param(params, "height", None, int, lo=16, hi=MAX_PIXELS)
    window = _window(kind, params, recording, project, (end - start, width, fmax - fmin, height))
    spec = ViewSpec(
        kind=kind,
        start=round(float(start), 6),
        end=round(float(end), 6),
        # floats throughout: the key must not depend on whether a setting was given as 10000 or 10000.0
        fmin=round(float(fmin), 3),
        fmax=round(float(fmax), 3),
        scale=_choice(params, "scale", project.freq_scale, ("linear", "mel")),
        norm=_choice(params, "norm", "db", ("db", "pcen")),
        db_min=float(round(db_min)),  # the page's sliders move in 1-dB steps
        db_max=float(round(db_max)),
        cmap=_choice(params, "cmap", project.colormap, tuple(imaging.COLORMAPS)),
        levels=levels,
        width=width,
        height=height,
        channel=number_param(params, "channel", 0, int, lo=0, hi=recording.channels - 1),
        **window,
    )
    _check_cost(spec, recording.samplerate)
    return spec


def _window(
    kind: str, params, recording: Recording, project: Project, view: tuple
) -> dict[str, Any]:
    """The view's window settings, validated by the project's rule and quantised for the key.

    ``window_s=auto`` (the default when the project says so) follows the zoom
    (`dsp.auto.auto_window_s`, with the project's window as the longest). Settings a kind does
    not use are fixed to neutral values, so they do not split its cache entries.
    """
    span_s, width, band_hz, height = view
    raw_window = params.get("window_s")
    auto = raw_window == "auto" or (
        raw_window in (None, "", "null", "undefined") and project.auto_window
    )
    window_s = project.window_s if auto else number_param(params, "window_s", project.window_s)
    values = {
        "window_s": window_s,
        "overlap": number_param(params, "overlap", project.overlap),
        "window_type": str(params.get("window_type") or project.window_type),
        "sharpen": str(params.get("sharpen") or project.sharpen),
        "w0": number_param(params, "w0", project.wavelet_w0),
    }
    errors = limits.view_settings_errors(**values)
    if errors:
        name, message = next(iter(errors.items()))
        raise BadViewRequest(f"{name}: {message}")
    if kind == "scalogram":
        return {
            "frame": 0,
            "pad": 1,
            "overlap": 0.0,
            "window_type": "",
            "sharpen": "none",
            "w0": limits.quantise_w0(values["w0"]),
        }
    if auto:
        window_s = dsp.auto_window_s(span_s, width, window_s)
    frame = limits.frame_samples(window_s, recording.samplerate)
    return {
        "frame": frame,
        "pad": dsp.fft_pad(frame, recording.samplerate, band_hz, height),
        "overlap": limits.quantise_overlap(values["overlap"]),
        "window_type": values["window_type"],
        "sharpen": values["sharpen"],
        "w0": 0.0,
    }


def _check_cost(spec: ViewSpec, samplerate: int) -> None:
    """Refuse (400) a view whose estimated work is beyond `limits.MAX_WORK`, before reading audio."""
    n_samples = round((spec.end - spec.start) * samplerate)
    if spec.kind == "spectrogram":
        hop = max(1, round(spec.frame * (1.0 - spec.overlap)))
        work = limits.spectrogram_work(n_samples, spec.frame, spec.pad, hop, spec.sharpen)
    else:
        fmin = max(spec.fmin, 1.0)
        work = limits.scalogram_work(
            n_samples, samplerate, fmin, spec.fmax, spec.height or 256, spec.width or 1000, spec.w0
        )
    try:
        limits.check_work(work)
    except ValueError as exc:
        raise BadViewRequest(f"view: {exc}") from exc


def _choice(params, name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = str(params.get(name) or default)  # a plain str, not a model's TextChoices member
    if value not in allowed:
        raise BadViewRequest(f"{name}: must be one of {', '.join(allowed)}")
    return value


class _RecentViews:
    """The last rendered views of this process, by key, within a byte budget: the hot path
    (an annotator flipping between clips) then never touches storage."""

    def __init__(self, budget: int) -> None:
        self.budget, self.size = budget, 0
        self.items: OrderedDict[str, RenderedView] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> RenderedView | None:
        with self.lock:
            view = self.items.get(key)
            if view is not None:
                self.items.move_to_end(key)
            return view

    def put(self, view: RenderedView) -> None:
        with self.lock:
            if view.key in self.items or len(view.png) > self.budget:
                return
            self.items[view.key] = view
            self.size += len(view.png)
            while self.size > self.budget:
                _key, old = self.items.popitem(last=False)
                self.size -= len(old.png)


RECENT = _RecentViews(budget=64 * 1024 * 1024)


def render(
    recording: Recording, spec: ViewSpec, *, user=None, since: float | None = None
) -> RenderedView:
    """The PNG and extent for ``spec``: from memory, else from storage, else rendered and stored.

    With a ``user`` (a web request) an uncached render runs in the render pool, under its time
    budget (counted from ``since``, the request's `time.monotonic()`) and the user's share of
    concurrent renders (`annotator.renderpool`; raises OverBudget, TooManyRenders or
    RenderFailed). Without one (tasks, commands) it runs in this process.
    """
    key = spec.key(recording)
    view = RECENT.get(key) or _stored(key)
    if view is None:
        if user is None:
            png, extent = draw(recording, spec)
        else:
            with renderpool.admitted(user):
                png, extent = renderpool.run(draw, audio_source(recording), spec, since=since)
        png_path, meta_path = viewcache.paths(key)
        meta = json.dumps(extent).encode()
        # The PNG first: a reader that finds the JSON can rely on the PNG being complete.
        _save(png_path, png)
        _save(meta_path, meta)
        viewcache.stored(key, len(png) + len(meta))
        view = RenderedView(png, extent, key, cached=False)
    RECENT.put(RenderedView(view.png, view.extent, key, cached=True))
    return view


def cached(recording: Recording, spec: ViewSpec) -> RenderedView | None:
    """The view if it is rendered already (memory or storage), else None; never renders."""
    key = spec.key(recording)
    return RECENT.get(key) or _stored(key)


def _stored(key: str) -> RenderedView | None:
    png_path, meta_path = viewcache.paths(key)
    if not default_storage.exists(meta_path):
        return None
    with default_storage.open(meta_path, "rb") as meta, default_storage.open(png_path, "rb") as png:
        raw_png, raw_meta = png.read(), meta.read()
    viewcache.used(key, len(raw_png) + len(raw_meta))
    return RenderedView(raw_png, json.loads(raw_meta), key, cached=True)


@dataclass(frozen=True)
class StoredAudio:
    """Audio in object storage, as a render process opens it: the storage class and the options
    the web process resolved (a render process must not depend on its own settings: they are
    the environment's, not what this process was configured with), and the file's name."""

    backend: str
    options: dict
    name: str

    def open(self) -> IO[bytes]:
        return import_string(self.backend)(**self.options).open(self.name, "rb")


def audio_source(recording: Recording) -> str | StoredAudio:
    """What a render process opens: the file's path when it is on this machine's disk, else where
    it is in object storage (`StoredAudio`)."""
    if recording.file:
        try:
            return recording.file.path
        except NotImplementedError:  # a storage without local paths (S3)
            config = settings.STORAGES["default"]
            return StoredAudio(
                config["BACKEND"], dict(config.get("OPTIONS", {})), recording.file.name
            )
    if recording.root.kind != AudioRoot.Kind.S3:
        return recording.root.resolve(recording.path)
    options = recording.root.storage_options()
    return StoredAudio(
        "storages.backends.s3.S3Storage", options, recording.root.resolve(recording.path)
    )


@contextmanager
def _open(source: str | StoredAudio | Recording) -> Iterator[IO[bytes]]:
    if isinstance(source, str):
        with open(source, "rb") as fh:
            yield fh
    else:  # StoredAudio, or a Recording (renders in this process)
        with source.open() as fh:
            yield fh


def _save(path: str, data: bytes) -> None:
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))


def draw(source: str | StoredAudio | Recording, spec: ViewSpec) -> tuple[bytes, dict[str, float]]:
    """Render ``spec`` from the audio at ``source`` (`audio_source`): (PNG, extent)."""
    with _open(source) as fh:
        samples, samplerate = dsp.read_window(fh, spec.start, spec.end, channel=spec.channel)
    if samples.size < 16:
        raise BadViewRequest("the window holds too few samples to draw")
    try:
        with dsp.in_flight():  # concurrent renders share the cores instead of oversubscribing them
            image = _compute(samples, samplerate, spec)
    except ValueError as exc:  # parameters dsp refuses for this recording (e.g. band vs Nyquist)
        raise BadViewRequest(f"view: {exc}") from exc
    values = image.values
    vmin, vmax = image.vmin, image.vmax
    if spec.levels == "auto":  # levels of the image as drawn: pool first, then take percentiles
        values = imaging.shrink(values, spec.width or image.n_cols, spec.height or image.n_rows)
        vmin, vmax = dsp.auto_levels(values, spec.norm)
    png = imaging.render_png(
        values, vmin=vmin, vmax=vmax, colormap=spec.cmap, width=spec.width, height=spec.height
    )
    # dsp's extent is relative to the first sample read; the page wants recording time.
    offset = round(spec.start * samplerate) / samplerate
    extent = {
        "start": offset + image.t_start,
        "end": offset + image.t_end,
        "low": image.f_low,
        "high": image.f_high,
        "scale": image.scale,
        "vmin": round(vmin, 2),
        "vmax": round(vmax, 2),
    }
    return png, extent


def _compute(samples, samplerate: int, spec: ViewSpec) -> dsp.Spectrogram:
    common: dict[str, Any] = {"norm": spec.norm, "db_min": spec.db_min, "db_max": spec.db_max}
    if spec.kind == "spectrogram":
        params = dsp.SpectrogramParams(
            n_fft=spec.frame,
            pad=spec.pad,
            overlap=spec.overlap,
            window=spec.window_type,
            sharpen=spec.sharpen,
            fmin=spec.fmin,
            fmax=spec.fmax,
            scale=spec.scale,
            **common,
        )
        return dsp.spectrogram(samples, samplerate, params)
    params = dsp.ScalogramParams(
        fmin=max(spec.fmin, 1.0),
        fmax=spec.fmax,
        n_rows=spec.height or 256,
        n_cols=spec.width or 1000,
        w0=spec.w0,
        **common,
    )
    return dsp.scalogram(samples, samplerate, params)


@dataclass(frozen=True)
class AudioWindow:
    """A window of one channel as a 16-bit mono WAV, described before any sample is decoded: its
    size is known from the frame count, so a Range request decodes only the samples it returns."""

    first: int  # first frame of the recording in the window
    frames: int
    samplerate: int
    channel: int
    expansion: float
    band: tuple[float, float] | None  # band-pass edges (Hz), or None for the raw samples

    @property
    def header(self) -> bytes:
        return wavio.wav_header(self.frames, self.samplerate, time_expansion=self.expansion)

    @property
    def size(self) -> int:
        return wavio.WAV_HEADER_BYTES + self.frames * wavio.SAMPLE_BYTES


def audio_window(recording: Recording, params) -> AudioWindow:
    """Validate an audio request into an AudioWindow (slowed down by ``expansion``, band-passed if
    asked), refusing windows over ECHOLOOP_MAX_AUDIO_SAMPLES before any work."""
    start = number_param(params, "start", 0.0, lo=0.0, hi=recording.duration_s)
    end = number_param(params, "end", recording.duration_s, lo=0.0, hi=last_end(recording))
    if not end > start:
        raise BadViewRequest("end: must be after start")
    limit = settings.ECHOLOOP_MAX_AUDIO_SAMPLES
    if (end - start) * recording.samplerate > limit:
        raise BadViewRequest(
            f"end: at most {limit} samples a request ({limit / recording.samplerate:.0f} s at "
            f"{recording.samplerate} Hz); ask for a shorter window"
        )
    expansion = number_param(params, "expansion", 1.0, lo=1.0, hi=100.0)
    channel = number_param(params, "channel", 0, int, lo=0, hi=recording.channels - 1)
    nyquist = recording.samplerate / 2
    low = number_param(params, "low", None, lo=0.0, hi=nyquist)
    high = number_param(params, "high", None, lo=0.0, hi=nyquist)
    band = None
    if low is not None or high is not None:
        band = (low or 0.0, high or nyquist)
        if not band[0] < band[1]:
            raise BadViewRequest(f"low/high: band {band[0]}-{band[1]} Hz must have low < high")
    # The frames dsp.read_window returns for this window (clamped to the file).
    first = min(max(0, round(start * recording.samplerate)), recording.frames)
    stop = min(max(first, round(end * recording.samplerate)), recording.frames)
    if expansion and round(recording.samplerate / expansion) < 1:
        raise BadViewRequest("expansion: the slowed-down rate would be below 1 Hz")
    return AudioWindow(first, stop - first, recording.samplerate, channel, expansion, band)


# Band-pass filtering a part of a window: this many periods of the lowest band edge are read on
# each side, so the zero-phase filter has settled where the part starts (within 1 LSB of 16 bits).
_FILTER_MARGIN_PERIODS = 64


def audio_bytes(
    recording: Recording, window: AudioWindow, first_byte: int, last_byte: int
) -> bytes:
    """Bytes ``first_byte..last_byte`` (inclusive) of the window's WAV, decoding only the samples
    they hold (plus the band-pass filter's margin): a one-byte Range costs one sample."""
    header = window.header
    out = header[first_byte : last_byte + 1]
    if last_byte < len(header) or window.frames == 0:
        return out
    width = wavio.SAMPLE_BYTES
    lo = max(0, first_byte - len(header)) // width  # first and last sample the range touches
    hi = min(window.frames - 1, (last_byte - len(header)) // width)
    pcm = wavio.pcm16(_window_samples(recording, window, lo, hi + 1))
    skip = max(0, first_byte - len(header)) - lo * width
    return out + pcm[skip : skip + (last_byte + 1 - max(first_byte, len(header)))]


def _window_samples(recording: Recording, window: AudioWindow, lo: int, hi: int):
    """Samples ``lo..hi`` (end excluded) of the window, band-passed as the whole window would be."""
    margin = 0
    if window.band is not None:
        edge = window.band[0] or window.band[1]
        margin = math.ceil(_FILTER_MARGIN_PERIODS * window.samplerate / max(edge, 1.0))
    read_lo, read_hi = max(0, lo - margin), min(window.frames, hi + margin)
    rate = window.samplerate
    with recording.open() as fh:
        samples, _rate = dsp.read_window(
            fh,
            (window.first + read_lo) / rate,
            (window.first + read_hi) / rate,
            channel=window.channel,
        )
    if (
        len(samples) < read_hi - read_lo
    ):  # the file is shorter than its row says: silence, not a short body
        samples = np.concatenate(
            [samples, np.zeros(read_hi - read_lo - len(samples), dtype=samples.dtype)]
        )
    if window.band is not None:
        try:
            samples = wavio.bandpass(samples, rate, *window.band)
        except ValueError as exc:
            raise BadViewRequest(f"low/high: {exc}") from exc
    return samples[lo - read_lo : hi - read_lo]


def prerender(clip: Clip) -> list[str]:
    """Render the views the annotation page asks for first, so annotators never wait."""
    project, recording = clip.project, clip.recording
    start, end = default_window(project, clip)
    keys = []
    for kind in KINDS:
        spec = parse_spec(kind, {"start": start, "end": end, **BASE_IMAGE}, recording, project)
        keys.append(render(recording, spec).key)
    return keys
