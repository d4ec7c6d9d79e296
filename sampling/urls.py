from django.urls import include, path
from rest_framework.routers import SimpleRouter

from sampling import api, dashboard_api, search_api

router = SimpleRouter()
router.register("sampling-rounds", api.SamplingRoundViewSet, basename="sampling-round")

urlpatterns = [
    path("projects/<int:pk>/sampling-rounds/", api.start_round, name="start-sampling-round"),
    path(
        "projects/<int:pk>/round-requests/<int:request_id>/",
        api.round_request,
        name="round-request",
    ),
    path("projects/<int:pk>/retrain/", api.retrain, name="retrain"),
    path("projects/<int:pk>/pretrain/", api.pretrain, name="pretrain"),
    path("projects/<int:pk>/dashboard/rounds/", dashboard_api.rounds, name="dashboard-rounds"),
    path(
        "projects/<int:pk>/dashboard/charts/rounds.svg",
        dashboard_api.rounds_chart,
        name="dashboard-chart-rounds",
    ),
    path("projects/<int:pk>/similar/", search_api.similar, name="similar"),
    path("projects/<int:pk>/similar/label/", search_api.label, name="similar-label"),
    path("projects/<int:pk>/similar/queue/", search_api.queue_these, name="similar-queue"),
    path(
        "projects/<int:pk>/embedding-adapters/",
        search_api.embedding_adapters,
        name="embedding-adapters",
    ),
    path("projects/<int:pk>/light-head/", search_api.head_status, name="light-head"),
    path("", include(router.urls)),
]
