"""Dashboard endpoints of the labelling figures (members only; outsiders get 404), and the small
pieces every app's dashboard endpoints share: JSON or CSV from one view, SVG responses.

``?format=csv`` answers with all tables in long form (table, row, column, value);
``?format=csv&table=<name>`` with one table as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.request import Request
from rest_framework.response import Response

from annotator import dashboard
from annotator.access import project_for
from annotator.dashboard import Table
from annotator.formats.text import spreadsheet_safe
from annotator.models import Project

CSV_PARAMETERS = [
    OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the figures as CSV"),
    OpenApiParameter(
        "table", str, description="With format=csv: one table by name (default: all, long form)"
    ),
]


class CSVRenderer(renderers.BaseRenderer):
    """Writes a ``Table`` (or an error's ``detail``) as CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if not isinstance(data, Table):
            data = Table(
                ["detail"], [[data.get("detail", "") if isinstance(data, dict) else str(data)]]
            )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(data.header)
        writer.writerows([_cell(v) for v in row] for row in data.rows)
        return out.getvalue().encode("utf-8")


def _cell(value):
    return "" if value is None else spreadsheet_safe(value)


DASHBOARD_RENDERERS = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]


def long_table(tables: Mapping[str, Table]) -> Table:
    """All tables in one: a row per cell, keyed by the table, the row's first value and the column."""
    rows = [
        [name, row[0], column, value]
        for name, table in tables.items()
        for row in table.rows
        for column, value in zip(table.header[1:], row[1:], strict=True)
    ]
    return Table(["table", "row", "column", "value"], rows)


def figures_response(
    request: Request, project: Project, slug: str, data: dict, tables: Mapping[str, Table]
) -> Response:
    """``data`` as JSON, or its ``tables`` as CSV when the client asked for ``format=csv``."""
    if request.accepted_renderer.format != "csv":
        return Response(data)
    name = request.query_params.get("table")
    if name is not None and name not in tables:
        return Response(
            {"detail": f"No table {name!r}; there are: {', '.join(tables)}."}, status=400
        )
    response = Response(tables[name] if name else long_table(tables))
    response["Content-Disposition"] = (
        f'attachment; filename="project-{project.pk}-{slug}-{name or "all"}.csv"'
    )
    return response


def svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Opened on its own, the chart may not run or fetch anything (its text is escaped anyway); the
    # dashboard page embeds it in an <object>, which counts as framing: same origin only.
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-cache"
    return response


@extend_schema(parameters=CSV_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@renderer_classes(DASHBOARD_RENDERERS)
def labels(request: Request, pk: int) -> Response:
    """Labels per day, throughput per annotator, events per species and the queue's state."""
    project = project_for(request.user, pk)
    data = dashboard.labels_dashboard(project)
    return figures_response(request, project, "labels", data, dashboard.tables(data))


@extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.STR})
@api_view(["GET"])
def chart(request: Request, pk: int, name: str) -> HttpResponse:
    """One labelling chart as SVG: labels_over_time, throughput, species or queue."""
    project = project_for(request.user, pk)
    return svg_response(dashboard.chart(project, name))
