"""Every API viewset is scoped to the user's projects by one mixin, and writes by one role rule."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import viewsets
from rest_framework.routers import DefaultRouter

from annotator.api.permissions import ProjectRole, ProjectScoped
from annotator.models import Dataset
from annotator.roles import LEAD_ROLES, WRITE_ROLES, Role


def viewsets_of(patterns) -> set[type]:
    """The viewset classes behind a URLconf's patterns, included URLconfs too."""
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= viewsets_of(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            cls = getattr(pattern.callback, "cls", None)
            if cls is not None and issubclass(cls, viewsets.ViewSetMixin):
                found.add(cls)
    return found


def unscoped(patterns) -> list[str]:
    return sorted(
        cls.__name__
        for cls in viewsets_of(patterns)
        if not issubclass(cls, ProjectScoped) or ProjectRole not in cls.permission_classes
    )


def test_every_routed_viewset_is_project_scoped():
    routed = viewsets_of(get_resolver().url_patterns)
    assert {"TaskViewSet", "ModelVersionViewSet", "SamplingRoundViewSet"} <= {
        c.__name__ for c in routed
    }
    assert unscoped(get_resolver().url_patterns) == []


def test_a_viewset_without_the_mixin_is_caught():
    class Leaky(viewsets.ReadOnlyModelViewSet):
        queryset = Dataset.objects.all()

    router = DefaultRouter()
    router.register("leaky", Leaky, basename="leaky")
    assert unscoped(router.urls) == ["Leaky"]


def test_the_roles_are_named_once():
    assert set(WRITE_ROLES) == {Role.LEAD, Role.ANNOTATOR} and LEAD_ROLES == (Role.LEAD,)


@pytest.mark.parametrize("who,count", [("lead", 1), ("viewer", 1), ("outsider", 0)])
def test_scoped_list_shows_only_members_rows(project, cast, api, who, count):
    from tests import factories as f

    f.make_dataset(project)
    rows = api(cast[who]).get("/api/datasets/").json()["results"]
    assert len([r for r in rows if r["project"] == project.pk]) == count


def test_write_roles_decide_task_actions(project, cast, api):
    """A viewer reads a task but cannot act on it: ProjectRole, from the viewset's write_roles."""
    from annotator.models import AnnotationTask
    from tests import factories as f

    task = AnnotationTask.objects.create(project=project, clip=f.make_clip(project))
    assert api(cast["viewer"]).get(f"/api/tasks/{task.pk}/").status_code == 200
    assert api(cast["viewer"]).post(f"/api/tasks/{task.pk}/renew/").status_code == 403
    assert api(cast["outsider"]).post(f"/api/tasks/{task.pk}/renew/").status_code == 404
