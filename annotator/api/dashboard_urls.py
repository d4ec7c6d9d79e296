"""The labelling dashboard's JSON/CSV figures and SVG charts."""

from django.urls import path, re_path

from annotator.api import dashboard
from annotator.dashboard import CHARTS

urlpatterns = [
    path("projects/<int:pk>/dashboard/labels/", dashboard.labels, name="dashboard-labels"),
    re_path(
        rf"^projects/(?P<pk>\d+)/dashboard/charts/(?P<name>{'|'.join(CHARTS)})\.svg$",
        dashboard.chart,
        name="dashboard-labels-chart",
    ),
]
