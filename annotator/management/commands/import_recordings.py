"""manage.py import_recordings PATH --project P --dataset D [--site S] [--copy] [--role R]"""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator import ingest
from annotator.management.commands.import_annotations import project_named
from annotator.models import Dataset, SamplingRole, Site


class Command(BaseCommand):
    help = (
        "Import WAV/FLAC recordings from a folder or s3://bucket/prefix under a registered import root, "
        "cutting them into the project's clips. Duplicates are skipped, bad files reported."
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

    def handle(
        self,
        *args,
        location: str,
        project: str,
        dataset: str,
        site: str | None,
        copy: bool,
        role: str = SamplingRole.POOL,
        **opts,
    ):
        proj = project_named(project)
        ds, _ = Dataset.objects.get_or_create(project=proj, name=dataset)
        st = Site.objects.get_or_create(project=proj, name=site)[0] if site else None
        try:
            root, relative = ingest.root_for(location)
            sources = ingest.find_sources(root, relative)
        except (SuspiciousFileOperation, ingest.IngestError) as exc:
            raise CommandError(str(exc)) from exc
        bar = tqdm(
            total=len(sources), unit="file", desc="importing", disable=opts.get("verbosity", 1) == 0
        )
        report = ingest.import_sources(
            proj, ds, sources, site=st, copy=copy, role=role, progress=lambda _name: bar.update()
        )
        bar.close()
        self.stdout.write(report.summary())
        if report.failed and not report.imported:
            raise CommandError("nothing was imported")
