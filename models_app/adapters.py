"""A project's choice of external embedding adapter, and embedding its pool with it.

Choosing an adapter stores its name in ``sampling_params["embedding_adapter"]`` and embeds every
clip of the project in chunks on the ``score`` queue (``tasks.embed_chunk``), into the same
window store the detector's rescore writes (source ``adapter-<name>``). Search and the light head
then read that source instead of the active version's.
"""

from __future__ import annotations

import logging

from celery import chord, group, signature

from annotator import dsp
from annotator.models import Clip, Project
from models_app import embedders, embeddings_store

log = logging.getLogger(__name__)

CHUNK_SIZE = 256


def choose(project: Project, name: str | None) -> list[list[int]]:
    """Set (or clear, with None) the project's adapter; returns the clip chunks left to embed.
    ValueError for an adapter that is not installed."""
    if name:
        embedders.get(name)  # refuses unknown or missing adapters before anything changes
    params = dict(project.sampling_params or {})
    if name:
        params["embedding_adapter"] = name
    else:
        params.pop("embedding_adapter", None)
    project.sampling_params = params
    project.save(update_fields=["sampling_params"])
    if not name:
        return []
    done = set(
        embeddings_store.load(project.pk, embeddings_store.adapter_source(name)).clip_ids.tolist()
    )
    ids = [
        i
        for i in Clip.objects.for_project(project).order_by("pk").values_list("pk", flat=True)
        if i not in done
    ]
    return [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]


def embed_clips(project: Project, name: str, clip_ids: list[int]) -> int:
    """Embed these clips with the adapter and store their windows; unreadable clips are skipped."""
    adapter = embedders.get(name)
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


def embed_pool(project_id: int, adapter: str, chunks: list[list[int]]) -> None:
    """Start embedding the chunks on the score workers (a chord: the store is compacted once they
    are all done). Tasks by name: this runs in the web process, which never imports torch."""
    if chunks:
        chord(
            group(
                signature(
                    "models_app.tasks.embed_chunk", args=(project_id, adapter, c), immutable=True
                )
                for c in chunks
            ),
            signature(
                "models_app.tasks.embed_finished", args=(project_id, adapter), immutable=True
            ),
        ).apply_async()
