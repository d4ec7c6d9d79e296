"""manage.py demo — a ready project from three real bat recordings, with a lead and an annotator."""

from __future__ import annotations

import csv
import random
import secrets
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from annotator import ingest, queue
from annotator.models import AudioRoot, Clip, Dataset, Membership, Project, Role, Site, Tag

DEMO_AUDIO = Path(settings.BASE_DIR) / "tests" / "data" / "whombat"
PROJECT_NAME = "Costa Rica bats (demo)"


class Command(BaseCommand):
    help = "Create (or refresh) the demo project and its users; prints their passwords."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Use this password for both demo users (default: random)"
        )

    @transaction.atomic
    def handle(self, *args, password: str | None = None, **opts):
        project, created = Project.objects.get_or_create(
            name=PROJECT_NAME,
            defaults={
                "description": "Three full-spectrum recordings from xeno-canto (CC BY-NC-SA 4.0).",
                "fmin_hz": 10_000,
                "fmax_hz": 150_000,
                "context_s": 0.1,
            },
        )
        users = {name: self._user(name, password) for name in ("lead", "annotator")}
        Membership.objects.get_or_create(
            user=users["lead"][0], project=project, defaults={"role": Role.LEAD}
        )
        Membership.objects.get_or_create(
            user=users["annotator"][0], project=project, defaults={"role": Role.ANNOTATOR}
        )
        if created:
            self._fill(project, self._expert())
        url = "http://127.0.0.1:8000/"
        self.stdout.write(f"Demo project: {project.name} (id {project.pk})")
        for name, (_user, pw) in users.items():
            self.stdout.write(f"  user {name!r} password {pw!r}")
        self.stdout.write(f"Open {url}")

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
        boxes = _read_boxes(DEMO_AUDIO / "annotations_boxes.csv")
        species = sorted({b["species"] for rows in boxes.values() for b in rows})
        tags = {
            name: Tag.objects.create(
                project=project,
                key="species",
                value=name,
                hotkey=str(i + 1),
                color=["#ffcc00", "#00e5ff", "#ff4fa3", "#8cff66"][i % 4],
            )
            for i, name in enumerate(species)
        }
        root, _ = AudioRoot.objects.get_or_create(
            name="demo", defaults={"path": str(DEMO_AUDIO.resolve())}
        )
        dataset = Dataset.objects.create(project=project, name="xeno-canto Costa Rica")
        site = Site.objects.create(
            project=project,
            name="Costa Rica",
            latitude=10.4,
            longitude=-84.0,
            habitat="tropical forest",
        )
        report = ingest.import_location(project, dataset, str(DEMO_AUDIO), site=site)
        self.stdout.write(report.summary())
        annotated = _annotated_clips(DEMO_AUDIO / "annotated_clips.csv")
        self._add_existing_annotations(project, expert, boxes, tags, annotated)
        # Every clip is queued for the demo's annotator: their labels can then be compared with the
        # published ones (agreement), and the model already has the published ones to learn from.
        clips = list(Clip.objects.for_project(project))
        random.Random(0).shuffle(clips)
        reasons = ["cold start: random"] * len(clips)
        queue.enqueue(project, clips, reasons=reasons, source="random", rng=random.Random(0))

    def _add_existing_annotations(self, project, expert, boxes, tags, annotated) -> None:
        for clip in Clip.objects.for_project(project).select_related("recording"):
            if (clip.recording.name, round(clip.start_s)) not in annotated:
                continue
            events = [
                queue.EventInput(
                    start_s=b["start"],
                    end_s=b["end"],
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
