"""The labelling dashboard's JSON/CSV figures and SVG charts (one path per chart)."""

from django.urls import path

from annotator.api import dashboard
from annotator.dashboard import CHARTS

urlpatterns = [
    path("projects/<int:pk>/dashboard/labels/", dashboard.labels, name="dashboard-labels"),
    *(
        path(
            f"projects/<int:pk>/dashboard/charts/{name}.svg",
            dashboard.chart,
            {"name": name},
            name=f"dashboard-chart-{name}",
        )
        for name in CHARTS
    ),
]
