"""API access: every viewset is scoped to the user's projects by ``ProjectScoped``; members read,
the roles a view names (``write_roles``) write, checked by ``ProjectRole`` and nowhere else."""

from __future__ import annotations

from rest_framework import permissions

from annotator.access import LEAD_ROLES, check_role, projects_of


def project_of(obj):
    return obj if obj.__class__.__name__ == "Project" else obj.project


class ProjectRole(permissions.BasePermission):
    """Object-level: any member reads; writes need one of the view's ``write_roles``.

    Listing is already limited to members by the view's queryset, so outsiders get 404.
    """

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        role = project_of(obj).role_of(request.user)
        if role is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return role in getattr(view, "write_roles", LEAD_ROLES)


class ProjectScoped:
    """Mixin of every API viewset: rows of the user's projects only, writes by ``write_roles``.

    ``project_field`` is the lookup from a row to its project (``"pk"`` for projects themselves).
    Reading a row and acting on it (``get_object``) checks the role by ``ProjectRole``; a new row
    names its project, checked here before it is saved. Outsiders see no rows, so they get 404.
    """

    permission_classes = [ProjectRole]
    write_roles: tuple[str, ...] = LEAD_ROLES
    project_field = "project"

    def get_queryset(self):
        rows = super().get_queryset()
        return rows.filter(**{f"{self.project_field}__in": projects_of(self.request.user)})

    def check_write(self, project) -> None:
        """403 unless the user's role in ``project`` is one of ``write_roles``."""
        check_role(project, self.request.user, self.write_roles)
