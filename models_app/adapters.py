"""The embedding a project uses (sampling, search, light head), and embedding its pool with it.

One rule decides it (``project_embedding``): a lead's explicit choice (an adapter, or
``"detector"`` for the active version's own embedding) wins; otherwise the default measured best
(``default_embedding``). The adapters' windows go into the same window store the detector's rescore
writes (source ``adapter-<name>``), embedded in chunks on the ``score`` queue
(``tasks.embed_chunk``): every clip when the embedding changes, new clips after an import or a
rescore (``pending_chunks``). A pool is sent in waves (``tasks.embed_wave``), as a rescore is: at most
``WAVE_CHUNKS`` chunk tasks wait in the broker at any time, and nothing lists the whole pool's ids
in a web request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from celery import signature
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Min

from annotator import dsp
from annotator.models import Clip, Project, Recording
from models_app import embedders, embeddings_store

log = logging.getLogger(__name__)

CHUNK_SIZE = 256
WAVE_CHUNKS = settings.ECHOLOOP_RESCORE_IN_FLIGHT  # chunk tasks of one embedding in flight at once
DETECTOR = "detector"  # a lead's explicit choice of the active version's own embedding
BAND_STATS = embedders.BandStats.name
SELF_SUPERVISED = embedders.SelfSupervised.name
COMBINED = embedders.BandStatsAndSelfSupervised.name
ULTRASONIC_HZ = embedders.ULTRASONIC_HZ


def encoder_path(project: Project) -> str:
    """Where the project's self-supervised encoder (``models_app.pretraining``) is stored."""
    return f"ssl/{project.pk}/encoder.pt"


def has_encoder(project: Project) -> bool:
    """Whether a pretraining of the project has finished (its encoder is stored); no torch."""
    return default_storage.exists(encoder_path(project))


@dataclass(frozen=True)
class Embedding:
    """What embeds the project's pool: an adapter's name or ``DETECTOR``, who decided, and why."""

    name: str
    chosen_by: str  # "lead" or "default"
    reason: str

    @property
    def is_adapter(self) -> bool:
        return self.name != DETECTOR

    @property
    def source(self) -> str | None:
        """The window store's source of an adapter (None for the detector: its version's)."""
        return embeddings_store.adapter_source(self.name) if self.is_adapter else None

    def as_dict(self) -> dict:
        return {"name": self.name, "chosen_by": self.chosen_by, "reason": self.reason}


def default_embedding(pretrained: bool, samplerate: int | None) -> Embedding:
    """The project's embedding when no lead chose one (the rule and its measurements:
    ``embedders.default_choice``)."""
    name, reason = embedders.default_choice(pretrained, samplerate)
    return Embedding(name, "default", reason)


def project_samplerate(project: Project) -> int | None:
    """The lowest sample rate of the project's recordings (as its pretraining reads them)."""
    return Recording.objects.filter(project=project).aggregate(sr=Min("samplerate"))["sr"]


def project_embedding(project: Project) -> Embedding:
    """The embedding the project uses everywhere: the lead's choice, else the default."""
    chosen = (project.sampling_params or {}).get("embedding_adapter")
    if chosen:
        return Embedding(chosen, "lead", "chosen by a lead")
    return default_embedding(has_encoder(project), project_samplerate(project))


def adapter_for(project: Project, name: str) -> embedders.EmbeddingAdapter:
    """An instance of the adapter for this project: the ones built on the project's encoder load
    it (torch: call on workers only). ValueError if it cannot be had."""
    if not embedders.needs_encoder(name):
        return embedders.get(name)
    from models_app.selfsupervised import Encoder

    path = encoder_path(project)
    if not default_storage.exists(path):
        raise ValueError(
            f"{name!r} needs the project's self-supervised pretraining to finish first"
        )
    with default_storage.open(path, "rb") as fh:
        return embedders.get(name, encoder=Encoder.load(fh.read()))


def check_choice(project: Project, name: str) -> None:
    """Refuse (ValueError) an adapter that is not installed, or not usable in this project yet."""
    if name == DETECTOR:
        return
    embedders.get(name)
    if embedders.needs_encoder(name) and not has_encoder(project):
        raise ValueError(
            f"{name!r} embeds with the project's self-supervised encoder: run a pretraining first"
        )


def listing(project: Project) -> list[dict]:
    """The installed adapters with their licences; those built on the project's encoder are
    listed unavailable (with the reason) until a pretraining has finished."""
    pretrained = has_encoder(project)
    out = []
    for info in embedders.available():
        row = vars(info).copy()
        if info.available and embedders.needs_encoder(info.name) and not pretrained:
            row.update(available=False, error="usable once a self-supervised pretraining finished")
        out.append(row)
    return out


def choose(project: Project, name: str | None) -> Embedding:
    """Set (or clear, with None: back to the default) the lead's choice; returns the project's
    embedding now (``embed_pool`` then embeds what its store lacks, on the workers). ValueError for
    an adapter that is not installed or not usable yet, before anything changes."""
    if name:
        check_choice(project, name)
    params = dict(project.sampling_params or {})
    if name:
        params["embedding_adapter"] = name
    else:
        params.pop("embedding_adapter", None)
    project.sampling_params = params
    project.save(update_fields=["sampling_params"])
    return project_embedding(project)


def pending_chunks(
    project: Project,
    embedding: Embedding | None = None,
    *,
    after_pk: int = 0,
    max_chunks: int | None = None,
    compacted_only: bool = False,
) -> list[list[int]]:
    """Chunks of the project's clips above ``after_pk``, in id order, that its embedding's store
    lacks (none for the detector: the rescore stores its windows); at most ``max_chunks``.

    ``compacted_only``: count as stored only what the last compaction holds (one read of its clip
    ids), not the chunk files written since — a wave of a first embedding must not read every
    window written so far."""
    embedding = embedding or project_embedding(project)
    if not embedding.is_adapter:
        return []
    if compacted_only:
        done = embeddings_store.compacted_clip_ids(project.pk, embedding.source)
    else:
        done = embeddings_store.stored_clip_ids(project.pk, embedding.source)
    limit = None if max_chunks is None else max_chunks * CHUNK_SIZE
    ids: list[int] = []
    query = (
        Clip.objects.for_project(project)
        .filter(pk__gt=after_pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batch: list[int] = []
    for pk in query.iterator(chunk_size=10_000):
        batch.append(pk)
        if len(batch) == 10_000:
            ids += _not_in(batch, done)
            batch = []
            if limit is not None and len(ids) >= limit:
                break
    ids += _not_in(batch, done)
    if limit is not None:
        ids = ids[:limit]
    return [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]


def _not_in(ids: list[int], done: np.ndarray) -> list[int]:
    if not ids:
        return []
    arr = np.asarray(ids, dtype=np.int64)
    return arr[~np.isin(arr, done)].tolist()


def keep_embedded(project: Project) -> Embedding:
    """Queue the embedding of every clip the project's embedding has not embedded yet (after an
    import or a rescore); returns the embedding. Skipped while an embedding of the same source is
    under way (its chunks are not stored yet, and would be queued a second time)."""
    embedding = project_embedding(project)
    if not embedding.is_adapter or in_flight(project, embedding):
        return embedding
    if pending_chunks(project, embedding, max_chunks=1):
        embed_pool(project.pk, embedding.name)
    elif not embeddings_store.has_clip_means(project.pk, embedding.source):
        embeddings_store.compact(project.pk, embedding.source)  # a store from before clip means
    return embedding


def in_flight(project: Project, embedding: Embedding) -> bool:
    """Whether an embedding of the pool with it is under way (its chunks not all stored yet)."""
    return cache.get(_in_flight_key(project.pk, embedding.name)) is not None


def forget_encoder_windows(project: Project) -> None:
    """A new encoder makes the windows of the adapters built on the old one stale: drop them."""
    for name in (SELF_SUPERVISED, COMBINED):
        embeddings_store.delete(project.pk, embeddings_store.adapter_source(name))


def embed_clips(project: Project, name: str, clip_ids: list[int]) -> int:
    """Embed these clips with the adapter and store their windows; unreadable clips are skipped."""
    adapter = adapter_for(project, name)
    clips = list(
        Clip.objects.for_project(project).filter(pk__in=clip_ids).select_related("recording__root")
    )
    ids, windows = [], []
    for clip in clips:
        try:
            with clip.recording.open() as fh:
                samples, samplerate = dsp.read_window(fh, clip.start_s, clip.end_s)
        except (dsp.AudioError, OSError) as exc:
            log.warning("clip %s not embedded: %s", clip.pk, exc)
            continue
        ids.append(clip.pk)
        windows.append(embedders.embed_windows(adapter, samples, samplerate))
    embeddings_store.write_chunk(
        project.pk, embeddings_store.adapter_source(name), ids, windows, adapter.window_s
    )
    return len(ids)


IN_FLIGHT_SECONDS = 2 * 3600  # an embedding whose chord never ends stops blocking top-ups then


def _in_flight_key(project_id: int, name: str) -> str:
    return f"echoloop:embedding:{project_id}:{name}"


def embed_pool(project_id: int, adapter: str) -> None:
    """Start embedding what the adapter's store lacks on the score workers: a first wave
    (``tasks.embed_wave``) sends up to ``WAVE_CHUNKS`` chunk tasks as a chord whose body is the
    next wave, and the last wave compacts the store (``embedding_finished``). Sent by name: this
    runs in the web process, which never imports torch. Nothing to embed: the adapter's store is
    not touched (the detector has none)."""
    if adapter == DETECTOR:
        return
    cache.set(_in_flight_key(project_id, adapter), 1, timeout=IN_FLIGHT_SECONDS)
    signature("models_app.tasks.embed_wave", args=(project_id, adapter, 0)).apply_async()


def embed_wave(project: Project, adapter: str, after_pk: int) -> list[list[int]]:
    """The chunks of the next wave: clips above ``after_pk`` the store's last compaction lacks
    (clips already embedded in an interrupted run are embedded again: chunks are idempotent)."""
    cache.set(_in_flight_key(project.pk, adapter), 1, timeout=IN_FLIGHT_SECONDS)
    embedding = Embedding(adapter, "lead", "")
    return pending_chunks(
        project, embedding, after_pk=after_pk, max_chunks=WAVE_CHUNKS, compacted_only=True
    )


def embedding_finished(project_id: int, adapter: str) -> int:
    """Compact the adapter's store once its chunks are all written; returns its windows."""
    cache.delete(_in_flight_key(project_id, adapter))
    return embeddings_store.compact(project_id, embeddings_store.adapter_source(adapter))


def after_pretraining(project: Project) -> Embedding:
    """A pretraining finished: the windows of the old encoder go, and the pool is embedded with
    the project's embedding (its default may have just changed)."""
    forget_encoder_windows(project)
    embedding = project_embedding(project)
    if embedding.is_adapter:
        embed_pool(project.pk, embedding.name)
    return embedding
