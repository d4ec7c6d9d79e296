"""Model versions, training runs, rescoring jobs and per-clip predictions."""

from __future__ import annotations

import numpy as np
from django.db import models
from django.db.models import Q

from annotator.models import Clip, Project


class ModelVersion(models.Model):
    """Weights + config + metrics of one trained (or imported) detector of a project."""

    class Source(models.TextChoices):
        TRAINED = "trained"
        BATDETECT2 = "batdetect2", "BatDetect2 outputs"
        BIRDNET = "birdnet", "BirdNET results"
        AOEF = "aoef", "soundevent prediction set"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="model_versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=20, choices=Source, default=Source.TRAINED)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    config = models.JSONField(default=dict, blank=True)
    class_names = models.JSONField(default=list, blank=True)
    weights = models.FileField(upload_to="models/", blank=True, max_length=300)
    n_labels = models.PositiveIntegerField(
        default=0, help_text="Labelled clips the version was trained on."
    )
    metrics = models.JSONField(default=dict, blank=True)
    threshold = models.FloatField(
        default=0.5,
        help_text="Served threshold on calibrated scores: the page, exports and validation use it.",
    )
    calibration = models.JSONField(default=dict, blank=True, help_text="Score calibration (Platt).")
    is_active = models.BooleanField(default=False)
    forced = models.BooleanField(
        default=False, help_text="Activated by a lead although not better."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_active=True), name="one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number} ({self.source})"

    @property
    def is_external(self) -> bool:
        return self.source != self.Source.TRAINED

    @property
    def name(self) -> str:
        return f"v{self.number}" + (
            "" if not self.is_external else f" ({self.get_source_display()})"
        )


class TrainingRun(models.Model):
    """One (re)training of a project's detector: status, per-epoch progress, log and outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded", "Succeeded (activated)"
        KEPT_OLD = "kept_old", "Succeeded (not better: previous version kept)"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Kind(models.TextChoices):
        TRAIN = "train", "Detector training"
        # Self-supervised pretraining of the detector's backbone on the project's unlabelled pool
        # (models_app.pretraining): it makes no version, it stores the encoder trainings start from.
        PRETRAIN = "pretrain", "Self-supervised pretraining"

    class Phase(models.TextChoices):
        QUEUED = "queued"
        PREPARING = "preparing", "Reading labels"
        PRETRAINING = "pretraining", "Pretraining on synthetic calls"
        SELF_SUPERVISED = "ssl", "Self-supervised pretraining on the pool"
        TRAINING = "training"
        EVALUATING = "evaluating", "Evaluating on the evaluation set"
        STORING = "storing"
        DONE = "done"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="training_runs")
    status = models.CharField(max_length=12, choices=Status, default=Status.QUEUED)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.TRAIN)
    trigger = models.CharField(max_length=20, default="labels", help_text="labels, request, …")
    requested_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True)
    force_activate = models.BooleanField(default=False)
    parent = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    n_labels = models.PositiveIntegerField(default=0)
    epoch = models.PositiveIntegerField(default=0)
    n_epochs = models.PositiveIntegerField(default=0)
    history = models.JSONField(default=list, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    # Liveness: the worker running it beats every few seconds; a run whose heartbeat stops is
    # failed by the sweep (models_app.liveness) and retried once.
    phase = models.CharField(max_length=12, choices=Phase, default=Phase.QUEUED)
    phase_progress = models.FloatField(default=0.0)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    eta_s = models.FloatField(null=True, blank=True, help_text="Seconds left in the current phase.")
    phase_seconds = models.JSONField(default=dict, blank=True, help_text="Time spent per phase.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_requested = models.BooleanField(default=False)
    budget = models.JSONField(
        default=dict,
        blank=True,
        help_text="The cost bound the run took: steps and epochs asked for, allowed, and whether cut.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One training per project at a time: a second request while one is queued or
            # running fails on this constraint instead of starting a parallel run.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["queued", "running"]),
                name="one_training_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"training {self.pk} of {self.project} ({self.status})"

    @property
    def progress(self) -> float:
        return self.epoch / self.n_epochs if self.n_epochs else 0.0

    @property
    def is_unfinished(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class RescoreJob(models.Model):
    """Scoring of a project's unlabelled pool by one version, in chunks over any number of workers."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    class Kind(models.TextChoices):
        TRAINING = "training", "After a training"
        IMPORT = "import", "New recordings"

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="rescore_jobs")
    # The training whose chain started it: unique, so a chain delivered twice rescores once.
    run = models.ForeignKey(
        TrainingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="rescores"
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.TRAINING)
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    n_chunks = models.PositiveIntegerField(default=0)
    n_clips = models.PositiveIntegerField(default=0)
    # Clips it could not score (unreadable audio, a chunk that failed its retries): the loop
    # goes on without them, and says so here.
    n_unscored = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["run"], condition=Q(run__isnull=False), name="one_rescore_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"rescore {self.pk} by {self.version}"

    @property
    def scored(self) -> int:
        return Prediction.objects.filter(version=self.version).count()


EMBEDDING_DTYPE = np.float16  # 2 bytes a value: a million 128-d embeddings load in seconds


class Prediction(models.Model):
    """What one version says about one clip. Unique per (clip, version): rescoring is idempotent."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="predictions")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="predictions")
    class_probs = models.JSONField(
        default=list, help_text="Aligned with the version's class_names."
    )
    any_event = models.FloatField(default=0.0)
    detections = models.JSONField(
        default=list, help_text="start_s, end_s, low_hz, high_hz, label, score"
    )
    uncertainty = models.JSONField(default=dict)
    window_uncertainty = models.JSONField(default=list)
    # float16 bytes: a 128-d embedding is 256 bytes, so a million-clip pool loads in seconds.
    embedding = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clip", "version"], name="one_prediction_per_clip_version"
            )
        ]
        indexes = [models.Index(fields=["version", "clip"], name="prediction_version_idx")]

    def __str__(self) -> str:
        return f"{self.version} on clip {self.clip_id}"

    def embedding_array(self) -> np.ndarray | None:
        if not self.embedding:
            return None
        return self.unpack_embeddings([self.embedding])[0]

    @staticmethod
    def pack_embedding(vector: np.ndarray) -> bytes:
        """The stored form of an embedding: float16 bytes."""
        return np.asarray(vector, dtype=EMBEDDING_DTYPE).tobytes()

    @staticmethod
    def unpack_embeddings(blobs) -> np.ndarray:
        """Stored embeddings (``pack_embedding``'s bytes, all of one length) as a float32 [N, D]
        array: the one place they are decoded."""
        blobs = [bytes(b) for b in blobs]
        if not blobs:
            return np.zeros((0, 0), np.float32)
        flat = np.frombuffer(b"".join(blobs), dtype=EMBEDDING_DTYPE)
        return flat.reshape(len(blobs), -1).astype(np.float32)


class VersionEvaluation(models.Model):
    """A version's scores on the project's evaluation set as it stood (``eval_key``).

    Every version is evaluated on the same set: when the set changes (new evaluation labels),
    the versions on the curve are evaluated again, so the learning curve compares like with like.
    """

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="evaluations")
    eval_key = models.CharField(
        max_length=64, help_text="Hash of the evaluation clips and their labels."
    )
    n_clips = models.PositiveIntegerField(default=0)
    n_events = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "eval_key"], name="one_evaluation_per_set")
        ]

    def __str__(self) -> str:
        return f"{self.version} on {self.n_clips} evaluation clips"


class ScoreChunk(models.Model):
    """One scored chunk's pool scores as packed arrays: what a sampling round reads.

    A round over a million clips reads ~16,000 of these rows instead of a million predictions
    with JSON to decode (see ``models_app.poolscores``). The per-clip ``Prediction`` rows stay for
    what the page, exports and evaluation show (detections); both are written in one transaction.
    """

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="score_chunks")
    n_clips = models.PositiveIntegerField()
    clip_ids = models.BinaryField(help_text="int64 [n]")
    probs = models.BinaryField(help_text="float32 [n, n_classes]")
    n_classes = models.PositiveIntegerField(default=0)
    windows = models.BinaryField(help_text="float32 [n, n_windows], NaN-padded")
    n_windows = models.PositiveIntegerField(default=0)
    embeddings = models.BinaryField(null=True, blank=True, help_text="float16 [n, dim]")
    dim = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["version"], name="scorechunk_version_idx")]

    def __str__(self) -> str:
        return f"{self.n_clips} scores by {self.version_id}"


class LightHead(models.Model):
    """The project's latest light head: per-class logistic regression on frozen window embeddings,
    refitted within seconds of each submitted batch (``models_app.light_head``)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="light_head")
    source = models.CharField(
        max_length=80, help_text="The embedding it reads: v<version id> or adapter-<name>."
    )
    class_names = models.JSONField(default=list)
    # float32 bytes: [C, D] weights then [C] intercepts.
    weights = models.BinaryField()
    dim = models.PositiveIntegerField()
    n_labels = models.PositiveIntegerField(default=0, help_text="Labelled clips it was fitted on.")
    fit_seconds = models.FloatField(default=0.0)
    metrics = models.JSONField(
        default=dict, blank=True, help_text="clip_ap per class on the evaluation set."
    )
    fitted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"light head of {self.project} on {self.n_labels} labels"
