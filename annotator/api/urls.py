from django.urls import include, path
from rest_framework.routers import DefaultRouter

from annotator.api import analysis, auth, imports, media, views

router = DefaultRouter()
# No ".json" suffix routes: the custom actions take no ``format`` argument (a suffixed URL was a 500).
router.include_format_suffixes = False
router.register("projects", views.ProjectViewSet, basename="project")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("tags", views.TagViewSet, basename="tag")
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("sites", views.SiteViewSet, basename="site")
router.register("recordings", views.RecordingViewSet, basename="recording")
router.register("clips", views.ClipViewSet, basename="clip")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("annotations", views.ClipAnnotationViewSet, basename="annotation")
router.register("imports", imports.ImportJobViewSet, basename="import")

urlpatterns = [
    path("", include("annotator.api.exchange_urls")),
    path("", include("annotator.api.dashboard_urls")),
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("recordings/<int:pk>/spectrogram.png", media.spectrogram, name="recording-spectrogram"),
    path("recordings/<int:pk>/scalogram.png", media.scalogram, name="recording-scalogram"),
    path("recordings/<int:pk>/audio.wav", media.audio, name="recording-audio"),
    path("recordings/<int:pk>/envelope/", analysis.envelope, name="recording-envelope"),
    path("recordings/<int:pk>/spectrum/", analysis.spectrum, name="recording-spectrum"),
    path("recordings/<int:pk>/measurements/", analysis.measure, name="recording-measurements"),
    path(
        "annotations/<int:pk>/measurements/",
        analysis.annotation_measurements,
        name="annotation-measurements",
    ),
    path("", include(router.urls)),
]
