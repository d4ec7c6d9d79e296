"""Where audio lives: import roots, datasets, sites, recordings and the clips cut from them."""

from __future__ import annotations

import contextlib
import math
import os
import zlib
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from annotator.querysets import ClipQuerySet, RecordingQuerySet

from .project import Project


class AudioRoot(models.Model):
    """A registered place recordings may be imported from (a folder or an S3 bucket prefix).

    Monitoring datasets are terabytes, so by default a recording is a reference to a file under a
    root rather than a copy. Paths outside every root are refused.
    """

    class Kind(models.TextChoices):
        FOLDER = "folder"
        S3 = "s3", "S3 bucket"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.FOLDER)
    path = models.CharField(
        max_length=500, help_text="Absolute folder, or the key prefix inside the bucket."
    )
    bucket = models.CharField(max_length=100, blank=True)
    endpoint_url = models.CharField(
        max_length=300, blank=True, help_text="S3-compatible endpoint, if not AWS."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uri})"

    @property
    def uri(self) -> str:
        if self.kind == self.Kind.S3:
            return f"s3://{self.bucket}/{self.path.strip('/')}"
        return self.path

    def clean(self) -> None:
        if self.kind == self.Kind.FOLDER and not os.path.isabs(self.path):
            raise ValidationError({"path": "A folder root must be an absolute path."})
        if self.kind == self.Kind.S3 and not self.bucket:
            raise ValidationError({"bucket": "An S3 root needs a bucket."})

    def resolve(self, relative: str) -> str:
        """The absolute path (folder) or key (S3) of ``relative``, refusing anything outside the root."""
        if self.kind == self.Kind.S3:
            prefix = self.path.strip("/")
            parts = [p for p in relative.replace("\\", "/").split("/") if p not in ("", ".")]
            if ".." in parts:
                raise SuspiciousFileOperation(f"{relative!r} leaves the root {self.uri}")
            return "/".join([prefix, *parts]) if prefix else "/".join(parts)
        root = Path(self.path).resolve()
        target = (root / relative).resolve()
        if target != root and root not in target.parents:
            raise SuspiciousFileOperation(f"{relative!r} leaves the root {self.uri}")
        return str(target)

    def storage_options(self) -> dict:
        """The options of a django-storages S3 storage for this root's bucket (S3 roots only)."""
        from django.conf import settings

        options = {**settings.S3_OPTIONS, "bucket_name": self.bucket}
        if self.endpoint_url:
            options["endpoint_url"] = self.endpoint_url
        return options

    def storage(self):
        """A django-storages S3 storage for this root's bucket (S3 roots only)."""
        from storages.backends.s3 import S3Storage

        return S3Storage(**self.storage_options())


class SamplingRole(models.TextChoices):
    """What a dataset's or recording's clips are for in the loop."""

    POOL = "pool", "Pool (sampled, trained on)"
    EVALUATION = "evaluation", "Evaluation only (never sampled by the strategy, never trained on)"
    EXCLUDED = "excluded", "Excluded from sampling (labels still train)"


class Dataset(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    role = models.CharField(max_length=12, choices=SamplingRole, default=SamplingRole.POOL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_dataset_name")
        ]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    habitat = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_site_name")]

    def __str__(self) -> str:
        return self.name


def recording_upload_to(instance: Recording, filename: str) -> str:
    return f"recordings/{instance.project_id}/{instance.sha256[:2]}/{instance.sha256}{Path(filename).suffix.lower()}"


class Recording(models.Model):
    """One audio file, read once at ingest: hashed, measured, and cut into clips."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="recordings")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="recordings")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="recordings"
    )
    name = models.CharField(max_length=300)
    # Either a reference to a file under a root, or a copy in the media storage.
    root = models.ForeignKey(
        AudioRoot, on_delete=models.PROTECT, null=True, blank=True, related_name="recordings"
    )
    path = models.CharField(max_length=1000, blank=True, help_text="Relative to the root.")
    file = models.FileField(upload_to=recording_upload_to, blank=True, max_length=500)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=20)
    samplerate = models.PositiveIntegerField()
    channels = models.PositiveSmallIntegerField()
    frames = models.BigIntegerField()
    duration_s = models.FloatField()
    recorded_at = models.DateTimeField(null=True, blank=True)
    time_expansion = models.FloatField(
        default=1.0, help_text="Factor the recorder already slowed the audio by."
    )
    metadata = models.JSONField(default=dict, blank=True)
    role = models.CharField(max_length=12, choices=SamplingRole, default=SamplingRole.POOL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="unique_recording_hash")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def nyquist_hz(self) -> float:
        return self.samplerate / 2

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """A seekable binary file of the audio, wherever it lives."""
        if self.file:
            with self.file.open("rb") as fh:
                yield fh
        elif self.root.kind == AudioRoot.Kind.S3:
            with self.root.storage().open(self.root.resolve(self.path), "rb") as fh:
                yield fh
        else:
            with open(self.root.resolve(self.path), "rb") as fh:
                yield fh

    def clip_bounds(self, length_s: float, overlap_s: float = 0.0) -> list[tuple[float, float]]:
        """(start, end) of the clips this recording is cut into, covering all of it.

        A remainder shorter than a tenth of a clip joins the clip before it; a longer one becomes
        a shorter last clip. A step (length minus overlap) that is not positive is refused: the
        cut would never move on.
        """
        step = length_s - overlap_s
        if not step > 0:
            raise ValueError(f"clip length {length_s} s must exceed the overlap {overlap_s} s")
        starts: list[float] = []
        start = 0.0
        while start < self.duration_s - 1e-9:
            starts.append(start)
            if start + length_s >= self.duration_s:
                break
            start += step
        if len(starts) > 1 and self.duration_s - starts[-1] < 0.1 * length_s:
            starts.pop()
        ends = [min(s + length_s, self.duration_s) for s in starts[:-1]] + [self.duration_s]
        # Stored to the microsecond, rounded down at the end: a clip never ends past the audio.
        last = round(self.duration_s, 6)
        if last > self.duration_s:
            last = math.floor(self.duration_s * 1e6) / 1e6
        return [(round(s, 6), min(round(e, 6), last)) for s, e in zip(starts, ends, strict=True)]


class Clip(models.Model):
    """A stretch of a recording: the unit of the pool, of tasks and of predictions."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="clips")
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="clips")
    start_s = models.FloatField()
    end_s = models.FloatField()
    held_out = models.BooleanField(
        default=False,
        help_text="In the project's random evaluation set: queued only as an audit, never trained on.",
    )

    objects = ClipQuerySet.as_manager()

    class Meta:
        ordering = ["recording", "start_s"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "start_s", "end_s"], name="unique_clip"),
            models.CheckConstraint(
                condition=models.Q(end_s__gt=models.F("start_s")), name="clip_positive_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recording.name} [{self.start_s:.3f}–{self.end_s:.3f} s]"

    @property
    def duration(self) -> float:
        return self.end_s - self.start_s

    def with_context(self, context_s: float) -> tuple[float, float]:
        """The clip with ``context_s`` seconds before and after it, inside its recording: the
        window the page shows first and within which a box may be drawn."""
        return max(0.0, self.start_s - context_s), min(
            self.recording.duration_s, self.end_s + context_s
        )

    @staticmethod
    def draw_held_out(sha256: str, start_s: float, fraction: float) -> bool:
        """Whether a clip joins the random evaluation set: a fixed hash of the recording's content
        and the clip's start, so the set never changes once drawn and re-cutting keeps it."""
        if fraction <= 0:
            return False
        value = zlib.crc32(f"{sha256}:{start_s:.6f}".encode()) / 2**32
        return value < fraction


def home_clip(clips: list[Clip], start_s: float, end_s: float) -> Clip | None:
    """The clip (of clips sorted by start) that contains `start_s` and most of the box.

    With overlapping clips several contain the start; the one holding most of the box wins, the
    earlier on a tie.
    """
    starts = [clip.start_s for clip in clips]
    k = bisect_right(starts, start_s) - 1
    holding = []
    while k >= 0 and clips[k].end_s > start_s:
        holding.append(clips[k])
        k -= 1
    return max(
        holding,
        key=lambda c: (min(c.end_s, end_s) - max(c.start_s, start_s), -c.start_s),
        default=None,
    )
