"""Imports as jobs: list a location once, import its files in chunks on any number of workers.

``start`` checks the location and creates the job; ``plan`` lists the files and cuts them into
chunks; ``run_chunk`` imports one chunk and merges its report into the job (a chunk delivered twice
is merged once); the last chunk merged finishes the job. ``run_inline`` does the same in one
process (the management command without a worker); the beat sends lost chunks again
(``stalled``, ``lost_chunks``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils import timezone

from annotator import ingest
from annotator.models import Dataset, ImportJob, Project, Recording, SamplingRole, Site

log = logging.getLogger(__name__)


def start(
    project: Project,
    location: str,
    *,
    dataset: str,
    site: str | None = None,
    copy: bool = False,
    role: str = SamplingRole.POOL,
    user=None,
) -> ImportJob:
    """A queued job for ``location``; refuses a location outside every root before making anything."""
    if role not in SamplingRole.values:
        raise ingest.IngestError(
            f"role must be one of {', '.join(SamplingRole.values)}, not {role!r}"
        )
    ingest.root_for(location)  # SuspiciousFileOperation: nothing is created
    with transaction.atomic():
        ds, ds_created = Dataset.objects.get_or_create(project=project, name=dataset)
        st, st_created = (
            Site.objects.get_or_create(project=project, name=site) if site else (None, False)
        )
        return ImportJob.objects.create(
            project=project,
            dataset=ds,
            site=st,
            dataset_created=ds_created,
            site_created=st_created,
            location=location,
            copy=copy,
            role=role,
            created_by=user,
        )


def plan(job: ImportJob) -> list[list[str]]:
    """List the job's files (once), record what is skipped, and cut the files into chunks.

    A location that cannot be listed, or holds more files than ECHOLOOP_IMPORT_MAX_FILES, fails
    the job before any file is read."""
    try:
        root, relative = ingest.root_for(job.location)
        found = ingest.scan(root, relative)
        limit = settings.ECHOLOOP_IMPORT_MAX_FILES
        if len(found.sources) > limit:
            raise ingest.IngestError(
                f"{len(found.sources)} audio files is more than ECHOLOOP_IMPORT_MAX_FILES ({limit}); "
                "import the location folder by folder"
            )
    except (ingest.IngestError, SuspiciousFileOperation, OSError) as exc:
        fail(job, str(exc))
        raise
    size = max(1, settings.ECHOLOOP_IMPORT_CHUNK_FILES)
    # Sorted and unique (two links may name one file): each chunk is a range of paths, which is
    # how ``lost_chunks`` finds a chunk's files again.
    relatives = sorted({source.relative for source in found.sources})
    chunks = [relatives[i : i + size] for i in range(0, len(relatives), size)]
    job.total, job.chunks, job.status = len(relatives), len(chunks), ImportJob.Status.RUNNING
    job.chunk_bounds = [[chunk[0], chunk[-1]] for chunk in chunks]
    job.report = {"skipped": found.skipped}
    job.started_at = timezone.now()
    job.save(
        update_fields=[
            "total",
            "chunks",
            "chunk_bounds",
            "status",
            "report",
            "started_at",
            "updated_at",
        ]
    )
    if not chunks:
        finish(job)
    return chunks


def run_chunk(job: ImportJob, index: int, relatives: list[str]) -> None:
    """Import one chunk's files and merge the outcome into the job; safe to run twice."""
    if job.finished or index in job.chunks_done:
        return
    root, _ = ingest.root_for(job.location)
    report = ingest.import_sources(
        job.project,
        job.dataset,
        [ingest.Source(root, r) for r in relatives],
        site=job.site,
        copy=job.copy,
        role=job.role,
        announce=False,
    )
    _merge(job.pk, index, report, len(relatives))


def _merge(job_id: int, index: int, report: ingest.IngestReport, files: int) -> None:
    # Workers finishing chunks at once would overwrite each other's counts and report: the
    # row lock serialises the merges, and the chunk index makes a redelivered chunk count once.
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if index in job.chunks_done:
            return
        job.chunks_done = [*job.chunks_done, index]
        job.done += files
        job.total = max(job.total, job.done)  # a resent chunk may hold files added since
        job.imported += len(report.imported)
        job.clips += report.clips
        merged = job.report
        merged["duplicates"] = [*merged.get("duplicates", []), *report.duplicates]
        for key in ("failed", "warnings"):
            merged[key] = {**merged.get(key, {}), **getattr(report, key)}
        job.save(
            update_fields=[
                "chunks_done",
                "done",
                "total",
                "imported",
                "clips",
                "report",
                "updated_at",
            ]
        )
        if len(job.chunks_done) >= job.chunks:
            finish(job)


def finish(job: ImportJob) -> None:
    """Done: tell the loop once that the pool grew, or remove what this import made in vain."""
    job.status, job.finished_at = ImportJob.Status.DONE, timezone.now()
    job.save(update_fields=["status", "finished_at"])
    if job.imported:
        ingest.announce_clips_added(job.project)
    else:
        discard_unused(job)


def fail(job: ImportJob, error: str) -> None:
    job.status, job.error, job.finished_at = ImportJob.Status.FAILED, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    discard_unused(job)


def discard_unused(job: ImportJob) -> None:
    """A dataset or site this job created and nothing uses is deleted: a refused import leaves
    nothing behind. One that existed before, or that another import filled since, stays."""
    if job.dataset_created and job.dataset_id:
        if not Recording.objects.filter(dataset_id=job.dataset_id).exists():
            Dataset.objects.filter(pk=job.dataset_id).delete()
    if job.site_created and job.site_id:
        if not Recording.objects.filter(site_id=job.site_id).exists():
            Site.objects.filter(pk=job.site_id).delete()


def lost_chunks(job: ImportJob) -> list[tuple[int, list[str]]]:
    """The chunks of a stalled job that never reported (their message lost with a broker that
    restarted without its data, or eaten by a worker of another deployment), listed again.

    A chunk is its files between its first and last path, so files added to the folder since are
    picked up by the chunk whose range they fall in; a file removed since is simply not there."""
    missing = [i for i in range(job.chunks) if i not in set(job.chunks_done)]
    if not missing:
        return []
    root, relative = ingest.root_for(job.location)
    relatives = [source.relative for source in ingest.scan(root, relative).sources]
    return [
        (i, [r for r in relatives if job.chunk_bounds[i][0] <= r <= job.chunk_bounds[i][1]])
        for i in missing
    ]


def stalled(now=None) -> list[ImportJob]:
    """Running jobs without progress for ECHOLOOP_IMPORT_STALL_SECONDS (their clock is reset, so a
    sweep sends their lost chunks once per stall)."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.ECHOLOOP_IMPORT_STALL_SECONDS)
    jobs = []
    for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING, updated_at__lt=cutoff):
        # Two sweeps at once would both resend: only the one whose update matches claims the job.
        if ImportJob.objects.filter(pk=job.pk, updated_at=job.updated_at).update(updated_at=now):
            jobs.append(job)
    return jobs


def run_inline(job: ImportJob, progress: Callable[[int], None] | None = None) -> ImportJob:
    """The whole job in this process (no worker needed); ``progress`` gets files done per chunk."""
    for index, chunk in enumerate(plan(job)):
        run_chunk(job, index, chunk)
        job.refresh_from_db()
        if progress:
            progress(len(chunk))
    job.refresh_from_db()
    return job


def summary(job: ImportJob) -> str:
    """The job's outcome as the command prints it: counts, then every file not simply imported."""
    report = job.report
    parts = [
        f"imported {job.imported} of {job.total} recording(s) into {job.clips} clip(s); "
        f"{len(report.get('duplicates', []))} duplicate(s) skipped; "
        f"{len(report.get('failed', {}))} failed; {len(report.get('skipped', {}))} other file(s) skipped"
    ]
    if job.error:
        parts.append(f"  error: {job.error}")
    parts += [f"  duplicate: {name}" for name in report.get("duplicates", [])]
    for key in ("failed", "skipped", "warnings"):
        label = "warning" if key == "warnings" else key
        parts += [f"  {label}: {name}: {why}" for name, why in report.get(key, {}).items()]
    return "\n".join(parts)
