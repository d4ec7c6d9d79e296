from django.urls import include, path
from rest_framework.routers import SimpleRouter

from sampling import api

router = SimpleRouter()
router.register("sampling-rounds", api.SamplingRoundViewSet, basename="sampling-round")

urlpatterns = [
    path("projects/<int:pk>/sampling-rounds/", api.start_round, name="start-sampling-round"),
    path("projects/<int:pk>/retrain/", api.retrain, name="retrain"),
    path("", include(router.urls)),
]
