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
