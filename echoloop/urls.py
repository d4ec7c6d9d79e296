from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The apps that build on the annotator add their API here: the base app's URLconf knows
    # nothing of them (models_app and sampling import annotator, never the other way round).
    path("api/", include("models_app.dashboard_urls")),
    path("api/", include("models_app.urls")),
    path("api/", include("sampling.urls")),
    path("api/", include("annotator.api.urls")),
    path("", include("annotator.urls")),
]

# Errors answer 503/500 JSON under /api/ (a database outage is 503), never a traceback page.
handler500 = "echoloop.errors.server_error"
