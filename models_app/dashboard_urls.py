"""The model dashboard's JSON/CSV figures and SVG charts (one path per chart)."""

from django.urls import path

from models_app import dashboard_api
from models_app.dashboard import CHARTS

urlpatterns = [
    path("projects/<int:pk>/dashboard/model/", dashboard_api.model, name="dashboard-model"),
    *(
        path(
            f"projects/<int:pk>/dashboard/charts/{name}.svg",
            dashboard_api.chart,
            {"name": name},
            name=f"dashboard-chart-{name}",
        )
        for name in CHARTS
    ),
]
