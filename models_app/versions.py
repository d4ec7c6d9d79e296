"""Which version is active, and asking for a training: database only, no torch.

The web process answers these (retrain, activate, the page's predictions) and must start fast:
it never imports the ML stack, which only the workers load (``registry``, ``tasks``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from annotator.models import Project
from models_app.models import ModelVersion, TrainingRun


class TrainingBusy(Exception):
    """A training of this project is already queued or running."""


def request_training(
    project: Project,
    *,
    trigger: str,
    user=None,
    force: bool = False,
    kind: str = TrainingRun.Kind.TRAIN,
) -> TrainingRun:
    """Create a queued run; raises TrainingBusy while another run of the project is unfinished
    (a self-supervised pretraining counts: both use the project's train worker)."""
    parent = active_version(project) if kind == TrainingRun.Kind.TRAIN else None
    try:
        with transaction.atomic():
            return TrainingRun.objects.create(
                project=project,
                trigger=trigger,
                requested_by=user,
                force_activate=force,
                parent=parent,
                kind=kind,
            )
    except IntegrityError as exc:  # the partial unique constraint: one unfinished run per project
        raise TrainingBusy(f"a training of {project} is already queued or running") from exc


def active_version(project: Project) -> ModelVersion | None:
    return ModelVersion.objects.filter(project=project, is_active=True).first()


def activate_version(version: ModelVersion, *, forced: bool = False) -> None:
    """Make ``version`` the project's active one (the partial unique index keeps it single)."""
    with transaction.atomic():
        ModelVersion.objects.filter(project=version.project, is_active=True).exclude(
            pk=version.pk
        ).update(is_active=False)
        ModelVersion.objects.filter(pk=version.pk).update(is_active=True, forced=forced)
    version.refresh_from_db()
