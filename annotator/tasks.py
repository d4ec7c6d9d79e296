"""Celery tasks of the annotator: thin wrappers that load rows and call one domain function."""

from __future__ import annotations

from celery import shared_task

from annotator import ingest
from annotator.models import Dataset, Project, Site


@shared_task(name="annotator.tasks.import_recordings")
def import_recordings(
    project_id: int, dataset_id: int, location: str, site_id: int | None = None, copy: bool = False
) -> dict:
    """Import the audio at ``location`` (under a registered root); safe to retry (duplicates are skipped)."""
    project = Project.objects.filter(pk=project_id).first()
    dataset = Dataset.objects.filter(pk=dataset_id, project_id=project_id).first()
    if project is None or dataset is None:
        return {"error": "project or dataset is gone"}
    site = Site.objects.filter(pk=site_id, project=project).first() if site_id else None
    report = ingest.import_location(project, dataset, location, site=site, copy=copy)
    return {
        "imported": report.imported,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "clips": report.clips,
    }


@shared_task(name="annotator.tasks.render_clip_views", acks_late=True)
def render_clip_views(clip_ids: list[int]) -> int:
    """Pre-render the first views of queued clips (render queue); clips gone since are skipped."""
    from annotator import rendering
    from annotator.models import Clip

    done = 0
    for clip in Clip.objects.filter(pk__in=clip_ids).select_related("recording__root", "project"):
        try:
            rendering.prerender(clip)
            done += 1
        except (rendering.BadViewRequest, OSError) as exc:  # a bad clip must not stop the batch
            import logging

            logging.getLogger(__name__).warning("prerender of clip %s failed: %s", clip.pk, exc)
    return done
