"""Sampling rounds: which clips a round chose for annotation, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from annotator.models import AnnotationTask, Clip, Project
from models_app.models import ModelVersion


class SamplingRound(models.Model):
    """One batch chosen by a strategy (or a cold start), turned into annotation tasks."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sampling_rounds")
    number = models.PositiveIntegerField()
    model_version = models.ForeignKey(
        ModelVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sampling_rounds",
    )
    strategy = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    cold_start = models.BooleanField(default=False)
    trigger = models.CharField(max_length=30, default="manual")
    candidates = models.PositiveIntegerField(default=0, help_text="Clips the strategy chose from.")
    batch_size = models.PositiveIntegerField(default=0)
    audit_fraction = models.FloatField(default=0.0)
    selection_seconds = models.FloatField(default=0.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="unique_round_number")
        ]

    def __str__(self) -> str:
        return f"{self.project} round {self.number} ({self.strategy})"


class SamplingPick(models.Model):
    """One clip a round chose: its rank, the strategy's score and a human-readable reason."""

    round = models.ForeignKey(SamplingRound, on_delete=models.CASCADE, related_name="picks")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="sampling_picks")
    task = models.ForeignKey(
        AnnotationTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rank = models.PositiveIntegerField()
    score = models.FloatField(default=0.0)
    reason = models.CharField(max_length=300)
    is_audit = models.BooleanField(default=False)

    class Meta:
        ordering = ["round", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["round", "clip"], name="one_pick_per_round_clip")
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.reason}"


class RoundRequestQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=[RoundRequest.Status.QUEUED, RoundRequest.Status.RUNNING])

    def pending(self):
        """Unfinished and not older than the expiry (the beat fails those: ``expired``)."""
        return self.unfinished().filter(created_at__gte=self._cutoff())

    def expired(self):
        return self.unfinished().filter(created_at__lt=self._cutoff())

    @staticmethod
    def _cutoff():
        return timezone.now() - timezone.timedelta(seconds=RoundRequest.expiry_seconds())


class RoundRequest(models.Model):
    """A lead's "start a round now": chosen on a worker (a round over a million clips takes seconds
    and a gigabyte, which the web process must not spend); the lead polls this row.

    One pending request per identical round (``rounds.request_round``); the beat fails those
    pending past ``expiry_seconds()`` and deletes finished ones after
    ``ECHOLOOP_ROUND_REQUEST_DAYS`` (``rounds.expire_requests``, ``rounds.prune_requests``)."""

    EXPIRY_FACTOR = 4  # a request may wait and run this many round budgets before it is failed

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="round_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    strategy = models.CharField(max_length=40, blank=True)
    batch_size = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    round = models.ForeignKey(
        SamplingRound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RoundRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="roundrequest_status_idx")]

    def __str__(self) -> str:
        return f"round request {self.pk} of {self.project} ({self.status})"

    @classmethod
    def expiry_seconds(cls) -> float:
        """How long a request may stay queued or running: the round budget times a factor."""
        return settings.ECHOLOOP_ROUND_SECONDS * cls.EXPIRY_FACTOR
