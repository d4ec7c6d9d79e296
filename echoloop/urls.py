from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from annotator import views as annotator_views

urlpatterns = [
    # Before the admin's own URLs: its login counts failures with the page's login.
    path("admin/login/", annotator_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's JSON).
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("annotator.api.urls")),
    path("", include("annotator.urls")),
]

# Errors answer 503/500 JSON under /api/ (a database outage is 503), never a traceback page.
handler500 = "echoloop.errors.server_error"
