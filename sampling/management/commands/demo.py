"""manage.py demo — a ready project from ten real bat recordings, with a lead and an annotator.

Two recordings come labelled, three are held out (labelled) as the evaluation set, five wait in
the pool: as the annotator labels, a training starts by itself every six new labels.
"""

from __future__ import annotations

import csv
import operator
import secrets
from collections import defaultdict
from functools import reduce
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from annotator import ingest, queue
from annotator.models import (
    AudioRoot,
    Clip,
    Dataset,
    Membership,
    Project,
    Recording,
    Role,
    SamplingRole,
    Site,
    Tag,
)
from sampling import rounds

DEMO_FOLDERS = [
    Path(settings.BASE_DIR) / "tests" / "data" / name for name in ("whombat", "whombat-more")
]
BOXES = DEMO_FOLDERS[1] / "annotations_boxes.csv"  # the published boxes of all ten recordings
PROJECT_NAME = "Costa Rica bats (demo)"
# Held out whole, with their published boxes: the evaluation set every version is scored on.
EVALUATION = ("XC826196", "XC826219", "XC821730")  # C. perspicillata, P. mesoamericanus, R. naso
# Labelled from the start by the published boxes: what the first training learns from.
LABELLED = ("XC823144", "XC824040")  # D. rotundus, C. castanea
SETTINGS = {
    "description": "Ten full-spectrum recordings from xeno-canto (CC BY-NC-SA 4.0): two labelled, "
    "three held out for evaluation, five for you to label.",
    "fmin_hz": 10_000,
    "fmax_hz": 150_000,
    "context_s": 0.1,
    "clip_length_s": 0.5,
    "batch_size": 6,
    "retrain_every": 6,
    "audit_fraction": 0.0,  # the held-out recordings are the evaluation set
    "low_water_minutes": 2.0,  # a small pool: queue little ahead, so new models choose the rest
    "double_annotation_fraction": 0.0,
    "sampling_strategy": "hybrid",
    "sampling_params": {"model": {"epochs": 12}},
}


class Command(BaseCommand):
    help = "Create (or refresh) the demo project and its users; prints their passwords."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Use this password for every demo user (default: random)"
        )
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where `serve` will listen")

    @transaction.atomic
    def handle(self, *args, password: str | None = None, addr: str = "127.0.0.1:8000", **opts):
        project = Project.objects.filter(name=PROJECT_NAME).first()
        created = project is None
        if created:
            project = Project(name=PROJECT_NAME, **SETTINGS)
            project.full_clean()  # the rule every writer of a project follows (Project.clean)
            project.save()
        users = {name: self._user(name, password) for name in ("lead", "annotator", "admin")}
        # The admin runs the site (the Django admin at /admin/, creating projects); not a member.
        get_user_model().objects.filter(pk=users["admin"][0].pk).update(
            is_staff=True, is_superuser=True
        )
        Membership.objects.get_or_create(
            user=users["lead"][0], project=project, defaults={"role": Role.LEAD}
        )
        Membership.objects.get_or_create(
            user=users["annotator"][0], project=project, defaults={"role": Role.ANNOTATOR}
        )
        if created:
            self._fill(project, self._expert())
        self.stdout.write(f"Demo project: {project.name} (id {project.pk})")
        for name, (_user, pw) in users.items():
            self.stdout.write(f"  user {name!r} password {pw!r}")
        self.stdout.write(f"Open http://{addr}/ (the Django admin: http://{addr}/admin/)")

    def _user(self, username: str, password: str | None):
        user, _ = get_user_model().objects.get_or_create(username=username)
        pw = password or secrets.token_urlsafe(9)
        user.set_password(pw)
        user.save()
        return user, pw

    def _expert(self):
        """The author of the recordings' published boxes (cannot log in)."""
        user, _ = get_user_model().objects.get_or_create(username="whombat-expert")
        user.set_unusable_password()
        user.save()
        return user

    def _fill(self, project: Project, expert) -> None:
        boxes = _read_boxes(BOXES)
        species = sorted({b["species"] for rows in boxes.values() for b in rows})
        tags = {
            name: Tag.objects.create(
                project=project,
                key="species",
                value=name,
                hotkey=str(i + 1) if i < 9 else "",  # 1-9; "0" is the page's reset-zoom key
                color=["#ffcc00", "#00e5ff", "#ff4fa3", "#8cff66"][i % 4],
            )
            for i, name in enumerate(species)
        }
        dataset = Dataset.objects.create(project=project, name="xeno-canto Costa Rica")
        site = Site.objects.create(
            project=project,
            name="Costa Rica",
            latitude=10.4,
            longitude=-84.0,
            habitat="tropical forest",
        )
        for folder in DEMO_FOLDERS:
            AudioRoot.objects.get_or_create(
                name=f"demo-{folder.name}", defaults={"path": str(folder.resolve())}
            )
            report = ingest.import_location(project, dataset, str(folder), site=site)
            self.stdout.write(report.summary())
        Recording.objects.filter(_named(EVALUATION), project=project).update(
            role=SamplingRole.EVALUATION
        )
        annotated = _annotated_clips(DEMO_FOLDERS[1] / "annotated_clips.csv")
        self._add_existing_annotations(project, expert, boxes, tags, annotated)
        # The first batch now, so the annotator has work before the worker has started; the loop
        # keeps the queue above its low-water mark from here on.
        rounds.start_round(project, trigger="demo", seed=0)

    def _add_existing_annotations(self, project, expert, boxes, tags, annotated) -> None:
        clips = Clip.objects.for_project(project).select_related("recording")
        for clip in clips.filter(_named((*EVALUATION, *LABELLED), "recording__name")):
            if not _inside_annotated(clip, annotated):
                continue
            events = [
                queue.EventInput(
                    start_s=b["start"],
                    end_s=min(b["end"], clip.end_s),
                    low_hz=b["low"],
                    high_hz=b["high"],
                    tag=tags[b["species"]].pk,
                )
                for b in boxes.get(clip.recording.name, [])
                if clip.start_s <= b["start"] < clip.end_s
            ]
            data = queue.Submission(
                events=events, no_calls=not events, tags=sorted({e.tag for e in events})
            )
            queue.save_annotation(project, clip, expert, data)


def _named(prefixes: tuple[str, ...], field: str = "name") -> Q:
    return reduce(operator.or_, (Q(**{f"{field}__startswith": p}) for p in prefixes))


def _inside_annotated(clip: Clip, annotated: set[tuple[str, int]]) -> bool:
    """Whether the clip lies in a one-second stretch the expert annotated (elsewhere nothing
    is known, so nothing is stored)."""
    first = int(clip.start_s)
    return (clip.recording.name, first) in annotated and clip.end_s <= first + 1 + 1e-6


def _read_boxes(path: Path) -> dict[str, list[dict]]:
    boxes: dict[str, list[dict]] = defaultdict(list)
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            boxes[row["file"]].append(
                {
                    "start": float(row["start_s"]),
                    "end": float(row["end_s"]),
                    "low": float(row["low_freq_hz"]),
                    "high": float(row["high_freq_hz"]),
                    "species": row["species"],
                }
            )
    return boxes


def _annotated_clips(path: Path) -> set[tuple[str, int]]:
    with open(path, newline="") as fh:
        return {(row["file"], round(float(row["start_s"]))) for row in csv.DictReader(fh)}
