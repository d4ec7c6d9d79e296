"""Celery tasks of the annotator: thin wrappers that load rows and call one domain function."""

from __future__ import annotations

import logging

from celery import group, shared_task
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction

from annotator import import_jobs, ingest, recut
from annotator.models import Dataset, ImportJob, Project, Site

log = logging.getLogger(__name__)


@shared_task(name="annotator.tasks.import_recordings")
def import_recordings(
    project_id: int, dataset_id: int, location: str, site_id: int | None = None, copy: bool = False
) -> dict:
    """Import the audio at ``location`` (under a registered root) in this task; safe to retry
    (duplicates are skipped). Large folders go through ``start_import`` instead."""
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
        "skipped": report.skipped,
        "warnings": report.warnings,
        "clips": report.clips,
    }


@shared_task(name="annotator.tasks.start_import")
def start_import(job_id: int) -> int:
    """List an import job's files and send its chunks to the workers; returns the chunk count."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).first()
    if job is None:  # gone, or already planned by an earlier delivery
        return 0
    try:
        chunks = import_jobs.plan(job)
    except (
        ingest.IngestError,
        SuspiciousFileOperation,
        OSError,
    ):  # plan() failed the job, saying why
        return 0
    if chunks:
        group(import_chunk.s(job.pk, i, chunk) for i, chunk in enumerate(chunks)).apply_async()
    return len(chunks)


@shared_task(name="annotator.tasks.import_chunk", acks_late=True)
def import_chunk(job_id: int, index: int, relatives: list[str]) -> int:
    """Import one chunk of a job's files (a redelivered chunk is merged once)."""
    job = ImportJob.objects.filter(pk=job_id).select_related("project", "dataset", "site").first()
    if job is None:
        return 0
    import_jobs.run_chunk(job, index, relatives)
    return len(relatives)


@shared_task(name="annotator.tasks.resume_stalled_imports")
def resume_stalled_imports() -> int:
    """The beat's sweep: send again the chunks of import jobs that stopped progressing."""
    sent = 0
    for job in import_jobs.stalled():
        try:
            chunks = import_jobs.lost_chunks(job)
        except (ingest.IngestError, SuspiciousFileOperation, OSError) as exc:
            import_jobs.fail(job, f"cannot list the location again: {exc}")
            continue
        for index, relatives in chunks:
            import_chunk.delay(job.pk, index, relatives)
            sent += 1
    return sent


@shared_task(name="annotator.tasks.recut_clips")
def recut_clips(project_id: int) -> dict:
    """Re-cut a project's recordings after its clip length or overlap changed (labels kept)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return {"error": "project is gone"}
    return vars(recut.recut_project(project))


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
            log.warning("prerender of clip %s failed: %s", clip.pk, exc)
    return done


def recut_if_changed(project: Project, before: tuple[float, float]) -> bool:
    """After a settings change: re-cut the project's clips on a worker if the clip length or
    overlap changed (``before`` is their old values). Returns whether a re-cut was queued."""
    if tuple(getattr(project, name) for name in ingest.CUT_SETTINGS) == tuple(before):
        return False

    def send() -> None:
        try:
            recut_clips.delay(project.pk)
        except Exception:  # kombu raises OperationalError and friends: the settings stay saved
            log.exception("could not queue the re-cut of project %s", project.pk)

    transaction.on_commit(send)
    return True
