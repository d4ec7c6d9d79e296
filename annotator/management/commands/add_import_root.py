"""manage.py add_import_root NAME PATH_OR_S3_URI — register where recordings may be imported from."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotator.models import AudioRoot


class Command(BaseCommand):
    help = "Register a folder or s3://bucket/prefix as an import root (imports outside roots are refused)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("location")
        parser.add_argument("--endpoint-url", default="", help="S3-compatible endpoint")

    def handle(self, *args, name: str, location: str, endpoint_url: str, **opts):
        if location.startswith("s3://"):
            bucket, _, prefix = location[5:].partition("/")
            root = AudioRoot(
                name=name,
                kind=AudioRoot.Kind.S3,
                bucket=bucket,
                path=prefix,
                endpoint_url=endpoint_url,
            )
        else:
            from pathlib import Path

            root = AudioRoot(
                name=name, kind=AudioRoot.Kind.FOLDER, path=str(Path(location).resolve())
            )
        try:
            root.full_clean()
        except ValidationError as exc:
            raise CommandError(str(exc)) from exc
        root.save()
        self.stdout.write(f"registered {root}")
