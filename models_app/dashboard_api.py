"""Dashboard endpoints of model quality and progress (members only; outsiders get 404)."""

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
from models_app import dashboard


@extend_schema(parameters=CSV_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@renderer_classes(DASHBOARD_RENDERERS)
def model(request: Request, pk: int) -> Response:
    """Versions and their metrics, the learning curve on the audit slice, per-class AP of the
    active version, and the progress of a running training and rescoring."""
    project = project_for(request.user, pk)
    data = dashboard.model_dashboard(project)
    return figures_response(request, project, "model", data, dashboard.tables(data))


@extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
@api_view(["GET"])
def chart(request: Request, pk: int, name: str) -> HttpResponse:
    """One model chart as SVG: learning_curve or class_ap."""
    project = project_for(request.user, pk)
    return svg_response(dashboard.chart(project, name))
