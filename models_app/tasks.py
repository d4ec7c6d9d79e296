"""Celery tasks of the model loop: thin wrappers that load rows and call one function."""

from __future__ import annotations

import logging
import os

import torch
from celery import chord, group, shared_task
from celery.exceptions import Ignore
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotator.models import Clip
from models_app import embeddings_store, registry, threads
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun

log = logging.getLogger(__name__)

CHUNK_SIZE = int(os.environ.get("ECHOLOOP_SCORE_CHUNK_SIZE", "64"))
SCORE_THREADS = int(os.environ.get("ECHOLOOP_SCORE_THREADS", "1"))


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


@shared_task(name="models_app.tasks.rescore_pool", bind=True, acks_late=True)
def rescore_pool(self, project_id: int, run_id: int | None = None, kind: str = RescoreJob.Kind.TRAINING):
    """Score the project's clips that its active version has not scored: a chord of chunks (score
    queue). Labelled and evaluation clips are scored too: their embeddings let the hybrid strategy
    keep away from what is labelled, and the honest curve reads the evaluation clips.

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
    clip_ids = pending_clip_ids(version)
    chunks = [clip_ids[i : i + CHUNK_SIZE] for i in range(0, len(clip_ids), CHUNK_SIZE)]
    RescoreJob.objects.filter(pk=job.pk).update(n_chunks=len(chunks), n_clips=len(clip_ids))
    if not chunks:
        return rescore_finished(job.pk)
    # replace() splices the chord into whatever chain called us, so the next step (sampling)
    # runs only after every chunk is done.
    raise self.replace(chord(group(score_chunk.si(version.pk, c) for c in chunks), rescore_finished.si(job.pk)))


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
    # This small network scores fastest on one thread per process; scale with worker processes.
    torch.set_num_threads(SCORE_THREADS)
    try:
        return registry.score_clips(version, clip_ids)
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        log.exception("scoring %d clips with version %s gave up after %d tries", len(clip_ids), version_id,
                      self.request.retries + 1)
    except Exception:
        log.exception("scoring %d clips with version %s failed", len(clip_ids), version_id)
    return 0


@shared_task(name="models_app.tasks.rescore_finished")
def rescore_finished(job_id: int) -> int:
    job = RescoreJob.objects.select_related("version").filter(pk=job_id).first()
    if job is None:
        return 0
    unscored = pending_clips(job.version).count()
    source = embeddings_store.version_source(job.version_id)
    embeddings_store.compact(job.version.project_id, source)
    # Older versions' windows go once this one's are whole (the active one's stay, should it differ).
    active = ModelVersion.objects.filter(project_id=job.version.project_id, is_active=True).values_list("pk", flat=True)
    embeddings_store.prune(job.version.project_id, {source, *map(embeddings_store.version_source, active)})
    RescoreJob.objects.filter(pk=job_id).update(
        status=RescoreJob.Status.DONE, finished_at=timezone.now(), n_unscored=unscored
    )
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
    """Embed one chunk of clips with an external adapter (score queue); idempotent."""
    from annotator.models import Project
    from models_app import adapters

    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    torch.set_num_threads(SCORE_THREADS)
    try:
        return adapters.embed_clips(project, adapter, clip_ids)
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc


@shared_task(name="models_app.tasks.embed_finished")
def embed_finished(project_id: int, adapter: str) -> int:
    return embeddings_store.compact(project_id, embeddings_store.adapter_source(adapter))


def embed_pool(project_id: int, adapter: str, chunks: list[list[int]]) -> None:
    """Start embedding the chunks (a chord: the store is compacted once they are all done)."""
    if chunks:
        chord(group(embed_chunk.si(project_id, adapter, c) for c in chunks),
              embed_finished.si(project_id, adapter)).apply_async()
