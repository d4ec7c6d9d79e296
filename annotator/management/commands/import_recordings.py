"""manage.py import_recordings PATH --project P --dataset D [--site S] [--copy] [--role R] [--queue]"""

from __future__ import annotations

import time

from django.core.exceptions import SuspiciousFileOperation
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator import import_jobs, ingest
from annotator.management.commands.import_annotations import project_named
from annotator.models import ImportJob, SamplingRole


class Command(BaseCommand):
    help = (
        "Import WAV/FLAC recordings from a folder or s3://bucket/prefix under a registered import root, "
        "cutting them into the project's clips. Duplicates are skipped, bad files reported. With "
        "--queue the files are imported by the Celery workers in chunks (the job's progress is in "
        "the admin and at /api/imports/)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "location", help="A file, a folder or s3://bucket/prefix inside an import root"
        )
        parser.add_argument("--project", required=True, help="Project name or id")
        parser.add_argument("--dataset", required=True, help="Dataset name (created if missing)")
        parser.add_argument("--site", help="Site name (created if missing)")
        parser.add_argument("--copy", action="store_true", help="Copy the audio into media storage")
        parser.add_argument(
            "--role",
            default=SamplingRole.POOL,
            choices=SamplingRole.values,
            help="pool (default), evaluation (held out: never sampled or trained on) or excluded "
            "(never sampled)",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Send the import to the Celery workers (chunks in parallel) instead of running it here",
        )
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="With --queue: print the job id and return at once",
        )

    def handle(
        self,
        *args,
        location: str,
        project: str,
        dataset: str,
        site: str | None,
        copy: bool,
        role: str = SamplingRole.POOL,
        queue: bool = False,
        no_wait: bool = False,
        **opts,
    ):
        proj = project_named(project)
        try:
            job = import_jobs.start(
                proj, location, dataset=dataset, site=site, copy=copy, role=role
            )
        except (SuspiciousFileOperation, ingest.IngestError) as exc:
            raise CommandError(str(exc)) from exc
        quiet = opts.get("verbosity", 1) == 0
        if queue:
            from annotator.tasks import start_import

            start_import.delay(job.pk)
            if no_wait:
                self.stdout.write(f"import job {job.pk} queued")
                return
            job = self._wait(job, quiet)
        else:
            job = self._inline(job, quiet)
        self.stdout.write(import_jobs.summary(job))
        if job.status == ImportJob.Status.FAILED or (
            job.total and not job.imported and job.report.get("failed")
        ):
            raise CommandError("nothing was imported")

    def _inline(self, job: ImportJob, quiet: bool) -> ImportJob:
        bar = tqdm(unit="file", desc="importing", disable=quiet)
        try:
            job = import_jobs.run_inline(job, progress=bar.update)
        except (SuspiciousFileOperation, ingest.IngestError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        return job

    def _wait(self, job: ImportJob, quiet: bool) -> ImportJob:
        bar = tqdm(unit="file", desc=f"import job {job.pk}", disable=quiet)
        while not job.finished:
            time.sleep(0.5)
            job.refresh_from_db()
            bar.total = job.total
            bar.update(job.done - bar.n)
        bar.close()
        return job
