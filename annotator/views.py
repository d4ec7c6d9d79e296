"""Server-rendered pages: login, the project list, a project's page and the annotation page shell."""

from __future__ import annotations

import math

from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from rest_framework.throttling import BaseThrottle

from annotator import queue
from annotator.access import LEAD_ROLES, check_role, project_for, projects_of
from annotator.models import Recording
from annotator.stats import project_counts

User = get_user_model()
LOGIN_ATTEMPTS = 10
LOGIN_WINDOW_S = 300


class ThrottledLoginView(LoginView):
    """Django's login, refusing more than LOGIN_ATTEMPTS failures per client and username a window."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return throttled_login(
            request, lambda: super(ThrottledLoginView, self).post(request, *args, **kwargs)
        )


def throttled_login(request: HttpRequest, attempt) -> HttpResponse:
    """Run ``attempt`` (a login form's POST) unless this client and username used up their
    failures; count a failure. The page's login and the admin's share the budget."""
    key = _attempt_key(request)
    if cache.get(key, 0) >= LOGIN_ATTEMPTS:
        return render(request, "registration/throttled.html", status=429)
    response = attempt()
    if not request.user.is_authenticated:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOGIN_WINDOW_S)
    return response


def _attempt_key(request: HttpRequest) -> str:
    """Client and username as authentication reads the name (stripped, NFKC, like Django's
    login form), case-folded: " ann", "ann " and the full-width spelling share one budget."""
    raw = (request.POST.get("username") or "")[:150]
    username = UsernameField().to_python(raw) or ""
    return f"login-attempts:{client_address(request)}:{username.casefold()}"


def client_address(request: HttpRequest) -> str:
    """The client's address as DRF's throttles read it: behind ``NUM_PROXIES`` trusted proxies the
    one the outermost of them saw, else the socket's peer (so the page and the token endpoint
    count a guesser the same way, and nobody behind a proxy shares one bucket)."""
    return BaseThrottle().get_ident(request)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = projects_of(request.user).distinct().order_by("name")
    rows = [(p, p.role_of(request.user), project_counts(p)) for p in projects]
    return render(request, "annotator/project_list.html", {"rows": rows})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "counts": project_counts(project),
        "datasets": project.datasets.all(),
        "recordings": project.recordings.select_related("site").order_by("name")[:200],
        **queue_for(project, request.user),
    }
    return render(request, "annotator/project_detail.html", context)


SKIPS_ON_PAGE = 50


def queue_for(project, user) -> dict:
    """What the project page says about the user's queue: clips returned to them, and for
    leads the latest skipped clips with their reasons (the rest through the API)."""
    skips = queue.skipped_tasks(project) if project.role_of(user) in LEAD_ROLES else None
    return {
        "returned": queue.returned_to_count(project, user),
        "skips": skips[:SKIPS_ON_PAGE] if skips is not None else None,
        "skips_total": skips.count() if skips is not None else 0,
    }


@login_required
def annotate(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request.user, pk)
    config = {
        "csrfToken": get_token(request),
        "user": {"id": request.user.pk, "username": request.user.username},
    }
    context = {"project": project, "role": project.role_of(request.user), "config": config}
    return render(request, "annotator/annotate.html", context)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead's review page: the answers awaiting review on the spectrogram (leads only)."""
    project = project_for(request.user, pk)
    check_role(project, request.user, LEAD_ROLES, "Only the project's leads review annotations.")
    annotators = User.objects.filter(clip_annotations__project=project).distinct()
    config = {
        "csrfToken": get_token(request),
        "user": {"id": request.user.pk, "username": request.user.username},
        "annotators": [
            {"id": u.pk, "username": u.username} for u in annotators.order_by("username")
        ],
        "datasets": [{"id": d.pk, "name": d.name} for d in project.datasets.order_by("name")],
    }
    context = {"project": project, "role": project.role_of(request.user), "config": config}
    return render(request, "annotator/review.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the process answers and the database does (503 otherwise, so a load
    balancer or compose stops sending annotators to a web process that cannot save their work)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return JsonResponse({"ok": False, "database": type(exc).__name__}, status=503)
    return JsonResponse({"ok": True})


TILE_SECONDS = (60.0, 20.0, 5.0, 1.0)  # zoom levels of the recording browser
TILES_PER_PAGE = 6


@login_required
def recording_browser(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    """Page through a long recording as spectrogram tiles at a few zoom levels."""
    project = project_for(request.user, pk)
    recording = get_object_or_404(Recording, pk=rid, project=project)
    zoom = _int_param(request, "zoom", 1, 0, len(TILE_SECONDS) - 1)
    tile_s = min(TILE_SECONDS[zoom], recording.duration_s)
    n_tiles = max(1, math.ceil(recording.duration_s / tile_s - 1e-9))
    n_pages = math.ceil(n_tiles / TILES_PER_PAGE)
    page = _int_param(request, "page", 0, 0, n_pages - 1)
    first = page * TILES_PER_PAGE
    tiles = [
        {"start": i * tile_s, "end": min((i + 1) * tile_s, recording.duration_s)}
        for i in range(first, min(first + TILES_PER_PAGE, n_tiles))
    ]
    context = {
        "project": project,
        "role": project.role_of(request.user),
        "recording": recording,
        "tiles": tiles,
        "zoom": zoom,
        "zooms": [(i, s) for i, s in enumerate(TILE_SECONDS)],
        "page": page,
        "n_pages": n_pages,
        "clips": recording.clips.filter(start_s__lt=tiles[-1]["end"], end_s__gt=tiles[0]["start"]),
    }
    return render(request, "annotator/recording_browser.html", context)


def _int_param(request: HttpRequest, name: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(max(int(request.GET.get(name, default)), lo), hi)
    except ValueError:
        return default
