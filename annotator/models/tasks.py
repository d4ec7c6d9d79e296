"""The annotation queue: one row per (clip, slot) a project wants annotated."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from annotator.querysets import TaskQuerySet

from .audio import Clip
from .project import Project


class TaskStatus(models.TextChoices):
    QUEUED = "queued"
    LEASED = "leased"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


class AnnotationTask(models.Model):
    """A clip waiting in a project's queue.

    Double annotation is two tasks for the same clip (slots 1 and 2); the queue never gives both
    slots of a clip to the same annotator, and each task is leased to one annotator at a time.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="tasks")
    slot = models.PositiveSmallIntegerField(default=1)
    annotations_needed = models.PositiveSmallIntegerField(
        default=1, help_text="How many annotators the clip is given to (2 for agreement)."
    )
    status = models.CharField(max_length=12, choices=TaskStatus, default=TaskStatus.QUEUED)
    priority = models.FloatField(default=0.0, help_text="Higher is served first.")
    reason = models.CharField(max_length=300, blank=True, help_text="Why the clip was queued.")
    source = models.CharField(
        max_length=30, default="manual", help_text="manual, random, audit, sampling, …"
    )
    is_audit = models.BooleanField(
        default=False, help_text="Queued at random, for unbiased evaluation."
    )
    round_number = models.PositiveIntegerField(null=True, blank=True)
    lease_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leased_tasks",
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who leased it last (kept when the lease ends): only they may submit it.",
    )
    leased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the current (or last) lease began: the pace of labelling.",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completed_tasks",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="returned_tasks",
        help_text="The annotator a lead's rejection sent this clip back to: offered to them first.",
    )
    return_note = models.TextField(blank=True, help_text="The lead's note with the rejection.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "clip", "slot"], name="one_task_per_clip_slot"
            )
        ]
        indexes = [
            models.Index(fields=["project", "status", "-priority"], name="task_queue_idx"),
            # The claim's scan: queued tasks of a project in priority order.
            models.Index(
                fields=["project", "-priority", "id"],
                condition=models.Q(status="queued"),
                name="task_queued_idx",
            ),
            models.Index(fields=["status", "lease_expires_at"], name="task_lease_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.status}) {self.clip}"


class SkipReason(models.TextChoices):
    CANT_TELL = "cant_tell", "can't tell"
    BROKEN_AUDIO = "broken_audio", "broken audio"
    OTHER = "other", "other"


class TaskSkip(models.Model):
    """An annotator passed on a task, and why.

    The queue serves a task this annotator skipped only after every other open task (others
    get it as usual), and leads read the reasons: a clip many skip as "broken audio" needs them.
    """

    task = models.ForeignKey(AnnotationTask, on_delete=models.CASCADE, related_name="skips")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_skips"
    )
    reason = models.CharField(max_length=20, choices=SkipReason)
    note = models.CharField(max_length=500, blank=True, help_text="Required with 'other'.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "task"], name="skip_user_task_idx")]

    def __str__(self) -> str:
        return f"{self.user} skipped task {self.task_id}: {self.get_reason_display()}"

    @property
    def why(self) -> str:
        """The reason in words, with the annotator's note for "other"."""
        label = self.get_reason_display()
        return f"{label}: {self.note}" if self.note else label
