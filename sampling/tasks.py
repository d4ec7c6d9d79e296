"""Celery tasks of sampling: thin wrappers around ``rounds``."""

from __future__ import annotations

from celery import shared_task

from annotator.models import Project
from sampling import loop, rounds


@shared_task(name="sampling.tasks.sample_after_rescore")
def sample_after_rescore(project_id: int) -> int | None:
    """After a rescore: queue the next batch if the queue runs low. Returns the round's id."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None or not loop.needs_batch(project):
        return None
    try:
        return rounds.start_round(project, trigger="after rescore").pk
    except rounds.RoundError:
        return None
