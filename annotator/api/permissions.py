"""API permissions: members read, the roles a view names write."""

from __future__ import annotations

from rest_framework import permissions

from annotator.models import Role


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
        return role in getattr(view, "write_roles", (Role.LEAD,))
