"""The project dashboard page: labelling figures drawn here, model and rounds figures by URL."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from annotator import dashboard
from annotator.access import project_for

RECENT_DAYS = 14
QUEUE_LABELS = {"expired_leases": "of which expired", "audit": "audit tasks (all states)"}


@login_required
def project_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Labelling charts inline with their numbers; the model and sampling sections are filled in
    by ``static/annotator/dashboard.js`` from the API (this app does not import those apps)."""
    project = project_for(request.user, pk)
    data = dashboard.labels_dashboard(project)
    # The charts escape every text they draw, so they can go into the page as they are.
    svgs = {name: mark_safe(draw(data[name])) for name, (_figure, draw) in dashboard.CHARTS.items()}
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "data": data,
        "svgs": svgs,
        "recent_days": data["labels_over_time"]["days"][-RECENT_DAYS:][::-1],
        "queue_rows": [(k, QUEUE_LABELS.get(k, k), n) for k, n in data["queue"].items()],
        "api": f"/api/projects/{project.pk}/",
    }
    return render(request, "annotator/dashboard.html", context)
