"""Counts shown on the project page and returned by the stats endpoint."""

from __future__ import annotations

from django.db.models import Count

from annotator.models import (
    AnnotationTask,
    Clip,
    ClipAnnotation,
    Project,
    Recording,
    SoundEventAnnotation,
    TaskStatus,
)


def project_counts(project: Project) -> dict:
    """Recordings, clips, annotations, events and tasks by status for one project."""
    by_status = dict(
        AnnotationTask.objects.filter(project=project)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "recordings": Recording.objects.filter(project=project).count(),
        "clips": Clip.objects.filter(project=project).count(),
        # Counted over the annotations (as many as the labels), not an EXISTS per clip of the pool.
        "labelled_clips": ClipAnnotation.objects.filter(project=project)
        .values("clip")
        .distinct()
        .count(),
        "annotations": ClipAnnotation.objects.filter(project=project).count(),
        "events": SoundEventAnnotation.objects.filter(clip_annotation__project=project).count(),
        "tasks": {status: by_status.get(status, 0) for status in TaskStatus.values},
    }
