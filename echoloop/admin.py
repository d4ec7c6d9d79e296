"""The Django admin, with its login under the same failure budget as the site's login page."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class EcholoopAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        if request.method != "POST":
            return super().login(request, extra_context)
        from annotator.views import throttled_login

        return throttled_login(
            request, lambda: super(EcholoopAdminSite, self).login(request, extra_context)
        )


class EcholoopAdminConfig(AdminConfig):
    default_site = "echoloop.admin.EcholoopAdminSite"
