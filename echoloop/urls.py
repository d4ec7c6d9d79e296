from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("annotator.api.urls")),
    path("", include("annotator.urls")),
]

# Errors answer 503/500 JSON under /api/ (a database outage is 503), never a traceback page.
handler500 = "echoloop.errors.server_error"
