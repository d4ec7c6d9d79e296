"""manage.py import_annotations FILE --project P [--annotator USERNAME] [--format NAME] [--recording ID] [--create-tags]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator import exchange
from annotator.formats import FormatError
from annotator.formats.base import MAX_BYTES
from annotator.models import Project, Recording


class Command(BaseCommand):
    help = (
        "Import an annotation file (AOEF, Raven, Audacity, BatDetect2, CSV, or a zip of them) into "
        "a project's recordings, matched by hash, path or file name. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The annotation file")
        parser.add_argument("--project", required=True, help="Project name or id")
        parser.add_argument(
            "--annotator", help="Username the annotations belong to (default: import:<format>)"
        )
        parser.add_argument("--format", choices=exchange.FORMATS, help="Default: sniffed")
        parser.add_argument("--recording", type=int, help="Recording id, for a table naming none")
        parser.add_argument("--create-tags", action="store_true", help="Create unknown labels")

    def handle(self, *args, file: str, project: str, **opts):
        proj = project_named(project)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file}")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # one byte over the limit makes the reader refuse it
        try:
            report = exchange.import_annotations(
                proj,
                exchange.Upload(path.name, data),
                format_name=opts.get("format"),
                recording=_recording(proj, opts.get("recording")),
                annotator=_user(opts.get("annotator")),
                create_tags=opts.get("create_tags", False),
            )
        except FormatError as exc:
            raise CommandError(f"{path.name}: {exc} — nothing was imported") from exc
        self.stdout.write(
            f"imported {report.boxes} box(es) from {report.files} {report.format} file(s) on "
            f"{report.recordings} recording(s) as {report.annotator}: {report.created} new and "
            f"{report.updated} updated clip annotation(s); tags created: "
            f"{', '.join(report.tags_created) or 'none'}"
        )
        if report.past_the_end:
            self.stdout.write(
                f"not imported, past the end of the recording: {len(report.past_the_end)}"
            )
            self.stdout.write("\n".join(f"  {line}" for line in report.past_the_end))
        for name, count in report.fields_kept_in_notes.items():
            self.stdout.write(f"kept in the notes: field {name!r} of {count} box(es)")
        for note in report.notes_not_kept:
            self.stdout.write(f"not kept: clip note {note}")


def project_named(value: str) -> Project:
    project = Project.objects.filter(name=value).first()
    if project is None and value.isdigit():
        project = Project.objects.filter(pk=int(value)).first()
    if project is None:
        raise CommandError(f"no project {value!r}")
    return project


def _recording(project: Project, pk: int | None) -> Recording | None:
    if pk is None:
        return None
    recording = Recording.objects.filter(project=project, pk=pk).first()
    if recording is None:
        raise CommandError(f"no recording {pk} in {project}")
    return recording


def _user(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user
