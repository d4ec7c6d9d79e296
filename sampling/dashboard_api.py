"""Dashboard endpoints of the sampling rounds (members only; outsiders get 404)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.request import Request
from rest_framework.response import Response

from annotator.access import project_for
from annotator.api.dashboard import (
    CSV_PARAMETERS,
    DASHBOARD_RENDERERS,
    figures_response,
    svg_response,
)
from sampling import dashboard


@extend_schema(parameters=CSV_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@renderer_classes(DASHBOARD_RENDERERS)
def rounds(request: Request, pk: int) -> Response:
    """Every sampling round: strategy, model version, picks by reason, and each pick's reason."""
    project = project_for(request.user, pk)
    data = dashboard.rounds_dashboard(project)
    return figures_response(request, project, "rounds", data, dashboard.tables(data))


@extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
@api_view(["GET"])
def rounds_chart(request: Request, pk: int) -> HttpResponse:
    """Picks per round by the kind of reason, as SVG."""
    project = project_for(request.user, pk)
    return svg_response(dashboard.rounds_chart(dashboard.rounds_dashboard(project)))
