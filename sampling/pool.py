"""The pool as arrays: candidate clips, their strata, the active version's scores and the project's
embedding (``adapters.project_embedding``), read as
columns (chunked ``values_list`` iterators, never one ORM object per clip, never an IN list of
every id), so a round over a million clips costs seconds and the same on SQLite and PostgreSQL.
Only the clips a round picks become objects (``clips_by_id``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import islice

import numpy as np

from annotator import dsp
from annotator.models import Clip, ClipAnnotation, Project, Recording, SamplingRole, Site
from models_app import adapters, embeddings_store, poolscores
from models_app.models import ModelVersion
from sampling import strategies

log = logging.getLogger(__name__)

COLD_START_FEATURE_LIMIT = 20_000  # above this many clips, a cold start is stratified, not coverage
FETCH_ROWS = 50_000  # rows per fetch of a column read
ID_BATCH = 500  # ids per IN list when loading picked clips (far below any backend's variable limit)
SEASON_WORDS = {-1: "date unknown", 0: "Dec–Feb", 1: "Mar–May", 2: "Jun–Aug", 3: "Sep–Nov"}


@dataclass
class ClipColumns:
    """Candidate clips as parallel arrays sorted by id."""

    ids: np.ndarray
    recording: np.ndarray
    start_s: np.ndarray

    def take(self, rows: np.ndarray) -> ClipColumns:
        return ClipColumns(self.ids[rows], self.recording[rows], self.start_s[rows])

    def __len__(self) -> int:
        return len(self.ids)


def split_pool(project: Project) -> tuple[ClipColumns, np.ndarray]:
    """The strategy's candidates and the audit candidates' ids, from one scan of the project's
    clips and the (label-sized) ids of labelled and queued clips.

    The same sets as ``rounds.candidate_clips`` and ``rounds.audit_candidates`` (a test holds them
    equal), without an anti-join per pool clip or a second scan for the audits."""
    from annotator.models import AnnotationTask

    rows = (
        Clip.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "recording_id", "start_s", "held_out")
        .iterator(chunk_size=FETCH_ROWS)
    )
    blocks = []
    while batch := list(islice(rows, FETCH_ROWS)):
        blocks.append(np.array(batch, dtype=np.float64))
    table = np.concatenate(blocks) if blocks else np.zeros((0, 4))
    every = ClipColumns(table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2])
    held_out = table[:, 3].astype(bool)
    evaluation, excluded = _recording_roles(project, every.recording)
    busy = _ids(ClipAnnotation.objects.filter(project=project).values_list("clip_id", flat=True))
    busy = np.union1d(
        busy, _ids(AnnotationTask.objects.filter(project=project).values_list("clip_id", flat=True))
    )
    free = ~np.isin(every.ids, busy, assume_unique=False)
    candidates = free & ~held_out & ~evaluation & ~excluded
    audits = free & (held_out | evaluation) & ~excluded
    return every.take(np.flatnonzero(candidates)), every.ids[audits]


def _ids(values) -> np.ndarray:
    return np.unique(np.fromiter(values.iterator(chunk_size=FETCH_ROWS), dtype=np.int64))


def _recording_roles(project: Project, recording: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per clip (by its recording): in the evaluation set by role, excluded from sampling by role
    (the recording's own role or its dataset's)."""
    rows = list(
        Recording.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "role", "dataset__role")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    evaluation = np.array([SamplingRole.EVALUATION in r[1:] for r in rows], dtype=bool)
    excluded = np.array([SamplingRole.EXCLUDED in r[1:] for r in rows], dtype=bool)
    if not len(ids):
        return np.zeros(len(recording), bool), np.zeros(len(recording), bool)
    at = np.minimum(np.searchsorted(ids, recording), len(ids) - 1)
    return evaluation[at], excluded[at]


def clips_by_id(ids) -> dict[int, Clip]:
    """Clip objects (with recording and site) of a few ids, in bounded IN lists."""
    ids = [int(i) for i in ids]
    out: dict[int, Clip] = {}
    for start in range(0, len(ids), ID_BATCH):
        batch = Clip.objects.filter(pk__in=ids[start : start + ID_BATCH]).select_related(
            "recording__site"
        )
        out.update((c.pk, c) for c in batch)
    return out


@dataclass
class ClipEmbeddings:
    """The project's embedding per clip (``adapters.project_embedding``), from its window store:
    ``vectors[i]`` (float16, unit, pool mean taken off) of clip ``ids[i]`` (sorted)."""

    source: str
    ids: np.ndarray
    vectors: np.ndarray

    def rows_for(self, ids: np.ndarray) -> np.ndarray | None:
        """float32 rows for these clips, or None when the store lacks more than ``1 -
        MIN_COVERAGE`` of them (then the version's embedding serves the whole round). A clip the
        store lacks (embedded soon) gets zeros: the pool's mean, a typical clip that diversity
        neither seeks nor avoids, still chosen by its uncertainty."""
        rows, hits = _matches(ids, self.ids)
        if not len(ids) or len(rows) < MIN_COVERAGE * len(ids):
            return None
        out = np.zeros((len(ids), self.vectors.shape[1]), np.float32)
        out[rows] = poolscores.float32_rows(self.vectors, hits)
        return out


MIN_COVERAGE = 0.5  # share of the candidates the project's embedding must cover to be used


def project_embeddings(project: Project) -> ClipEmbeddings | None:
    """The clip embeddings of the project's embedding when it is an adapter with stored windows;
    None for the detector's (the version's, read with its scores)."""
    embedding = adapters.project_embedding(project)
    if not embedding.is_adapter:
        return None
    if adapters.in_flight(project, embedding) and not embeddings_store.has_clip_means(
        project.pk, embedding.source
    ):
        return None  # its first embedding is under way: never average a partial store's windows
    ids, vectors = embeddings_store.load_clip_means(project.pk, embedding.source)
    if not len(ids):
        return None
    return ClipEmbeddings(embedding.source, ids, vectors)


def build_pool(project: Project, columns: ClipColumns, version: ModelVersion | None):
    """Arrays for the strategies, the clip ids they stand for, and the version whose scores they
    hold (None when it has scored none of them). With a version, only the clips it scored take part.
    Diversity reads the project's embedding (``project_embeddings``) when it covers the pool, else
    the version's; the pool says which (``embedding_source``)."""
    scores = everything = hits = None
    chosen = project_embeddings(project)
    if version is not None:
        everything = poolscores.read(version)
        rows, hits = _matches(columns.ids, everything.ids)
        if len(rows):
            columns = columns.take(rows)
            # Embeddings stay float16 here and become float32 once, for the candidates only.
            scores = poolscores.Scores(
                everything.ids[hits],
                *(None if a is None else a[hits] for a in (everything.probs, everything.windows)),
                None,
            )
    strata = _strata(project, columns, scores)
    words = _stratum_words(project, version)
    if scores is None:
        features, source = None, ""
        if len(columns) <= COLD_START_FEATURE_LIMIT:
            features = chosen.rows_for(columns.ids) if chosen is not None else None
            source = chosen.source if features is not None else ""
            if features is None:
                features = _try_cheap_features(columns.ids)
        pool = strategies.Pool(
            ids=columns.ids,
            features=features,
            strata=strata,
            stratum_words=words,
            embedding_source=source,
        )
        return pool, columns.ids, None
    embeddings = chosen.rows_for(columns.ids) if chosen is not None else None
    if embeddings is not None:
        source, labelled = chosen.source, _labelled_rows(project, chosen)
    else:
        embeddings = (
            None
            if everything.embeddings is None
            else poolscores.float32_rows(everything.embeddings, hits)
        )
        source = embeddings_store.version_source(version.pk) if embeddings is not None else ""
        labelled = _labelled_embeddings(project, everything)
    pool = strategies.Pool(
        ids=columns.ids,
        probs=scores.probs,
        window_uncertainty=scores.windows,
        embeddings=embeddings,
        strata=strata,
        stratum_words=words,
        labelled_embeddings=labelled,
        embedding_source=source,
    )
    return pool, columns.ids, version


def _matches(ids: np.ndarray, scored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``ids`` found in the sorted ``scored``, and where they are found there."""
    if not len(scored):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pos = np.minimum(np.searchsorted(scored, ids), len(scored) - 1)
    found = scored[pos] == ids
    return np.flatnonzero(found), pos[found]


def _labelled_embeddings(project: Project, scores: poolscores.Scores) -> np.ndarray | None:
    """Embeddings of the labelled clips the version scored: the hybrid strategy keeps away from them."""
    # Read from the annotations (as many as the labels), not an EXISTS per clip of the pool.
    labelled = _ids(
        ClipAnnotation.objects.filter(project=project).values_list("clip_id", flat=True)
    )
    if not len(labelled) or scores.embeddings is None:
        return None
    _, hits = _matches(labelled, scores.ids)
    return poolscores.float32_rows(scores.embeddings, hits) if len(hits) else None


def _labelled_rows(project: Project, chosen: ClipEmbeddings) -> np.ndarray | None:
    """The project's embedding of the labelled clips it has embedded."""
    labelled = _ids(
        ClipAnnotation.objects.filter(project=project).values_list("clip_id", flat=True)
    )
    _, hits = _matches(labelled, chosen.ids)
    return poolscores.float32_rows(chosen.vectors, hits) if len(hits) else None


def _strata(project: Project, columns: ClipColumns, scores) -> dict[str, np.ndarray]:
    """Site, time of night (3-hour bins), season, and the predicted species when there is a model."""
    rec_ids, site, seconds, month = _recording_columns(project)
    at = np.minimum(np.searchsorted(rec_ids, columns.recording), max(len(rec_ids) - 1, 0))
    site_of, seconds_of, month_of = site[at], seconds[at], month[at]
    hour = np.where(
        seconds_of >= 0, ((seconds_of + columns.start_s) // 3600).astype(np.int64) % 24 // 3, -1
    )
    # Seasons as Dec–Feb, Mar–May, ... (0–3); -1 when the date is unknown (not winter).
    strata = {
        "site": site_of,
        "hour": hour,
        "season": np.where(month_of > 0, (month_of % 12) // 3, -1),
    }
    if scores is not None:
        probs = scores.probs
        strata["species"] = (
            probs.argmax(axis=1).astype(np.int64)
            if probs is not None and probs.shape[1]
            else np.zeros(len(columns), np.int64)
        )
    return strata


def _recording_columns(project: Project):
    """Per recording of the project (sorted by id): site (0 for none), seconds into the day it
    began (-1 unknown) and month (0 unknown)."""
    rows = list(
        Recording.objects.filter(project=project)
        .order_by("pk")
        .values_list("pk", "site_id", "recorded_at")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    site = np.array([r[1] or 0 for r in rows], dtype=np.int64)
    seconds = np.array(
        [r[2].hour * 3600 + r[2].minute * 60 if r[2] else -1 for r in rows], dtype=np.float64
    )
    month = np.array([r[2].month if r[2] else 0 for r in rows], dtype=np.int64)
    return ids, site, seconds, month


def _stratum_words(project: Project, version: ModelVersion | None) -> dict[str, dict[int, str]]:
    """The strata's codes in words, for the reasons a stratified round gives."""
    sites = {site.pk: str(site) for site in Site.objects.filter(project=project)} | {0: "no site"}
    hours = {b: f"{3 * b:02d}–{3 * b + 3:02d} h" for b in range(8)} | {-1: "time unknown"}
    species = {
        i: f"predicted {name}" for i, name in enumerate(version.class_names if version else [])
    }
    return {"site": sites, "hour": hours, "season": SEASON_WORDS, "species": species}


def _try_cheap_features(ids: np.ndarray) -> np.ndarray | None:
    """Cheap features, or None (then a stratified cold start) if some audio cannot be read."""
    by_id = clips_by_id(ids)
    try:
        return cheap_features([by_id[int(i)] for i in ids])
    except (OSError, dsp.AudioError) as exc:
        log.warning("cold start falls back to strata: %s", exc)
        return None


def cheap_features(clips: list[Clip]) -> np.ndarray:
    """Per-clip log band energies and their variation over time: enough for coverage sampling."""
    params = dsp.SpectrogramParams(window_s=0.004, overlap=0.5, scale="linear")
    rows = []
    for clip in clips:
        with clip.recording.open() as fh:
            samples, samplerate = dsp.read_window(fh, clip.start_s, clip.end_s)
        spec = dsp.spectrogram(samples, samplerate, params).values
        bands = np.array_split(spec, 16, axis=0)
        band = np.stack([b.mean(axis=0) for b in bands])  # [16, T] dB
        rows.append(np.concatenate([band.mean(axis=1), band.std(axis=1), band.max(axis=1)]))
    feats = np.array(rows, dtype=np.float32)
    return (feats - feats.mean(axis=0)) / (feats.std(axis=0) + 1e-6)
