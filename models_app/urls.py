from django.urls import include, path
from rest_framework.routers import SimpleRouter

from models_app import api

router = SimpleRouter()
router.register("model-versions", api.ModelVersionViewSet, basename="model-version")
router.register("training-runs", api.TrainingRunViewSet, basename="training-run")

urlpatterns = [
    path("clips/<int:pk>/predictions/", api.clip_predictions, name="clip-predictions"),
    path(
        "projects/<int:pk>/predictions/import/", api.import_predictions, name="import-predictions"
    ),
    path("", include(router.urls)),
]
