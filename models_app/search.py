"""Search by example: a box or a clip → the nearest clips (or windows) of the project's pool.

The query is embedded the way the pool was (the project's embedding, ``adapters.project_embedding``,
or the active version's detector), then compared with every stored window of the project by an exact
scan (``similarity``). Only the project's own windows are ever read: the store is per project,
and matches are looked up again among the project's clips.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from annotator import dsp
from annotator.models import Clip, Project
from models_app import adapters, embedders, embeddings_store, similarity, versions

MAX_K = 100
# Above this many windows an exact scan costs more than a request should (about 0.2 s per
# million on 2 cores): refuse with the reason rather than answer slowly.
MAX_EXACT_WINDOWS = int(os.environ.get("ECHOLOOP_SEARCH_MAX_WINDOWS", "4000000"))


class SearchUnavailable(ValueError):
    """The project has nothing to search with (no embeddings yet) or the query is unusable."""


@dataclass(frozen=True)
class Box:
    """Recording time (s) and optional frequency band (Hz) of the example."""

    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None


@dataclass
class Match:
    clip: Clip
    similarity: float
    window_start_s: float  # recording time of the best window
    window_end_s: float

    @property
    def distance(self) -> float:
        return 1.0 - self.similarity


@dataclass
class SearchResult:
    source: str
    n_windows: int
    seconds: float
    matches: list[Match]
    method: str = "exact"  # or "index" (approximate, past ECHOLOOP_SEARCH_INDEX_ABOVE windows)


def embedding_source(project: Project) -> tuple[str, object]:
    """(store source, what embeds a query): the project's embedding (``adapters.project_embedding``:
    the lead's choice, else the default), or the active trained version's while that embedding's
    store is still empty (its pool is being embedded) or when the lead chose the detector."""
    embedding = adapters.project_embedding(project)
    if embedding.is_adapter:
        if len(embeddings_store.load(project.pk, embedding.source)):
            return embedding.source, embedding
    version = versions.active_version(project)
    if version is None or version.is_external:
        raise SearchUnavailable(
            "no embeddings yet: search needs a trained model version or an embedding adapter"
            + (
                f" (the pool is being embedded with {embedding.name})"
                if embedding.is_adapter
                else ""
            )
        )
    return embeddings_store.version_source(version.pk), version


def query_vector(embedder, clip: Clip, box: Box) -> np.ndarray:
    """The example's embedding, from the clip's audio."""
    with clip.recording.open() as fh:
        samples, samplerate = dsp.read_window(fh, clip.start_s, clip.end_s)
    start, end = box.start_s - clip.start_s, box.end_s - clip.start_s
    if isinstance(embedder, adapters.Embedding):
        try:
            adapter = adapters.adapter_for(clip.project, embedder.name)
        except ValueError as exc:
            raise SearchUnavailable(str(exc)) from exc
        part = samples[
            int(start * samplerate) : max(int(start * samplerate) + 1, int(end * samplerate))
        ]
        return embedders.embed_windows(adapter, part, samplerate).mean(axis=0)
    from models_app.registry import detector_for

    try:
        return detector_for(embedder).embed_region(
            samples, samplerate, start, end, box.low_hz, box.high_hz
        )
    except ValueError as exc:
        raise SearchUnavailable(str(exc)) from exc


def check_box(clip: Clip, box: Box) -> None:
    if not (clip.start_s - 1e-6 <= box.start_s < box.end_s <= clip.end_s + 1e-6):
        raise SearchUnavailable(
            f"the box must lie within the clip ({clip.start_s:g}–{clip.end_s:g} s)"
        )
    if box.low_hz is not None and box.high_hz is not None and not box.low_hz < box.high_hz:
        raise SearchUnavailable("low_hz must be below high_hz")


def find_similar(
    project: Project,
    clip: Clip,
    box: Box | None = None,
    *,
    k: int = 20,
    level: str = "clip",
    unlabelled_only: bool = False,
) -> SearchResult:
    """The ``k`` clips (``level="clip"``: each clip's best window) or windows most similar to the
    box (default: the whole clip), best first, the query clip left out."""
    if clip.project_id != project.pk:
        raise SearchUnavailable("the clip is not in this project")
    whole_clip = box is None
    box = box or Box(clip.start_s, clip.end_s)
    check_box(clip, box)
    k = max(1, min(int(k), MAX_K))
    source, embedder = embedding_source(project)
    windows = embeddings_store.load(project.pk, source)
    if not len(windows):
        raise SearchUnavailable("the pool has no stored embeddings yet (its rescore has not run)")
    index = None
    if len(windows) >= embeddings_store.INDEX_ABOVE:
        index = embeddings_store.load_index(project.pk, source, windows)
    if len(windows) > MAX_EXACT_WINDOWS and index is None:
        raise SearchUnavailable(
            f"{len(windows)} windows exceed ECHOLOOP_SEARCH_MAX_WINDOWS ({MAX_EXACT_WINDOWS}) "
            "and the pool has no index (install usearch: pip install echoloop[index])"
        )
    began = time.perf_counter()
    method = "exact"
    excluded = _excluded(project, clip, unlabelled_only)
    if whole_clip and level == "clip" and len(windows.rows_of(clip.pk)):
        # A clip against clips, from its stored windows: no audio to read, no model to run.
        hits = nearest_clips(windows, clip.pk, k, excluded)
    else:
        query = query_vector(embedder, clip, box) - windows.centred()[0]
        if index is not None:
            method = "index"
            hits = nearest_indexed(windows, index, query, k, level=level, exclude_clips=excluded)
        else:
            hits = nearest(windows, query, k, level=level, exclude_clips=excluded)
    matches = _matches(project, windows, hits)
    return SearchResult(source, len(windows), time.perf_counter() - began, matches, method)


def nearest(
    windows: embeddings_store.WindowSet,
    query: np.ndarray,
    k: int,
    *,
    level: str = "clip",
    exclude_clips: np.ndarray | None = None,
) -> similarity.Hits:
    """Rows of ``windows`` (the best window of each clip with ``level="clip"``), best first, by
    cosine similarity to ``query`` among the centred windows (``WindowSet.centred``)."""
    sims = similarity.similarities(windows.centred()[1], query)
    excluded = _rows_of_clips(windows, exclude_clips) if exclude_clips is not None else None
    if level == "window":
        return similarity.top_k(sims, k, exclude=excluded)
    if level != "clip":
        raise SearchUnavailable("level must be 'clip' or 'window'")
    if excluded is not None:
        sims[excluded] = -np.inf
    starts = windows.group_starts
    hits = similarity.top_k(similarity.per_group_best(sims, starts), k)
    rows = [similarity.best_row(sims, starts, g) for g in hits.indices.tolist()]
    return similarity.Hits(np.array(rows, dtype=np.int64), hits.similarities)


def nearest_indexed(
    windows: embeddings_store.WindowSet,
    index: similarity.UsearchIndex,
    query: np.ndarray,
    k: int,
    *,
    level: str = "clip",
    exclude_clips: np.ndarray | None = None,
) -> similarity.Hits:
    """Like ``nearest``, from the approximate index: a wider candidate list, then the excluded clips
    dropped and (``level="clip"``) each clip's best window kept."""
    found = index.search(query, min(len(windows), 20 * k + 50))
    rows, sims = found.indices, found.similarities
    if exclude_clips is not None and len(exclude_clips):
        keep = ~np.isin(windows.clip_ids[rows], exclude_clips)
        rows, sims = rows[keep], sims[keep]
    if level == "clip":
        first = np.sort(np.unique(windows.clip_ids[rows], return_index=True)[1])
        rows, sims = rows[first], sims[first]
    elif level != "window":
        raise SearchUnavailable("level must be 'clip' or 'window'")
    return similarity.Hits(rows[:k], sims[:k])


def _rows_of_clips(windows: embeddings_store.WindowSet, clip_ids: np.ndarray) -> np.ndarray:
    """Boolean mask of the windows of these clips (a few searchsorted calls, not a 1M-row isin)."""
    mask = np.zeros(len(windows), dtype=bool)
    for c in np.asarray(clip_ids).tolist():
        mask[windows.rows_of(c)] = True
    return mask


def nearest_clips(
    windows: embeddings_store.WindowSet, clip_id: int, k: int, exclude_clips: np.ndarray
) -> similarity.Hits:
    """Clips most similar to clip ``clip_id`` as wholes (mean of their centred windows); returns
    each clip's first window row."""
    ids, vectors = windows.centred_clips()
    query = vectors[np.searchsorted(ids, clip_id)].astype(np.float32)
    hits = similarity.exact_top_k(vectors, query, k, exclude=np.isin(ids, exclude_clips))
    return similarity.Hits(windows.group_starts[hits.indices], hits.similarities)


def _excluded(project: Project, clip: Clip, unlabelled_only: bool) -> np.ndarray:
    ids = [clip.pk]
    if unlabelled_only:
        ids += list(Clip.objects.for_project(project).labelled().values_list("pk", flat=True))
    return np.array(ids, dtype=np.int64)


def _matches(project: Project, windows, hits: similarity.Hits) -> list[Match]:
    ids = windows.clip_ids[hits.indices].tolist()
    clips = (
        Clip.objects.for_project(project).filter(pk__in=ids).select_related("recording").in_bulk()
    )
    out = []
    for row, sim in zip(hits.indices.tolist(), hits.similarities.tolist(), strict=True):
        clip = clips.get(int(windows.clip_ids[row]))
        if clip is None:  # deleted since it was embedded
            continue
        start = clip.start_s + float(windows.starts_s[row])
        out.append(Match(clip, float(sim), start, min(clip.end_s, start + windows.window_s)))
    return out


# --- labelling matches ----------------------------------------------------------------------------


class AlreadyLabelled(ValueError):
    """The user has an annotation of this clip already: they edit it on the clip's page."""


@dataclass(frozen=True)
class MatchLabel:
    """One match to label: its clip and the window (recording time) the search matched."""

    clip: Clip
    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None


def label_matches(project: Project, user, tag, matches: list[MatchLabel]) -> list:
    """Save ``tag`` on each match as the user's annotation (a box over the matched window), pending
    review like any answer; all or nothing. A clip the user already annotated refuses the whole
    batch (AlreadyLabelled): their earlier answer is never overwritten from the strip."""
    from django.db import transaction

    from annotator.models import ClipAnnotation
    from annotator.queue import (
        EventInput,
        Submission,
        require_annotator,
        save_annotation,
        validate_submission,
    )
    from annotator.signals import labels_submitted

    require_annotator(project, user)
    if tag.project_id != project.pk:
        raise SearchUnavailable("the tag is not one of this project's")
    done = set(
        ClipAnnotation.objects.filter(
            annotator=user, clip__in=[m.clip for m in matches]
        ).values_list("clip_id", flat=True)
    )
    if done:
        raise AlreadyLabelled(f"you have already annotated clip(s) {sorted(done)}")
    saved = []
    with transaction.atomic():
        for m in matches:
            if m.clip.project_id != project.pk:
                raise SearchUnavailable("a match is not in this project")
            event = EventInput(
                max(m.start_s, m.clip.start_s),
                min(m.end_s, m.clip.end_s),
                m.low_hz,
                m.high_hz,
                tag=tag.pk,
            )
            # A box-mode project needs a band: without one from the query, the clip gets the tag only.
            events = (
                []
                if m.low_hz is None and project.annotation_mode == Project.AnnotationMode.BOX
                else [event]
            )
            data = Submission(
                tags=[tag.pk], events=events, notes="labelled from a search by example"
            )
            validate_submission(project, m.clip, data)
            saved.append(save_annotation(project, m.clip, user, data))
        if saved:
            transaction.on_commit(
                lambda: labels_submitted.send_robust(
                    sender=MatchLabel, project=project, annotation=saved[-1]
                ),
                robust=True,
            )
    return saved
