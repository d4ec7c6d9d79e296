"""What annotators submit: clip-level answers, sound-event boxes, and the revisions of both."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from annotator import boxes

from .audio import Clip
from .project import Project, Tag


class ClipAnnotation(models.Model):
    """One annotator's answer for one clip. Edits bump ``version`` and keep a revision."""

    class Review(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="clip_annotations")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clip_annotations"
    )
    task = models.ForeignKey(
        "annotator.AnnotationTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="clip_annotations")
    no_calls = models.BooleanField(
        default=False, help_text="The annotator found no calls in the clip."
    )
    noise = models.BooleanField(default=False, help_text="The clip is only noise.")
    uncertain = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    review_status = models.CharField(max_length=10, choices=Review, default=Review.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clip", "annotator"], name="one_annotation_per_annotator_clip"
            )
        ]

    def __str__(self) -> str:
        return f"{self.annotator} on {self.clip} v{self.version}"

    def snapshot(self) -> dict[str, Any]:
        """Everything the annotator said, as plain data (what a revision keeps)."""
        return {
            "version": self.version,
            "tags": sorted(self.tags.values_list("pk", flat=True)),
            "no_calls": self.no_calls,
            "noise": self.noise,
            "uncertain": self.uncertain,
            "notes": self.notes,
            "review_status": self.review_status,
            "events": [event.as_dict() for event in self.events.order_by("start_s", "pk")],
        }


class SoundEventAnnotation(models.Model):
    """A time–frequency box (or a time interval when the frequencies are empty) with a tag."""

    clip_annotation = models.ForeignKey(
        ClipAnnotation, on_delete=models.CASCADE, related_name="events"
    )
    start_s = models.FloatField(help_text="Seconds from the start of the recording.")
    end_s = models.FloatField()
    low_hz = models.FloatField(null=True, blank=True)
    high_hz = models.FloatField(null=True, blank=True)
    tag = models.ForeignKey(
        Tag, on_delete=models.RESTRICT, null=True, blank=True, related_name="events"
    )
    confidence = models.FloatField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["start_s", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_s__gt=models.F("start_s")), name="event_positive_length"
            ),
            models.CheckConstraint(
                condition=models.Q(low_hz__isnull=True, high_hz__isnull=True)
                | models.Q(
                    low_hz__isnull=False, high_hz__isnull=False, high_hz__gt=models.F("low_hz")
                ),
                name="event_band_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tag or 'untagged'} {self.start_s:.4f}–{self.end_s:.4f} s"

    @property
    def is_box(self) -> bool:
        return self.low_hz is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "low_hz": self.low_hz,
            "high_hz": self.high_hz,
            "tag": self.tag_id,
            "confidence": self.confidence,
            "notes": self.notes,
        }

    def iou(self, other: SoundEventAnnotation) -> float:
        """Time–frequency intersection over union (time-only when either is an interval)."""
        return boxes.iou(self, other)


class AnnotationRevision(models.Model):
    """The state of a clip annotation before an edit: nothing submitted is ever overwritten."""

    clip_annotation = models.ForeignKey(
        ClipAnnotation, on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    data = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(
        max_length=20, default="edit", help_text="edit, review, correct, reject …"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clip_annotation", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["clip_annotation", "version"], name="one_revision_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"annotation {self.clip_annotation_id} v{self.version} ({self.action})"
