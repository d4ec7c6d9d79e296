"""Celery tasks of the model loop: thin wrappers that load rows and call one function."""

from __future__ import annotations

import logging
import os

import torch
from celery import chord, group, shared_task
from celery.exceptions import Ignore
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotator.models import Clip
from models_app import adapters, embeddings_store, registry, threads
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun

log = logging.getLogger(__name__)

CHUNK_SIZE = settings.ECHOLOOP_SCORE_CHUNK_SIZE
SCORE_THREADS = settings.ECHOLOOP_SCORE_THREADS
IN_FLIGHT = settings.ECHOLOOP_RESCORE_IN_FLIGHT


# Acknowledged when it starts, not when it ends: a training can outlast the broker's visibility
# timeout, and a late ack would have the broker deliver it (and its chain) a second time. A worker
# that dies mid-run loses the message; the run's heartbeat stops and the liveness sweep retries it.
@shared_task(name="models_app.tasks.train_model", bind=True, acks_late=False)
def train_model(self, run_id: int) -> int | None:
    """Run a queued training (train queue). Returns the new version's id, if any.

    A delivery that finds the run taken or ended stops its chain here (``Ignore``), so the
    rescore and sampling that follow a training run once per training.
    """
    run = TrainingRun.objects.select_related("project", "parent").filter(pk=run_id).first()
    if run is None:
        return None
    if run.status != TrainingRun.Status.QUEUED:
        raise Ignore()
    torch.set_num_threads(threads.training_threads())
    worker = f"{self.request.hostname or 'local'}:{os.getpid()}"
    run = registry.run_training(run, worker=worker)
    if run is None:
        raise Ignore()
    return run.result_id


@shared_task(name="models_app.tasks.train_encoder", bind=True, acks_late=False)
def train_encoder(self, run_id: int) -> int | None:
    """Run a queued self-supervised pretraining (train queue; acknowledged at start like
    ``train_model``: a dead worker's run is swept and retried, and resumes from its last epoch)."""
    from models_app import pretraining

    run = TrainingRun.objects.select_related("project").filter(pk=run_id).first()
    if run is None:
        return None
    if run.status != TrainingRun.Status.QUEUED:
        raise Ignore()
    torch.set_num_threads(threads.training_threads())
    worker = f"{self.request.hostname or 'local'}:{os.getpid()}"
    run = pretraining.run_pretraining(run, worker=worker)
    return None if run is None else run.pk


@shared_task(name="models_app.tasks.rescore_pool", bind=True, acks_late=True)
def rescore_pool(
    self, project_id: int, run_id: int | None = None, kind: str = RescoreJob.Kind.TRAINING
):
    """Score the project's clips that its active version has not scored, in waves of at most
    ``IN_FLIGHT`` chunk tasks (score queue). Labelled and evaluation clips are scored too: their
    embeddings let the hybrid strategy keep away from what is labelled, and the honest curve reads
    the evaluation clips.

    Clips the version already scored are left out, so a rescore interrupted by a dead worker
    resumes where it stopped; chunks themselves are idempotent. One rescore per training run:
    a second delivery of the same chain step stops here.
    """
    version = ModelVersion.objects.filter(project_id=project_id, is_active=True).first()
    if version is None or version.is_external:
        return None
    try:
        with transaction.atomic():
            job = RescoreJob.objects.create(version=version, run_id=run_id, kind=kind)
    except IntegrityError:  # this run's rescore exists: an earlier delivery continues the chain
        raise Ignore() from None
    n_clips = pending_clips(version).count()
    RescoreJob.objects.filter(pk=job.pk).update(n_chunks=-(-n_clips // CHUNK_SIZE), n_clips=n_clips)
    if not n_clips:
        return rescore_finished(job.pk)
    # replace() splices the waves into whatever chain called us, so the next step (sampling)
    # runs only after the last wave is done.
    raise self.replace(rescore_wave.si(job.pk, 0))


@shared_task(name="models_app.tasks.rescore_wave", bind=True, acks_late=True)
def rescore_wave(self, job_id: int, after_pk: int):
    """One wave of a rescore: the next ``IN_FLIGHT`` chunks of pending clips above ``after_pk``,
    sent as a chord whose body is the next wave; the last wave finishes the job.

    A million clips is ~15,600 chunks: sent as one chord that was 15,610 signatures (10 MB of
    JSON) in the broker at once; in waves, at most ``IN_FLIGHT`` small messages (a version and
    an id range each) wait at any time, and a wave reads only its own ids.
    """
    job = RescoreJob.objects.select_related("version").filter(pk=job_id).first()
    if job is None:
        return None
    ranges = next_ranges(job.version, after_pk, IN_FLIGHT, CHUNK_SIZE)
    if not ranges:
        return rescore_finished(job_id)
    header = group(score_range.si(job.version_id, first, last) for first, last in ranges)
    raise self.replace(chord(header, rescore_wave.si(job_id, ranges[-1][1])))


def next_ranges(
    version: ModelVersion, after_pk: int, n_chunks: int, chunk_size: int
) -> list[tuple[int, int]]:
    """(first, last) clip ids of up to ``n_chunks`` chunks of pending clips above ``after_pk``,
    each holding ``chunk_size`` pending clips (the last may hold fewer). Clips that stay pending
    (unreadable audio) are passed, not met again: each wave starts above the last one."""
    ids = list(
        pending_clips(version)
        .filter(pk__gt=after_pk)
        .order_by("pk")
        .values_list("pk", flat=True)[: n_chunks * chunk_size]
    )
    return [
        (ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)
    ]


def pending_clips(version: ModelVersion):
    """The clips of the project the version has not scored yet (NOT EXISTS: an anti-join that
    stays linear where NOT IN over a large subquery does not)."""
    scored = Prediction.objects.filter(version=version, clip=OuterRef("pk"))
    return Clip.objects.for_project(version.project).filter(~Exists(scored))


def pending_clip_ids(version: ModelVersion) -> list[int]:
    return list(pending_clips(version).order_by("pk").values_list("pk", flat=True))


# Errors worth another try (the database or storage away for a moment), with backoff.
TRANSIENT = (DatabaseError, ConnectionError, TimeoutError)


@shared_task(name="models_app.tasks.score_chunk", bind=True, acks_late=True, max_retries=3)
def score_chunk(self, version_id: int, clip_ids: list[int]) -> int:
    """Score one chunk of clips (score queue); safe to redeliver.

    Never fails the chord it belongs to: transient errors are retried (2, 4, 8 s), unreadable
    clips are skipped by ``score_clips``, and a chunk that still fails is logged and given up, so
    the rescore finishes, counts what it could not score, and the loop samples the next batch."""
    version = ModelVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    return _score(self, version, clip_ids)


def _score(task, version: ModelVersion, clip_ids: list[int]) -> int:
    """Score clips for a chunk task: transient errors retried with backoff, then given up."""
    # This small network scores fastest on one thread per process; scale with worker processes.
    torch.set_num_threads(SCORE_THREADS)
    try:
        return registry.score_clips(version, clip_ids)
    except TRANSIENT as exc:
        if task.request.retries < task.max_retries:
            raise task.retry(exc=exc, countdown=2 ** (task.request.retries + 1)) from exc
        log.exception(
            "scoring %d clips with version %s gave up after %d tries",
            len(clip_ids),
            version.pk,
            task.request.retries + 1,
        )
    except Exception:
        log.exception("scoring %d clips with version %s failed", len(clip_ids), version.pk)
    return 0


@shared_task(name="models_app.tasks.score_range", bind=True, acks_late=True, max_retries=3)
def score_range(self, version_id: int, first_pk: int, last_pk: int) -> int:
    """Score the version's pending clips with ids from ``first_pk`` to ``last_pk`` (one chunk of a
    wave); the same retries and give-ups as ``score_chunk``."""
    version = ModelVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    ids = list(
        pending_clips(version)
        .filter(pk__gte=first_pk, pk__lte=last_pk)
        .values_list("pk", flat=True)
    )
    return _score(self, version, ids) if ids else 0


@shared_task(name="models_app.tasks.rescore_finished")
def rescore_finished(job_id: int) -> int:
    job = RescoreJob.objects.select_related("version").filter(pk=job_id).first()
    if job is None:
        return 0
    unscored = pending_clips(job.version).count()
    source = embeddings_store.version_source(job.version_id)
    if embeddings_store.wants_index(embeddings_store.compact(job.version.project_id, source)):
        build_search_index.delay(job.version.project_id, source)
    # Older versions' windows go once this one's are whole (the active one's stay, should it differ).
    active = ModelVersion.objects.filter(
        project_id=job.version.project_id, is_active=True
    ).values_list("pk", flat=True)
    embeddings_store.prune(
        job.version.project_id, {source, *map(embeddings_store.version_source, active)}
    )
    RescoreJob.objects.filter(pk=job_id).update(
        status=RescoreJob.Status.DONE, finished_at=timezone.now(), n_unscored=unscored
    )
    # Clips the project's embedding has not embedded yet (new ones, or a pool that predates it).
    adapters.keep_embedded(job.version.project)
    return job.version.project_id


@shared_task(name="models_app.tasks.fit_light_head")
def fit_light_head(project_id: int, generation: int | None = None) -> int | None:
    """Refit the project's light head (default queue: never behind a rescore's chunks or a
    training). Debounced: a delivery a later submission superseded does nothing."""
    from annotator.models import Project
    from models_app import light_head

    project = Project.objects.filter(pk=project_id).first()
    if project is None or not light_head.is_latest(project_id, generation):
        return None
    torch.set_num_threads(1)
    row = light_head.fit(project)
    return row.n_labels if row else None


@shared_task(name="models_app.tasks.embed_chunk", bind=True, acks_late=True, max_retries=3)
def embed_chunk(self, project_id: int, adapter: str, clip_ids: list[int]) -> int:
    """Embed one chunk of clips with an adapter (score queue); idempotent."""
    from annotator.models import Project

    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    torch.set_num_threads(SCORE_THREADS)
    try:
        return adapters.embed_clips(project, adapter, clip_ids)
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        log.exception("embedding %d clips with %s gave up", len(clip_ids), adapter)
    except Exception:  # never fail the chord: the store is compacted, later top-ups retry these
        log.exception("embedding %d clips with %s failed", len(clip_ids), adapter)
    return 0


@shared_task(name="models_app.tasks.embed_wave", bind=True, acks_late=True)
def embed_wave(self, project_id: int, adapter: str, after_pk: int):
    """One wave of embedding a pool with an adapter: the next ``adapters.WAVE_CHUNKS`` chunks of
    clips above ``after_pk`` the store lacks, as a chord whose body is the next wave; the last wave
    compacts the store. A million clips was one chord of ~3,900 chunk tasks (every id in the
    broker at once); in waves, at most ``WAVE_CHUNKS`` wait at any time."""
    from annotator.models import Project

    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    chunks = adapters.embed_wave(project, adapter, after_pk)
    if not chunks:
        return embed_finished(project_id, adapter)
    header = group(embed_chunk.si(project_id, adapter, c) for c in chunks)
    raise self.replace(chord(header, embed_wave.si(project_id, adapter, chunks[-1][-1])))


@shared_task(name="models_app.tasks.embed_finished")
def embed_finished(project_id: int, adapter: str) -> int:
    """The pool's embedding is whole: compact its store, then build its search index if it is
    large, and refit the light head on it when it is the project's embedding (a switch of the
    default after a pretraining, or a lead's choice, must not wait for the next submission)."""
    from annotator.models import Project
    from models_app import light_head

    n = adapters.embedding_finished(project_id, adapter)
    if embeddings_store.wants_index(n):
        build_search_index.delay(project_id, embeddings_store.adapter_source(adapter))
    project = Project.objects.filter(pk=project_id).first()
    if project is not None and adapters.project_embedding(project).name == adapter:
        light_head.schedule(project)
    return n


@shared_task(name="models_app.tasks.build_search_index")
def build_search_index(project_id: int, source: str) -> str | None:
    """Build a large pool's search index after its compaction (score queue); search scans
    exactly until it is there."""
    return embeddings_store.build_index(project_id, source)


@shared_task(name="models_app.tasks.embed_pending")
def embed_pending(project_id: int) -> str | None:
    """Embed the clips the project's embedding lacks (after an import); returns its name."""
    from annotator.models import Project

    project = Project.objects.filter(pk=project_id).first()
    return None if project is None else adapters.keep_embedded(project).name
