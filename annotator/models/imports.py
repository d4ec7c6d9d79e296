"""An import of recordings as a job: what it was asked to do, how far it got, and its report."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .audio import Dataset, SamplingRole, Site
from .project import Project


class ImportJob(models.Model):
    """One ``import_recordings`` run over a location, done in chunks by any number of workers.

    ``done`` counts files whose outcome is in ``report`` (imported, duplicate or failed); the job
    is finished when it reaches ``total``. ``report`` holds every file that was not simply
    imported, with its reason, so nothing found is passed over without a word."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_jobs")
    dataset = models.ForeignKey(Dataset, null=True, on_delete=models.SET_NULL, related_name="+")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Made for this import: removed again if it ends with nothing imported.
    dataset_created = models.BooleanField(default=False)
    site_created = models.BooleanField(default=False)
    location = models.CharField(max_length=2000)
    copy = models.BooleanField(default=False)
    role = models.CharField(max_length=12, choices=SamplingRole, default=SamplingRole.POOL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    error = models.TextField(blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Audio files found.")
    done = models.PositiveIntegerField(default=0, help_text="Audio files with an outcome.")
    imported = models.PositiveIntegerField(default=0)
    clips = models.PositiveIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    chunks_done = models.JSONField(default=list, help_text="Indexes of the chunks merged so far.")
    chunk_bounds = models.JSONField(
        default=list, help_text="First and last file of each chunk (to send a lost chunk again)."
    )
    report = models.JSONField(
        default=dict, help_text="duplicates, failed, skipped and warnings, by file."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Last progress.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.location} ({self.status}, {self.done}/{self.total})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
