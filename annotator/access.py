"""Who may see and do what: the one place project access is decided.

Refusals are Django's PermissionDenied (403 on pages, and through the API's exception handler 403
with the reason), so pages, API views and domain functions all check roles here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from annotator.models import Membership, Project
from annotator.roles import LEAD_ROLES, WRITE_ROLES

NOT_ALLOWED = "Your role in this project does not allow this."

__all__ = ["LEAD_ROLES", "WRITE_ROLES", "check_role", "is_member", "project_for", "projects_of"]


def projects_of(user):
    """The projects a user may see."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def project_for(user, pk, *, roles: tuple[str, ...] | None = None) -> Project:
    """The project ``pk`` if ``user`` is a member; 404 for outsiders, 403 for a role not in ``roles``.

    Outsiders get 404 rather than 403 so they cannot learn which projects exist. The member's
    role is read in the same query and remembered on the row, so later checks cost nothing.
    """
    if not user.is_authenticated:
        raise Http404("No such project.")
    try:
        rows = Project.objects.filter(pk=pk)
        if not user.is_superuser:
            role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
            rows = rows.annotate(member_role=Subquery(role)).filter(member_role__isnull=False)
        project = rows.get()
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such project.") from exc
    if not user.is_superuser:
        project.remember_role(user, project.member_role)
    if roles is not None:
        check_role(project, user, roles)
    return project


def check_role(project: Project, user, roles: tuple[str, ...], message: str = NOT_ALLOWED) -> None:
    """403 (PermissionDenied saying ``message``) unless the user's role in ``project`` is in ``roles``."""
    if project.role_of(user) not in roles:
        raise PermissionDenied(message)


def is_member(user, project_id: int) -> bool:
    """Whether the user may see the project (a cheap check for hot paths like images)."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(user_id=user.pk, project_id=project_id).exists()
    )
