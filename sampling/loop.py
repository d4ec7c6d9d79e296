"""The active-learning loop, top to bottom: labels → retrain → rescore the pool → sample → queue.

Every step runs on Celery (``train`` and ``score`` queues); this module decides when a loop starts
and chains the steps. It is the only place that knows the order.
"""

from __future__ import annotations

import logging

from celery import chain
from django.db import transaction

from annotator.models import ClipAnnotation, Project, TaskStatus
from models_app import registry
from models_app.models import TrainingRun
from models_app.tasks import rescore_pool, train_model

log = logging.getLogger(__name__)


def on_labels_submitted(sender, project: Project, **kwargs) -> None:
    """Connected to ``annotator.signals.labels_submitted``: retrain after every N new labels."""
    if project.retrain_every and new_labels_since_last_training(project) >= project.retrain_every:
        try:
            start(project, trigger="labels")
        except registry.TrainingBusy:
            pass  # the running loop will see these labels next time


def new_labels_since_last_training(project: Project) -> int:
    last = (
        TrainingRun.objects.filter(project=project)
        .exclude(status=TrainingRun.Status.FAILED)
        .order_by("-created_at")
        .first()
    )
    return count_labelled_clips(project) - (last.n_labels if last else 0)


def count_labelled_clips(project: Project) -> int:
    """Clips with at least one annotation, counted over the annotations (thousands), not the
    pool (up to millions of clips): this runs after every submission."""
    return ClipAnnotation.objects.filter(project=project).values("clip").distinct().count()


def start(project: Project, *, trigger: str, user=None, force: bool = False) -> TrainingRun:
    """Queue one turn of the loop: train, then rescore the pool, then sample the next batch."""
    from sampling.tasks import sample_after_rescore

    run = registry.request_training(project, trigger=trigger, user=user, force=force)
    # With labels counted in the run before training starts, a burst of submissions cannot
    # start a second loop for the same labels.
    TrainingRun.objects.filter(pk=run.pk).update(n_labels=count_labelled_clips(project))
    steps = chain(
        train_model.si(run.pk), rescore_pool.si(project.pk), sample_after_rescore.si(project.pk)
    )
    transaction.on_commit(lambda: _send(run, steps))
    return run


def _send(run: TrainingRun, steps) -> None:
    """Send the chain; if the broker is down, fail the run so it cannot block later trainings."""
    try:
        steps.apply_async()
    except Exception as exc:  # kombu raises OperationalError and friends: any failure to send
        log.warning("could not queue training %s: %s", run.pk, exc)
        TrainingRun.objects.filter(pk=run.pk, status=TrainingRun.Status.QUEUED).update(
            status=TrainingRun.Status.FAILED, error=f"could not reach the task queue: {exc}"
        )
        raise


def needs_batch(project: Project) -> bool:
    """Whether the queue is running low (fewer open tasks than a batch)."""
    open_tasks = project.tasks.filter(status__in=[TaskStatus.QUEUED, TaskStatus.LEASED]).count()
    return open_tasks < project.batch_size
