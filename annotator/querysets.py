"""Reusable queries: ``Clip.objects.for_project(p).unlabeled().not_queued()`` and friends."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from annotator.roles import WRITE_ROLES


def _model(name: str):
    """An annotator model by name, looked up in the app registry when a query is built: the models
    import these querysets, so importing the models here would be an import cycle."""
    return apps.get_model("annotator", name)


class ProjectScopedQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def visible_to(self, user):
        """Rows of projects the user is a member of (every project for superusers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(project__memberships__user=user)


class RecordingQuerySet(ProjectScopedQuerySet):
    pass


def _role_is(role: str) -> Q:
    return Q(recording__role=role) | Q(recording__dataset__role=role)


class ClipQuerySet(ProjectScopedQuerySet):
    def evaluation(self):
        """The project's evaluation set: the random held-out clips and every clip of
        evaluation-only recordings or datasets. Never trained on, never chosen by a strategy."""
        return self.filter(Q(held_out=True) | _role_is("evaluation")).exclude(_role_is("excluded"))

    def for_training(self):
        """Clips whose labels may train a model (everything outside the evaluation set)."""
        return self.filter(held_out=False).exclude(_role_is("evaluation"))

    def samplable(self):
        """Clips a sampling strategy may choose: neither evaluation nor excluded from sampling."""
        return self.for_training().exclude(_role_is("excluded"))

    def labelled(self):
        return self.filter(Exists(_model("ClipAnnotation").objects.filter(clip=OuterRef("pk"))))

    def unlabeled(self):
        return self.filter(~Exists(_model("ClipAnnotation").objects.filter(clip=OuterRef("pk"))))

    def not_queued(self):
        """Clips with no task at all (queued, leased or done)."""
        return self.filter(~Exists(_model("AnnotationTask").objects.filter(clip=OuterRef("pk"))))


class TaskQuerySet(ProjectScopedQuerySet):
    def held_by(self, user):
        return self.filter(status="leased", lease_holder=user, lease_expires_at__gt=timezone.now())

    def expired(self):
        return self.filter(status="leased", lease_expires_at__lte=timezone.now())

    def claimable_by(self, user):
        """Queued tasks whose clip this user has neither annotated nor holds in another slot;
        a clip a lead's rejection returned to them is theirs again, and no one else's while
        they are still on the project.

        Expired leases are turned back into queued tasks first (``queue.expire_leases``), so
        this filter is a plain equality that the partial index on queued tasks serves in
        priority order.
        """
        mine = _model("ClipAnnotation").objects.filter(clip=OuterRef("clip"), annotator=user)
        other_slot = (
            _model("AnnotationTask")
            .objects.filter(clip=OuterRef("clip"), project=OuterRef("project"))
            .filter(Q(lease_holder=user, status="leased") | Q(completed_by=user))
            .exclude(pk=OuterRef("pk"))
        )
        kept_for_other = _model("Membership").objects.filter(
            project=OuterRef("project"), user=OuterRef("returned_to"), role__in=WRITE_ROLES
        )
        fresh = Q(returned_to__isnull=True) | ~Exists(kept_for_other)
        return self.filter(status="queued").filter(
            Q(returned_to=user) | (fresh & ~Exists(mine) & ~Exists(other_slot))
        )
