"""manage.py export_annotations --project P --format F --out PATH [--dataset NAME] [--annotator USERNAME] [--recording ID]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator import exchange
from annotator.formats import FormatError
from annotator.management.commands.import_annotations import project_named
from annotator.models import Dataset, Recording


class Command(BaseCommand):
    help = (
        "Export a project's annotations (rejected ones left out) as AOEF, Raven, Audacity, "
        "BatDetect2 or CSV; Raven and Audacity give a zip when there are several recordings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="Project name or id")
        parser.add_argument("--format", required=True, choices=exchange.FORMATS)
        parser.add_argument("--out", required=True, help="File to write")
        parser.add_argument("--dataset", help="Only this dataset (name)")
        parser.add_argument("--annotator", help="Only this annotator's annotations (username)")
        parser.add_argument("--recording", type=int, help="Only this recording (id)")

    def handle(self, *args, project: str, format: str, out: str, **opts):
        proj = project_named(project)
        scope = {
            "dataset": _get(Dataset.objects.filter(project=proj), name=opts.get("dataset")),
            "recording": _get(Recording.objects.filter(project=proj), pk=opts.get("recording")),
            "annotator": _get(get_user_model().objects, username=opts.get("annotator")),
        }
        try:
            export = exchange.export_annotations(proj, format, **scope)
        except FormatError as exc:
            raise CommandError(str(exc)) from exc
        path = Path(out)
        path.write_bytes(export.data)
        self.stdout.write(f"wrote {len(export.data)} bytes to {path} ({export.name})")


def _get(rows, **lookup):
    ((field, value),) = lookup.items()
    if value is None:
        return None
    row = rows.filter(**lookup).first()
    if row is None:
        raise CommandError(f"no {rows.model._meta.verbose_name} with {field} {value!r}")
    return row
